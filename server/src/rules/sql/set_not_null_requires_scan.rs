//! ## What it does
//! Flags `ALTER COLUMN ... SET NOT NULL` on a table that existed before this
//! migration, unless a valid `CHECK (column IS NOT NULL)` (alone or `AND`ed
//! with other conditions) added or validated earlier in the migration proves
//! the column non-null (PostgreSQL 12+), or the migration made the column NOT
//! NULL already (then the statement does nothing).
//!
//! ## Why it matters
//! `SET NOT NULL` scans the whole table under an ACCESS EXCLUSIVE lock to check
//! for NULLs: no reads or writes for the duration of the scan.
//!
//! ## Example
//! ```sql
//! ALTER TABLE users ALTER COLUMN email SET NOT NULL;
//! ```
//!
//! ## Safe alternative
//! PostgreSQL 12 to 17:
//! ```sql
//! ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;
//! -- next migration
//! ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;
//! ALTER TABLE users ALTER COLUMN email SET NOT NULL;  -- no scan: the CHECK proves it
//! ALTER TABLE users DROP CONSTRAINT users_email_not_null;
//! ```
//! PostgreSQL 18+: `ALTER TABLE users ADD CONSTRAINT users_email_not_null NOT NULL email NOT VALID;`
//! then `VALIDATE CONSTRAINT` in a later migration.

use crate::analysis::migration::{Migration, OpKind, OpTag};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};

use super::{existing, not_null_without_scan, table_of};

pub static RULE: Rule = Rule {
    id: "set-not-null-requires-scan",
    severity: Severity::Error,
    class: MigrationClass::Transformative,
    default_enabled: true,
    summary: "SET NOT NULL scans the table under ACCESS EXCLUSIVE",
    source: include_str!("set_not_null_requires_scan.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    let help = not_null_without_scan(m.settings().postgres_version);
    for at in existing(m, OpTag::SetNotNull) {
        let (OpKind::SetNotNull { column }, Some(table)) = (&at.op.kind, &at.op.table) else {
            continue;
        };
        if m.known_not_null(table, column, at.index) {
            continue;
        }
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "Setting `{column}` NOT NULL scans all of {} while holding an ACCESS EXCLUSIVE lock (no reads or writes)",
                    table_of(&at)
                ),
            )
            .with_help(help)
            .with_fix(m.fix(|| fixes::not_null::without_scan(m, &at))),
        );
    }
}
