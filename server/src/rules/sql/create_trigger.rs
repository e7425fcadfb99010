//! ## What it does
//! Flags `CREATE [OR REPLACE] TRIGGER` on an existing table. `info`; `warning`
//! when no `lock_timeout` is set.
//!
//! ## Why it matters
//! It takes SHARE ROW EXCLUSIVE: writes to the table queue behind it while it
//! waits for long transactions, and the trigger adds work to every row written
//! afterwards.
//!
//! ## Example
//! ```sql
//! CREATE TRIGGER users_audit AFTER UPDATE ON users FOR EACH ROW EXECUTE FUNCTION audit();
//! ```
//!
//! ## Safe alternative
//! Set a `lock_timeout` first; use `CREATE OR REPLACE TRIGGER` (PostgreSQL 14+)
//! to redefine a trigger atomically.

use crate::analysis::migration::{Migration, OpTag};

use super::{existing, table_of};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "create-trigger",
    severity: Severity::Info,
    class: MigrationClass::Additive,
    default_enabled: true,
    summary: "CREATE TRIGGER blocks writes while it waits for its lock",
    source: include_str!("create_trigger.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for at in existing(m, OpTag::CreateTrigger) {
        let finding = RULE.finding(
            at.range(),
            format!(
                "Creating a trigger takes SHARE ROW EXCLUSIVE on {}: writes wait while it waits for its lock, and every later write runs the trigger",
                table_of(&at)
            ),
        )
        .with_help("Set a lock_timeout before it and retry on timeout.");
        out.push(if at.context.lock_timeout {
            finding
        } else {
            finding.with_severity(Severity::Warning)
        });
    }
}
