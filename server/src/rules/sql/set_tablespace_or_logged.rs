//! ## What it does
//! Flags `ALTER TABLE ... SET TABLESPACE`, `SET LOGGED` and `SET UNLOGGED` on
//! an existing table.
//!
//! ## Why it matters
//! PostgreSQL copies the whole table (and writes it to WAL for `SET LOGGED`)
//! while ACCESS EXCLUSIVE blocks every read and write.
//!
//! ## Example
//! ```sql
//! ALTER TABLE events SET TABLESPACE fast_ssd;
//! ```
//!
//! ## Safe alternative
//! Create the new table where you want it, copy in batches while writing to
//! both, then swap (expand/contract).

use crate::analysis::migration::{Migration, OpKind, OpTag};

use super::{existing, table_of};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "set-tablespace-or-logged",
    severity: Severity::Warning,
    class: MigrationClass::Transformative,
    default_enabled: true,
    summary: "SET TABLESPACE / LOGGED / UNLOGGED copies the table under ACCESS EXCLUSIVE",
    source: include_str!("set_tablespace_or_logged.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for at in existing(m, OpTag::MoveTable) {
        let OpKind::MoveTable { what } = &at.op.kind else {
            continue;
        };
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "{what} copies all of {} while it is locked against reads and writes",
                    table_of(&at)
                ),
            )
            .with_help("Build a new table, copy in batches, and swap."),
        );
    }
}
