//! ## What it does
//! Flags a `BEGIN` with no `COMMIT` (or `ROLLBACK`) after it in the file.
//!
//! ## Why it matters
//! When the session ends, PostgreSQL rolls the open transaction back: the
//! migration reports success while none of its changes remain.
//!
//! ## Example
//! ```sql
//! BEGIN;
//! ALTER TABLE users ADD COLUMN nickname text;
//! ```
//!
//! ## Safe alternative
//! ```sql
//! BEGIN;
//! ALTER TABLE users ADD COLUMN nickname text;
//! COMMIT;
//! ```

use crate::analysis::migration::{Migration, OpTag};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "uncommitted-transaction",
    severity: Severity::Error,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "BEGIN without a COMMIT: the changes are rolled back",
    source: include_str!("uncommitted_transaction.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    let Some(begin) = m.unclosed_begin() else {
        return;
    };
    let Some(at) = m.ops_of(OpTag::Begin).find(|at| at.index == begin) else {
        return;
    };
    out.push(
        RULE.finding(
            at.range(),
            "This transaction is never committed: when the session ends, PostgreSQL rolls back every change made after it",
        )
        .with_help("Add `COMMIT;` at the end of the migration."),
    );
}
