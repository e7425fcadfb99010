//! ## What it does
//! When the configured `postgres-version` is 14, flags `CREATE INDEX
//! CONCURRENTLY` and `REINDEX ... CONCURRENTLY`.
//!
//! ## Why it matters
//! PostgreSQL 14.0 to 14.3 have a bug that can silently build corrupt indexes
//! concurrently (missing entries); it was fixed in 14.4. The configuration only
//! says the major version, so the finding asks you to check the minor one.
//!
//! ## Example
//! ```sql
//! CREATE INDEX CONCURRENTLY users_email_idx ON users (email);
//! ```
//!
//! ## Safe alternative
//! Upgrade the server to 14.4 or later before building indexes concurrently.

use crate::analysis::migration::{Maintenance, Migration, OpKind, OpTag};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "index-build-corruption-pg14",
    severity: Severity::Warning,
    class: MigrationClass::Additive,
    default_enabled: true,
    summary: "CONCURRENTLY index builds can corrupt indexes on PostgreSQL 14.0–14.3",
    source: include_str!("index_build_corruption_pg14.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    if m.settings().postgres_version != 14 {
        return;
    }
    let concurrent = m
        .ops_of(OpTag::CreateIndex)
        .chain(m.ops_of(OpTag::Maintenance))
        .filter(|at| {
            matches!(
                at.op.kind,
                OpKind::CreateIndex {
                    concurrently: true,
                    ..
                } | OpKind::Maintenance(Maintenance::Reindex { concurrently: true })
            )
        });
    for at in concurrent {
        out.push(
            RULE.finding(
                at.range(),
                "On PostgreSQL 14.0–14.3 a concurrent index build can silently miss rows (fixed in 14.4): check the server's minor version",
            )
            .with_help("Make sure the server runs 14.4 or later."),
        );
    }
}
