//! Ties the layers together for one file: text → syntax → analysis → rules,
//! then configuration and suppressions. The LSP and the CLI both call this, so
//! an editor and CI always agree. Python and TypeScript migrations go through
//! [`host`].

pub mod env;
pub mod env_hover;
mod git;
mod host;

use std::collections::HashSet;
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub mod workspace;
mod yaml;

use crate::analysis::migration::{self, Location, Migration, MigrationStatement, Settings};
use crate::analysis::runner::{self, ProjectFacts, RunnerFacts};
use crate::analysis::suppression::Suppressions;
use crate::config::Config;
use crate::finding::{Finding, MigrationClass};
use crate::rules::{self, Check, Rule};
use crate::syntax::sql::{SqlFile, Statement};
use crate::text::{ByteEdit, Document, EditError, Language, PositionEncoding, TextChange};
use workspace::Workspace;

/// One open document and the incremental state of its front end.
#[derive(Debug)]
pub struct Analysis {
    path: Option<PathBuf>,
    document: Document,
    /// The document's text as one string for the front ends, kept in step with
    /// the rope edit by edit. Copying it out of the rope per keystroke costs a
    /// multi-megabyte allocation whose fresh pages dominate the edit path.
    text: String,
    sql: Option<SqlState>,
    /// The tree of a YAML document (workflow, CI file, manifests).
    yaml: Option<yaml::YamlState>,
    /// The syntax tree and lowering state of a Python or TypeScript document.
    host: Option<host::HostState>,
    /// The text changed since `sql`, `yaml` or `host` was computed: one edit
    /// covering them all.
    pending: Option<ByteEdit>,
    /// Facts from the workspace's other files (manifests, migrations).
    workspace: Option<Arc<Workspace>>,
    /// The last check found environment reads or settings classes.
    env_found: bool,
}

/// Statements and their operations, kept across edits.
#[derive(Debug)]
struct SqlState {
    file: SqlFile,
    /// Parallel to `file.statements()`: the same spans with their operations.
    statements: Vec<MigrationStatement>,
}

impl Analysis {
    pub fn new(path: Option<PathBuf>, document: Document) -> Self {
        Analysis {
            path,
            text: document.text(),
            document,
            sql: None,
            yaml: None,
            host: None,
            pending: None,
            workspace: None,
            env_found: false,
        }
    }

