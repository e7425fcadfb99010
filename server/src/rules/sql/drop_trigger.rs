//! ## What it does
//! Flags `DROP TRIGGER` on an existing table when no `lock_timeout` is set.
//!
//! ## Why it matters
//! It takes ACCESS EXCLUSIVE on the table: quick, but every query queues behind
//! it while it waits for long transactions.
//!
//! ## Example
//! ```sql
//! DROP TRIGGER users_audit ON users;
//! ```
//!
//! ## Safe alternative
//! `SET lock_timeout = '2s'; DROP TRIGGER IF EXISTS users_audit ON users;` in
//! its own migration.

use crate::analysis::migration::{Migration, OpTag};

use super::{existing, table_of};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "drop-trigger",
    severity: Severity::Warning,
    class: MigrationClass::Destructive,
    default_enabled: true,
    summary: "DROP TRIGGER takes ACCESS EXCLUSIVE on the table",
    source: include_str!("drop_trigger.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for at in existing(m, OpTag::DropTrigger) {
        if at.context.lock_timeout {
            continue;
        }
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "Dropping a trigger takes ACCESS EXCLUSIVE on {} with no lock_timeout: every query on it can queue behind the drop",
                    table_of(&at)
                ),
            )
            .with_help("Set a lock_timeout first; use DROP TRIGGER IF EXISTS in its own migration."),
        );
    }
}
