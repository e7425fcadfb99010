//! ## What it does
//! Flags `CREATE INDEX CONCURRENTLY` on a table this migration creates with
//! `PARTITION BY`.
//!
//! ## Why it matters
//! PostgreSQL refuses it: `cannot create index on partitioned table
//! concurrently`. Without `CONCURRENTLY`, the build locks every partition.
//!
//! ## Example
//! ```sql
//! CREATE TABLE events (id bigint, at timestamptz) PARTITION BY RANGE (at);
//! CREATE INDEX CONCURRENTLY events_at_idx ON events (at);
//! ```
//!
//! ## Safe alternative
//! ```sql
//! CREATE INDEX events_at_idx ON ONLY events (at);             -- invalid, instant
//! CREATE INDEX CONCURRENTLY events_2026_at_idx ON events_2026 (at);  -- per partition
//! ALTER INDEX events_at_idx ATTACH PARTITION events_2026_at_idx;
//! ```

use crate::analysis::migration::{Migration, OpKind, OpTag};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "concurrent-index-on-partitioned-table",
    severity: Severity::Error,
    class: MigrationClass::Additive,
    default_enabled: true,
    summary: "CREATE INDEX CONCURRENTLY on a partitioned table fails",
    source: include_str!("concurrent_index_on_partitioned_table.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    // (statement index, table) of every partitioned table this migration creates.
    let partitioned: Vec<_> = m
        .ops_of(OpTag::CreateTable)
        .filter(|create| {
            matches!(
                create.op.kind,
                OpKind::CreateTable {
                    partitioned: true,
                    ..
                }
            )
        })
        .filter_map(|create| Some((create.index, create.op.table.as_ref()?)))
        .collect();
    if partitioned.is_empty() {
        return;
    }
    for at in m.ops_of(OpTag::CreateIndex) {
        let (
            OpKind::CreateIndex {
                concurrently: true, ..
            },
            Some(table),
        ) = (&at.op.kind, &at.op.table)
        else {
            continue;
        };
        if !partitioned
            .iter()
            .any(|(created, parent)| *created < at.index && parent.matches(table))
        {
            continue;
        }
        out.push(
            RULE.finding(
                at.range(),
                format!("`{table}` is partitioned: PostgreSQL cannot build an index on it concurrently, so this fails"),
            )
            .with_help("Create the index ON ONLY the parent, build one CONCURRENTLY per partition, then ATTACH them."),
        );
    }
}