    /// Lets YAML rules see the rest of the workspace (a PodDisruptionBudget in
    /// another file); without it they see this document alone.
    pub fn with_workspace(mut self, workspace: Arc<Workspace>) -> Self {
        self.workspace = Some(workspace);
        self
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn document(&self) -> &Document {
        &self.document
    }

    /// Applies one `didChange` notification's changes in order and sets the
    /// version; returns one edit covering them all. On error the changes
    /// before the failing one stay applied.
    pub fn apply_changes(
        &mut self,
        version: i32,
        changes: &[TextChange],
        encoding: PositionEncoding,
    ) -> Result<Option<ByteEdit>, EditError> {
        let mut applied: Option<ByteEdit> = None;
        for change in changes {
            let edit = self.document.apply(change, encoding)?;
            self.text.drain(edit.start..edit.old_end);
            self.text.insert_str(edit.start, &change.text);
            self.pending = Some(match self.pending {
                Some(before) => before.then(edit),
                None => edit,
            });
            applied = Some(applied.map_or(edit, |before| before.then(edit)));
        }
        self.document.set_version(version);
        Ok(applied)
    }

    /// Every finding for the current text, with configuration and suppressions
    /// applied, ordered by position.
    /// Every finding with its fixes.
    pub fn findings(&mut self, config: &Config) -> Vec<Finding> {
        self.run(config, true)
    }

    /// The findings without their fixes: what an editor shows after each
    /// keystroke, computed without building rewrites nobody asked for.
    pub fn diagnose(&mut self, config: &Config) -> Vec<Finding> {
        self.run(config, false)
    }

    fn run(&mut self, config: &Config, build_fixes: bool) -> Vec<Finding> {
        if self.document.language() == Language::Yaml {
            return yaml::run(self, config, build_fixes);
        }
        if self.document.language() == Language::Dotenv {
            return self.run_dotenv(config);
        }
        if host::is_host(self.document.language()) {
            let mut findings = self.run_host(config, build_fixes);
            // A migration is judged as one; any other module for its env reads.
            if !self.is_migration() {
                findings.extend(self.run_env(config, build_fixes));
                findings.sort_by_key(|f| (f.range.start, f.range.end));
            }
            return findings;
        }
        if self.document.language() != Language::Sql {
            return Vec::new();
        }
        // Taken out so the front end can borrow `self` mutably; put back below.
        let text = std::mem::take(&mut self.text);
        // Cloned so the front end can borrow `self` mutably below.
        let path = self.path.clone();
        let sql = self.update_sql(&text);
        let runner = runner_of(path.as_deref(), &text, sql.file.comments());
        // A goose or dbmate file holds its down migration too; the runner's up
        // section is the migration these rules judge.
        let whole_file = sql
            .statements
            .iter()
            .all(|s| runner.up.contains(&s.span.start));
        let up: Vec<MigrationStatement>;
        let statements = if whole_file {
            &sql.statements
        } else {
            up = sql
                .statements
                .iter()
                .filter(|s| runner.up.contains(&s.span.start))
                .cloned()
                .collect();
            &up
        };
        let settings = Settings {
            postgres_version: config.postgres_version,
            in_transaction: config
                .assume_in_transaction
                .or_else(|| runs_in_transaction(&runner, statements)),
        };
        let mut migration =
            Migration::build(&text, statements, settings, &runner).building_fixes(build_fixes);
        if let Some(path) = path.as_deref() {
            migration = migration.located(Location {
                path,
                list_dir: &list_dir,
                read_file: &|path: &Path| std::fs::read_to_string(path).ok(),
            });
        }
        let findings = run_rules(&migration, config);
        let spans: Vec<_> = sql
            .file
            .statements()
            .iter()
            .map(|s| s.span.clone())
            .collect();
        let mut findings =
            Suppressions::parse(&text, sql.file.comments(), "--")
                .apply(findings, &spans, &|id| rules::find(id).is_some());
        findings.retain_mut(|f| configure_engine_finding(f, config));
        findings.sort_by_key(|f| (f.range.start, f.range.end));
        self.text = text;
        findings
    }

    /// Every statement of the document with its class and effects; empty for
    /// documents that are no migration.
    pub fn summaries(&mut self) -> Vec<StatementSummary> {
        if host::is_host(self.document.language()) {
            return self.host_summaries();
        }
        if self.document.language() != Language::Sql {
            return Vec::new();
        }
        let text = std::mem::take(&mut self.text);
        let path = self.path.clone();
        let sql = self.update_sql(&text);
        let up = runner_of(path.as_deref(), &text, sql.file.comments()).up;
        // As for findings: a goose or dbmate down section is not the migration.
        let summaries = sql
            .statements
            .iter()
            .filter(|statement| up.contains(&statement.span.start))
            .map(|statement| summarize(&text, statement))
            .collect();
        self.text = text;
        summaries
    }

    /// Brings the statements and their operations up to date with `text`,
    /// re-parsing and re-lowering only statements whose text changed.
    fn update_sql(&mut self, text: &str) -> &SqlState {
        if let (Some(state), Some(edit)) = (&mut self.sql, self.pending.take()) {
            state.apply(text, edit);
        }
        self.sql.get_or_insert_with(|| SqlState::parse(text))
    }
}

impl SqlState {
    fn parse(text: &str) -> Self {
        let file = SqlFile::parse(text);
        let statements = file.statements().iter().map(lower).collect();
        SqlState { file, statements }
    }

