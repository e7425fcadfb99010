//! The engine for migrations written in Python and TypeScript: the
//! document's syntax tree kept across edits, lowered by `analysis::orm` into
//! the same migration the SQL rules judge, then suppressions written in the
//! host's comments and fixes in the host's language.

use std::ops::Range;
use std::path::Path;

use super::{
    Analysis, StatementSummary, configure_engine_finding, list_dir, run_rules, statement_class,
    summarize,
};
use crate::analysis::migration::{Location, Migration, Op, OpKind, Settings};
use crate::analysis::orm::{
    self, Cache, EnvFacts, History, OrmMigration, Project, alembic_env, alembic_ini, django_history,
};
use crate::analysis::suppression::Suppressions;
use crate::config::Config;
use crate::finding::Finding;
use crate::fixes;
use crate::rules;
use crate::syntax::trees::SourceTree;
use crate::text::Language;

/// A host document's incremental state.
#[derive(Debug)]
pub(super) struct HostState {
    tree: SourceTree,
    cache: Cache,
    /// The last `env.py` read and its facts, re-read only when its text changes.
    env: Option<(String, EnvFacts)>,
    /// The Django models the history was read for, and the history.
    history: Option<(Vec<String>, History)>,
    /// The last pass recognised a migration.
    recognised: bool,
}

/// Whether documents of `language` go through this front end.
pub(super) fn is_host(language: Language) -> bool {
    matches!(
        language,
        Language::Python | Language::TypeScript | Language::JavaScript
    )
}

impl Analysis {
    pub(super) fn run_host(&mut self, config: &Config, build_fixes: bool) -> Vec<Finding> {
        let language = self.document.language();
        let text = std::mem::take(&mut self.text);
        let path = self.path.clone();
        let findings = self
            .lower_host(language, &text, path.as_deref())
            .map(|(orm, marker)| check(&orm, path.as_deref(), &text, marker, config, build_fixes))
            .unwrap_or_default();
        self.text = text;
        findings
    }

    /// Brings the tree up to date and lowers the migration in it, with the
    /// comment marker its suppressions use; `None` when it is no migration.
    fn lower_host(
        &mut self,
        language: Language,
        text: &str,
        path: Option<&Path>,
    ) -> Option<(OrmMigration, &'static str)> {
        let pending = self.pending.take();
        let fresh = self.host.is_none();
        let state = match (self.host.take(), pending) {
            (Some(mut state), Some(edit)) => {
                state.tree.update(text, edit);
                state
            }
            (Some(state), None) => state,
            (None, _) => HostState {
                tree: SourceTree::parse(language, text)?,
                cache: Cache::default(),
                env: None,
                history: None,
                recognised: false,
            },
        };
        let state = self.host.insert(state);
        // The project is found from the file's directories: `./0002_x.py`
        // checked from inside `migrations/` belongs to its app all the same.
        let absolute = path.map(|p| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()));
        let path = absolute.as_deref();
        let env = alembic_env_of(path, text, &mut state.env);
        let history = django_history_of(path, &state.tree, text, &mut state.history);
        let project = Project {
            path,
            alembic_env: env,
            django_history: history,
        };
        // A fresh tree has no earlier pass the cache could follow an edit from.
        state.cache.start_pass(pending.filter(|_| !fresh));
        let lowered = orm::lower(
            language,
            state.tree.tree(),
            text,
            &project,
            &mut state.cache,
        );
        state.recognised = lowered.is_some();
        Some((lowered?, language.line_comment()?))
    }

    /// What each operation of a host migration does: one summary per host
    /// call (an `AddField` that adds a column, its foreign key and its index
    /// is one), and one per SQL statement of a literal, at its characters.
    pub(super) fn host_summaries(&mut self) -> Vec<StatementSummary> {
        let language = self.document.language();
        let text = std::mem::take(&mut self.text);
        let path = self.path.clone();
        let summaries = self
            .lower_host(language, &text, path.as_deref())
            .map(|(orm, _)| summaries(&orm, &text))
            .unwrap_or_default();
        self.text = text;
        summaries
    }

    /// The document's tree as the last check left it.
    pub(super) fn host_tree(&self) -> Option<&SourceTree> {
        self.host.as_ref().map(|h| &h.tree)
    }

    /// Whether the document is a migration preflight reads (after a check).
    pub fn is_migration(&self) -> bool {
        match self.document.language() {
            Language::Sql => true,
            _ => self.host.as_ref().is_some_and(|h| h.recognised),
        }
    }
}

fn summaries(orm: &OrmMigration, text: &str) -> Vec<StatementSummary> {
    let mut out: Vec<StatementSummary> = Vec::new();
    let mut last_unit = None;
    for (statement, origin) in orm.statements.iter().zip(&orm.origins) {
        // Transaction boundaries of a block do nothing to the database.
        let boundary = |op: &Op| matches!(op.kind, OpKind::RunnerTransaction { .. });
        let Some(unit) = origin.unit.filter(|_| !statement.ops.iter().all(boundary)) else {
            continue;
        };
        let summary = summarize(text, statement);
        let same_call = origin.literal().is_none() && last_unit == Some(unit);
        match out.last_mut() {
            Some(previous) if same_call => {
                previous.class = statement_class([previous.class, summary.class].into_iter());
                previous.effects.extend(summary.effects);
            }
            _ => out.push(summary),
        }
        last_unit = origin.literal().is_none().then_some(unit);
    }
    out
}

