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
    let (statement, _) = m.statement_sql(at)?;
    let statement: &str = &statement;
    let create_view = format!("CREATE VIEW {view} AS SELECT * FROM {renamed};");
    let phases = vec![
        Phase {
            sql: format!(
                "{}\n-- Running code still uses `{}`: a simple view under that name reads and writes the table.\n{create_view}",
                statement.trim_end(),
                old.name
            ),
            alone: None,
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
            alone: None,
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

#[cfg(test)]
mod tests {
    use super::super::testing::fix;

    #[test]
    fn view_in_place_and_its_drop_as_the_next_migration() {
        let text = "SET LOCAL lock_timeout = '2s';\nALTER TABLE app.users RENAME TO accounts;\n";
        let fixed = fix("db/000002_accounts.up.sql", text, "rename-table").unwrap();
        assert!(fixed.text.ends_with(
            "ALTER TABLE app.users RENAME TO accounts;\n\
             -- Running code still uses `users`: a simple view under that name reads and writes the table.\n\
             CREATE VIEW app.users AS SELECT * FROM app.accounts;\n"
        ), "{}", fixed.text);
        assert_eq!(
            fixed.created("db/000003_accounts_drop_view.up.sql"),
            "SET LOCAL lock_timeout = '2s';\nSET LOCAL statement_timeout = '60s';\n\
             -- A later deploy: once no running code uses `users`.\nDROP VIEW IF EXISTS app.users;\n"
        );
        assert!(
            fixed
                .created("db/000003_accounts_drop_view.down.sql")
                .ends_with("CREATE VIEW app.users AS SELECT * FROM app.accounts;\n")
        );
        assert!(
            fixed
                .title
                .contains("drop_view (a later deploy) in `000003_accounts_drop_view.up.sql`")
        );
        // Fixed once, the rule no longer fires.
        assert!(fix("db/000002_accounts.up.sql", &fixed.text, "rename-table").is_none());
    }

    #[test]
    fn one_transaction_where_statements_commit_one_by_one() {
        let fixed = fix(
            "schema/x.sql",
            "ALTER TABLE users RENAME TO accounts;",
            "rename-table",
        )
        .unwrap();
        assert!(
            fixed
                .text
                .starts_with("BEGIN;\nALTER TABLE users RENAME TO accounts;\n")
        );
        assert!(
            fixed
                .text
                .contains("CREATE VIEW users AS SELECT * FROM accounts;\nCOMMIT;\n-- drop_view")
        );
    }
}
