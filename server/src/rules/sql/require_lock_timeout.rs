//! ## What it does
//! Flags a migration that takes a lock conflicting with reads or writes
//! (SHARE or stronger) on an existing table, with no `lock_timeout` set
//! earlier in the same session or transaction. Reported once, at the first
//! such statement; the severity is `error` when any of them takes ACCESS
//! EXCLUSIVE, `warning` otherwise.
//!
//! ## Why it matters
//! A lock request waits behind every long-running transaction on the table, and
//! every later query on the table queues behind the waiting request. Even a
//! metadata-only `ALTER TABLE` then stops all traffic to the table until the
//! long transaction ends: an outage caused by a change that takes milliseconds.
//!
//! ## Example
//! ```sql
//! ALTER TABLE users ADD COLUMN nickname text;
//! ```
//!
//! ## Safe alternative
//! ```sql
//! SET lock_timeout = '2s';   -- SET LOCAL inside the runner's transaction
//! ALTER TABLE users ADD COLUMN nickname text;
//! ```
//! The statement now fails fast (SQLSTATE `55P03`) instead of queueing; retry
//! the migration with backoff. `SET lock_timeout = 0` turns the timeout off
//! and does not count. `SELECT set_config('lock_timeout', '2s', false)` counts
//! as `SET` (`true` as the third argument: as `SET LOCAL`); a `ROLLBACK`
//! undoes what was set in its transaction.

use crate::analysis::migration::{LockMode, Migration};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};

use super::Unguarded;

pub static RULE: Rule = Rule {
    id: "require-lock-timeout",
    severity: Severity::Error,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "Dangerous lock taken with no lock_timeout set first",
    source: include_str!("require_lock_timeout.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    let Some(unguarded) = Unguarded::find(m, |context| context.lock_timeout) else {
        return;
    };
    let lock = unguarded.first.lock;
    let message = format!(
        "{} lock on {} without a lock_timeout: while it waits for the lock, {} on the table queue behind it{}",
        lock.as_str(),
        unguarded.table(),
        lock.blocks(),
        unguarded.others_note(),
    );
    let severity = if unguarded.strongest == LockMode::AccessExclusive {
        Severity::Error
    } else {
        Severity::Warning
    };
    out.push(
        RULE.finding(unguarded.at.range(), message)
            .with_severity(severity)
            .with_help("Start the migration with `SET lock_timeout = '2s';` (`SET LOCAL` inside a transaction) and retry on timeout.")
            .with_fix(m.fix(|| fixes::preamble::set_timeout(m, &unguarded.at, "lock_timeout", "2s"))),
    );
}
