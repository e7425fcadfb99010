//! ## What it does
//! Flags `CREATE INDEX` without `CONCURRENTLY` on a table that existed before
//! this migration.
//!
//! ## Why it matters
//! A plain `CREATE INDEX` holds a SHARE lock on the table for the whole build:
//! every `INSERT`, `UPDATE` and `DELETE` waits until the index is complete,
//! which on a large table is minutes of failed writes.
//!
//! ## Example
//! ```sql
//! CREATE INDEX users_email_idx ON users (email);
//! ```
//!
//! ## Safe alternative
//! ```sql
//! -- in a migration that runs outside a transaction block
//! SET lock_timeout = '2s';
//! CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);
//! ```
//! `CONCURRENTLY` takes only SHARE UPDATE EXCLUSIVE (writes continue) but
//! cannot run inside a transaction block. If the build fails it leaves an
//! INVALID index behind: `DROP INDEX CONCURRENTLY IF EXISTS` it and retry.
//! Indexes on tables created earlier in the same migration are not flagged,
//! nor `CREATE INDEX ... ON ONLY parent` (instant: it covers no rows until
//! the partitions' indexes are attached).

use crate::analysis::migration::{Migration, OpKind, OpTag};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};

use super::{existing, table_of};

pub static RULE: Rule = Rule {
    id: "require-concurrent-index-creation",
    severity: Severity::Error,
    class: MigrationClass::Additive,
    default_enabled: true,
    summary: "CREATE INDEX without CONCURRENTLY blocks writes for the whole build",
    source: include_str!("require_concurrent_index_creation.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for at in existing(m, OpTag::CreateIndex) {
        let OpKind::CreateIndex {
            concurrently: false,
            on_only: false,
            ..
        } = &at.op.kind
        else {
            continue;
        };
        let message = format!(
            "Creating an index on {} without CONCURRENTLY blocks writes to it for the whole build (SHARE lock)",
            table_of(&at)
        );
        out.push(
            RULE.finding(at.range(), message)
                .with_help("Use `CREATE INDEX CONCURRENTLY` in a migration that runs outside a transaction.")
                .with_fix(m.fix(|| fixes::index::create_concurrently(m, &at))),
        );
    }
}