fn check(
    orm: &OrmMigration,
    path: Option<&Path>,
    text: &str,
    marker: &str,
    config: &Config,
    build_fixes: bool,
) -> Vec<Finding> {
    let settings = Settings {
        postgres_version: config.postgres_version,
        in_transaction: config.assume_in_transaction.or(orm.runner.in_transaction),
    };
    let mut migration = Migration::build(text, &orm.statements, settings, &orm.runner)
        .building_fixes(build_fixes)
        .hosted(orm);
    if let Some(path) = path {
        migration = migration.located(Location {
            path,
            list_dir: &list_dir,
            read_file: &|path: &Path| std::fs::read_to_string(path).ok(),
        });
    }
    let mut findings = run_rules(&migration, config);
    fixes::host::adapt(&migration, orm, &mut findings, build_fixes);
    // A suppression covers a whole host operation, SQL literal and all.
    let mut units: Vec<Range<usize>> = orm.units.iter().map(|u| u.span.clone()).collect();
    units.sort_by_key(|u| (u.start, u.end));
    units.dedup();
    let mut findings =
        Suppressions::parse(text, &orm.comments, marker)
            .apply(findings, &units, &|id| rules::find(id).is_some());
    findings.retain_mut(|f| configure_engine_finding(f, config));
    findings.sort_by_key(|f| (f.range.start, f.range.end));
    findings
}

/// The facts of the Alembic environment a revision runs in: the `env.py` of
/// the project's `alembic.ini` `script_location` when the revision sits in
/// one of its version directories, else `env.py` in the directory above
/// `versions/` (or beside the revision). Read on each pass, parsed only when
/// its text changed.
fn alembic_env_of<'s>(
    path: Option<&Path>,
    text: &str,
    cached: &'s mut Option<(String, EnvFacts)>,
) -> Option<&'s EnvFacts> {
    if !text.contains("def upgrade") {
        return None;
    }
    let dir = path?.parent()?;
    let configured = alembic_layout_of(dir).map(|layout| layout.env_py());
    let env = configured
        .into_iter()
        .chain(dir.parent().map(|up| up.join("env.py")))
        .chain(Some(dir.join("env.py")))
        .find_map(|candidate| std::fs::read_to_string(candidate).ok())?;
    if cached.as_ref().is_none_or(|(known, _)| *known != env) {
        let facts = alembic_env::facts(&env);
        *cached = Some((env, facts));
    }
    cached.as_ref().map(|(_, facts)| facts)
}

/// The layout of the nearest `alembic.ini` above `dir` whose version
/// directories hold `dir`: how a project that keeps its scripts elsewhere
/// than `alembic/` is found.
pub(super) fn alembic_layout_of(dir: &Path) -> Option<alembic_ini::ScriptLayout> {
    // A project's ini sits a few levels above its revisions, at most.
    dir.ancestors().take(6).find_map(|ancestor| {
        let text = std::fs::read_to_string(ancestor.join("alembic.ini")).ok()?;
        alembic_ini::layout(&text, ancestor).filter(|layout| layout.holds_revisions(dir))
    })
}

/// The models a Django migration alters, as the app's earlier migrations
/// (the files beside it that sort before it) left them. Read when the set of
/// altered models changes; only the earlier files that mention them are parsed.
fn django_history_of<'s>(
    path: Option<&Path>,
    tree: &SourceTree,
    text: &str,
    cached: &'s mut Option<(Vec<String>, History)>,
) -> Option<&'s History> {
    if !text.contains("class Migration") {
        return None;
    }
    let path = path?;
    let models = django_history::models_needing_history(tree.tree(), text);
    if models.is_empty() {
        return None;
    }
    if cached.as_ref().is_none_or(|(known, _)| *known != models) {
        let dir = path.parent()?;
        let app = dir.parent()?.file_name()?.to_str()?;
        let current = path.file_name()?.to_str()?;
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .ok()?
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .filter(|name| {
                name.ends_with(".py")
                    && name.starts_with(|c: char| c.is_ascii_digit())
                    && name.as_str() < current
            })
            .collect();
        names.sort();
        let earlier: Vec<String> = names
            .iter()
            .filter_map(|name| std::fs::read_to_string(dir.join(name)).ok())
            .filter(|source| {
                let lower = source.to_ascii_lowercase();
                models.iter().any(|model| lower.contains(model.as_str()))
            })
            .collect();
        *cached = Some((models, django_history::history(app, &earlier)));
    }
    cached.as_ref().map(|(_, history)| history)
}

#[cfg(test)]
mod tests {
    use crate::engine::Analysis;
    use crate::finding::MigrationClass;
    use crate::text::{Document, Language};

    #[test]
    fn summaries_cover_each_call_and_each_sql_statement() {
        let text = "revision = 'a'\n\ndef upgrade():\n    op.alter_column('t', 'c', nullable=False, new_column_name='d')\n    with op.get_context().autocommit_block():\n        op.execute('CREATE INDEX CONCURRENTLY i ON t (d); DROP TABLE x')\n";
        let mut analysis = Analysis::new(None, Document::new(text, 1, Language::Python));
        let summaries = analysis.summaries();
        let ranges: Vec<&str> = summaries.iter().map(|s| &text[s.range.clone()]).collect();
        assert_eq!(
            ranges,
            [
                "op.alter_column('t', 'c', nullable=False, new_column_name='d')",
                "CREATE INDEX CONCURRENTLY i ON t (d)",
                "DROP TABLE x"
            ]
        );
        // SET NOT NULL and the rename: one call, both effects, the graver class.
        assert_eq!(summaries[0].effects.len(), 2);
        assert_eq!(summaries[0].class, MigrationClass::Destructive);
        assert!(analysis.is_migration());
    }
}
