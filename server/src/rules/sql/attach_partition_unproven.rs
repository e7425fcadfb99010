//! ## What it does
//! Flags `ALTER TABLE parent ATTACH PARTITION child FOR VALUES ...` when this
//! migration gives the child no valid `CHECK` constraint first (added valid, or
//! added `NOT VALID` and validated). `info`: the proving constraint may come
//! from an earlier migration.
//!
//! ## Why it matters
//! PostgreSQL scans the whole partition to check every row against the bound,
//! holding ACCESS EXCLUSIVE on it (the parent only SHARE UPDATE EXCLUSIVE from
//! PostgreSQL 12). A valid CHECK that implies the bound lets it skip the scan.
//!
//! ## Example
//! ```sql
//! ALTER TABLE events ATTACH PARTITION events_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
//! ```
//!
//! ## Safe alternative
//! ```sql
//! ALTER TABLE events_2026 ADD CONSTRAINT events_2026_bound
//!     CHECK (at >= '2026-01-01' AND at < '2027-01-01') NOT VALID;
//! ALTER TABLE events_2026 VALIDATE CONSTRAINT events_2026_bound;
//! ALTER TABLE events ATTACH PARTITION events_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
//! ```

use crate::analysis::migration::{ConstraintKind, Migration, Name, OpAt, OpKind, OpTag};

use super::existing;
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "attach-partition-unproven",
    severity: Severity::Info,
    class: MigrationClass::Additive,
    default_enabled: true,
    summary: "ATTACH PARTITION without a CHECK proving the bound scans the partition under ACCESS EXCLUSIVE",
    source: include_str!("attach_partition_unproven.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for at in existing(m, OpTag::AttachPartition) {
        let OpKind::AttachPartition { partition } = &at.op.kind else {
            continue;
        };
        if m.is_new_table(partition, at.index) || proven(m, partition, at.index) {
            continue;
        }
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "Attaching `{partition}` scans all of it under ACCESS EXCLUSIVE to check the bound, unless a valid CHECK already proves it"
                ),
            )
            .with_help("Add a CHECK matching the bound (NOT VALID, then VALIDATE) before attaching."),
        );
    }
}

/// A CHECK on `partition` added valid, or validated, before statement `before`.
fn proven(m: &Migration, partition: &Name, before: usize) -> bool {
    let on_partition = |at: &OpAt<'_>| {
        at.index < before && at.op.table.as_ref().is_some_and(|t| t.matches(partition))
    };
    let added_valid = m.ops_of(OpTag::AddConstraint).any(|at| {
        on_partition(&at)
            && matches!(
                at.op.kind,
                OpKind::AddConstraint {
                    kind: ConstraintKind::Check { .. },
                    not_valid: false,
                    ..
                }
            )
    });
    added_valid
        || m.ops_of(OpTag::ValidateConstraint)
            .any(|at| on_partition(&at))
}
