//! ## What it does
//! Flags `ALTER TABLE ... DROP CONSTRAINT` of a foreign key on an existing
//! table: one added earlier in this migration as a foreign key, or one named
//! like one (`..._fkey`, `..._fk`).
//!
//! ## Why it matters
//! Dropping a foreign key takes ACCESS EXCLUSIVE on **both** the table and the
//! table it references, so traffic to both queues behind it.
//!
//! ## Example
//! ```sql
//! ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;
//! ```
//!
//! ## Safe alternative
//! Drop it in its own migration, with a `lock_timeout` and retries.

use crate::analysis::migration::{ConstraintKind, Migration, Name, OpKind, OpTag};

use super::{existing, table_of};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "drop-foreign-key",
    severity: Severity::Warning,
    class: MigrationClass::Destructive,
    default_enabled: true,
    summary: "Dropping a foreign key locks both tables",
    source: include_str!("drop_foreign_key.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for at in existing(m, OpTag::DropConstraint) {
        let OpKind::DropConstraint { name, foreign_key } = &at.op.kind else {
            continue;
        };
        let references = references_of(m, name);
        let named_like_one = name.ends_with("_fkey") || name.ends_with("_fk");
        if !foreign_key && references.is_none() && !named_like_one {
            continue;
        }
        let other = references.map_or_else(
            || "the table it references".to_string(),
            |t| format!("`{t}`"),
        );
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "Dropping foreign key `{name}` takes ACCESS EXCLUSIVE on {} and on {other}",
                    table_of(&at)
                ),
            )
            .with_help("Drop it in its own migration with a lock_timeout and retries."),
        );
    }
}

/// The table a foreign key added earlier in this migration references.
fn references_of<'m>(m: &'m Migration<'_>, name: &str) -> Option<&'m Name> {
    m.ops_of(OpTag::AddConstraint)
        .find_map(|at| match &at.op.kind {
            OpKind::AddConstraint {
                name: Some(added),
                kind: ConstraintKind::ForeignKey { references },
                ..
            } if added == name => Some(references),
            _ => None,
        })
}
