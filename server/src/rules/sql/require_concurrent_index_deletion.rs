//! ## What it does
//! Flags `DROP INDEX` without `CONCURRENTLY`, unless the index was created in
//! this migration on a table created in this migration.
//!
//! ## Why it matters
//! A plain `DROP INDEX` takes ACCESS EXCLUSIVE on the index's table. The drop
//! itself is quick, but the lock request queues behind any long transaction on
//! the table, and every query on the table queues behind it.
//!
//! ## Example
//! ```sql
//! DROP INDEX users_legacy_idx;
//! ```
//!
//! ## Safe alternative
//! ```sql
//! -- in a migration that runs outside a transaction
//! DROP INDEX CONCURRENTLY IF EXISTS users_legacy_idx;
//! ```
//! Not applicable to indexes backing a constraint: drop the constraint instead.

use crate::analysis::migration::{Migration, OpKind, OpTag};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};

use super::existing;

pub static RULE: Rule = Rule {
    id: "require-concurrent-index-deletion",
    severity: Severity::Warning,
    class: MigrationClass::Destructive,
    default_enabled: true,
    summary: "DROP INDEX without CONCURRENTLY locks the table against all queries",
    source: include_str!("require_concurrent_index_deletion.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for at in existing(m, OpTag::DropIndex) {
        let OpKind::DropIndex {
            names,
            concurrently: false,
            ..
        } = &at.op.kind
        else {
            continue;
        };
        let name = names
            .first()
            .map_or_else(|| "the index".to_string(), |n| format!("`{n}`"));
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "Dropping {name} without CONCURRENTLY takes ACCESS EXCLUSIVE on its table: every query on the table waits while the drop waits for its lock"
                ),
            )
            .with_help("Use `DROP INDEX CONCURRENTLY IF EXISTS` in a migration that runs outside a transaction.")
            .with_fix(m.fix(|| fixes::index::drop_concurrently(m, &at))),
        );
    }
}
