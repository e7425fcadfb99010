//! ## What it does
//! Flags `ADD COLUMN c ... NOT NULL DEFAULT x` followed, in the same migration,
//! by `ALTER COLUMN c DROP DEFAULT` (what Django before 5.0 emits).
//!
//! ## Why it matters
//! Instances of the previous release insert rows without the new column; with
//! the default gone, those inserts violate NOT NULL and fail until every
//! instance is replaced.
//!
//! ## Example
//! ```sql
//! ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';
//! ALTER TABLE users ALTER COLUMN plan DROP DEFAULT;
//! ```
//!
//! ## Safe alternative
//! Keep the database default (Django 5+ `db_default=`), and drop it, if at all,
//! in a later deploy.

use crate::analysis::migration::{Migration, OpKind, OpTag};

use super::existing;
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "add-column-code-default-dropped",
    severity: Severity::Warning,
    class: MigrationClass::Additive,
    default_enabled: true,
    summary: "NOT NULL column added with a DEFAULT that is then dropped",
    source: include_str!("add_column_code_default_dropped.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for drop in existing(m, OpTag::DropDefault) {
        let (OpKind::DropDefault { column }, Some(table)) = (&drop.op.kind, &drop.op.table) else {
            continue;
        };
        let added_with_default = m.ops_of(OpTag::AddColumn).any(|add| {
            add.index < drop.index
                && add.op.table.as_ref().is_some_and(|t| t.matches(table))
                && matches!(&add.op.kind, OpKind::AddColumn(c)
                    if &c.column == column && c.not_null && c.default.is_some())
        });
        if !added_with_default {
            continue;
        }
        out.push(
            RULE.finding(
                drop.range(),
                format!(
                    "Dropping the default of new NOT NULL column `{column}` makes inserts from the previous release fail until every instance is replaced"
                ),
            )
            .with_help("Keep the database default; drop it, if needed, in a later deploy."),
        );
    }
}
