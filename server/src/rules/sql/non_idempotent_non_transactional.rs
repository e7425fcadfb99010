//! ## What it does
//! In a migration that runs outside a transaction (the runner is told so, or
//! `assume-in-transaction = false`), flags statements that fail when run a
//! second time:
//! - `CREATE TABLE`, `CREATE INDEX`, `CREATE SEQUENCE`, `CREATE SCHEMA`,
//!   `CREATE MATERIALIZED VIEW` and `ADD COLUMN` without `IF NOT EXISTS`;
//! - `CREATE VIEW` and `CREATE FUNCTION` / `PROCEDURE` without `OR REPLACE`;
//! - `CREATE TYPE`, which has no `IF NOT EXISTS` in PostgreSQL (a `CREATE
//!   TYPE` inside a `DO` block that checks `pg_type` first is not flagged);
//! - `DROP TABLE`, `DROP INDEX`, `DROP COLUMN` and `DROP TRIGGER` without
//!   `IF EXISTS`.
//!
//! `info`: hygiene.
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
//! CREATE TYPE mood AS ENUM ('happy', 'sad');
//! ```
//!
//! ## Safe alternative
//! ```sql
//! CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);
//! DO $$
//! BEGIN
//!   IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN
//!     CREATE TYPE mood AS ENUM ('happy', 'sad');
//!   END IF;
//! END $$;
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
    const CANDIDATES: [OpTag; 13] = [
        OpTag::CreateTable,
        OpTag::CreateIndex,
        OpTag::CreateSequence,
        OpTag::CreateSchema,
        OpTag::CreateView,
        OpTag::CreateFunction,
        OpTag::CreateEnum,
        OpTag::CreateType,
        OpTag::AddColumn,
        OpTag::DropTable,
        OpTag::DropIndex,
        OpTag::DropColumn,
        OpTag::DropTrigger,
    ];
    let outside_transactions = CANDIDATES
        .into_iter()
        .flat_map(|tag| m.ops_of(tag))
        .filter(|at| !at.context.in_transaction);
    for at in outside_transactions {
        let Some(remedy) = remedy(&at.op.kind) else {
            continue;
        };
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "This migration runs outside a transaction; if it fails after this statement, re-running it fails here. {remedy}."
                ),
            )
            .with_help("Write every statement so that running it twice succeeds, so the migration can be retried."),
        );
    }
}

/// What makes the statement succeed when it runs again, if it does not.
fn remedy(kind: &OpKind) -> Option<&'static str> {
    const IF_NOT_EXISTS: &str = "Add `IF NOT EXISTS`";
    const IF_EXISTS: &str = "Add `IF EXISTS`";
    const OR_REPLACE: &str = "Write `CREATE OR REPLACE`";
    Some(match kind {
        OpKind::CreateTable {
            if_not_exists: false,
            ..
        }
        | OpKind::CreateIndex {
            if_not_exists: false,
            ..
        }
        | OpKind::CreateSequence {
            if_not_exists: false,
        }
        | OpKind::CreateSchema {
            if_not_exists: false,
            ..
        }
        | OpKind::CreateView {
            materialized: true,
            if_not_exists: false,
            ..
        } => IF_NOT_EXISTS,
        OpKind::AddColumn(column) if !column.if_not_exists => IF_NOT_EXISTS,
        OpKind::CreateView {
            materialized: false,
            or_replace: false,
            ..
        }
        | OpKind::CreateFunction { or_replace: false } => OR_REPLACE,
        OpKind::CreateEnum | OpKind::CreateType => {
            "PostgreSQL has no `CREATE TYPE IF NOT EXISTS`: create the type in a `DO` block that first checks `pg_type` for it"
        }
        OpKind::DropTable { if_exists: false }
        | OpKind::DropIndex {
            if_exists: false, ..
        }
        | OpKind::DropColumn {
            if_exists: false, ..
        }
        | OpKind::DropTrigger { if_exists: false } => IF_EXISTS,
        _ => return None,
    })
}
