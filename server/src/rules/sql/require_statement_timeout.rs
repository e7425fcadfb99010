//! ## What it does
//! Flags a migration that takes a lock blocking reads or writes on an existing
//! table with no `statement_timeout` set earlier in the session or
//! transaction. Reported once, at the first such statement. `info`: a
//! timeout is good hygiene, its absence is not an outage by itself.
//!
//! ## Why it matters
//! Without a statement timeout, a DDL statement that turns out slow (a
//! rewrite, a scan) keeps its lock for as long as it runs, and nobody can
//! interrupt it short of killing the backend.
//!
//! ## Example
//! ```sql
//! SET lock_timeout = '2s';
//! ALTER TABLE users ADD COLUMN nickname text;
//! ```
//!
//! ## Safe alternative
//! ```sql
//! SET lock_timeout = '2s';
//! SET statement_timeout = '60s';
//! ALTER TABLE users ADD COLUMN nickname text;
//! ```
//! Set it to `0` before statements that are meant to run long without
//! blocking anyone (`CREATE INDEX CONCURRENTLY`, `VALIDATE CONSTRAINT`,
//! batched backfills).

use crate::analysis::migration::Migration;
use crate::finding::{Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};

use super::Unguarded;

pub static RULE: Rule = Rule {
    id: "require-statement-timeout",
    severity: Severity::Info,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "Blocking lock taken with no statement_timeout set first",
    source: include_str!("require_statement_timeout.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    let Some(unguarded) = Unguarded::find(m, |context| context.statement_timeout) else {
        return;
    };
    let lock = unguarded.first.lock;
    out.push(
        RULE.finding(
            unguarded.at.range(),
            format!(
                "{} lock on {} with no statement_timeout: if the statement runs long, the lock is held for as long as it runs{}",
                lock.as_str(),
                unguarded.table(),
                unguarded.others_note(),
            ),
        )
        .with_help("Add `SET statement_timeout = '60s';` at the top (`SET LOCAL` inside a transaction).")
        .with_fix(m.fix(|| fixes::preamble::set_timeout(m, &unguarded.at, "statement_timeout", "60s"))),
    );
}
