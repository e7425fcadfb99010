//! Ties the layers together for one file: text → syntax → analysis → rules,
//! then configuration and suppressions. The LSP and the CLI both call this, so
//! an editor and CI always agree.

use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::analysis::migration::{self, Migration, MigrationStatement, Settings};
use crate::analysis::runner::{self, ProjectFacts, RunnerFacts};
use crate::analysis::suppression::Suppressions;
use crate::config::Config;
use crate::finding::Finding;
use crate::rules::{self, Check, Rule};
use crate::syntax::sql::{SqlFile, Statement};
use crate::text::{ByteEdit, Document, EditError, Language, PositionEncoding, TextChange};

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
    /// The text changed since `sql` was computed: one edit covering them all.
    pending: Option<ByteEdit>,
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
            pending: None,
        }
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn document(&self) -> &Document {
        &self.document
    }

    /// Applies one `didChange` notification's changes in order and sets the
    /// version. On error the changes before the failing one stay applied.
    pub fn apply_changes(
        &mut self,
        version: i32,
        changes: &[TextChange],
        encoding: PositionEncoding,
    ) -> Result<(), EditError> {
        for change in changes {
            let edit = self.document.apply(change, encoding)?;
            self.text.drain(edit.start..edit.old_end);
            self.text.insert_str(edit.start, &change.text);
            self.pending = Some(match self.pending {
                Some(before) => merge(before, edit),
                None => edit,
            });
        }
        self.document.set_version(version);
        Ok(())
    }

    /// Every finding for the current text, with configuration and suppressions
    /// applied, ordered by position.
    pub fn findings(&mut self, config: &Config) -> Vec<Finding> {
        if self.document.language() != Language::Sql {
            return Vec::new();
        }
        // Taken out so the front end can borrow `self` mutably; put back below.
        let text = std::mem::take(&mut self.text);
        let runner = self.runner(&text);
        let sql = self.update_sql(&text);
        let settings = Settings {
            postgres_version: config.postgres_version,
            in_transaction: config.assume_in_transaction.or(runner.in_transaction),
        };
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
        let migration = Migration::build(&text, statements, settings, &runner);
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

impl Analysis {
    /// The migration runner's conventions for this file. Looks at its
    /// neighbours on disk (a down file, diesel's `metadata.toml`), never at
    /// anything outside its directory's parent.
    fn runner(&self, text: &str) -> RunnerFacts {
        let Some(path) = self.path.as_deref() else {
            return runner::detect(Path::new(""), text, &ProjectFacts::default());
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
        runner::detect(path, text, &project)
    }
}

/// One edit equivalent to `first` followed by `second`.
fn merge(first: ByteEdit, second: ByteEdit) -> ByteEdit {
    // Work in the coordinates between the two edits, then map the end back
    // through `first` and forward through `second`.
    let end = first.new_end.max(second.old_end);
    ByteEdit {
        start: first.start.min(second.start),
        old_end: end.saturating_add_signed(-first.delta()),
        new_end: end.saturating_add_signed(second.delta()),
    }
}

fn run_rules(migration: &Migration, config: &Config) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in rules::all() {
        let Check::Migration(check) = rule.check else {
            continue;
        };
        let Some(severity) = config.severity_of(rule.id, rule.severity, rule.default_enabled)
        else {
            continue;
        };
        let mut out = Vec::new();
        match catch_unwind(AssertUnwindSafe(|| check(migration, &mut out))) {
            Ok(()) => {
                // A rule may grade its own findings (require-lock-timeout); only
                // an explicit configured severity replaces that grade.
                if severity != rule.severity {
                    out.iter_mut().for_each(|f| f.severity = severity);
                }
                findings.append(&mut out);
            }
            Err(_) => report_panic(rule),
        }
    }
    findings
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

/// Whether preflight has anything to say about a file of this name; the CLI
/// walks only these.
pub fn handles(path: &Path) -> bool {
    Language::from_path(path) == Language::Sql
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
        let merged = merge(first, second);
        // Replacing the merged old range with the merged new range reproduces `new`.
        let rebuilt = apply(original, merged, &new[merged.start..merged.new_end]);
        assert_eq!(rebuilt, new);
        assert_eq!(&original[..merged.start], &new[..merged.start]);
        assert_eq!(&original[merged.old_end..], &new[merged.new_end..]);
    }
}
