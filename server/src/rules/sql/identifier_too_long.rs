//! ## What it does
//! Flags names longer than 63 bytes given to tables, columns, indexes and
//! constraints created or renamed by the migration, including `CONSTRAINT
//! name` inside `CREATE TABLE`, `ALTER INDEX ... RENAME TO` and `RENAME
//! CONSTRAINT ... TO`.
//!
//! ## Why it matters
//! PostgreSQL silently truncates identifiers to 63 bytes (NAMEDATALEN - 1). Two
//! long names with the same first 63 bytes collide, and the name in the
//! database is not the one the code uses.
//!
//! ## Example
//! ```sql
//! CREATE INDEX index_orders_on_customer_id_and_created_at_and_status_and_region ON orders (customer_id);
//! ```
//!
//! ## Safe alternative
//! A shorter name (abbreviate, or end with a short hash of the long one).

use crate::analysis::migration::{ColumnDef, Migration, Name, OpKind, OpTag};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "identifier-too-long",
    severity: Severity::Error,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "Identifier longer than 63 bytes is silently truncated",
    source: include_str!("identifier_too_long.rs"),
    check: Check::Migration(check),
};

/// PostgreSQL's NAMEDATALEN - 1.
const MAX: usize = 63;

fn check(m: &Migration, out: &mut Vec<Finding>) {
    const NAMING: [OpTag; 8] = [
        OpTag::CreateTable,
        OpTag::AddColumn,
        OpTag::CreateIndex,
        OpTag::AddConstraint,
        OpTag::RenameColumn,
        OpTag::RenameTable,
        OpTag::RenameIndex,
        OpTag::RenameConstraint,
    ];
    for at in NAMING.into_iter().flat_map(|tag| m.ops_of(tag)) {
        for name in new_names(&at.op.kind, at.op.table.as_ref()) {
            if name.len() <= MAX {
                continue;
            }
            out.push(
                RULE.finding(
                    at.range(),
                    format!(
                        "`{name}` is {} bytes long: PostgreSQL silently truncates it to its first {MAX}",
                        name.len()
                    ),
                )
                .with_help("Shorten it, e.g. abbreviate or end it with a short hash."),
            );
        }
    }
}

/// The names an operation gives to new objects.
fn new_names<'o>(kind: &'o OpKind, table: Option<&'o Name>) -> impl Iterator<Item = &'o str> + 'o {
    let (own, columns, constraints): (Option<&'o str>, &'o [ColumnDef], &'o [String]) = match kind {
        OpKind::CreateTable {
            columns,
            constraints,
            ..
        } => (table.map(|t| t.name.as_str()), columns, constraints),
        OpKind::AddColumn(column) => (Some(&column.column), &[], &[]),
        OpKind::CreateIndex {
            name: Some(name), ..
        }
        | OpKind::AddConstraint {
            name: Some(name), ..
        } => (Some(name), &[], &[]),
        OpKind::RenameColumn { to, .. }
        | OpKind::RenameTable { to }
        | OpKind::RenameIndex { to }
        | OpKind::RenameConstraint { to } => (Some(to), &[], &[]),
        _ => (None, &[], &[]),
    };
    own.into_iter()
        .chain(columns.iter().map(|c| c.name.as_str()))
        .chain(constraints.iter().map(String::as_str))
}
