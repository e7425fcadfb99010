//! ## What it does
//! Flags `BEGIN` (or `START TRANSACTION`) while a transaction is already open:
//! one the migration runner opened around the file, or an earlier `BEGIN`.
//!
//! ## Why it matters
//! PostgreSQL ignores the inner `BEGIN` with a warning, so the first `COMMIT`
//! commits everything so far — including the runner's own transaction. What
//! follows then runs outside any transaction, and a failure leaves the
//! migration half applied while the runner believes it can roll back.
//!
//! golang-migrate is exempt: it sends the file as one query without a
//! transaction of its own, and PostgreSQL makes that query's implicit
//! transaction block explicit at the `BEGIN`, without a warning.
//!
//! ## Example
//! ```sql
//! -- goose already runs this migration in a transaction
//! BEGIN;
//! ALTER TABLE users ADD COLUMN nickname text;
//! COMMIT;
//! ```
//!
//! ## Safe alternative
//! Remove the explicit `BEGIN`/`COMMIT` and let the runner manage the
//! transaction, or mark the migration non-transactional in the runner's own
//! way and manage transactions yourself.

use crate::analysis::migration::{Migration, OpKind, OpTag};
use crate::analysis::runner::Runner;
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "transaction-nesting",
    severity: Severity::Warning,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "BEGIN inside a transaction that is already open",
    source: include_str!("transaction_nesting.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for at in m.ops_of(OpTag::Begin) {
        if at.op.kind != OpKind::Begin || !at.context.in_transaction {
            continue;
        }
        let in_runner_transaction =
            at.context.transaction == Some(0) && m.settings().in_transaction == Some(true);
        // golang-migrate opens no transaction of its own: PostgreSQL turns the
        // query's implicit block into this BEGIN's, silently.
        if in_runner_transaction && m.runner().runner == Runner::GolangMigrate {
            continue;
        }
        let opened_by = if in_runner_transaction {
            "the migration runner's transaction"
        } else {
            "the transaction opened earlier"
        };
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "This BEGIN is inside {opened_by}: PostgreSQL ignores it, and the next COMMIT ends the outer transaction early"
                ),
            )
            .with_help("Remove the explicit BEGIN/COMMIT, or make the migration non-transactional in the runner."),
        );
    }
}
