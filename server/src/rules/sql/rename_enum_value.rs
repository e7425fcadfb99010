//! ## What it does
//! Flags `ALTER TYPE ... RENAME VALUE`.
//!
//! ## Why it matters
//! Running code still writes and compares the old label; its inserts fail and
//! its queries silently match nothing.
//!
//! ## Example
//! ```sql
//! ALTER TYPE order_status RENAME VALUE 'canceled' TO 'cancelled';
//! ```
//!
//! ## Safe alternative
//! Add the new value, make code accept both, backfill, then stop using the old.

use crate::analysis::migration::{Migration, OpTag};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "rename-enum-value",
    severity: Severity::Warning,
    class: MigrationClass::Destructive,
    default_enabled: true,
    summary: "Renaming an enum value breaks code that still uses the old label",
    source: include_str!("rename_enum_value.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for at in m.ops_of(OpTag::RenameEnumValue) {
        out.push(
            RULE.finding(
                at.range(),
                "Renaming an enum value breaks running code that still writes or compares the old label",
            )
            .with_help("Add the new value, handle both in code, backfill, then retire the old one."),
        );
    }
}
