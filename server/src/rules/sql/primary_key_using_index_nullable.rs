//! ## What it does
//! Flags `ALTER TABLE ... ADD [CONSTRAINT ...] PRIMARY KEY USING INDEX i` on a
//! table that existed before this migration when a column of `i` may hold
//! NULLs. The index's columns are known only when this migration creates it
//! (`CREATE UNIQUE INDEX [CONCURRENTLY] i ON t (a, b)`); a column counts as
//! non-null when this migration declared it `NOT NULL` (or `PRIMARY KEY`) in
//! `CREATE TABLE` or `ADD COLUMN`, set it NOT NULL earlier, or (PostgreSQL
//! 12+) proved it with a valid `CHECK (column IS NOT NULL)`. When the index
//! was built by an earlier migration the rule stays silent: its columns are
//! unknown here.
//!
//! ## Why it matters
//! A primary key's columns must be NOT NULL, so PostgreSQL sets every nullable
//! one NOT NULL as part of the statement, and checks it by scanning the whole
//! table while holding ACCESS EXCLUSIVE: no reads or writes until the scan
//! ends, although building the index concurrently was meant to avoid exactly
//! that.
//!
//! ## Example
//! ```sql
//! CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS events_pkey ON events (id);
//! -- next migration
//! ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_pkey;
//! ```
//!
//! ## Safe alternative
//! Make the columns NOT NULL first, without a long lock (PostgreSQL 12 to 17;
//! on 18+ `ADD CONSTRAINT ... NOT NULL id NOT VALID` then `VALIDATE`):
//! ```sql
//! ALTER TABLE events ADD CONSTRAINT events_id_not_null CHECK (id IS NOT NULL) NOT VALID;
//! -- next migration
//! ALTER TABLE events VALIDATE CONSTRAINT events_id_not_null;
//! ALTER TABLE events ALTER COLUMN id SET NOT NULL;  -- no scan: the CHECK proves it
//! ALTER TABLE events DROP CONSTRAINT events_id_not_null;
//! -- then the index and the key
//! CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS events_pkey ON events (id);
//! ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_pkey;
//! ```

use crate::analysis::migration::{ConstraintKind, Migration, Name, OpAt, OpKind, OpTag};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

use super::{existing, not_null_without_scan, table_of};

pub static RULE: Rule = Rule {
    id: "primary-key-using-index-nullable",
    severity: Severity::Warning,
    class: MigrationClass::Transformative,
    default_enabled: true,
    summary: "PRIMARY KEY USING INDEX on nullable columns scans the table under ACCESS EXCLUSIVE",
    source: include_str!("primary_key_using_index_nullable.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    let help = not_null_without_scan(m.settings().postgres_version);
    for at in existing(m, OpTag::AddConstraint) {
        let (
            OpKind::AddConstraint {
                kind:
                    ConstraintKind::PrimaryKey {
                        using_index: Some(index),
                    },
                ..
            },
            Some(table),
        ) = (&at.op.kind, &at.op.table)
        else {
            continue;
        };
        let Some(columns) = index_columns(m, index, table, at.index) else {
            continue;
        };
        let nullable: Vec<String> = columns
            .iter()
            .filter(|column| !m.known_not_null(table, column, at.index))
            .map(|column| format!("`{column}`"))
            .collect();
        if nullable.is_empty() {
            continue;
        }
        out.push(finding(&at, index, &nullable, help));
    }
}

/// The key columns of unique index `index` on `table`, when this migration
/// created it before statement `before` and on plain columns (PostgreSQL
/// refuses an expression index as a key anyway).
fn index_columns<'m>(
    m: &Migration<'m>,
    index: &str,
    table: &Name,
    before: usize,
) -> Option<&'m [String]> {
    let created = m.created_index(index, before)?;
    let OpKind::CreateIndex { unique: true, .. } = created.op.kind else {
        return None;
    };
    let columns = created.op.columns.as_slice();
    let on_table = created.op.table.as_ref().is_some_and(|t| t.matches(table));
    let plain = !columns.is_empty() && columns.iter().all(|c| !c.contains('('));
    (on_table && plain).then_some(columns)
}

fn finding(at: &OpAt<'_>, index: &str, nullable: &[String], help: &str) -> Finding {
    let columns = nullable.join(", ");
    let them = if nullable.len() == 1 { "it" } else { "them" };
    let table = table_of(at);
    RULE.finding(
        at.range(),
        format!(
            "{columns} of {table} may hold NULLs: making `{index}` the primary key first sets {them} NOT NULL, scanning all of {table} under an ACCESS EXCLUSIVE lock (no reads or writes)"
        ),
    )
    .with_help(format!(
        "Make {columns} NOT NULL first, then add the key USING INDEX. {help}"
    ))
}
