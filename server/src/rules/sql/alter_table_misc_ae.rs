//! ## What it does
//! Flags other `ALTER TABLE` actions that change only metadata but take ACCESS
//! EXCLUSIVE (`OWNER TO`, `REPLICA IDENTITY`, `ENABLE/DISABLE ROW LEVEL
//! SECURITY`, `RENAME CONSTRAINT`, `SET/DROP DEFAULT`). `info`, off unless
//! selected: `require-lock-timeout` already covers the risk.
//!
//! ## Why it matters
//! They are instant once granted, but queue every query on the table while they
//! wait for the lock.
//!
//! ## Example
//! ```sql
//! ALTER TABLE users OWNER TO app_owner;
//! ```
//!
//! ## Safe alternative
//! Run with a `lock_timeout` and retry.

use crate::analysis::migration::{LockMode, Migration, OpKind, OpTag};

use super::{existing, table_of};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "alter-table-misc-ae",
    severity: Severity::Info,
    class: MigrationClass::Transformative,
    default_enabled: false,
    summary: "Metadata-only ALTER TABLE that still takes ACCESS EXCLUSIVE",
    source: include_str!("alter_table_misc_ae.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    let candidates = [
        OpTag::AlterTableOther,
        OpTag::DropDefault,
        OpTag::RenameConstraint,
    ];
    for at in candidates.into_iter().flat_map(|tag| existing(m, tag)) {
        if at.op.lock() != Some(LockMode::AccessExclusive) {
            continue;
        }
        let what = match &at.op.kind {
            OpKind::AlterTableOther { what, .. } => what.as_str(),
            OpKind::RenameConstraint { .. } => "RENAME CONSTRAINT",
            _ => "DROP DEFAULT",
        };
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "{what} changes only metadata but takes ACCESS EXCLUSIVE on {}: queries queue while it waits",
                    table_of(&at)
                ),
            )
            .with_help("Run it with a lock_timeout and retry on timeout."),
        );
    }
}