    /// Follows the front end's in-place reparse: the replaced statements get
    /// their operations (shared when the parse was), the rest are shifted.
    fn apply(&mut self, text: &str, edit: ByteEdit) {
        let reparsed = self.file.reparse(text, edit);
        let fresh = &self.file.statements()[reparsed.start..][..reparsed.inserted.len()];
        let replacements: Vec<MigrationStatement> = fresh
            .iter()
            .zip(&reparsed.inserted)
            .map(|(statement, reused)| match reused {
                Some(i) => MigrationStatement {
                    span: statement.span.clone(),
                    ops: self.statements[*i].ops.clone(),
                },
                None => lower(statement),
            })
            .collect();
        let after = reparsed.start + replacements.len();
        self.statements.splice(
            reparsed.start..reparsed.start + reparsed.removed,
            replacements,
        );
        for (statement, shifted) in self.statements[after..]
            .iter_mut()
            .zip(&self.file.statements()[after..])
        {
            statement.span = shifted.span.clone();
        }
    }
}

fn lower(statement: &Statement) -> MigrationStatement {
    MigrationStatement {
        span: statement.span.clone(),
        ops: migration::lower_statement(&statement.parsed).into(),
    }
}

/// The names of a directory's entries (none when it cannot be read), for
/// fixes that create the next migration beside the current one.
fn list_dir(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// How the file at `path` runs: the migration runner's conventions, from its
/// text, its comments and its neighbours on disk (a down file, diesel's
/// `metadata.toml`), never anything outside its directory's parent.
fn runner_of(path: Option<&Path>, text: &str, comments: &[Range<usize>]) -> RunnerFacts {
    let Some(path) = path else {
        return runner::detect_with_comments(
            Path::new(""),
            text,
            comments,
            &ProjectFacts::default(),
        );
    };
    let dir = path.parent().unwrap_or(Path::new(""));
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
    let diesel_metadata = read("metadata.toml");
    let diesel_down = read("down.sql");
    let exists = |p: &Path| p.is_file();
    let project = ProjectFacts {
        exists: &exists,
        diesel_metadata: diesel_metadata.as_deref(),
        diesel_down: diesel_down.as_deref(),
    };
    runner::detect_with_comments(path, text, comments, &project)
}

/// Whether the runner runs these statements in a transaction block.
fn runs_in_transaction(runner: &RunnerFacts, statements: &[MigrationStatement]) -> Option<bool> {
    // A runner that sends the file as one query without a transaction of its
    // own (golang-migrate always; sqlx, diesel, dbmate when switched off) gets
    // PostgreSQL's implicit transaction block exactly when the query holds
    // several statements.
    let opens_none =
        runner.runner == runner::Runner::GolangMigrate || runner.in_transaction == Some(false);
    if runner.one_query && opens_none {
        return Some(statements.len() > 1);
    }
    // Flyway runs a PostgreSQL script with a non-transactional statement
    // (CREATE INDEX CONCURRENTLY, VACUUM, ...) outside a transaction.
    let non_transactional = || {
        statements
            .iter()
            .flat_map(|s| s.ops.iter())
            .any(|op| op.effects().needs_no_transaction)
    };
    if runner.runner == runner::Runner::Flyway && non_transactional() {
        return Some(false);
    }
    runner.in_transaction
}

/// One statement as the migration runs it: its class and, per operation, what
/// it does to the database (for hover and the classification lenses).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementSummary {
    /// The statement's byte range, without its `;`.
    pub range: Range<usize>,
    pub class: MigrationClass,
    /// One line per operation: lock, table work, transaction restriction, class.
    pub effects: Vec<String>,
}

/// How many statements of each class a migration has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ClassCounts {
    pub additive: usize,
    pub transformative: usize,
    pub destructive: usize,
}

impl ClassCounts {
    pub fn of(summaries: &[StatementSummary]) -> Self {
        let mut counts = ClassCounts::default();
        for summary in summaries {
            match summary.class {
                MigrationClass::Additive => counts.additive += 1,
                MigrationClass::Transformative => counts.transformative += 1,
                MigrationClass::Destructive => counts.destructive += 1,
                MigrationClass::Any => {}
            }
        }
        counts
    }
}

impl std::fmt::Display for ClassCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} additive, {} transformative, {} destructive",
            self.additive, self.transformative, self.destructive
        )
    }
}

