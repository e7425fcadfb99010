//! ## What it does
//! Flags columns declared `timestamp` / `timestamp without time zone`.
//!
//! ## Why it matters
//! The offset is discarded on the way in, so values silently shift when the
//! server's or session's time zone changes, and comparisons across zones are
//! wrong.
//!
//! ## Example
//! ```sql
//! CREATE TABLE events (id bigint, at timestamp);
//! ```
//!
//! ## Safe alternative
//! `timestamptz`. An existing column converts without a rewrite on PostgreSQL
//! 12+ when the session time zone is UTC.

use crate::analysis::migration::Migration;

use super::{contains_ignoring_case, new_columns};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "prefer-timestamptz",
    severity: Severity::Warning,
    class: MigrationClass::Additive,
    default_enabled: true,
    summary: "timestamp without time zone loses the offset",
    source: include_str!("prefer_timestamptz.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for column in new_columns(m) {
        let base = column.base_type;
        let naive = base.eq_ignore_ascii_case("timestamp")
            && !contains_ignoring_case(column.data_type, "with time zone")
            || contains_ignoring_case(column.data_type, "without time zone");
        if !naive {
            continue;
        }
        out.push(
            RULE.finding(
                column.at.range(),
                format!("`{}` is `timestamp` without time zone: values shift with the session time zone; use `timestamptz`", column.name),
            )
            .with_help("Declare the column `timestamptz`."),
        );
    }
}
