//! Recipe R01: build an index with `CREATE INDEX CONCURRENTLY`, outside the
//! transaction the migration runs in.

use crate::analysis::migration::{Migration, Name};
use crate::analysis::migration::{OpAt, OpKind};
use crate::finding::Fix;

use super::sql::{concurrent_create_index, qualified};
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
    let statement = m.source().get(at.statement.span.clone())?;
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
    transaction::split(
        m,
        at,
        "Build the index with CONCURRENTLY",
        Step::Outside {
            sql,
            down: &down,
            suffix: "concurrently",
        },
    )
}
