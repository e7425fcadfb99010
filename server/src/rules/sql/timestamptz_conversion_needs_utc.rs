//! ## What it does
//! Flags `ALTER COLUMN ... TYPE timestamptz` (from `timestamp`) on an existing
//! table when `SET [LOCAL] timezone = 'UTC'` does not come first in the same
//! session or transaction.
//!
//! ## Why it matters
//! From PostgreSQL 12 the conversion is metadata-only **when the session time
//! zone is UTC** (only the column's indexes are rebuilt); in any other zone the
//! whole table is rewritten under ACCESS EXCLUSIVE, and the stored values are
//! interpreted in that zone.
//!
//! ## Example
//! ```sql
//! ALTER TABLE events ALTER COLUMN at TYPE timestamptz;
//! ```
//!
//! ## Safe alternative
//! ```sql
//! SET LOCAL timezone = 'UTC';  -- values are read as UTC
//! ALTER TABLE events ALTER COLUMN at TYPE timestamptz;
//! ```

use crate::analysis::migration::{Migration, OpKind, OpTag};

use super::{existing, table_of};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "timestamptz-conversion-needs-utc",
    severity: Severity::Warning,
    class: MigrationClass::Transformative,
    default_enabled: true,
    summary: "timestamp → timestamptz rewrites the table unless the session time zone is UTC",
    source: include_str!("timestamptz_conversion_needs_utc.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for at in existing(m, OpTag::ChangeColumnType) {
        let OpKind::ChangeColumnType { column, data_type } = &at.op.kind else {
            continue;
        };
        let target = data_type.to_ascii_lowercase();
        let to_timestamptz =
            target.starts_with("timestamptz") || target.starts_with("timestamp with time zone");
        if !to_timestamptz || at.context.timezone_utc {
            continue;
        }
        let help = if m.settings().postgres_version >= 12 {
            "Put `SET LOCAL timezone = 'UTC';` before it: then only the column's indexes are rebuilt."
        } else {
            "Before PostgreSQL 12 the conversion always rewrites; use expand/contract."
        };
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "Converting `{column}` to timestamptz rewrites {} unless the session time zone is UTC, and reads the old values in the session's zone",
                    table_of(&at)
                ),
            )
            .with_help(help),
        );
    }
}
