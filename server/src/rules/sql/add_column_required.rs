//! ## What it does
//! Flags `ALTER TABLE ... ADD COLUMN ... NOT NULL` without a `DEFAULT` on a
//! table that existed before this migration.
//!
//! ## Why it matters
//! PostgreSQL must fill the new column for every existing row; with no
//! default it fills NULL, which the NOT NULL constraint rejects: the
//! migration fails on any non-empty table. Even on an empty one, application
//! instances still running the old code cannot insert rows any more.
//!
//! ## Example
//! ```sql
//! ALTER TABLE users ADD COLUMN plan text NOT NULL;
//! ```
//!
//! ## Safe alternative
//! ```sql
//! -- PostgreSQL 11+: a constant default is metadata-only
//! ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';
//! ```
//! Before PostgreSQL 11, add the column nullable, backfill it in batches, then
//! set NOT NULL. Serial, identity and generated columns fill themselves and are
//! not flagged here.

use crate::analysis::migration::{Migration, OpKind, OpTag};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};

use super::{existing, table_of};

pub static RULE: Rule = Rule {
    id: "add-column-required",
    severity: Severity::Error,
    class: MigrationClass::Additive,
    default_enabled: true,
    summary: "NOT NULL column added without a DEFAULT fails on a non-empty table",
    source: include_str!("add_column_required.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for at in existing(m, OpTag::AddColumn) {
        let OpKind::AddColumn(column) = &at.op.kind else {
            continue;
        };
        if !column.not_null || column.default.is_some() || column.auto_filled {
            continue;
        }
        let help = if m.settings().postgres_version >= 11 {
            "Give the column a constant DEFAULT (metadata-only since PostgreSQL 11), or add it nullable and backfill."
        } else {
            "Add the column nullable, backfill it in batches, then SET NOT NULL."
        };
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "Adding NOT NULL column `{}` without a DEFAULT fails if {} has any rows, and breaks inserts from running code",
                    column.column,
                    table_of(&at)
                ),
            )
            .with_help(help)
            .with_fix(m.fix(|| fixes::column::constant_default(m, &at))),
        );
    }
}
