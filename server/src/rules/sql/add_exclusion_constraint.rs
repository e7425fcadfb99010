//! ## What it does
//! Flags `ALTER TABLE ... ADD CONSTRAINT ... EXCLUDE ...` on an existing table.
//!
//! ## Why it matters
//! The exclusion index is built under ACCESS EXCLUSIVE, and unlike CHECK,
//! foreign key or unique constraints there is no `NOT VALID` or `USING INDEX`
//! way around it: the table is unavailable for the whole build.
//!
//! ## Example
//! ```sql
//! ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);
//! ```
//!
//! ## Safe alternative
//! Expand and contract: create a new table with the constraint, write to both,
//! backfill in batches, switch readers, drop the old table later. No automatic
//! rewrite is offered.

use crate::analysis::migration::{ConstraintKind, Migration};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

use super::{constraint_label, table_of, validated_on_add};

pub static RULE: Rule = Rule {
    id: "add-exclusion-constraint",
    severity: Severity::Error,
    class: MigrationClass::Transformative,
    default_enabled: true,
    summary: "EXCLUDE constraint builds its index under ACCESS EXCLUSIVE, with no safe form",
    source: include_str!("add_exclusion_constraint.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for (at, kind) in validated_on_add(m) {
        if *kind != ConstraintKind::Exclusion {
            continue;
        }
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "Adding exclusion constraint {} builds its index while {} is locked against all reads and writes; it cannot be added NOT VALID",
                    constraint_label(&at),
                    table_of(&at)
                ),
            )
            .with_help("Create a new table with the constraint, dual-write, backfill in batches and switch over."),
        );
    }
}
