//! ## What it does
//! Flags `ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY ... REFERENCES ...`
//! without `NOT VALID` on a table that existed before this migration.
//!
//! ## Why it matters
//! Validating the new foreign key scans the referencing table while holding
//! SHARE ROW EXCLUSIVE locks on **both** tables: writes to the child and to the
//! parent are blocked for the whole scan.
//!
//! ## Example
//! ```sql
//! ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
//! ```
//!
//! ## Safe alternative
//! ```sql
//! ALTER TABLE orders ADD CONSTRAINT orders_user_fk
//!     FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
//! -- in a later transaction (next migration):
//! ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;
//! ```
//! `VALIDATE` takes SHARE UPDATE EXCLUSIVE on the child and ROW SHARE on the
//! parent, so traffic continues. `ADD COLUMN ... REFERENCES` is fine: a new
//! column holds only NULLs and needs no scan.

use crate::analysis::migration::{ConstraintKind, Migration};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};

use super::{constraint_label, table_of, validated_on_add};

pub static RULE: Rule = Rule {
    id: "foreign-key-missing-not-valid",
    severity: Severity::Error,
    class: MigrationClass::Transformative,
    default_enabled: true,
    summary: "Foreign key added without NOT VALID blocks writes to both tables during validation",
    source: include_str!("foreign_key_missing_not_valid.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for (at, kind) in validated_on_add(m) {
        let ConstraintKind::ForeignKey { references } = kind else {
            continue;
        };
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "Adding foreign key {} scans {} while blocking writes to it and to `{references}`",
                    constraint_label(&at),
                    table_of(&at)
                ),
            )
            .with_help("Add it with `NOT VALID`, then `VALIDATE CONSTRAINT` in a later transaction.")
            .with_fix(m.fix(|| fixes::constraint::not_valid_then_validate(m, &at))),
        );
    }
}
