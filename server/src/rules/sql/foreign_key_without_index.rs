//! ## What it does
//! Flags `ADD CONSTRAINT ... FOREIGN KEY (cols)` when this migration creates no
//! index on the same table leading with the first of those columns. `info`, off
//! unless selected: an index may already exist, which a migration alone cannot
//! show.
//!
//! ## Why it matters
//! Deleting or updating a referenced row makes PostgreSQL look up referencing
//! rows; without an index that is a sequential scan of the child table, for
//! every such row.
//!
//! ## Example
//! ```sql
//! ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
//! ```
//!
//! ## Safe alternative
//! ```sql
//! CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_user_id_idx ON orders (user_id);
//! ```

use crate::analysis::migration::{ConstraintKind, Migration, OpKind, OpTag};

use super::table_of;
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "foreign-key-without-index",
    severity: Severity::Info,
    class: MigrationClass::Additive,
    default_enabled: false,
    summary: "Foreign key whose columns have no index created in this migration",
    source: include_str!("foreign_key_without_index.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for at in m.ops_of(OpTag::AddConstraint) {
        let (
            OpKind::AddConstraint {
                kind: ConstraintKind::ForeignKey { .. },
                ..
            },
            Some(table),
            Some(leading),
        ) = (&at.op.kind, &at.op.table, at.op.columns.first())
        else {
            continue;
        };
        let indexed = m.ops_of(OpTag::CreateIndex).any(|index| {
            index.op.table.as_ref().is_some_and(|t| t.matches(table))
                && index.op.columns.first() == Some(leading)
        });
        if indexed {
            continue;
        }
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "No index on `{table}` leads with `{leading}` in this migration: deleting or updating a referenced row scans {} for matches",
                    table_of(&at)
                ),
            )
            .with_help("Create an index CONCURRENTLY on the referencing columns (unless one exists already)."),
        );
    }
}
