//! ## What it does
//! Flags `TRUNCATE` of a table that existed before this migration; an error
//! with `CASCADE`.
//!
//! ## Why it matters
//! `TRUNCATE` deletes every row at once under ACCESS EXCLUSIVE and cannot be
//! undone once committed. `CASCADE` also empties every table that references
//! it by foreign key, however many there are.
//!
//! ## Example
//! ```sql
//! TRUNCATE sessions CASCADE;
//! ```
//!
//! ## Safe alternative
//! Delete in batches (`DELETE ... WHERE id IN (SELECT id ... LIMIT 1000)`,
//! repeated), or name every table to empty explicitly, without `CASCADE`.

use crate::analysis::migration::{Maintenance, Migration, OpKind, OpTag};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

use super::{existing, table_of};

pub static RULE: Rule = Rule {
    id: "truncate",
    severity: Severity::Warning,
    class: MigrationClass::Destructive,
    default_enabled: true,
    summary: "TRUNCATE deletes every row under ACCESS EXCLUSIVE (CASCADE: of referencing tables too)",
    source: include_str!("truncate.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for at in existing(m, OpTag::Maintenance) {
        let OpKind::Maintenance(Maintenance::Truncate { cascade }) = at.op.kind else {
            continue;
        };
        let mut message = format!(
            "TRUNCATE deletes every row of {} under ACCESS EXCLUSIVE",
            table_of(&at)
        );
        if cascade {
            message.push_str(", and CASCADE empties every table that references it too");
        }
        let finding = RULE.finding(at.range(), message).with_help(
            "Delete in batches instead, or list the tables to empty explicitly without CASCADE.",
        );
        out.push(if cascade {
            finding.with_severity(Severity::Error)
        } else {
            finding
        });
    }
}
