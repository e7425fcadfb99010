//! ## What it does
//! Flags data changes (`UPDATE`, `DELETE`, `INSERT ... SELECT`, Alembic's
//! `op.bulk_insert`) in the same transaction as a schema change to an
//! existing table. Reported once per transaction, at the first data change.
//!
//! ## Why it matters
//! The schema change's lock (usually ACCESS EXCLUSIVE) is held until commit,
//! so the table is blocked for the whole data change. On PostgreSQL a data
//! change followed by `ALTER TABLE` on the same table can also fail with
//! "pending trigger events".
//!
//! ## Example
//! ```sql
//! BEGIN;
//! ALTER TABLE users ADD COLUMN plan text;
//! UPDATE users SET plan = 'free' WHERE plan IS NULL;
//! COMMIT;
//! ```
//!
//! ## Safe alternative
//! Split: the schema change in one migration, the data change in a separate,
//! non-transactional, batched data migration.

use rustc_hash::FxHashMap as HashMap;

use crate::analysis::migration::{DmlKind, LockMode, Migration, OpAt, OpKind, OpTag};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "mixed-schema-and-data",
    severity: Severity::Warning,
    class: MigrationClass::Transformative,
    default_enabled: true,
    summary: "Data change in the same transaction as a schema change",
    source: include_str!("mixed_schema_and_data.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    // The first schema change of each transaction, found in one pass.
    let mut schema_changes: HashMap<u32, OpAt<'_>> = HashMap::default();
    for at in m.ops() {
        // DDL, not LOCK, VACUUM or REFRESH, which change no schema.
        let is_schema_change = !at.new_relation
            && at
                .op
                .lock()
                .is_some_and(|l| l >= LockMode::ShareUpdateExclusive)
            && !matches!(at.op.kind, OpKind::Dml { .. } | OpKind::Maintenance(_));
        if let (Some(transaction), true) = (at.context.transaction, is_schema_change) {
            schema_changes.entry(transaction).or_insert(at);
        }
    }
    for at in m.ops_of(OpTag::Dml).filter(|at| changes_data(&at.op.kind)) {
        let Some(schema_change) = at
            .context
            .transaction
            .and_then(|transaction| schema_changes.remove(&transaction))
        else {
            continue;
        };
        let line = m.line_of(schema_change.range().start);
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "This data change runs in the same transaction as the schema change on line {line}: its lock is held for the whole data change"
                ),
            )
            .with_help("Move the data change to its own migration, outside the schema change's transaction, and batch it."),
        );
    }
}

fn changes_data(kind: &OpKind) -> bool {
    match kind {
        OpKind::Dml {
            kind: DmlKind::Insert,
            filtered,
            ..
        } => *filtered,
        OpKind::Dml { .. } => true,
        _ => false,
    }
}
