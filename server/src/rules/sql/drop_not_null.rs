//! ## What it does
//! Flags `ALTER COLUMN ... DROP NOT NULL` on an existing table.
//!
//! ## Why it matters
//! The change is instant, but code and queries written for a non-null column
//! (the running release, reports, other services) now meet NULLs; once NULLs are
//! written the constraint cannot simply be restored.
//!
//! ## Example
//! ```sql
//! ALTER TABLE users ALTER COLUMN email DROP NOT NULL;
//! ```
//!
//! ## Safe alternative
//! Ship readers that tolerate NULL first, or keep the constraint and use a
//! sentinel value.

use crate::analysis::migration::{Migration, OpKind, OpTag};

use super::{existing, table_of};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "drop-not-null",
    severity: Severity::Warning,
    class: MigrationClass::Destructive,
    default_enabled: true,
    summary: "DROP NOT NULL lets NULLs into a column readers do not expect",
    source: include_str!("drop_not_null.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for at in existing(m, OpTag::DropNotNull) {
        let OpKind::DropNotNull { column } = &at.op.kind else {
            continue;
        };
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "`{column}` of {} may now hold NULLs that running code does not expect, and restoring NOT NULL later needs a scan",
                    table_of(&at)
                ),
            )
            .with_help("Deploy NULL-tolerant readers first, or keep NOT NULL with a sentinel value."),
        );
    }
}
