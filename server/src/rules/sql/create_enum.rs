//! ## What it does
//! Flags `CREATE TYPE ... AS ENUM`. `info`, off unless selected (design).
//!
//! ## Why it matters
//! Enum values cannot be removed or reordered without recreating the type, and
//! adding one has transaction restrictions; a lookup table with a foreign key
//! evolves with ordinary rows.
//!
//! ## Example
//! ```sql
//! CREATE TYPE order_status AS ENUM ('new', 'paid');
//! ```
//!
//! ## Safe alternative
//! A lookup table (`order_statuses`) referenced by a foreign key.

use crate::analysis::migration::{Migration, OpTag};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "create-enum",
    severity: Severity::Info,
    class: MigrationClass::Additive,
    default_enabled: false,
    summary: "CREATE TYPE ... AS ENUM: values cannot be removed later",
    source: include_str!("create_enum.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for at in m.ops_of(OpTag::CreateEnum) {
        out.push(
            RULE.finding(
                at.range(),
                "Enum values cannot be removed or reordered later without recreating the type",
            )
            .with_help("Consider a lookup table with a foreign key."),
        );
    }
}
