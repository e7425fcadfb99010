//! Recipe R14: set a timeout before the first statement that needs it —
//! `SET LOCAL` inside a transaction (scoped to it), plain `SET` otherwise.

use crate::analysis::migration::{Migration, OpAt, OpKind};
use crate::finding::{Applicability, Edit, Fix};

/// `SET [LOCAL] <setting> = '<value>';` where it covers `at`: after the
/// `BEGIN` of the file's own transaction, or before the migration's first
/// statement. `None` for a one-query runner's file holding a statement that
/// cannot run in a transaction block: a second statement would put it in one.
pub fn set_timeout(m: &Migration<'_>, at: &OpAt<'_>, setting: &str, value: &str) -> Option<Fix> {
    let statements = m.statements();
    let first = statements.first()?;
    let needs_no_transaction = || m.ops().any(|o| o.op.effects().needs_no_transaction);
    if m.runner().one_query && statements.len() == 1 && needs_no_transaction() {
        return None;
    }
    let begin = at.context.transaction.and_then(|_| {
        statements[..at.index]
            .iter()
            .rev()
            .find(|s| s.ops.iter().any(|op| matches!(op.kind, OpKind::Begin)))
    });
    // A one-query runner's file with two statements runs in an implicit
    // transaction block, which the preamble itself makes it.
    let local = at.context.in_transaction || m.runner().one_query;
    let set = format!(
        "SET {}{setting} = '{value}';",
        if local { "LOCAL " } else { "" }
    );
    // A later `SET <setting> = 0`, `RESET ALL` or `ROLLBACK` (of a
    // transaction that set it) would undo a preamble at the top.
    let undone = statements[..at.index].iter().rposition(|s| {
        s.ops.iter().any(|op| match &op.kind {
            OpKind::Set { name, .. } => name == setting || name == "all",
            OpKind::Rollback => true,
            _ => false,
        })
    });
    let begin = begin
        .filter(|_| m.settings().in_transaction != Some(true))
        .map(|b| b.span.end);
    let edit = match (begin, undone) {
        // In the file's own transaction: after its BEGIN, or after what
        // undid the setting inside it.
        (Some(begin), _) => {
            let end = undone
                .map(|i| statements[i].span.end)
                .filter(|&end| end > begin)
                .unwrap_or(begin);
            Edit::insert(end, format!("\n{set}"))
        }
        // Something before the statement undoes it: right before the statement.
        (None, Some(_)) => Edit::insert(at.statement.span.start, format!("{set}\n")),
        (None, None) => Edit::insert(first.span.start, format!("{set}\n")),
    };
    Some(Fix {
        title: format!("Add `{set}` first").into(),
        applicability: Applicability::Safe,
        edits: vec![edit],
    })
}