fn summarize(text: &str, statement: &MigrationStatement) -> StatementSummary {
    let span = statement.span.clone();
    let written = text.get(span.clone()).unwrap_or("");
    let trimmed = written.trim_end();
    let trimmed = trimmed.strip_suffix(';').unwrap_or(trimmed).trim_end();
    let effects: Vec<_> = statement.ops.iter().map(|op| (op, op.effects())).collect();
    StatementSummary {
        range: span.start..span.start + trimmed.len(),
        class: statement_class(effects.iter().map(|(_, e)| e.class)),
        effects: effects
            .iter()
            .map(|(op, e)| e.describe(op.table.as_ref().map(|t| t.to_string()).as_deref()))
            .collect(),
    }
}

/// The most consequential class among a statement's operations.
fn statement_class(classes: impl Iterator<Item = MigrationClass>) -> MigrationClass {
    let rank = |c: &MigrationClass| match c {
        MigrationClass::Any => 0,
        MigrationClass::Additive => 1,
        MigrationClass::Transformative => 2,
        MigrationClass::Destructive => 3,
    };
    classes.max_by_key(rank).unwrap_or(MigrationClass::Any)
}

fn run_rules(migration: &Migration, config: &Config) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in rules::all() {
        if let Check::Migration(check) = rule.check {
            findings.extend(run_rule(rule, config, |out| check(migration, out)));
        }
    }
    findings
}

/// One rule's findings under `config`: none when it is off or it panicked.
fn run_rule(
    rule: &'static Rule,
    config: &Config,
    check: impl FnOnce(&mut Vec<Finding>),
) -> Vec<Finding> {
    let Some(severity) = config.severity_of(rule.id, rule.severity, rule.default_enabled) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    match catch_unwind(AssertUnwindSafe(|| check(&mut out))) {
        Ok(()) => {
            // A rule may grade its own findings (require-lock-timeout); only
            // an explicit configured severity replaces that grade.
            if severity != rule.severity {
                out.iter_mut().for_each(|f| f.severity = severity);
            }
            out
        }
        Err(_) => {
            report_panic(rule);
            Vec::new()
        }
    }
}

/// A broken rule loses its own findings, never the others'; it is logged once
/// per process so a panic on every keystroke does not flood the log.
fn report_panic(rule: &Rule) {
    static REPORTED: Mutex<Option<HashSet<&'static str>>> = Mutex::new(None);
    let mut reported = REPORTED.lock().unwrap_or_else(|e| e.into_inner());
    if reported.get_or_insert_with(HashSet::new).insert(rule.id) {
        tracing::error!(rule = rule.id, "rule panicked; its findings are dropped");
    }
}

/// Configures what the suppression pass added (its own engine rules'
/// findings); `false` when that rule is turned off. Rule findings were
/// configured as they were produced.
fn configure_engine_finding(finding: &mut Finding, config: &Config) -> bool {
    let Some(rule) = rules::engine::RULES.iter().find(|r| r.id == finding.rule) else {
        return true;
    };
    match config.severity_of(rule.id, rule.severity, rule.default_enabled) {
        None => false,
        Some(severity) => {
            finding.severity = severity;
            true
        }
    }
}

/// Whether preflight may have anything to say about a file of this name; the
/// CLI walks only these. A YAML file is checked only if [`checks`] says so.
/// Python and TypeScript files are read when they sit in a migrations
/// directory (`migrations/`, `migration/`, Alembic's `versions/`); their text
/// then tells whether they are migrations. Any other module is read when its
/// text mentions the environment (see [`checks`]); env files
/// (`.env.example`, `.env.production`) always.
pub fn handles(path: &Path) -> bool {
    match Language::from_path(path) {
        Language::Sql => true,
        Language::Yaml => crate::analysis::yaml_kind::is_yaml_path(path),
        Language::Python | Language::Dotenv => true,
        // Installed packages and build output are no project code: a bundle
        // repeats every `process.env` read of its sources.
        language => host::is_host(language) && !workspace::in_skipped_dir(path),
    }
}

