//! ## What it does
//! Flags `ALTER TABLE ... VALIDATE CONSTRAINT` in a transaction that already
//! holds a lock blocking writes on an existing table — typically the
//! `ADD CONSTRAINT ... NOT VALID` it validates.
//!
//! ## Why it matters
//! `NOT VALID` + `VALIDATE` avoids a long lock only when `VALIDATE` runs in a
//! later transaction: its scan takes a weak lock, but inside the transaction
//! that added the constraint the earlier ACCESS EXCLUSIVE / SHARE ROW
//! EXCLUSIVE lock is still held for the whole scan — the same outage as adding
//! the constraint valid.
//!
//! ## Example
//! ```sql
//! BEGIN;
//! ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;
//! ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;
//! COMMIT;
//! ```
//!
//! ## Safe alternative
//! Commit after the `ADD ... NOT VALID` and run `VALIDATE CONSTRAINT` in the
//! next transaction (usually the next migration).

use crate::analysis::migration::{Migration, OpKind, OpTag};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

use super::table_of;

pub static RULE: Rule = Rule {
    id: "validate-in-same-transaction",
    severity: Severity::Warning,
    class: MigrationClass::Transformative,
    default_enabled: true,
    summary: "VALIDATE CONSTRAINT while the transaction still holds a write-blocking lock",
    source: include_str!("validate_in_same_transaction.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for at in m.ops_of(OpTag::ValidateConstraint) {
        let OpKind::ValidateConstraint { name } = &at.op.kind else {
            continue;
        };
        let Some(holder) = at.context.write_lock.and_then(|p| m.blocking_lock(p)) else {
            continue;
        };
        let line = m
            .op_at(holder.position)
            .map_or(0, |held| m.line_of(held.statement.span.start));
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "Validating `{name}` scans {} while this transaction still holds the write-blocking lock taken on line {line}: writes wait for the whole scan",
                    table_of(&at)
                ),
            )
            .with_help("Commit first; run VALIDATE CONSTRAINT in the next transaction or migration."),
        );
    }
}
