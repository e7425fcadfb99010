//! ## What it does
//! Inside one transaction, flags the first statement that runs after another
//! statement took an ACCESS EXCLUSIVE lock on an existing table. Reported
//! once per transaction. A catalog-only change to the same table (dropping
//! the CHECK that proved a `SET NOT NULL`, say) needs no other lock and reads
//! no row, so it does not count.
//!
//! ## Why it matters
//! ACCESS EXCLUSIVE is held until the transaction commits, so every statement
//! that follows extends the time the table accepts no reads and no writes.
//! Taking more locks while holding it also invites deadlocks with application
//! transactions.
//!
//! ## Example
//! ```sql
//! BEGIN;
//! ALTER TABLE users ADD COLUMN nickname text;
//! UPDATE accounts SET plan = 'free' WHERE plan IS NULL;
//! COMMIT;
//! ```
//!
//! ## Safe alternative
//! End the transaction right after the ACCESS EXCLUSIVE statement: put what
//! follows in its own migration (or `COMMIT;` and start a new transaction),
//! and take the most contended lock last.

use crate::analysis::migration::{Migration, Name, OpAt, OpKind, TableWork};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "statement-after-access-exclusive",
    severity: Severity::Warning,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "Statement runs while an earlier ACCESS EXCLUSIVE lock is still held",
    source: include_str!("statement_after_access_exclusive.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    let mut reported = None;
    for at in m.ops() {
        let Some(holder) = at.context.access_exclusive.and_then(|p| m.blocking_lock(p)) else {
            continue;
        };
        if !extends_the_outage(&at.op.kind)
            || instant_on_the_locked_table(&at, holder.table)
            || reported == at.context.transaction
        {
            continue;
        }
        reported = at.context.transaction;
        let table = holder
            .table
            .map_or_else(|| "A table".to_string(), |t| format!("`{t}`"));
        let line = m
            .op_at(holder.position)
            .map_or(0, |held| m.line_of(held.statement.span.start));
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "{table} is locked against all reads and writes until commit (ACCESS EXCLUSIVE from line {line}); running this statement in the same transaction makes that outage longer",
                ),
            )
            .with_help("Commit right after the ACCESS EXCLUSIVE statement: move what follows to its own migration or transaction."),
        );
    }
}

/// A catalog-only change to the table already held (`DROP CONSTRAINT` after
/// `SET NOT NULL`, as recipe R06 does): it waits for no lock and reads no row.
fn instant_on_the_locked_table(at: &OpAt<'_>, locked: Option<&Name>) -> bool {
    at.op.effects().work == TableWork::None
        && at.op.table.is_some()
        && at.op.table.as_ref() == locked
        && !matches!(at.op.kind, OpKind::Dml { .. })
}

/// Statements that finish at once without touching existing rows (transaction
/// control, settings, new catalog objects such as the compatibility view of a
/// rename) do not make the lock's outage longer.
fn extends_the_outage(kind: &OpKind) -> bool {
    match kind {
        OpKind::Commit
        | OpKind::Rollback
        | OpKind::Begin
        | OpKind::RunnerTransaction { .. }
        | OpKind::Set { .. }
        | OpKind::CreateTable { .. }
        | OpKind::CreateEnum
        | OpKind::CreateType
        | OpKind::CreateSchema { .. }
        | OpKind::CreateSequence { .. }
        | OpKind::CreateFunction { .. }
        | OpKind::CreateView {
            materialized: false,
            ..
        } => false,
        OpKind::Other { what } => !matches!(
            what.as_str(),
            "CREATE" | "DROP" | "COMMENT" | "GRANT" | "REVOKE"
        ),
        _ => true,
    }
}
