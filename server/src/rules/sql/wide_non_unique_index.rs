//! ## What it does
//! Flags a non-unique index with more than three key columns. `info`, off
//! unless selected (design).
//!
//! ## Why it matters
//! Wide indexes rarely help the planner more than their leading columns do,
//! and every write pays to maintain every column of them.
//!
//! ## Example
//! ```sql
//! CREATE INDEX CONCURRENTLY orders_lookup_idx ON orders (customer_id, status, region, created_at);
//! ```
//!
//! ## Safe alternative
//! Lead with the most selective columns and drop the rest; check with
//! `EXPLAIN` which columns the queries use.

use crate::analysis::migration::{Migration, OpKind, OpTag};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "wide-non-unique-index",
    severity: Severity::Info,
    class: MigrationClass::Additive,
    default_enabled: false,
    summary: "Non-unique index on more than three columns",
    source: include_str!("wide_non_unique_index.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for at in m.ops_of(OpTag::CreateIndex) {
        if !matches!(at.op.kind, OpKind::CreateIndex { unique: false, .. })
            || at.op.columns.len() <= 3
        {
            continue;
        }
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "This index has {} columns ({}): wide non-unique indexes rarely help more than their leading columns, and every write maintains all of them",
                    at.op.columns.len(),
                    at.op.columns.join(", ")
                ),
            )
            .with_help("Keep the most selective leading columns; confirm with EXPLAIN."),
        );
    }
}
