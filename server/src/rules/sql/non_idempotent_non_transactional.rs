//! ## What it does
//! In a migration that runs outside a transaction (the runner is told so, or
//! `assume-in-transaction = false`), flags `CREATE TABLE`, `CREATE INDEX` and
//! `ADD COLUMN` without `IF NOT EXISTS`, and `DROP TABLE`, `DROP INDEX` and
//! `DROP COLUMN` without `IF EXISTS`. `info`: hygiene.
//!
//! ## Why it matters
//! Without a transaction, a failure halfway leaves the earlier statements
//! applied. Re-running the migration then fails on the first of them
//! ("already exists"), and someone has to repair it by hand during the
//! incident. A failed `CREATE INDEX CONCURRENTLY` also leaves an INVALID index
//! behind.
//!
//! ## Example
//! ```sql
//! -- +goose NO TRANSACTION
//! CREATE INDEX CONCURRENTLY users_email_idx ON users (email);
//! ```
//!
//! ## Safe alternative
//! ```sql
//! CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);
//! ```
//! After a failed concurrent build, `DROP INDEX CONCURRENTLY IF EXISTS` the
//! invalid index before retrying.

use crate::analysis::migration::{Migration, OpKind, OpTag};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "non-idempotent-non-transactional",
    severity: Severity::Info,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "Statement in a non-transactional migration cannot be re-run after a failure",
    source: include_str!("non_idempotent_non_transactional.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    if m.settings().in_transaction != Some(false) {
        return;
    }
    let candidates = [
        OpTag::CreateTable,
        OpTag::CreateIndex,
        OpTag::AddColumn,
        OpTag::DropTable,
        OpTag::DropIndex,
        OpTag::DropColumn,
    ];
    let outside_transactions = candidates
        .into_iter()
        .flat_map(|tag| m.ops_of(tag))
        .filter(|at| !at.context.in_transaction);
    for at in outside_transactions {
        let missing = match &at.op.kind {
            OpKind::CreateTable {
                if_not_exists: false,
                ..
            }
            | OpKind::CreateIndex {
                if_not_exists: false,
                ..
            } => "IF NOT EXISTS",
            OpKind::AddColumn(column) if !column.if_not_exists => "IF NOT EXISTS",
            OpKind::DropTable { if_exists: false }
            | OpKind::DropIndex {
                if_exists: false, ..
            }
            | OpKind::DropColumn {
                if_exists: false, ..
            } => "IF EXISTS",
            _ => continue,
        };
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "This migration runs outside a transaction; if it fails after this statement, re-running it fails here. Add `{missing}`"
                ),
            )
            .with_help(format!("Write it with `{missing}` so the migration can be retried.")),
        );
    }
}
