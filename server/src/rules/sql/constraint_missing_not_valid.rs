//! ## What it does
//! Flags `ALTER TABLE ... ADD CONSTRAINT ... CHECK (...)` without `NOT VALID`
//! on a table that existed before this migration.
//!
//! ## Why it matters
//! Adding a CHECK constraint scans every row to validate it while holding an
//! ACCESS EXCLUSIVE lock: the table is unreadable and unwritable for the
//! length of the scan.
//!
//! ## Example
//! ```sql
//! ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0);
//! ```
//!
//! ## Safe alternative
//! ```sql
//! ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;
//! -- in a later transaction (next migration):
//! ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;
//! ```
//! `NOT VALID` makes the `ADD` metadata-only (new rows are still checked);
//! `VALIDATE` scans under SHARE UPDATE EXCLUSIVE, which lets reads and writes
//! continue.

use crate::analysis::migration::{ConstraintKind, Migration};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};

use super::{constraint_label, table_of, validated_on_add};

pub static RULE: Rule = Rule {
    id: "constraint-missing-not-valid",
    severity: Severity::Error,
    class: MigrationClass::Transformative,
    default_enabled: true,
    summary: "CHECK constraint added without NOT VALID scans the table under ACCESS EXCLUSIVE",
    source: include_str!("constraint_missing_not_valid.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for (at, kind) in validated_on_add(m) {
        if !matches!(kind, ConstraintKind::Check { .. }) {
            continue;
        }
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "Adding CHECK constraint {} validates every row of {} under an ACCESS EXCLUSIVE lock (no reads or writes)",
                    constraint_label(&at),
                    table_of(&at)
                ),
            )
            .with_help("Add it with `NOT VALID`, then `VALIDATE CONSTRAINT` in a later transaction.")
            .with_fix(m.fix(|| fixes::constraint::not_valid_then_validate(m, &at))),
        );
    }
}
