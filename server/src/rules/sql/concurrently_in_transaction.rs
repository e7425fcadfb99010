//! ## What it does
//! Flags statements that PostgreSQL refuses to run inside a transaction block
//! when they run inside one: `CREATE INDEX CONCURRENTLY`, `DROP INDEX
//! CONCURRENTLY`, `REINDEX ... CONCURRENTLY`, `DETACH PARTITION ...
//! CONCURRENTLY`, `VACUUM`, and before PostgreSQL 12 `ALTER TYPE ... ADD
//! VALUE`. The transaction is an explicit `BEGIN`, or the
//! one the migration runner opens around the file (golang-migrate, sqlx,
//! diesel, goose, dbmate, Flyway, Prisma, Drizzle and Atlas do by default;
//! `assume-in-transaction` in the configuration says so for other files).
//!
//! ## Why it matters
//! The statement fails at deploy time with `ERROR: ... cannot run inside a
//! transaction block`, leaving the migration half applied or marked dirty.
//!
//! ## Example
//! ```sql
//! BEGIN;
//! CREATE INDEX CONCURRENTLY users_email_idx ON users (email);
//! COMMIT;
//! ```
//!
//! ## Safe alternative
//! Put the statement in its own migration that the runner executes outside a
//! transaction: sqlx `-- no-transaction`, goose `-- +goose NO TRANSACTION`,
//! dbmate `-- migrate:up transaction:false`, diesel `run_in_transaction =
//! false` in `metadata.toml`, Atlas `-- atlas:txmode none`, golang-migrate: the
//! only statement in its file.

use crate::analysis::migration::{Maintenance, Migration, OpKind, OpTag};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "concurrently-in-transaction",
    severity: Severity::Error,
    class: MigrationClass::Additive,
    default_enabled: true,
    summary: "CONCURRENTLY or VACUUM inside a transaction fails at deploy time",
    source: include_str!("concurrently_in_transaction.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    let candidates = [
        OpTag::CreateIndex,
        OpTag::DropIndex,
        OpTag::Maintenance,
        OpTag::DetachPartition,
        OpTag::AddEnumValue,
    ];
    for at in candidates.into_iter().flat_map(|tag| m.ops_of(tag)) {
        if !at.context.in_transaction {
            continue;
        }
        let statement = match at.op.kind {
            OpKind::CreateIndex {
                concurrently: true, ..
            } => "CREATE INDEX CONCURRENTLY",
            OpKind::DropIndex {
                concurrently: true, ..
            } => "DROP INDEX CONCURRENTLY",
            OpKind::Maintenance(Maintenance::Reindex { concurrently: true }) => {
                "REINDEX CONCURRENTLY"
            }
            OpKind::DetachPartition { concurrently: true } => "DETACH PARTITION CONCURRENTLY",
            OpKind::Maintenance(Maintenance::Vacuum { .. }) => "VACUUM",
            OpKind::AddEnumValue { .. } if m.settings().postgres_version < 12 => {
                "ALTER TYPE ... ADD VALUE (before PostgreSQL 12)"
            }
            _ => continue,
        };
        let transaction =
            if at.context.transaction == Some(0) && m.settings().in_transaction == Some(true) {
                "the transaction the migration runner wraps this file in"
            } else {
                "a transaction block"
            };
        out.push(
            RULE.finding(
                at.range(),
                format!("{statement} cannot run inside {transaction}: the deploy fails with \"cannot run inside a transaction block\""),
            )
            .with_help("Move it to its own migration that runs outside a transaction (e.g. sqlx `-- no-transaction`, goose `-- +goose NO TRANSACTION`)."),
        );
    }
}
