//! ## What it does
//! Flags `ALTER TABLE ... DETACH PARTITION` without `CONCURRENTLY` on an
//! existing partitioned table.
//!
//! ## Why it matters
//! A plain detach takes ACCESS EXCLUSIVE on the parent and the partition:
//! every query on the whole partitioned table waits.
//!
//! ## Example
//! ```sql
//! ALTER TABLE events DETACH PARTITION events_2019;
//! ```
//!
//! ## Safe alternative
//! ```sql
//! -- PostgreSQL 14+, outside a transaction, no default partition
//! ALTER TABLE events DETACH PARTITION events_2019 CONCURRENTLY;
//! ```

use crate::analysis::migration::{Migration, OpKind, OpTag};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

use super::{existing, table_of};

pub static RULE: Rule = Rule {
    id: "detach-partition-without-concurrently",
    severity: Severity::Warning,
    class: MigrationClass::Destructive,
    default_enabled: true,
    summary: "DETACH PARTITION without CONCURRENTLY locks the whole partitioned table",
    source: include_str!("detach_partition_without_concurrently.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    let blocking = OpKind::DetachPartition {
        concurrently: false,
    };
    for at in existing(m, OpTag::DetachPartition).filter(|at| at.op.kind == blocking) {
        let help = if m.settings().postgres_version >= 14 {
            "Use `DETACH PARTITION ... CONCURRENTLY` in a migration that runs outside a transaction."
        } else {
            "DETACH ... CONCURRENTLY needs PostgreSQL 14; before that, detach in a low-traffic window with a lock_timeout."
        };
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "Detaching a partition takes ACCESS EXCLUSIVE on {} and the partition: every query on them waits",
                    table_of(&at)
                ),
            )
            .with_help(help),
        );
    }
}
