//! The narrow path for modules that read environment variables or declare
//! settings: the host's syntax tree (kept across edits by [`super::host`])
//! read into the env model (Python, or TypeScript / JavaScript), the env
//! rules, and suppressions in the host's comments (`#`, `//`). Migrations
//! never come here: their files are judged as migrations.

use std::path::Path;

use super::{Analysis, configure_engine_finding, run_rule};
use crate::analysis::env::project::{self, EnvFacts, Project};
use crate::analysis::env::{self, EnvCheck, EnvFile};
use crate::analysis::suppression::Suppressions;
use crate::config::Config;
use crate::finding::Finding;
use crate::rules::{self, Check};
use crate::syntax::trees::SourceTree;
use crate::text::Language;

/// Whether a document of `language` with this text goes through this path
/// (a cheap test on the text: most modules never mention the environment).
pub(super) fn applies(language: Language, text: &str) -> bool {
    match language {
        Language::Python => env::python::mentions_env(text),
        Language::TypeScript | Language::JavaScript => env::typescript::mentions_env(text),
        _ => false,
    }
}

/// Whether the workspace index keeps facts of the file at `path`.
pub fn indexes(path: &Path) -> bool {
    matches!(
        Language::from_path(path),
        Language::Python | Language::TypeScript | Language::JavaScript
    )
}

/// The env model of a host document, by its language's front end.
fn read(language: Language, tree: &SourceTree, text: &str) -> EnvFile {
    match language {
        Language::Python => env::python::read(tree.tree(), text),
        _ => env::typescript::read(tree.tree(), text),
    }
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
    EnvFacts::of(&read(language, &tree, text))
}

