//! ## What it does
//! Flags columns declared `json`, in `CREATE TABLE` and `ADD COLUMN`.
//!
//! ## Why it matters
//! `json` has no equality operator, so `SELECT DISTINCT`, `UNION` and `GROUP BY`
//! on it fail, it cannot be indexed with GIN, and it is re-parsed on every access.
//!
//! ## Example
//! ```sql
//! CREATE TABLE events (id bigint, payload json);
//! ```
//!
//! ## Safe alternative
//! `jsonb`. For an existing column, change it by expand/contract.

use crate::analysis::migration::Migration;

use super::new_columns;
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "prefer-jsonb",
    severity: Severity::Warning,
    class: MigrationClass::Additive,
    default_enabled: true,
    summary: "json column: no equality operator, re-parsed on every read",
    source: include_str!("prefer_jsonb.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for column in new_columns(m) {
        let base = column.base_type;
        if !base.eq_ignore_ascii_case("json") {
            continue;
        }
        out.push(
            RULE.finding(
                column.at.range(),
                format!(
                    "`{}` is `json`: it has no equality operator or GIN indexing; use `jsonb`",
                    column.name
                ),
            )
            .with_help("Declare the column `jsonb`."),
        );
    }
}
