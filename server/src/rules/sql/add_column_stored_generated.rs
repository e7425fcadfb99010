//! ## What it does
//! Flags `ADD COLUMN ... GENERATED ALWAYS AS (...) STORED` on an existing table.
//!
//! ## Why it matters
//! The value is computed and written for every row: a full rewrite while ACCESS
//! EXCLUSIVE blocks all reads and writes.
//!
//! ## Example
//! ```sql
//! ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS (total * 100) STORED;
//! ```
//!
//! ## Safe alternative
//! A plain column kept up to date by a `BEFORE INSERT OR UPDATE` trigger and
//! backfilled in batches; on PostgreSQL 18+, a `VIRTUAL` generated column.

use crate::analysis::migration::{Migration, OpKind, OpTag};

use super::{existing, table_of};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "add-column-stored-generated",
    severity: Severity::Error,
    class: MigrationClass::Transformative,
    default_enabled: true,
    summary: "ADD COLUMN GENERATED ... STORED rewrites the table under ACCESS EXCLUSIVE",
    source: include_str!("add_column_stored_generated.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for at in existing(m, OpTag::AddColumn) {
        let OpKind::AddColumn(column) = &at.op.kind else {
            continue;
        };
        if !column.stored_generated {
            continue;
        }
        let help = if m.settings().postgres_version >= 18 {
            "Use a VIRTUAL generated column, or a trigger-maintained column backfilled in batches."
        } else {
            "Use a plain column kept by a BEFORE trigger, backfilled in batches."
        };
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "Adding stored generated `{}` computes it for every row: {} is rewritten under ACCESS EXCLUSIVE",
                    column.column,
                    table_of(&at)
                ),
            )
            .with_help(help),
        );
    }
}
