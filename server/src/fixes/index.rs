//! Recipes R01, R02 and R03: build, drop and rebuild indexes CONCURRENTLY,
//! outside the transaction the migration runs in.

use crate::analysis::migration::{Migration, Name};
use crate::analysis::migration::{OpAt, OpKind};
use crate::finding::Fix;

use super::down::{self, Taken};
use super::sql::{concurrent_create_index, concurrent_reindex, contains_word, qualified};
use super::transaction::{self, Step};

/// The fix for a `CREATE INDEX` without `CONCURRENTLY`.
pub fn create_concurrently(m: &Migration<'_>, at: &OpAt<'_>) -> Option<Fix> {
    let OpKind::CreateIndex {
        name,
        if_not_exists,
        ..
    } = &at.op.kind
    else {
        return None;
    };
    let (statement, _) = m.statement_sql(at)?;
    let statement: &str = &statement;
    let sql = concurrent_create_index(statement, name.is_some() && !if_not_exists)?;
    // The index lives in its table's schema.
    let down = match name {
        Some(name) => format!(
            "DROP INDEX CONCURRENTLY IF EXISTS {};",
            qualified(&Name::new(
                at.op.table.as_ref().and_then(|t| t.schema.clone()),
                name.as_str()
            ))
        ),
        None => "-- The index was created without a name: drop it by the name PostgreSQL gave it."
            .into(),
    };
    let fix = transaction::split(
        m,
        at,
        "Build the index with CONCURRENTLY",
        Step::Outside {
            sql,
            down: &down,
            suffix: "concurrently",
        },
    )?;
    // The current down migration no longer has this index to drop.
    let taken = name.as_deref().and_then(|name| {
        down::take(m, |op| match &op.kind {
            OpKind::DropIndex { names, .. } => names.iter().any(|n| n.name == name),
            _ => false,
        })
    });
    Some(with_down_removed(fix, taken))
}

/// `DROP INDEX name` → `DROP INDEX CONCURRENTLY IF EXISTS name` (one index a
/// statement: PostgreSQL drops only one concurrently, and never with
/// CASCADE), in its own non-transactional step. The current down
/// migration's `CREATE INDEX` of it moves to the new migration's down.
pub fn drop_concurrently(m: &Migration<'_>, at: &OpAt<'_>) -> Option<Fix> {
    let OpKind::DropIndex { names, .. } = &at.op.kind else {
        return None;
    };
    let (statement, _) = m.statement_sql(at)?;
    let statement: &str = &statement;
    // A one-query runner would send two statements as one implicit
    // transaction, where CONCURRENTLY fails.
    if contains_word(statement, "CASCADE") || (names.len() > 1 && m.runner().one_query) {
        return None;
    }
    let sql = names
        .iter()
        .map(|n| format!("DROP INDEX CONCURRENTLY IF EXISTS {};", qualified(n)))
        .collect::<Vec<_>>()
        .join("\n");
    let taken = down::take(m, |op| match &op.kind {
        OpKind::CreateIndex {
            name: Some(name), ..
        } => names.iter().any(|n| &n.name == name),
        _ => false,
    });
    let down = match &taken {
        Some(taken) => {
            concurrent_create_index(&taken.text, true).unwrap_or_else(|| taken.text.clone())
        }
        None => {
            "-- Recreate the dropped index here: its definition is not in this migration.".into()
        }
    };
    let fix = transaction::split(
        m,
        at,
        "Drop the index with CONCURRENTLY",
        Step::Outside {
            sql,
            down: &down,
            suffix: "drop_index_concurrently",
        },
    )?;
    Some(with_down_removed(fix, taken))
}

/// `REINDEX ...` → `REINDEX ... CONCURRENTLY` (PostgreSQL 12+), in its own
/// non-transactional step. Nothing to undo.
pub fn reindex_concurrently(m: &Migration<'_>, at: &OpAt<'_>) -> Option<Fix> {
    let (statement, _) = m.statement_sql(at)?;
    let statement: &str = &statement;
    let sql = concurrent_reindex(statement)?;
    transaction::split(
        m,
        at,
        "Rebuild with REINDEX CONCURRENTLY",
        Step::Outside {
            sql,
            down: "-- REINDEX changes no schema: there is nothing to undo.\nSELECT 1;",
            suffix: "reindex_concurrently",
        },
    )
}

/// The split, plus the removal of the moved step's undo from the current
/// down migration when the split created a new migration to hold it.
fn with_down_removed(mut fix: Fix, taken: Option<Taken>) -> Fix {
    if let Some(taken) = taken
        && fix.edits.iter().any(|e| e.create)
    {
        fix.edits.push(taken.removal);
    }
    fix
}
