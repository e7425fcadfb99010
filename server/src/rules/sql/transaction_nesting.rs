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
//! ## Example
//! ```sql
//! -- golang-migrate already runs this file in one transaction
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
        let opened_by =
            if at.context.transaction == Some(0) && m.settings().in_transaction == Some(true) {
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
