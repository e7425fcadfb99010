//! Recipes R06 and R06b: `SET NOT NULL` without scanning the table under
//! ACCESS EXCLUSIVE. PostgreSQL 12–17: a `CHECK (col IS NOT NULL) NOT VALID`,
//! validated later, proves the column so `SET NOT NULL` skips its scan.
//! PostgreSQL 18+: a native `NOT NULL ... NOT VALID` constraint, validated
//! later.

use crate::analysis::migration::{Migration, Name, OpAt, OpKind};
use crate::finding::Fix;

use super::down;
use super::preamble::{local_timeouts, timeout_values};
use super::sql::{ident, qualified};
use super::transaction::{self, Step};

/// PostgreSQL's limit on identifier length, in bytes.
const MAX_IDENTIFIER: usize = 63;

/// R06 for one column: a constraint that holds new rows to NOT NULL at once,
/// added without a scan, and what proves the rows before it later.
pub struct Proof {
    table: String,
    column: String,
    /// The constraint's name, quoted as needed.
    constraint: String,
    /// PostgreSQL 18's native `NOT NULL ... NOT VALID`, rather than a CHECK.
    native: bool,
    /// The migration's `lock_timeout` and `statement_timeout` at the
    /// statement the recipe replaces, for the later transaction.
    timeouts: (String, String),
}

impl Proof {
    /// For `column` of `table`, in a recipe replacing the statement `at`.
    /// `None` before PostgreSQL 12, where `SET NOT NULL` always scans.
    pub fn new(m: &Migration<'_>, at: &OpAt<'_>, table: &Name, column: &str) -> Option<Proof> {
        let version = m.settings().postgres_version;
        (version >= 12).then(|| Proof {
            table: qualified(table),
            column: ident(column).into_owned(),
            constraint: ident(&constraint_name(table, column)).into_owned(),
            native: version >= 18,
            timeouts: timeout_values(m, at),
        })
    }

    /// The constraint, `NOT VALID`: a brief lock, no scan.
    pub fn add(&self) -> String {
        let (t, c, k) = (&self.table, &self.column, &self.constraint);
        if self.native {
            format!("ALTER TABLE {t} ADD CONSTRAINT {k} NOT NULL {c} NOT VALID;")
        } else {
            format!("ALTER TABLE {t} ADD CONSTRAINT {k} CHECK ({c} IS NOT NULL) NOT VALID;")
        }
    }

    /// Removes the constraint, if it is still there: the undo of `add`.
    pub fn remove(&self) -> String {
        format!(
            "ALTER TABLE {} DROP CONSTRAINT IF EXISTS {};",
            self.table, self.constraint
        )
    }

    /// The later transaction that validates `proofs`, all of one table (a
    /// scan that blocks no reads or writes) and, before PostgreSQL 18, sets
    /// the columns NOT NULL (no scan: the validated CHECKs prove them) and
    /// drops the now redundant CHECKs, each in one statement: a second would
    /// queue for the ACCESS EXCLUSIVE lock the first holds. `alone`: in a
    /// migration of its own, where the constraints added by an earlier one
    /// are out of the analysis's sight, it says why `SET NOT NULL` needs no
    /// scan.
    pub fn finish(proofs: &[Proof], alone: bool) -> String {
        let Some(first) = proofs.first() else {
            return String::new();
        };
        let t = &first.table;
        let validate: Vec<String> = proofs
            .iter()
            .map(|p| format!("ALTER TABLE {t} VALIDATE CONSTRAINT {};", p.constraint))
            .collect();
        let validate = validate.join("\n");
        if first.native {
            return validate;
        }
        let each = |action: &dyn Fn(&Proof) -> String| {
            proofs.iter().map(action).collect::<Vec<_>>().join(", ")
        };
        let note = if alone {
            let (names, proves) = match proofs {
                [_] => (first.constraint.clone(), "proves the column"),
                _ => (each(&|p| p.constraint.clone()), "prove the columns"),
            };
            format!(
                "-- preflight: ignore[set-not-null-requires-scan] {names}, validated above, {proves}: no scan\n"
            )
        } else {
            String::new()
        };
        // The scan of VALIDATE under the lock timeout only: it blocks no
        // reads or writes, however long it takes.
        let (lock, statement) = &first.timeouts;
        format!(
            "SET LOCAL lock_timeout = {lock};\n{validate}\nSET LOCAL statement_timeout = {statement};\n\
             {note}ALTER TABLE {t} {};\nALTER TABLE {t} {};",
            each(&|p| format!("ALTER COLUMN {} SET NOT NULL", p.column)),
            each(&|p| format!("DROP CONSTRAINT {}", p.constraint)),
        )
    }
}

/// The fix for `ALTER TABLE t ALTER COLUMN c SET NOT NULL` as the statement's
/// only action.
pub fn without_scan(m: &Migration<'_>, at: &OpAt<'_>) -> Option<Fix> {
    let (OpKind::SetNotNull { column }, Some(table)) = (&at.op.kind, &at.op.table) else {
        return None;
    };
    if at.statement.ops.len() != 1 {
        return None;
    }
    let proof = Proof::new(m, at, table, column)?;
    let proofs = std::slice::from_ref(&proof);
    let (later, later_alone) = (Proof::finish(proofs, false), Proof::finish(proofs, true));
    // The down migration's `DROP NOT NULL` undoes the later step now; the
    // current migration leaves only the constraint behind.
    let taken = down::take(m, |op| {
        matches!(&op.kind, OpKind::DropNotNull { column: c } if c == column)
            && op.table.as_ref().is_some_and(|t| t.name == table.name)
    });
    let undo = format!(
        "{}\n{}",
        local_timeouts(m, at),
        match &taken {
            Some(taken) => taken.text.clone(),
            None => format!(
                "ALTER TABLE {} ALTER COLUMN {} DROP NOT NULL;",
                proof.table, proof.column
            ),
        }
    );
    let mut fix = transaction::split(
        m,
        at,
        "Prove NOT NULL with a constraint validated later",
        Step::Later {
            keep: proof.add(),
            later_alone: (later_alone != later).then_some(later_alone),
            later,
            down: &undo,
            suffix: "not_null",
        },
    )?;
    if let Some(mut taken) = taken
        && fix.edits.iter().any(|e| e.create)
    {
        taken.removal.replacement = format!("{}\n", proof.remove());
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
