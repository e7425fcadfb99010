//! Rules over migration operations: `.sql` files today; ORM migrations lower
//! into the same operations, so each rule here is written once.

mod add_column_auto_increment;
mod add_column_code_default_dropped;
mod add_column_inline_constraint;
mod add_column_required;
mod add_column_stored_generated;
mod add_column_volatile_default;
mod add_exclusion_constraint;
mod add_primary_key;
mod add_unique_constraint;
mod alter_table_misc_ae;
mod attach_partition_unproven;
mod ban_char_field;
mod change_column_type;
mod concurrent_index_on_partitioned_table;
mod concurrently_in_transaction;
mod constraint_missing_not_valid;
mod create_enum;
mod create_table_force;
mod create_trigger;
mod detach_partition_without_concurrently;
mod domain_with_constraint;
mod drop_column;
mod drop_foreign_key;
mod drop_not_null;
mod drop_schema_or_database;
mod drop_table;
mod drop_trigger;
mod enum_add_value_in_transaction;
mod enum_value_ordering;
mod foreign_key_missing_not_valid;
mod foreign_key_without_index;
mod identifier_too_long;
mod index_build_corruption_pg14;
mod missing_down_migration;
mod mixed_schema_and_data;
mod multiple_alter_table;
mod non_idempotent_non_transactional;
mod prefer_bigint_id;
mod prefer_identity;
mod prefer_jsonb;
mod prefer_text_over_varchar;
mod prefer_timestamptz;
mod primary_key_using_index_nullable;
mod refresh_matview_without_concurrently;
mod rename_column;
mod rename_enum_value;
mod rename_schema;
mod rename_table;
mod require_concurrent_index_creation;
mod require_concurrent_index_deletion;
mod require_concurrent_reindex;
mod require_lock_timeout;
mod require_statement_timeout;
mod set_not_null_requires_scan;
mod set_tablespace_or_logged;
mod statement_after_access_exclusive;
mod timestamptz_conversion_needs_utc;
mod transaction_nesting;
mod truncate;
mod unanalyzable_raw_sql;
mod unbatched_backfill;
mod uncommitted_transaction;
mod unique_index_may_fail;
mod vacuum_full_or_cluster;
mod validate_in_same_transaction;
mod wide_non_unique_index;

use std::fmt;

use crate::analysis::migration::{
    ConstraintKind, Context, LockMode, Locked, Migration, Name, OpAt, OpKind, OpTag,
};

use super::Rule;
use crate::finding::Finding;

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
    &unanalyzable_raw_sql::RULE,
    // Indexes
    &require_concurrent_index_creation::RULE,
    &require_concurrent_index_deletion::RULE,
    &require_concurrent_reindex::RULE,
    &concurrent_index_on_partitioned_table::RULE,
    &index_build_corruption_pg14::RULE,
    &wide_non_unique_index::RULE,
    &foreign_key_without_index::RULE,
    &unique_index_may_fail::RULE,
    // Constraints
    &drop_not_null::RULE,
    &drop_foreign_key::RULE,
    &domain_with_constraint::RULE,
    &constraint_missing_not_valid::RULE,
    &foreign_key_missing_not_valid::RULE,
    &set_not_null_requires_scan::RULE,
    &add_unique_constraint::RULE,
    &add_primary_key::RULE,
    &primary_key_using_index_nullable::RULE,
    &add_exclusion_constraint::RULE,
    // Columns and tables
    &add_column_volatile_default::RULE,
    &add_column_required::RULE,
    &add_column_code_default_dropped::RULE,
    &add_column_auto_increment::RULE,
    &add_column_stored_generated::RULE,
    &add_column_inline_constraint::RULE,
    &change_column_type::RULE,
    &timestamptz_conversion_needs_utc::RULE,
    &rename_column::RULE,
    &rename_table::RULE,
    &drop_column::RULE,
    &drop_table::RULE,
    &drop_schema_or_database::RULE,
    &truncate::RULE,
    &create_table_force::RULE,
    &set_tablespace_or_logged::RULE,
    // Enums, partitions, views, triggers, maintenance
    &enum_add_value_in_transaction::RULE,
    &enum_value_ordering::RULE,
    &rename_enum_value::RULE,
    &create_enum::RULE,
    &rename_schema::RULE,
    &detach_partition_without_concurrently::RULE,
    &attach_partition_unproven::RULE,
    &refresh_matview_without_concurrently::RULE,
    &vacuum_full_or_cluster::RULE,
    &create_trigger::RULE,
    &drop_trigger::RULE,
    &alter_table_misc_ae::RULE,
    // Data types and design
    &prefer_jsonb::RULE,
    &prefer_bigint_id::RULE,
    &prefer_identity::RULE,
    &prefer_timestamptz::RULE,
    &prefer_text_over_varchar::RULE,
    &ban_char_field::RULE,
    &identifier_too_long::RULE,
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
    /// The first such lock, and the operation taking it.
    first: Locked<'m>,
    at: OpAt<'m>,
    others: usize,
    strongest: LockMode,
}

