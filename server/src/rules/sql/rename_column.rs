//! ## What it does
//! Flags `ALTER TABLE ... RENAME COLUMN` on a table that existed before this
//! migration.
//!
//! ## Why it matters
//! The rename itself is instant, but during a deploy the old application
//! version is still running and still uses the old name: its queries fail
//! until every instance runs the new code.
//!
//! ## Example
//! ```sql
//! ALTER TABLE users RENAME COLUMN name TO full_name;
//! ```
//!
//! ## Safe alternative
//! Expand and contract: add the new column, keep both in sync with a trigger,
//! backfill, move readers and writers to the new name, and drop the old column
//! in a later deploy. Or rename only in the ORM and keep the database name.

use crate::analysis::migration::{Migration, OpKind, OpTag};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};

use super::{existing, table_of};

pub static RULE: Rule = Rule {
    id: "rename-column",
    severity: Severity::Error,
    class: MigrationClass::Destructive,
    default_enabled: true,
    summary: "Renaming a column breaks application instances still using the old name",
    source: include_str!("rename_column.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for at in existing(m, OpTag::RenameColumn) {
        let OpKind::RenameColumn { from, to } = &at.op.kind else {
            continue;
        };
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "Renaming `{from}` to `{to}` on {} breaks every running instance that still uses `{from}`",
                    table_of(&at)
                ),
            )
            .with_help("Add the new column, sync both with a trigger, switch the code, drop the old column in a later deploy.")
            .with_fix(m.fix(|| fixes::expand_contract::rename_column(m, &at))),
        );
    }
}