/// Whether a handled file is checked, given its text: a YAML file must be a
/// workflow, an action, GitLab CI configuration or Kubernetes manifests.
/// A Python, TypeScript or JavaScript module outside a migrations directory
/// must mention the environment (`os.environ`, `getenv`, `BaseSettings`;
/// `process.env`, `import.meta.env`, `cleanEnv`, `createEnv`), or be a Python
/// module in a version directory an `alembic.ini` names (checked last: it
/// reads the disk).
pub fn checks(path: &Path, text: &str) -> bool {
    match Language::from_path(path) {
        Language::Yaml => yaml::checks(path, text),
        language if host::is_host(language) => {
            in_migrations_dir(path)
                || env::applies(language, text)
                || (language == Language::Python && in_alembic_versions(path))
        }
        _ => true,
    }
}

/// Whether a directory above `path` is a migrations directory
/// (`migrations/`, `migration/`, Alembic's `versions/`).
fn in_migrations_dir(path: &Path) -> bool {
    // `./0002_x.py` walked from inside `migrations/` is in it too.
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    path.parent()
        .into_iter()
        .flat_map(Path::ancestors)
        .filter_map(|dir| dir.file_name()?.to_str())
        .any(|name| matches!(name, "migrations" | "migration" | "versions"))
}

/// Whether `path` is in a version directory an `alembic.ini` above it names
/// (`version_locations`, or `versions/` under its `script_location`).
fn in_alembic_versions(path: &Path) -> bool {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    path.parent()
        .is_some_and(|dir| host::alembic_layout_of(dir).is_some())
}

/// One-shot check of a file's text (the CLI's path).
pub fn check_text(path: &Path, text: &str, config: &Config) -> Vec<Finding> {
    let language = Language::from_path(path);
    Analysis::new(Some(path.to_path_buf()), Document::new(text, 0, language)).findings(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str, e: ByteEdit, insert: &str) -> String {
        let mut out = text.to_string();
        out.replace_range(e.start..e.old_end, insert);
        out
    }

    #[test]
    fn summaries_classify_each_statement_and_describe_its_locks() {
        let text = "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY i ON users (email);\nALTER TABLE users DROP COLUMN legacy, ADD COLUMN plan text;\nUPDATE users SET plan = 'free' WHERE plan IS NULL;\n";
        let mut analysis = Analysis::new(None, Document::new(text, 1, Language::Sql));
        let summaries = analysis.summaries();
        let classes: Vec<_> = summaries.iter().map(|s| s.class).collect();
        assert_eq!(
            classes,
            [
                MigrationClass::Any,
                MigrationClass::Additive,
                MigrationClass::Destructive,
                MigrationClass::Transformative
            ]
        );
        assert_eq!(
            &text[summaries[1].range.clone()],
            "CREATE INDEX CONCURRENTLY i ON users (email)"
        );
        assert!(summaries[1].effects[0].contains("SHARE UPDATE EXCLUSIVE on `users`"));
        assert!(summaries[1].effects[0].contains("cannot run inside a transaction block"));
        assert_eq!(summaries[2].effects.len(), 2);
        assert!(summaries[2].effects[0].starts_with("takes ACCESS EXCLUSIVE on `users`"));
        let counts = ClassCounts::of(&summaries);
        assert_eq!(
            counts.to_string(),
            "1 additive, 1 transformative, 1 destructive"
        );
    }

    #[test]
    fn merged_edits_cover_both_changes() {
        let original = "0123456789";
        let first = ByteEdit {
            start: 2,
            old_end: 4,
            new_end: 7,
        }; // "23" -> "abcde"
        let mid = apply(original, first, "abcde");
        let second = ByteEdit {
            start: 8,
            old_end: 10,
            new_end: 9,
        }; // "67"... -> "X"
        let new = apply(&mid, second, "X");
        let merged = first.then(second);
        // Replacing the merged old range with the merged new range reproduces `new`.
        let rebuilt = apply(original, merged, &new[merged.start..merged.new_end]);
        assert_eq!(rebuilt, new);
        assert_eq!(&original[..merged.start], &new[..merged.start]);
        assert_eq!(&original[merged.old_end..], &new[merged.new_end..]);
    }
}