impl<'m> Unguarded<'m> {
    fn find(m: &'m Migration<'_>, guarded: fn(&Context) -> bool) -> Option<Self> {
        let mut unguarded = m.blocking_locks().iter().filter_map(|locked| {
            let at = m.op_at(locked.position)?;
            (!guarded(&at.context)).then_some((*locked, at))
        });
        let (first, at) = unguarded.next()?;
        let mut found = Unguarded {
            strongest: first.lock,
            first,
            at,
            others: 0,
        };
        for (locked, _) in unguarded {
            found.others += 1;
            found.strongest = found.strongest.max(locked.lock);
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

    /// The first locked relation, for messages.
    fn table(&self) -> TableLabel<'m> {
        TableLabel(self.first.table)
    }
}

/// The operation's table for messages: `` `users` ``, or "the table".
fn table_of<'m>(at: &OpAt<'m>) -> TableLabel<'m> {
    TableLabel(at.op.table.as_ref())
}

/// Formats in place, so a message costs one allocation.
#[derive(Clone, Copy)]
struct TableLabel<'m>(Option<&'m Name>);

impl fmt::Display for TableLabel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(table) => write!(f, "`{table}`"),
            None => f.write_str("the table"),
        }
    }
}

/// A column being defined, by `CREATE TABLE` or `ADD COLUMN`, with what the
/// design rules ask of it.
struct NewColumn<'m> {
    at: OpAt<'m>,
    name: &'m str,
    /// The type as written.
    data_type: &'m str,
    base_type: &'m str,
    /// Declared `PRIMARY KEY` or `REFERENCES`, or named like an identifier.
    id_like: bool,
}

fn new_columns<'m>(m: &'m Migration<'_>) -> impl Iterator<Item = NewColumn<'m>> {
    // `id`, `user_id`, and the camelCase `userId` of Prisma and TypeORM.
    let id_like = |name: &str| {
        name.eq_ignore_ascii_case("id") || name.ends_with("_id") || name.ends_with("Id")
    };
    m.defined_columns().iter().map(move |c| NewColumn {
        at: c.at,
        name: c.name,
        data_type: c.data_type,
        base_type: c.base_type,
        id_like: c.key || id_like(c.name),
    })
}

/// Whether `base` is one of `names` (lower case), ignoring ASCII case.
fn is_any_of(base: &str, names: &[&str]) -> bool {
    names.iter().any(|name| base.eq_ignore_ascii_case(name))
}

/// Whether `text` contains `needle` (lower case), ignoring ASCII case.
fn contains_ignoring_case(text: &str, needle: &str) -> bool {
    text.as_bytes()
        .windows(needle.len())
        .any(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

/// `ADD COLUMN ... UNIQUE` or `... PRIMARY KEY` on an existing table: the
/// constraint's index is built under ACCESS EXCLUSIVE, as with `ADD
/// CONSTRAINT`.
fn inline_index_findings<'m>(
    m: &'m Migration<'_>,
    rule: &'static Rule,
    constraint: &'static str,
) -> impl Iterator<Item = Finding> + 'm {
    existing(m, OpTag::AddColumn).filter_map(move |at| {
        let OpKind::AddColumn(column) = &at.op.kind else {
            return None;
        };
        (column.inline_constraint == Some(constraint)).then(|| {
            rule.finding(
                at.range(),
                format!(
                    "New column `{}` is declared {constraint}: its index is built while {} is locked against all reads and writes",
                    column.column,
                    table_of(&at)
                ),
            )
            .with_help("Add the plain column, build a unique index CONCURRENTLY, then add the constraint USING INDEX.")
        })
    })
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

/// How to make a column NOT NULL without a scan under ACCESS EXCLUSIVE, on
/// this PostgreSQL version.
fn not_null_without_scan(version: u32) -> &'static str {
    match version {
        18.. => {
            "Add `CONSTRAINT ... NOT NULL column NOT VALID`, then VALIDATE it in a later migration."
        }
        12..=17 => {
            "Add `CHECK (column IS NOT NULL) NOT VALID`, VALIDATE it in a later migration, then SET NOT NULL (no scan) and drop the CHECK."
        }
        _ => {
            "Before PostgreSQL 12 SET NOT NULL always scans; run it in a low-traffic window with a lock_timeout."
        }
    }
}

/// The constraint's name for messages, or a placeholder when unnamed.
fn constraint_label(at: &OpAt<'_>) -> String {
    match &at.op.kind {
        OpKind::AddConstraint {
            name: Some(name), ..
        } => format!("`{name}`"),
        _ => "(unnamed)".to_string(),
    }
}
