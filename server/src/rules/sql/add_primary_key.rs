//! ## What it does
//! Flags `ALTER TABLE ... ADD PRIMARY KEY (...)` on an existing table, unless
//! it is `PRIMARY KEY USING INDEX` an index built beforehand, and
//! `ADD COLUMN ... PRIMARY KEY`.
//!
//! ## Why it matters
//! Under ACCESS EXCLUSIVE, PostgreSQL builds the unique index and, for every
//! key column not yet NOT NULL, scans the table to set it: no reads or writes
//! for the whole time.
//!
//! ## Example
//! ```sql
//! ALTER TABLE events ADD PRIMARY KEY (id);
//! ```
//!
//! ## Safe alternative
//! Make the columns NOT NULL without a long lock (see
//! `set-not-null-requires-scan`), then:
//! ```sql
//! -- outside a transaction
//! CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS events_pkey ON events (id);
//! -- next migration
//! ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_pkey;
//! ```

use crate::analysis::migration::{ConstraintKind, Migration};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};

use super::{inline_index_findings, table_of, validated_on_add};

pub static RULE: Rule = Rule {
    id: "add-primary-key",
    severity: Severity::Error,
    class: MigrationClass::Transformative,
    default_enabled: true,
    summary: "PRIMARY KEY builds its index (and NOT NULL scans) under ACCESS EXCLUSIVE",
    source: include_str!("add_primary_key.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    out.extend(inline_index_findings(m, &RULE, "PRIMARY KEY"));
    for (at, kind) in validated_on_add(m) {
        if *kind != (ConstraintKind::PrimaryKey { using_index: None }) {
            continue;
        }
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "Adding a primary key to {} builds a unique index and checks the columns for NULLs while the table is locked against all reads and writes",
                    table_of(&at)
                ),
            )
            .with_help("Set the columns NOT NULL safely, build a unique index CONCURRENTLY, then `ADD CONSTRAINT ... PRIMARY KEY USING INDEX`.")
            .with_fix(m.fix(|| fixes::unique::from_concurrent_index(m, &at))),
        );
    }
}
