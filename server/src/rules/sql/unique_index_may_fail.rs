//! ## What it does
//! Flags `CREATE UNIQUE INDEX` and unique or primary-key constraints on a table
//! that existed before this migration. `info`, off unless selected.
//!
//! ## Why it matters
//! If the existing rows hold duplicates the statement fails at deploy time; a
//! failed `CREATE UNIQUE INDEX CONCURRENTLY` also leaves an INVALID index
//! behind that still slows every write.
//!
//! ## Example
//! ```sql
//! CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);
//! ```
//!
//! ## Safe alternative
//! Find and resolve duplicates first (`SELECT email, count(*) ... HAVING
//! count(*) > 1`); after a failure, `DROP INDEX CONCURRENTLY IF EXISTS` the
//! invalid index before retrying.

use crate::analysis::migration::{ConstraintKind, Migration, OpKind, OpTag};

use super::{existing, table_of};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "unique-index-may-fail",
    severity: Severity::Info,
    class: MigrationClass::Transformative,
    default_enabled: false,
    summary: "A unique index or constraint on existing data fails on duplicates",
    source: include_str!("unique_index_may_fail.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    let unique_indexes = existing(m, OpTag::CreateIndex)
        .filter(|at| matches!(at.op.kind, OpKind::CreateIndex { unique: true, .. }));
    let unique_constraints = existing(m, OpTag::AddConstraint).filter(|at| {
        matches!(
            at.op.kind,
            OpKind::AddConstraint {
                kind: ConstraintKind::Unique { using_index: false }
                    | ConstraintKind::PrimaryKey { using_index: None },
                ..
            }
        )
    });
    for at in unique_indexes.chain(unique_constraints) {
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "If {} already holds duplicates this fails at deploy time (and a failed concurrent build leaves an INVALID index)",
                    table_of(&at)
                ),
            )
            .with_help("Check for and resolve duplicates first; drop an INVALID index before retrying."),
        );
    }
}
