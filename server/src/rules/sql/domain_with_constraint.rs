//! ## What it does
//! Flags `CREATE DOMAIN ... CHECK` and `ALTER DOMAIN ... ADD CONSTRAINT`.
//!
//! ## Why it matters
//! Adding a constraint to a domain validates every column of every table that
//! uses it, under locks, and coercing columns to a constrained domain forces
//! rewrites. The cost is hidden from the migration's text.
//!
//! ## Example
//! ```sql
//! ALTER DOMAIN positive_amount ADD CONSTRAINT positive CHECK (VALUE > 0);
//! ```
//!
//! ## Safe alternative
//! Put the CHECK on the columns themselves, added `NOT VALID` and validated
//! later.

use crate::analysis::migration::{Migration, OpTag};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "domain-with-constraint",
    severity: Severity::Warning,
    class: MigrationClass::Transformative,
    default_enabled: true,
    summary: "A domain CHECK is revalidated on every column that uses the domain",
    source: include_str!("domain_with_constraint.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for at in m.ops_of(OpTag::DomainConstraint) {
        out.push(
            RULE.finding(
                at.range(),
                "A domain constraint is checked against every column that uses the domain, in every table",
            )
            .with_help("Put CHECK constraints on the columns (NOT VALID, then VALIDATE)."),
        );
    }
}
