//! ## What it does
//! Flags `ADD COLUMN` of a `serial`/`bigserial`/`smallserial` column or one
//! `GENERATED ... AS IDENTITY` on an existing table.
//!
//! ## Why it matters
//! Every existing row gets a number, so the table and all its indexes are
//! rewritten while ACCESS EXCLUSIVE blocks all reads and writes.
//!
//! ## Example
//! ```sql
//! ALTER TABLE events ADD COLUMN seq bigserial;
//! ```
//!
//! ## Safe alternative
//! Add a nullable `bigint`, attach a sequence as its default for new rows,
//! backfill existing rows in batches, then set NOT NULL safely; or build a new
//! table and copy (expand/contract).

use crate::analysis::migration::{Migration, OpKind, OpTag};

use super::{existing, table_of};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "add-column-auto-increment",
    severity: Severity::Error,
    class: MigrationClass::Transformative,
    default_enabled: true,
    summary: "ADD COLUMN serial or identity rewrites the table under ACCESS EXCLUSIVE",
    source: include_str!("add_column_auto_increment.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for at in existing(m, OpTag::AddColumn) {
        let OpKind::AddColumn(column) = &at.op.kind else {
            continue;
        };
        if !column.auto_increment {
            continue;
        }
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "Adding auto-incrementing `{}` numbers every existing row: {} and its indexes are rewritten under ACCESS EXCLUSIVE",
                    column.column,
                    table_of(&at)
                ),
            )
            .with_help("Add a nullable bigint with a sequence default for new rows, then backfill in batches."),
        );
    }
}
