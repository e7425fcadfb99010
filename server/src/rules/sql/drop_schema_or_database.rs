//! ## What it does
//! Flags `DROP SCHEMA` and `DROP DATABASE`, except dropping schemas this
//! migration created earlier (nothing outside it can be inside them yet).
//!
//! ## Why it matters
//! Every table, view, function and row inside is gone at once; with `CASCADE`,
//! also everything that depends on them.
//!
//! ## Example
//! ```sql
//! DROP SCHEMA reporting CASCADE;
//! ```
//!
//! ## Safe alternative
//! Drop the objects you mean to drop, one reviewed migration at a time, after
//! the code that used them is gone. There is no automatic rewrite.

use crate::analysis::migration::{Migration, OpKind, OpTag};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "drop-schema-or-database",
    severity: Severity::Error,
    class: MigrationClass::Destructive,
    default_enabled: true,
    summary: "DROP SCHEMA or DROP DATABASE deletes everything in it",
    source: include_str!("drop_schema_or_database.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for at in m.ops_of(OpTag::DropSchema) {
        let OpKind::DropSchema { what, schemas } = &at.op.kind else {
            continue;
        };
        if !schemas.is_empty() && schemas.iter().all(|s| m.is_new_schema(s, at.index)) {
            continue;
        }
        out.push(
            RULE.finding(
                at.range(),
                format!("{what} deletes every object and row inside it, at once"),
            )
            .with_help("Drop the individual objects in reviewed migrations instead."),
        );
    }
}
