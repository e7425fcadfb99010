//! ## What it does
//! Flags `DROP TABLE IF EXISTS t` immediately followed by `CREATE TABLE t` on a
//! table that may already exist (the pattern of Rails `force: true`).
//!
//! ## Why it matters
//! On a fresh database it looks harmless; on production it silently deletes the
//! existing table and its data.
//!
//! ## Example
//! ```sql
//! DROP TABLE IF EXISTS settings;
//! CREATE TABLE settings (key text PRIMARY KEY, value text);
//! ```
//!
//! ## Safe alternative
//! `CREATE TABLE IF NOT EXISTS`, or drop the old table explicitly in its own
//! reviewed migration.

use crate::analysis::migration::{Migration, OpKind, OpTag};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "create-table-force",
    severity: Severity::Error,
    class: MigrationClass::Destructive,
    default_enabled: true,
    summary: "DROP TABLE IF EXISTS right before CREATE TABLE silently drops data",
    source: include_str!("create_table_force.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for create in m.ops_of(OpTag::CreateTable) {
        let (Some(table), Some(previous)) = (&create.op.table, create.index.checked_sub(1)) else {
            continue;
        };
        let dropped_just_before = m.ops_of(OpTag::DropTable).any(|drop| {
            drop.index == previous
                && !drop.new_relation
                && drop.op.kind == (OpKind::DropTable { if_exists: true })
                && drop.op.table.as_ref().is_some_and(|t| t.matches(table))
        });
        if !dropped_just_before {
            continue;
        }
        out.push(
            RULE.finding(
                create.range(),
                format!(
                    "`{table}` is dropped and recreated: on a database where it exists, its data is silently deleted"
                ),
            )
            .with_help("Use CREATE TABLE IF NOT EXISTS, or drop the old table in its own reviewed migration."),
        );
    }
}
