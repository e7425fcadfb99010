//! ## What it does
//! Flags `ALTER TABLE ... ALTER COLUMN ... [SET DATA] TYPE` on a table that
//! existed before this migration.
//!
//! ## Why it matters
//! Most type changes rewrite the whole table and rebuild every index on it
//! while holding ACCESS EXCLUSIVE: no reads or writes until done. Running
//! application code may also not understand the new type, and the change fails
//! outright when a view depends on the column. Only binary-coercible changes
//! skip the rewrite (`varchar(n)` → `varchar(m ≥ n)` or `text`,
//! `numeric(p,s)` → `numeric(p' ≥ p,s)` or `numeric`, `timestamp` →
//! `timestamptz` with `TimeZone` UTC on PostgreSQL 12+), and a plain SQL
//! migration does not say what the old type was.
//!
//! A target with a size limit (`text` → `varchar(50)`) is classed
//! destructive: existing values may not fit.
//!
//! ## Example
//! ```sql
//! ALTER TABLE events ALTER COLUMN id TYPE bigint;
//! ```
//!
//! ## Safe alternative
//! Expand and contract: add a column of the new type, keep it in sync with a
//! trigger, backfill it in batches, switch the application to it, then drop the
//! old column in a later deploy.

use crate::analysis::migration::{Migration, OpKind, OpTag};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};

use super::{existing, table_of};

pub static RULE: Rule = Rule {
    id: "change-column-type",
    severity: Severity::Error,
    class: MigrationClass::Transformative,
    default_enabled: true,
    summary: "Changing a column's type rewrites the table under ACCESS EXCLUSIVE",
    source: include_str!("change_column_type.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for at in existing(m, OpTag::ChangeColumnType) {
        let OpKind::ChangeColumnType { column, data_type } = &at.op.kind else {
            continue;
        };
        // Recipe R28: `timestamp` → `timestamptz` with the session in UTC is
        // metadata-only on PostgreSQL 12+ (timestamptz-conversion-needs-utc
        // covers the case without UTC).
        let to_timestamptz = {
            let target = data_type.to_ascii_lowercase();
            target.starts_with("timestamptz") || target.starts_with("timestamp with time zone")
        };
        if to_timestamptz && at.context.timezone_utc && m.settings().postgres_version >= 12 {
            continue;
        }
        let mut finding = RULE.finding(
            at.range(),
            format!(
                "Changing the type of `{column}` to `{data_type}` rewrites {} and all its indexes under an ACCESS EXCLUSIVE lock, unless the old type converts without a rewrite",
                table_of(&at)
            ),
        )
        .with_help("Expand and contract: add a new column, sync it with a trigger, backfill in batches, switch readers, drop the old column later.")
        .with_fix(m.fix(|| fixes::expand_contract::change_type(m, &at)));
        if is_bounded(data_type) {
            // A length or precision limit can reject or truncate existing values.
            finding.class = MigrationClass::Destructive;
        }
        out.push(finding);
    }
}

/// `varchar(50)`, `char(3)`, `numeric(10,2)`, `bit(8)`: a target type with a
/// size limit, which existing values may not fit.
fn is_bounded(data_type: &str) -> bool {
    let lower = data_type.to_ascii_lowercase();
    [
        "varchar",
        "character varying",
        "char",
        "character",
        "numeric",
        "decimal",
        "bit",
    ]
    .iter()
    .any(|base| lower.starts_with(base))
        && lower.contains('(')
}
