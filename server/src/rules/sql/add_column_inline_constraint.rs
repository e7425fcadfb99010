//! ## What it does
//! Flags `ADD COLUMN` with an inline `CHECK` on an existing table (an inline
//! `UNIQUE` or `PRIMARY KEY` is reported by `add-unique-constraint` and
//! `add-primary-key`; `REFERENCES` inline is fine: the new column holds only
//! NULLs).
//!
//! ## Why it matters
//! The CHECK is validated against every row, and a UNIQUE or PRIMARY KEY index is
//! built, all while ACCESS EXCLUSIVE blocks reads and writes.
//!
//! ## Example
//! ```sql
//! ALTER TABLE users ADD COLUMN age int DEFAULT 0 CHECK (age >= 0);
//! ```
//!
//! ## Safe alternative
//! Add the plain column, then the constraint the safe way: `CHECK ... NOT
//! VALID` + `VALIDATE`, or a unique index built `CONCURRENTLY` + `USING INDEX`.

use crate::analysis::migration::{Migration, OpKind, OpTag};

use super::{existing, table_of};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "add-column-inline-constraint",
    severity: Severity::Warning,
    class: MigrationClass::Transformative,
    default_enabled: true,
    summary: "ADD COLUMN with an inline CHECK, UNIQUE or PRIMARY KEY scans or indexes under ACCESS EXCLUSIVE",
    source: include_str!("add_column_inline_constraint.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for at in existing(m, OpTag::AddColumn) {
        let OpKind::AddColumn(column) = &at.op.kind else {
            continue;
        };
        // UNIQUE and PRIMARY KEY are add-unique-constraint's and
        // add-primary-key's: one finding per problem.
        let Some(constraint) = column.inline_constraint.filter(|c| *c == "CHECK") else {
            continue;
        };
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "The inline {constraint} on new column `{}` is checked or indexed over all of {} while it is locked against reads and writes",
                    column.column,
                    table_of(&at)
                ),
            )
            .with_help("Add the plain column first, then the constraint as NOT VALID + VALIDATE, or via a concurrently built index."),
        );
    }
}
