//! ## What it does
//! Flags `REINDEX` (of an index, table, schema or database) without
//! `CONCURRENTLY`.
//!
//! ## Why it matters
//! A plain `REINDEX` blocks writes to the table (SHARE) and takes ACCESS
//! EXCLUSIVE on each index it rebuilds, so queries that use the index block
//! too, for the whole rebuild.
//!
//! ## Example
//! ```sql
//! REINDEX INDEX users_email_idx;
//! ```
//!
//! ## Safe alternative
//! ```sql
//! -- PostgreSQL 12+, outside a transaction
//! REINDEX INDEX CONCURRENTLY users_email_idx;
//! ```

use crate::analysis::migration::{Maintenance, Migration, OpKind, OpTag};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};

use super::{existing, table_of};

pub static RULE: Rule = Rule {
    id: "require-concurrent-reindex",
    severity: Severity::Warning,
    class: MigrationClass::Transformative,
    default_enabled: true,
    summary: "REINDEX without CONCURRENTLY blocks writes and index reads",
    source: include_str!("require_concurrent_reindex.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for at in existing(m, OpTag::Maintenance) {
        if at.op.kind
            != OpKind::Maintenance(Maintenance::Reindex {
                concurrently: false,
            })
        {
            continue;
        }
        let concurrent = m.settings().postgres_version >= 12;
        let help = if concurrent {
            "Use `REINDEX ... CONCURRENTLY` in a migration that runs outside a transaction."
        } else {
            "REINDEX CONCURRENTLY needs PostgreSQL 12; before that, build a new index concurrently and drop the old one."
        };
        let fix = m.fix(|| {
            concurrent
                .then(|| fixes::index::reindex_concurrently(m, &at))
                .flatten()
        });
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "REINDEX of {} blocks writes, and reads through the rebuilt indexes, until it finishes",
                    table_of(&at)
                ),
            )
            .with_help(help)
            .with_fix(fix),
        );
    }
}
