//! Recipe R13: rename a table and leave a view under its old name, in the
//! same transaction, so running code that still uses the old name keeps
//! reading and writing (a plain `SELECT *` view is updatable). The view goes
//! in a later deploy, once no running code uses the old name.

use crate::analysis::migration::{Migration, Name, OpAt, OpKind};
use crate::finding::Fix;

use super::preamble::local_timeouts;
use super::sql::qualified;
use super::transaction::{self, Phase, Step};

/// The fix for `ALTER TABLE old RENAME TO new`.
pub fn with_compatibility_view(m: &Migration<'_>, at: &OpAt<'_>) -> Option<Fix> {
    let OpKind::RenameTable { to } = &at.op.kind else {
        return None;
    };
    let old = at.op.table.as_ref()?;
    if to.is_empty() || at.statement.ops.len() != 1 {
        return None;
    }
    // The renamed table stays in its schema, and the view takes its place there.
    let view = qualified(old);
    let renamed = qualified(&Name::new(old.schema.clone(), to.as_str()));
    let statement = m.source().get(at.statement.span.clone())?;
    let create_view = format!("CREATE VIEW {view} AS SELECT * FROM {renamed};");
    let phases = vec![
        Phase {
            sql: format!(
                "{}\n-- Running code still uses `{}`: a simple view under that name reads and writes the table.\n{create_view}",
                statement.trim_end(),
                old.name
            ),
            down: String::new(),
            outside: false,
            later_deploy: false,
            suffix: "rename",
        },
        Phase {
            sql: format!(
                "{}\n-- A later deploy: once no running code uses `{}`.\nDROP VIEW IF EXISTS {view};",
                local_timeouts(m, at),
                old.name
            ),
            down: format!("{}\n{create_view}", local_timeouts(m, at)),
            outside: false,
            later_deploy: true,
            suffix: "drop_view",
        },
    ];
    transaction::split(
        m,
        at,
        &format!("Rename to `{to}` behind a view with the old name"),
        Step::Phases(phases),
    )
}
