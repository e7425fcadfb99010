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

/// `SET LOCAL` of both timeouts for a phase of a recipe that runs in a
/// transaction of its own, with the values the migration set before `at`
/// (else the reference's defaults), so the new transaction is guarded as the
/// original statement was.
pub fn local_timeouts(m: &Migration<'_>, at: &OpAt<'_>) -> String {
    let (lock, statement) = timeout_values(m, at);
    format!("SET LOCAL lock_timeout = {lock};\nSET LOCAL statement_timeout = {statement};")
}

/// The `lock_timeout` and `statement_timeout` the migration set before `at`,
/// as written, else the reference's defaults.
pub fn timeout_values(m: &Migration<'_>, at: &OpAt<'_>) -> (String, String) {
    let value = |setting: &str, default: &str| {
        m.ops_of(crate::analysis::migration::OpTag::Set)
            .filter(|set| set.index < at.index)
            .filter_map(|set| match &set.op.kind {
                OpKind::Set {
                    name,
                    value: Some(value),
                    ..
                } if name == setting && !disabled(value) => Some(value.trim().to_string()),
                _ => None,
            })
            .last()
            .unwrap_or_else(|| format!("'{default}'"))
    };
    (
        value("lock_timeout", "2s"),
        value("statement_timeout", "60s"),
    )
}

/// `0`, `'0s'`: the timeout is off.
fn disabled(value: &str) -> bool {
    let value = value.trim().trim_matches('\'');
    let digits = value.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && value[..digits].bytes().all(|b| b == b'0')
}

#[cfg(test)]
mod tests {
    use super::disabled;

    #[test]
    fn zero_is_off() {
        for off in ["0", "'0'", "'0s'", " 00ms "] {
            assert!(disabled(off), "{off}");
        }
        for on in ["'2s'", "100", "'10ms'", "DEFAULT", ""] {
            assert!(!disabled(on), "{on}");
        }
    }

    #[test]
    fn a_phase_keeps_the_timeouts_set_before_the_statement() {
        use super::super::testing::fix;
        // The value as written; `0` does not count as a timeout.
        let text = "SET lock_timeout TO 1500;\nSET statement_timeout = 0;\nALTER TABLE users RENAME TO accounts;\n";
        let fixed = fix("db/000002_x.up.sql", text, "rename-table").unwrap();
        assert!(
            fixed.created("db/000003_x_drop_view.up.sql").starts_with(
                "SET LOCAL lock_timeout = 1500;\nSET LOCAL statement_timeout = '60s';\n"
            )
        );
    }
}
