//! ## What it does
//! Flags `ALTER TABLE ... ADD CONSTRAINT ... UNIQUE (...)` on an existing
//! table, unless it is `UNIQUE USING INDEX` an index built beforehand, and
//! `ADD COLUMN ... UNIQUE`.
//!
//! ## Why it matters
//! The unique index is built while the table holds ACCESS EXCLUSIVE: no reads
//! and no writes for the whole build. The build also fails if the data has
//! duplicates.
//!
//! ## Example
//! ```sql
//! ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
//! ```
//!
//! ## Safe alternative
//! ```sql
//! -- migration 1, outside a transaction
//! CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_email_key ON users (email);
//! -- migration 2
//! ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;
//! ```

use crate::analysis::migration::{ConstraintKind, Migration};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};

use super::{constraint_label, inline_index_findings, table_of, validated_on_add};

pub static RULE: Rule = Rule {
    id: "add-unique-constraint",
    severity: Severity::Error,
    class: MigrationClass::Transformative,
    default_enabled: true,
    summary: "UNIQUE constraint builds its index under ACCESS EXCLUSIVE",
    source: include_str!("add_unique_constraint.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    out.extend(inline_index_findings(m, &RULE, "UNIQUE"));
    for (at, kind) in validated_on_add(m) {
        if *kind != (ConstraintKind::Unique { using_index: false }) {
            continue;
        }
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "Adding unique constraint {} builds its index while {} is locked against all reads and writes",
                    constraint_label(&at),
                    table_of(&at)
                ),
            )
            .with_help("Build the index with `CREATE UNIQUE INDEX CONCURRENTLY`, then `ADD CONSTRAINT ... UNIQUE USING INDEX`.")
            .with_fix(m.fix(|| fixes::unique::from_concurrent_index(m, &at))),
        );
    }
}
