//! ## What it does
//! Flags `VACUUM FULL` and `CLUSTER` on existing tables.
//!
//! ## Why it matters
//! Both rewrite the whole table and its indexes under ACCESS EXCLUSIVE: no
//! reads or writes until the copy finishes, which on a large table is long.
//!
//! ## Example
//! ```sql
//! VACUUM FULL events;
//! ```
//!
//! ## Safe alternative
//! Use `pg_repack` (online rewrite), or on PostgreSQL 19+
//! `REPACK (CONCURRENTLY) events;`.

use crate::analysis::migration::{Maintenance, Migration, OpKind, OpTag};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

use super::{existing, table_of};

pub static RULE: Rule = Rule {
    id: "vacuum-full-or-cluster",
    severity: Severity::Error,
    class: MigrationClass::Transformative,
    default_enabled: true,
    summary: "VACUUM FULL or CLUSTER rewrites the table under ACCESS EXCLUSIVE",
    source: include_str!("vacuum_full_or_cluster.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for at in existing(m, OpTag::Maintenance) {
        let statement = match at.op.kind {
            OpKind::Maintenance(Maintenance::Vacuum { full: true }) => "VACUUM FULL",
            OpKind::Maintenance(Maintenance::Cluster) => "CLUSTER",
            _ => continue,
        };
        let help = if m.settings().postgres_version >= 19 {
            "Use `REPACK (CONCURRENTLY)` instead."
        } else {
            "Use pg_repack, which rewrites the table online."
        };
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "{statement} rewrites {} and its indexes under ACCESS EXCLUSIVE: no reads or writes until it finishes",
                    table_of(&at)
                ),
            )
            .with_help(help),
        );
    }
}
