//! Rules over migration operations: `.sql` files today; ORM migrations lower
//! into the same operations, so each rule here is written once.

mod add_column_required;
mod change_column_type;
mod constraint_missing_not_valid;
mod drop_column;
mod drop_table;
mod foreign_key_missing_not_valid;
mod rename_column;
mod require_concurrent_index_creation;
mod require_lock_timeout;
mod set_not_null_requires_scan;

use std::fmt;

use crate::analysis::migration::{ConstraintKind, Migration, Name, OpAt, OpKind};

use super::Rule;

pub static RULES: &[&Rule] = &[
    &require_concurrent_index_creation::RULE,
    &require_lock_timeout::RULE,
    &add_column_required::RULE,
    &set_not_null_requires_scan::RULE,
    &constraint_missing_not_valid::RULE,
    &foreign_key_missing_not_valid::RULE,
    &change_column_type::RULE,
    &rename_column::RULE,
    &drop_column::RULE,
    &drop_table::RULE,
];

/// Operations on relations that existed before this migration: the only ones
/// whose locks and rewrites other sessions can feel.
fn on_existing<'m>(m: &'m Migration<'_>) -> impl Iterator<Item = OpAt<'m>> {
    m.ops().filter(|at| !at.new_relation)
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
    on_existing(m).filter_map(|at| match &at.op.kind {
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
