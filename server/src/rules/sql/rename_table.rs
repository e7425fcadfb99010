//! ## What it does
//! Flags `ALTER TABLE ... RENAME TO` on a table that existed before this
//! migration.
//!
//! ## Why it matters
//! The rename is instant, but every running instance of the previous release
//! still queries the old name and fails until it is replaced.
//!
//! ## Example
//! ```sql
//! ALTER TABLE customers RENAME TO accounts;
//! ```
//!
//! ## Safe alternative
//! Rename and leave a compatibility view under the old name in the same
//! transaction (not flagged); drop the view in a later deploy:
//! ```sql
//! ALTER TABLE customers RENAME TO accounts;
//! CREATE VIEW customers AS SELECT * FROM accounts;
//! ```

use crate::analysis::migration::{Migration, OpKind, OpTag};

use super::{existing, table_of};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "rename-table",
    severity: Severity::Error,
    class: MigrationClass::Destructive,
    default_enabled: true,
    summary: "Renaming a table breaks application instances still using the old name",
    source: include_str!("rename_table.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for at in existing(m, OpTag::RenameTable) {
        let (OpKind::RenameTable { to }, Some(old)) = (&at.op.kind, &at.op.table) else {
            continue;
        };
        // Recipe R13: a view under the old name keeps running code working.
        let keeps_old_name = m.ops_of(OpTag::CreateView).any(|view| {
            view.index > at.index
                && matches!(
                    view.op.kind,
                    OpKind::CreateView {
                        materialized: false,
                        ..
                    }
                )
                && view.op.table.as_ref().is_some_and(|v| v.matches(old))
        });
        if keeps_old_name {
            continue;
        }
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "Renaming {} to `{to}` breaks every running instance that still queries the old name",
                    table_of(&at)
                ),
            )
            .with_help("Create a view with the old name in the same transaction; drop it in a later deploy.")
            .with_fix(m.fix(|| fixes::rename_table::with_compatibility_view(m, &at))),
        );
    }
}
