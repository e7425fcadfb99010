//! Rules over migration operations: `.sql` files today; ORM migrations lower
//! into the same operations, so each rule here is written once.

mod add_column_required;
mod add_exclusion_constraint;
mod add_primary_key;
mod add_unique_constraint;
mod change_column_type;
mod concurrently_in_transaction;
mod constraint_missing_not_valid;
mod detach_partition_without_concurrently;
mod drop_column;
mod drop_table;
mod foreign_key_missing_not_valid;
mod missing_down_migration;
mod mixed_schema_and_data;
mod multiple_alter_table;
mod non_idempotent_non_transactional;
mod refresh_matview_without_concurrently;
mod rename_column;
mod require_concurrent_index_creation;
mod require_concurrent_index_deletion;
mod require_concurrent_reindex;
mod require_lock_timeout;
mod require_statement_timeout;
mod set_not_null_requires_scan;
mod statement_after_access_exclusive;
mod transaction_nesting;
mod truncate;
mod unbatched_backfill;
mod uncommitted_transaction;
mod vacuum_full_or_cluster;
mod validate_in_same_transaction;

use std::fmt;

use crate::analysis::migration::{
    ConstraintKind, Context, LockMode, Migration, Name, OpAt, OpKind, OpTag,
};

use super::Rule;

pub static RULES: &[&Rule] = &[
    // Process and transactions
    &require_lock_timeout::RULE,
    &require_statement_timeout::RULE,
    &statement_after_access_exclusive::RULE,
    &multiple_alter_table::RULE,
    &concurrently_in_transaction::RULE,
    &mixed_schema_and_data::RULE,
    &unbatched_backfill::RULE,
    &validate_in_same_transaction::RULE,
    &transaction_nesting::RULE,
    &uncommitted_transaction::RULE,
    &non_idempotent_non_transactional::RULE,
    &missing_down_migration::RULE,
    // Indexes
    &require_concurrent_index_creation::RULE,
    &require_concurrent_index_deletion::RULE,
    &require_concurrent_reindex::RULE,
    // Constraints
    &constraint_missing_not_valid::RULE,
    &foreign_key_missing_not_valid::RULE,
    &set_not_null_requires_scan::RULE,
    &add_unique_constraint::RULE,
    &add_primary_key::RULE,
    &add_exclusion_constraint::RULE,
    // Columns and tables
    &add_column_required::RULE,
    &change_column_type::RULE,
    &rename_column::RULE,
    &drop_column::RULE,
    &drop_table::RULE,
    &truncate::RULE,
    // Partitions, views, maintenance
    &detach_partition_without_concurrently::RULE,
    &refresh_matview_without_concurrently::RULE,
    &vacuum_full_or_cluster::RULE,
];

/// Operations on relations that existed before this migration: the only ones
/// whose locks and rewrites other sessions can feel.
fn on_existing<'m>(m: &'m Migration<'_>) -> impl Iterator<Item = OpAt<'m>> {
    m.ops().filter(|at| !at.new_relation)
}

/// The operations of one kind on relations that existed before this migration.
fn existing<'m>(m: &'m Migration<'_>, tag: OpTag) -> impl Iterator<Item = OpAt<'m>> {
    m.ops_of(tag).filter(|at| !at.new_relation)
}

/// Statements taking a lock that blocks reads or writes on an existing table
/// while a session setting (a timeout) is not in force: the timeout rules
/// report the first and count the rest.
struct Unguarded<'m> {
    first: OpAt<'m>,
    others: usize,
    strongest: LockMode,
}

impl<'m> Unguarded<'m> {
    fn find(m: &'m Migration<'_>, guarded: fn(&Context) -> bool) -> Option<Self> {
        let mut unguarded = on_existing(m)
            .filter(|at| !guarded(&at.context) && at.op.lock().is_some_and(LockMode::is_dangerous));
        let first = unguarded.next()?;
        let mut found = Unguarded {
            strongest: first.op.lock().unwrap_or(LockMode::Share),
            first,
            others: 0,
        };
        for at in unguarded {
            found.others += 1;
            found.strongest = found.strongest.max(at.op.lock().unwrap_or(LockMode::Share));
        }
        Some(found)
    }

    /// " (3 more statements take such locks)", or nothing.
    fn others_note(&self) -> String {
        match self.others {
            0 => String::new(),
            1 => " (1 more statement takes such a lock)".into(),
            n => format!(" ({n} more statements take such locks)"),
        }
    }
}

/// The operation's table for messages: `` `users` ``, or "the table".
fn table_of<'m>(at: &OpAt<'m>) -> TableLabel<'m> {
    TableLabel(at.op.table.as_ref())
}

/// Formats in place, so a message costs one allocation.
struct TableLabel<'m>(Option<&'m Name>);

impl fmt::Display for TableLabel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(table) => write!(f, "`{table}`"),
            None => f.write_str("the table"),
        }
    }
}

/// `ADD CONSTRAINT` without `NOT VALID` on an existing table: the constraint is
/// checked against every row while the lock is held.
fn validated_on_add<'m>(
    m: &'m Migration<'_>,
) -> impl Iterator<Item = (OpAt<'m>, &'m ConstraintKind)> {
    existing(m, OpTag::AddConstraint).filter_map(|at| match &at.op.kind {
        OpKind::AddConstraint {
            kind,
            not_valid: false,
            ..
        } => Some((at, kind)),
        _ => None,
    })
}

/// The constraint's name for messages, or a placeholder when unnamed.
fn constraint_label(at: &OpAt<'_>) -> String {
    match &at.op.kind {
        OpKind::AddConstraint {
            name: Some(name), ..
        } => format!("`{name}`"),
        _ => "the constraint".to_string(),
    }
}