impl Analysis {
    /// The env findings of a Python, TypeScript or JavaScript document
    /// whose tree `run_host` brought up to date; empty when it holds no
    /// read, no settings schema and no call that may build settings lazily.
    pub(super) fn run_env(&mut self, config: &Config) -> Vec<Finding> {
        let mut file = match self.host_tree() {
            Some(tree) if applies(self.document.language(), &self.text) => {
                read(self.document.language(), tree, &self.text)
            }
            _ => EnvFile::default(),
        };
        let project = self.env_project(&mut file);
        self.env_found = !file.is_empty();
        // `def get_settings(): return Settings()` in a module that reads
        // nothing itself still builds the settings late.
        if file.is_empty() && !file.constructions.iter().any(|c| c.lazy) {
            return Vec::new();
        }
        let check = EnvCheck {
            file: &file,
            path: self.path.as_deref(),
            project: &project,
        };
        let mut findings = Vec::new();
        for rule in rules::all() {
            if let Check::Env(run) = rule.check {
                findings.extend(run_rule(rule, config, |out| run(&check, out)));
            }
        }
        let marker = self.document.language().line_comment().unwrap_or("#");
        let mut findings = Suppressions::parse(&self.text, &file.comments, marker).apply(
            findings,
            &file.statements,
            &|id| rules::find(id).is_some(),
        );
        findings.retain_mut(|f| configure_engine_finding(f, config));
        self.env_found |= !findings.is_empty();
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
        let document = Document::new(text, 0, Language::from_path(Path::new(path)));
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
    fn typescript_modules_are_checked_by_content_outside_build_output() {
        assert!(handles(Path::new("src/env.ts")));
        assert!(handles(Path::new("src/env.mjs")));
        assert!(!handles(Path::new("node_modules/pkg/index.js")));
        assert!(!handles(Path::new("web/dist/assets/index.js")));
        assert!(checks(Path::new("src/db.ts"), "const a = process.env.A;\n"));
        assert!(checks(Path::new("src/env.mjs"), "createEnv({})\n"));
        assert!(!checks(Path::new("src/util.ts"), "export const x = 1;\n"));
        let text = "export const pool = new Pool({ max: Number(process.env.POOL_MAX) });\n";
        let document = Document::new(text, 0, Language::TypeScript);
        let mut analysis = Analysis::new(Some("src/db.ts".into()), document);
        let rules: Vec<_> = analysis
            .findings(&Config::default())
            .iter()
            .map(|f| f.rule)
            .collect();
        assert_eq!(rules, ["getenv-unvalidated"]);
    }

    #[test]
    fn typescript_suppressions_use_line_comments() {
        let text = "// preflight: ignore[getenv-unvalidated] set by the platform\nconst region = process.env.FLY_REGION;\nuse(region);\n";
        let document = Document::new(text, 0, Language::TypeScript);
        let mut analysis = Analysis::new(Some("src/fly.ts".into()), document);
        assert!(analysis.findings(&Config::default()).is_empty());
    }

    /// With a workspace, a project whose TS files validate the environment
    /// nowhere is told so, once per file; an env module anywhere silences it.
    #[test]
    fn a_project_without_env_validation_is_reported_at_each_files_first_read() {
        use std::sync::Arc;

        use crate::engine::workspace::Workspace;

        let text = "const a = process.env.A ?? 'a';\nconst b = process.env.B ?? 'b';\n";
        let run = |workspace: &Arc<Workspace>| {
            let document = Document::new(text, 0, Language::TypeScript);
            let mut analysis = Analysis::new(Some("/p/src/app.ts".into()), document)
                .with_workspace(Arc::clone(workspace));
            analysis
                .findings(&Config::default())
                .iter()
                .map(|f| (f.rule, f.range.start))
                .collect::<Vec<_>>()
        };
        let workspace = Arc::new(Workspace::default());
        assert_eq!(run(&workspace), [("no-startup-validation", 10)]);
        workspace.reread(
            Path::new("/p/src/env.ts"),
            "export const env = cleanEnv(process.env, { A: str({ default: 'a' }) });\n",
        );
        assert_eq!(run(&workspace), []);
        // A lone document knows no project: nothing to say about it.
        assert!(rules_of("src/app.ts", text).is_empty());
    }

    #[test]
    fn public_prefixes_expose_secrets_not_publishable_keys() {
        let text = "const a = import.meta.env.VITE_OPENAI_API_KEY ?? '';\n\
            const b = import.meta.env.VITE_STRIPE_PUBLISHABLE_KEY ?? '';\n\
            const c = process.env.REACT_APP_AUTH_TOKEN ?? '';\n";
        let document = Document::new(text, 0, Language::TypeScript);
        let mut analysis = Analysis::new(Some("web/src/api.ts".into()), document);
        let exposed: Vec<_> = analysis
            .findings(&Config::default())
            .into_iter()
            .filter(|f| f.rule == "client-exposed-secret")
            .map(|f| text[f.range].to_string())
            .collect();
        assert_eq!(exposed, ["VITE_OPENAI_API_KEY", "REACT_APP_AUTH_TOKEN"]);
    }

    /// A settings class built at import anywhere in the project is
    /// validated at startup, whatever functions also build it.
    #[test]
    fn lazy_settings_are_reported_unless_built_at_import_somewhere() {
        use std::sync::Arc;

        use crate::engine::workspace::Workspace;

        let config = "from pydantic_settings import BaseSettings\n\nclass Settings(BaseSettings):\n    debug: bool = False\n\ndef get_settings():\n    return Settings()\n";
        let run = |workspace: &Arc<Workspace>| {
            let document = Document::new(config, 0, Language::Python);
            let mut analysis = Analysis::new(Some("/p/app/config.py".into()), document)
                .with_workspace(Arc::clone(workspace));
            analysis
                .findings(&Config::default())
                .iter()
                .map(|f| f.rule)
                .collect::<Vec<_>>()
        };
        let workspace = Arc::new(Workspace::default());
        assert_eq!(run(&workspace), ["no-startup-validation"]);
        workspace.reread(
            Path::new("/p/app/main.py"),
            "import os\nfrom app.config import Settings\nsettings = Settings()\n",
        );
        assert!(run(&workspace).is_empty());
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
