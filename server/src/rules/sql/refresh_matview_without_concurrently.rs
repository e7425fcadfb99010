//! ## What it does
//! Flags `REFRESH MATERIALIZED VIEW` without `CONCURRENTLY` on a view that
//! existed before this migration.
//!
//! ## Why it matters
//! The refresh takes ACCESS EXCLUSIVE on the view: every query reading it
//! waits for the whole refresh.
//!
//! ## Example
//! ```sql
//! REFRESH MATERIALIZED VIEW daily_totals;
//! ```
//!
//! ## Safe alternative
//! ```sql
//! -- needs a UNIQUE index on the view
//! REFRESH MATERIALIZED VIEW CONCURRENTLY daily_totals;
//! ```
//! Readers continue during a concurrent refresh (it takes EXCLUSIVE, which
//! allows reads).

use crate::analysis::migration::{Maintenance, Migration, OpKind, OpTag};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

use super::{existing, table_of};

pub static RULE: Rule = Rule {
    id: "refresh-matview-without-concurrently",
    severity: Severity::Warning,
    class: MigrationClass::Transformative,
    default_enabled: true,
    summary: "REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks every reader",
    source: include_str!("refresh_matview_without_concurrently.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    let blocking = OpKind::Maintenance(Maintenance::RefreshMaterializedView {
        concurrently: false,
    });
    for at in existing(m, OpTag::Maintenance).filter(|at| at.op.kind == blocking) {
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "Refreshing {} takes ACCESS EXCLUSIVE: every query reading the view waits for the whole refresh",
                    table_of(&at)
                ),
            )
            .with_help("Use `REFRESH MATERIALIZED VIEW CONCURRENTLY` (the view needs a UNIQUE index)."),
        );
    }
}
