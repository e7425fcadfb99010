//! ## What it does
//! Flags `ALTER SCHEMA ... RENAME TO`.
//!
//! ## Why it matters
//! Every query, view, function and connection setting (`search_path`) naming
//! the old schema breaks at once.
//!
//! ## Example
//! ```sql
//! ALTER SCHEMA billing RENAME TO payments;
//! ```
//!
//! ## Safe alternative
//! Create the new schema, move or dual-write objects, switch code, then drop
//! the old schema in a later deploy.

use crate::analysis::migration::{Migration, OpTag};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "rename-schema",
    severity: Severity::Warning,
    class: MigrationClass::Destructive,
    default_enabled: true,
    summary: "Renaming a schema breaks every qualified reference to it",
    source: include_str!("rename_schema.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for at in m.ops_of(OpTag::RenameSchema) {
        out.push(
            RULE.finding(
                at.range(),
                "Renaming a schema breaks every query, view and search_path that names it",
            )
            .with_help("Create the new schema and move to it over several deploys."),
        );
    }
}
