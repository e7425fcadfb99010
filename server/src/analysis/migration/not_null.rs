//! Which columns a migration makes NOT NULL, or proves non-null with a valid
//! CHECK, and from which statement on. Gathered on first use: only a few
//! rules ask, and only about the operations they judge, so a keystroke in a
//! migration without such operations never pays for the walk.

use rustc_hash::FxHashMap as HashMap;

use super::{ConstraintKind, OpAt, OpKind};

/// Table → column → the statement after which the fact holds. Owned names:
/// the facts live in a cell of the migration, which must not tie its
/// lifetime down (they are gathered rarely, so the copies cost little).
#[derive(Debug, Default)]
pub(super) struct NotNullFacts {
    proofs: HashMap<String, HashMap<String, usize>>,
    declared: HashMap<String, HashMap<String, usize>>,
}

/// How a migration makes a column non-null.
#[derive(Clone, Copy)]
enum NotNull {
    /// A valid `CHECK` proves it (PostgreSQL 12+ then sets NOT NULL without a scan).
    Proven,
    /// The column is NOT NULL.
    Declared,
}

/// A `NOT VALID` constraint that makes columns of a table non-null once
/// validated.
type Pending<'a> = (NotNull, &'a str, &'a [String]);

impl NotNullFacts {
    /// One walk over the operations in execution order.
    pub(super) fn gather<'a>(ops: impl Iterator<Item = OpAt<'a>>) -> Self {
        let mut facts = NotNullFacts::default();
        // NOT VALID constraints making columns non-null, by name, until validated.
        let mut pending = HashMap::default();
        for at in ops {
            facts.record(at, &mut pending);
        }
        facts
    }

    /// Records the columns `at` makes NOT NULL or proves non-null.
    fn record<'a>(&mut self, at: OpAt<'a>, pending: &mut HashMap<&'a str, Pending<'a>>) {
        let (op, index) = (at.op, at.index);
        if let OpKind::ValidateConstraint { name } = &op.kind
            && let Some((how, table, columns)) = pending.remove(name.as_str())
        {
            self.know(how, table, columns, index);
        }
        let Some(table) = op.table.as_ref().map(|t| t.name.as_str()) else {
            return;
        };
        match &op.kind {
            OpKind::CreateTable { columns, .. } => {
                let declared = columns.iter().filter(|c| c.not_null).map(|c| &c.name);
                self.know(NotNull::Declared, table, declared, index);
            }
            OpKind::AddColumn(column) if column.not_null => {
                let declared = std::iter::once(&column.column);
                self.know(NotNull::Declared, table, declared, index);
            }
            OpKind::SetNotNull { column } => {
                let declared = std::iter::once(column);
                self.know(NotNull::Declared, table, declared, index);
            }
            OpKind::AddConstraint {
                name,
                kind,
                not_valid,
            } => {
                let (how, columns) = match kind {
                    ConstraintKind::Check { not_null_columns } => {
                        (NotNull::Proven, not_null_columns.as_slice())
                    }
                    ConstraintKind::NotNull { column } => {
                        (NotNull::Declared, std::slice::from_ref(column))
                    }
                    _ => return,
                };
                match (not_valid, name) {
                    (false, _) => self.know(how, table, columns, index),
                    (true, Some(name)) => {
                        pending.insert(name, (how, table, columns));
                    }
                    (true, None) => {}
                }
            }
            _ => {}
        }
    }

    /// Records that `columns` of `table` are non-null after statement `index`.
    fn know<'a>(
        &mut self,
        how: NotNull,
        table: &'a str,
        columns: impl IntoIterator<Item = &'a String>,
        index: usize,
    ) {
        let known = match how {
            NotNull::Proven => &mut self.proofs,
            NotNull::Declared => &mut self.declared,
        };
        let known = known.entry(table.to_string()).or_default();
        for column in columns {
            known.entry(column.clone()).or_insert(index);
        }
    }

    /// The statement after which `column` of `table` is declared NOT NULL.
    pub(super) fn declared(&self, table: &str, column: &str) -> Option<usize> {
        self.declared.get(table)?.get(column).copied()
    }

    /// The statement after which a valid CHECK proves `column` non-null.
    pub(super) fn proven(&self, table: &str, column: &str) -> Option<usize> {
        self.proofs.get(table)?.get(column).copied()
    }
}
