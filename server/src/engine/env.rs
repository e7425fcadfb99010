//! The narrow path for modules that read environment variables or declare
//! settings: the host's syntax tree (kept across edits by [`super::host`])
//! read into the env model, the env rules, and `#` suppressions. Migrations
//! never come here: their files are judged as migrations.

use std::path::Path;

use super::{Analysis, configure_engine_finding, run_rule};
use crate::analysis::env::project::{self, EnvFacts, Project};
use crate::analysis::env::{self, EnvCheck, EnvFile, Source};
use crate::analysis::suppression::Suppressions;
use crate::config::Config;
use crate::finding::Finding;
use crate::rules::{self, Check};
use crate::syntax::trees::SourceTree;
use crate::text::Language;

/// Whether a document of `language` with this text goes through this path
/// (a cheap test on the text: most modules never mention the environment).
pub(super) fn applies(language: Language, text: &str) -> bool {
    language == Language::Python && env::python::mentions_env(text)
}

/// Whether the workspace index keeps facts of the file at `path`.
pub fn indexes(path: &Path) -> bool {
    Language::from_path(path) == Language::Python
}

/// The env facts of a file on disk, for the workspace index (classes
/// unresolved: resolution happens against the whole project).
pub fn facts_of(path: &Path, text: &str) -> EnvFacts {
    let language = Language::from_path(path);
    if !applies(language, text) {
        return EnvFacts::default();
    }
    let Some(tree) = SourceTree::parse(language, text) else {
        return EnvFacts::default();
    };
    EnvFacts::of(&env::python::read(tree.tree(), text))
}

impl Analysis {
    /// The env findings of a Python document whose tree `run_host` brought
    /// up to date; empty when it holds no read and no settings class.
    pub(super) fn run_env(&mut self, config: &Config, build_fixes: bool) -> Vec<Finding> {
        let mut file = match self.host_tree() {
            Some(tree) if applies(self.document.language(), &self.text) => {
                env::python::read(tree.tree(), &self.text)
            }
            _ => EnvFile::default(),
        };
        let project = self.env_project(&mut file);
        self.env_found = !file.is_empty();
        if file.is_empty() {
            return Vec::new();
        }
        let source = self.host_tree().filter(|_| build_fixes).map(|tree| Source {
            text: &self.text,
            tree: tree.tree(),
            language: self.document.language(),
            is_package: &|dir: &Path| dir.join("__init__.py").is_file(),
        });
        let check = EnvCheck {
            file: &file,
            path: self.path.as_deref(),
            project: &project,
            source,
        };
        let mut findings = Vec::new();
        for rule in rules::all() {
            if let Check::Env(run) = rule.check {
                findings.extend(run_rule(rule, config, |out| run(&check, out)));
            }
        }
        let mut findings = Suppressions::parse(&self.text, &file.comments, "#").apply(
            findings,
            &file.statements,
            &|id| rules::find(id).is_some(),
        );
        findings.retain_mut(|f| configure_engine_finding(f, config));
        findings
    }

    /// The project around this document: its classes resolved against the
    /// other files', and its facts recorded for them.
    fn env_project(&self, file: &mut EnvFile) -> Project {
        let (Some(workspace), Some(path)) = (&self.workspace, &self.path) else {
            return Project::default();
        };
        let path = super::workspace::absolute(path);
        let project = workspace.env_project();
        if !file.classes.is_empty() {
            file.schemas = project::resolve(&file.classes, &project.classes_except(Some(&path)));
        }
        let facts = EnvFacts::of(file);
        workspace.record_env(&path, facts.clone());
        project.with_file(&path, facts)
    }

    /// Whether the last check found environment reads or settings classes.
    pub fn reads_env(&self) -> bool {
        self.env_found
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::config::Config;
    use crate::engine::{Analysis, checks, handles};
    use crate::text::{Document, Language, Position, PositionEncoding, TextChange};

    fn rules_of(path: &str, text: &str) -> Vec<&'static str> {
        let document = Document::new(text, 0, Language::Python);
        let mut analysis = Analysis::new(Some(path.into()), document);
        analysis
            .findings(&Config::default())
            .iter()
            .map(|f| f.rule)
            .collect()
    }

    #[test]
    fn settings_modules_are_checked_by_content() {
        assert!(handles(Path::new("app/config.py")));
        assert!(checks(
            Path::new("app/config.py"),
            "import os\nX = os.environ['X']\n"
        ));
        assert!(!checks(
            Path::new("app/views.py"),
            "def f():\n    return 1\n"
        ));
        assert!(checks(
            Path::new("app/migrations/0001_x.py"),
            "from django.db import migrations\n"
        ));
    }

    #[test]
    fn a_migration_is_judged_as_a_migration_only() {
        let revision = "import os\nrevision = 'a1'\ndown_revision = None\n\ndef upgrade():\n    os.getenv('X')\n";
        let rules = rules_of("alembic/versions/a1.py", revision);
        assert!(!rules.contains(&"getenv-unvalidated"), "{rules:?}");
        let module = "import os\nX = os.getenv('X')\n";
        assert_eq!(rules_of("app/config.py", module), ["getenv-unvalidated"]);
    }

    #[test]
    fn an_edit_updates_the_findings() {
        let text = "import os\nPORT = os.getenv('PORT', '8000')\n";
        let mut analysis = Analysis::new(
            Some("app/config.py".into()),
            Document::new(text, 0, Language::Python),
        );
        let config = Config::default();
        assert!(analysis.findings(&config).is_empty());
        assert!(analysis.reads_env());
        // '8000' -> 8000: the default is no longer a string.
        let change = TextChange {
            range: Some((
                Position {
                    line: 1,
                    character: 25,
                },
                Position {
                    line: 1,
                    character: 31,
                },
            )),
            text: "8000".to_string(),
        };
        analysis
            .apply_changes(1, &[change], PositionEncoding::Utf8)
            .expect("edit applies");
        let rules: Vec<_> = analysis.findings(&config).iter().map(|f| f.rule).collect();
        assert_eq!(rules, ["envvar-default-type"]);
        assert!(analysis.reads_env());
    }
}
