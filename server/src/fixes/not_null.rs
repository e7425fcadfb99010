//! Recipes R06 and R06b: `SET NOT NULL` without scanning the table under
//! ACCESS EXCLUSIVE. PostgreSQL 12–17: a `CHECK (col IS NOT NULL) NOT VALID`,
//! validated later, proves the column so `SET NOT NULL` skips its scan.
//! PostgreSQL 18+: a native `NOT NULL ... NOT VALID` constraint, validated
//! later.

use crate::analysis::migration::{Migration, Name, OpAt, OpKind};
use crate::finding::Fix;

use super::down;
use super::sql::{ident, qualified};
use super::transaction::{self, Step};

/// PostgreSQL's limit on identifier length, in bytes.
const MAX_IDENTIFIER: usize = 63;

/// The fix for `ALTER TABLE t ALTER COLUMN c SET NOT NULL` as the statement's
/// only action.
pub fn without_scan(m: &Migration<'_>, at: &OpAt<'_>) -> Option<Fix> {
    let (OpKind::SetNotNull { column }, Some(table)) = (&at.op.kind, &at.op.table) else {
        return None;
    };
    let version = m.settings().postgres_version;
    if at.statement.ops.len() != 1 || version < 12 {
        return None;
    }
    let constraint = constraint_name(table, column);
    let (t, c, k) = (qualified(table), ident(column), ident(&constraint));
    let validate = format!("ALTER TABLE {t} VALIDATE CONSTRAINT {k};");
    let (keep, later, later_alone) = if version >= 18 {
        (
            format!("ALTER TABLE {t} ADD CONSTRAINT {k} NOT NULL {c} NOT VALID;"),
            validate,
            None,
        )
    } else {
        // Validated, the CHECK proves the column: SET NOT NULL skips its
        // scan, and the CHECK is then redundant.
        let finish = |proof_note: &str| {
            format!(
                "SET LOCAL lock_timeout = '2s';\n{validate}\nSET LOCAL statement_timeout = '60s';\n{proof_note}ALTER TABLE {t} ALTER COLUMN {c} SET NOT NULL;\nALTER TABLE {t} DROP CONSTRAINT {k};"
            )
        };
        (
            format!("ALTER TABLE {t} ADD CONSTRAINT {k} CHECK ({c} IS NOT NULL) NOT VALID;"),
            finish(""),
            // In a migration of its own, the CHECK added by the previous one
            // is out of the analysis's sight.
            Some(finish(&format!(
                "-- preflight: ignore[set-not-null-requires-scan] {k}, validated above, proves the column: no scan\n"
            ))),
        )
    };
    // The down migration's `DROP NOT NULL` undoes the later step now; the
    // current migration leaves only the constraint behind.
    let taken = down::take(m, |op| {
        matches!(&op.kind, OpKind::DropNotNull { column: c } if c == column)
            && op.table.as_ref().is_some_and(|t| t.name == table.name)
    });
    let undo = format!(
        "SET LOCAL lock_timeout = '2s';\nSET LOCAL statement_timeout = '60s';\n{}",
        match &taken {
            Some(taken) => taken.text.clone(),
            None => format!("ALTER TABLE {t} ALTER COLUMN {c} DROP NOT NULL;"),
        }
    );
    let mut fix = transaction::split(
        m,
        at,
        "Prove NOT NULL with a constraint validated later",
        Step::Later {
            keep,
            later,
            later_alone,
            down: &undo,
            suffix: "not_null",
        },
    )?;
    if let Some(mut taken) = taken
        && fix.edits.iter().any(|e| e.create)
    {
        taken.removal.replacement = format!("ALTER TABLE {t} DROP CONSTRAINT IF EXISTS {k};\n");
        fix.edits.push(taken.removal);
    }
    Some(fix)
}

/// `users_email_not_null`, shortened to PostgreSQL's identifier limit.
fn constraint_name(table: &Name, column: &str) -> String {
    let mut name = format!("{}_{column}_not_null", table.name);
    if name.len() > MAX_IDENTIFIER {
        let mut end = MAX_IDENTIFIER;
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        name.truncate(end);
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraint_names_fit_the_limit() {
        assert_eq!(
            constraint_name(&Name::new(None, "users"), "email"),
            "users_email_not_null"
        );
        let long = constraint_name(&Name::new(None, "é".repeat(40)), "c");
        assert!(long.len() <= MAX_IDENTIFIER && long.starts_with('é'));
    }
}
