//! ## What it does
//! Flags `DROP TABLE` of a table that existed before this migration.
//!
//! ## Why it matters
//! The data is gone for good, running code that still queries the table fails,
//! and the drop takes ACCESS EXCLUSIVE on the table **and on every table it
//! references by foreign key**, so it can stall traffic on those too.
//!
//! ## Example
//! ```sql
//! DROP TABLE legacy_sessions;
//! ```
//!
//! ## Safe alternative
//! Stop using the table in a deploy first; then drop its foreign keys in their
//! own migration (with a `lock_timeout`), and drop the table last. Tables
//! created earlier in the same migration are not flagged.

use crate::analysis::migration::{Migration, OpKind, OpTag};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

use super::{existing, table_of};

pub static RULE: Rule = Rule {
    id: "drop-table",
    severity: Severity::Warning,
    class: MigrationClass::Destructive,
    default_enabled: true,
    summary: "Dropping a table loses data and locks the tables it references",
    source: include_str!("drop_table.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for at in existing(m, OpTag::DropTable) {
        if !matches!(at.op.kind, OpKind::DropTable { .. }) {
            continue;
        }
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "Dropping {} deletes its data, breaks code still using it, and locks the tables it references",
                    table_of(&at)
                ),
            )
            .with_help("Stop using the table in an earlier deploy; drop its foreign keys first, then the table."),
        );
    }
}
