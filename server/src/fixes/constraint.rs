//! Recipes R04 and R05: add a constraint `NOT VALID` (no scan, brief lock),
//! then `VALIDATE CONSTRAINT` in a later transaction (a scan that blocks no
//! reads or writes).

use crate::analysis::migration::{Migration, OpAt, OpKind};
use crate::finding::Fix;

use super::sql::{ident, qualified};
use super::transaction::{self, Step};

/// The fix for `ADD CONSTRAINT name CHECK (...)` or `... FOREIGN KEY ...`
/// without `NOT VALID`. Unnamed constraints get none: the `VALIDATE` step
/// must name it.
pub fn not_valid_then_validate(m: &Migration<'_>, at: &OpAt<'_>) -> Option<Fix> {
    let OpKind::AddConstraint {
        name: Some(name),
        not_valid: false,
        ..
    } = &at.op.kind
    else {
        return None;
    };
    let table = at.op.table.as_ref()?;
    let (statement, op_span) = m.statement_sql(at)?;
    let statement: &str = &statement;
    let clause_end = op_span.end;
    let keep = format!(
        "{} NOT VALID{}",
        statement.get(..clause_end)?,
        statement.get(clause_end..)?
    );
    let later = format!(
        "ALTER TABLE {} VALIDATE CONSTRAINT {};",
        qualified(table),
        ident(name)
    );
    transaction::split(
        m,
        at,
        "Add it NOT VALID, then VALIDATE it",
        Step::Later {
            keep,
            later,
            later_alone: None,
            down: "-- VALIDATE CONSTRAINT changes no schema: there is nothing to undo.\nSELECT 1;",
            suffix: "validate",
        },
    )
}
