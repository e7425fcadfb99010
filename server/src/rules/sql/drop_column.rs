//! ## What it does
//! Flags `ALTER TABLE ... DROP COLUMN` on a table that existed before this
//! migration.
//!
//! ## Why it matters
//! Dropping is metadata-only, but the data is gone for good, and application
//! instances still running code (or ORMs caching the column list) that read or
//! write the column fail until they are replaced.
//!
//! ## Example
//! ```sql
//! ALTER TABLE users DROP COLUMN legacy_flag;
//! ```
//!
//! ## Safe alternative
//! First deploy code that no longer reads or writes the column (for example
//! Rails `ignored_columns`, Django `SeparateDatabaseAndState`); then, in a later
//! migration, drop its indexes and foreign keys and
//! `DROP COLUMN IF EXISTS` with a `lock_timeout`.

use crate::analysis::migration::{Migration, OpKind, OpTag};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

use super::{existing, table_of};

pub static RULE: Rule = Rule {
    id: "drop-column",
    severity: Severity::Warning,
    class: MigrationClass::Destructive,
    default_enabled: true,
    summary: "Dropping a column loses data and breaks code still using it",
    source: include_str!("drop_column.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for at in existing(m, OpTag::DropColumn) {
        let OpKind::DropColumn { column, .. } = &at.op.kind else {
            continue;
        };
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "Dropping `{column}` from {} deletes its data and breaks running code that still uses it",
                    table_of(&at)
                ),
            )
            .with_help("Deploy code that no longer uses the column first; drop it in a later migration."),
        );
    }
}
