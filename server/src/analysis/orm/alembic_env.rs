//! What an Alembic `env.py` says about how every revision runs: the
//! transaction options of `context.configure(...)` and the session timeouts
//! it sets (`SET lock_timeout ...` executed on the connection, libpq's
//! `-c lock_timeout=...` in `connect_args`, an option named for the setting).
//!
//! Read from the syntax tree, so a commented-out line counts for nothing.

use crate::syntax::queries::{self, QueryFile};
use crate::syntax::trees;
use crate::text::Language;

use super::call::{py_bool, py_int, py_str};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvFacts {
    /// `transaction_per_migration=True`: each revision in its own transaction.
    pub transaction_per_migration: bool,
    /// `transactional_ddl=False`: no transaction at all.
    pub transactional_ddl: Option<bool>,
    /// The `lock_timeout` it sets, as written (`'2s'`, `2000`).
    pub lock_timeout: Option<String>,
    pub statement_timeout: Option<String>,
}

/// The facts of the `env.py` whose text is `source`.
pub fn facts(source: &str) -> EnvFacts {
    let mut facts = EnvFacts::default();
    let (Some(tree), Some(query)) = (
        trees::parse(Language::Python, source),
        queries::query(QueryFile::AlembicEnv, Language::Python),
    ) else {
        return facts;
    };
    for m in queries::matches(query, tree.root_node(), source) {
        if let (Some(name), Some(value)) =
            (m.text("configure.name", source), m.get("configure.value"))
        {
            match name {
                "transaction_per_migration" => {
                    facts.transaction_per_migration = py_bool(value, source) == Some(true);
                }
                "transactional_ddl" => facts.transactional_ddl = py_bool(value, source),
                _ => {}
            }
        }
        if let Some(string) = m.get("setting.string")
            && let Some(text) = py_str(string, source)
        {
            for (name, slot) in [
                ("lock_timeout", &mut facts.lock_timeout),
                ("statement_timeout", &mut facts.statement_timeout),
            ] {
                if let Some(value) = setting_in_text(&text, name) {
                    *slot = Some(value);
                }
            }
        }
        if let (Some(key), Some(value)) = (m.get("setting.key"), m.get("setting.value")) {
            let key =
                py_str(key, source).or_else(|| source.get(key.byte_range()).map(str::to_string));
            let value =
                py_str(value, source).or_else(|| py_int(value, source).map(|n| n.to_string()));
            match (key.as_deref(), value) {
                (Some("lock_timeout"), Some(v)) => facts.lock_timeout = Some(v),
                (Some("statement_timeout"), Some(v)) => facts.statement_timeout = Some(v),
                _ => {}
            }
        }
    }
    facts
}

/// The value `name` is set to in `text`: `SET lock_timeout = '2s'`,
/// `SET lock_timeout TO 2000`, `-c lock_timeout=2s`.
fn setting_in_text(text: &str, name: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let at = lower.find(name)?;
    let rest = text[at + name.len()..].trim_start();
    let rest = match rest.strip_prefix('=') {
        Some(rest) => rest,
        None if rest.len() >= 2 && rest[..2].eq_ignore_ascii_case("to") => &rest[2..],
        None => return None,
    };
    let value: String = rest
        .trim_start()
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != ';')
        .collect();
    (!value.is_empty()).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure_options_and_timeouts() {
        let env = r#"
from alembic import context
from sqlalchemy import engine_from_config, text

def run_migrations_online():
    connectable = engine_from_config(
        config.get_section(config.config_ini_section),
        connect_args={"options": "-c lock_timeout=3s -c statement_timeout=60000"},
    )
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()
"#;
        let facts = facts(env);
        assert!(facts.transaction_per_migration);
        assert_eq!(facts.lock_timeout.as_deref(), Some("3s"));
        assert_eq!(facts.statement_timeout.as_deref(), Some("60000"));
    }

    #[test]
    fn executed_settings_count_and_comments_do_not() {
        let env = "def run():\n    connection.execute(text(\"SET lock_timeout TO '2s'\"))\n    # connection.execute(text(\"SET statement_timeout = '5s'\"))\n    context.configure(connection=connection, transactional_ddl=False)\n";
        let facts = facts(env);
        assert_eq!(facts.lock_timeout.as_deref(), Some("'2s'"));
        assert_eq!(facts.statement_timeout, None);
        assert_eq!(facts.transactional_ddl, Some(false));
        assert!(!facts.transaction_per_migration);
        let keyed = super::facts("context.configure(connection=c, lock_timeout=2000)\n");
        assert_eq!(keyed.lock_timeout.as_deref(), Some("2000"));
    }
}
