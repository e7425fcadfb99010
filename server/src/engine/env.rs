//! The narrow path for modules that read environment variables or declare
//! settings, and for env files: the host's syntax tree (kept across edits by
//! [`super::host`]) or the dotenv text read into the env model, the env
//! rules, and `#` suppressions. Migrations never come here: their files are
//! judged as migrations.

use std::path::Path;

use super::{Analysis, configure_engine_finding, run_rule};
use crate::analysis::env::dotenv::{Dotenv, DotenvKind};
use crate::analysis::env::project::{self, EnvFacts, Project};
use crate::analysis::env::{self, BaseSchemas, EnvCheck, EnvFile, Source};
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

/// File-name globs of what [`indexes`] accepts, for editors' file watchers.
pub const INDEXED_NAMES: &[&str] = &[
    "*.{py,pyi}",
    "*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}",
    "*.{yml,yaml}",
    "{.env*,*.env,env.example}",
];

/// Whether the workspace index keeps facts of the file at `path`: sources
/// that read or declare variables, env example files, YAML that may set
/// variables for a deploy.
pub fn indexes(path: &Path) -> bool {
    match Language::from_path(path) {
        Language::Python | Language::TypeScript | Language::JavaScript => true,
        Language::Dotenv => DotenvKind::of(path) == DotenvKind::Example,
        Language::Yaml => crate::analysis::yaml_kind::is_yaml_path(path),
        _ => false,
    }
}

/// The env model of a host document, by its language's front end.
pub(super) fn read(language: Language, tree: &tree_sitter::Tree, text: &str) -> EnvFile {
    match language {
        Language::Python => env::python::read(tree, text),
        _ => env::typescript::read(tree, text),
    }
}

/// The env facts of a file on disk, for the workspace index (classes
/// unresolved: resolution happens against the whole project).
pub fn facts_of(path: &Path, text: &str) -> EnvFacts {
    let language = Language::from_path(path);
    if language == Language::Yaml {
        return super::yaml::env_facts(path, text);
    }
    if language == Language::Dotenv {
        return EnvFacts::of(&EnvFile::of_dotenv(Dotenv::parse(
            DotenvKind::of(path),
            text,
        )));
    }
    if !applies(language, text) {
        return EnvFacts::default();
    }
    let Some(tree) = SourceTree::parse(language, text) else {
        return EnvFacts::default();
    };
    EnvFacts::of(&read(language, tree.tree(), text))
}

impl Analysis {
    /// The env findings of a Python document whose tree `run_host` brought
    /// up to date; empty when it holds no read and no settings class.
    pub(super) fn run_env(&mut self, config: &Config, build_fixes: bool) -> Vec<Finding> {
        let mut file = match self.host_tree() {
            Some(tree) if applies(self.document.language(), &self.text) => {
                read(self.document.language(), tree.tree(), &self.text)
            }
            _ => EnvFile::default(),
        };
        let project = self.env_project(&mut file);
        self.judge_env(&file, &project, config, build_fixes)
    }

    /// The findings of an env file: an example file's, or those of a file
    /// of values that git would commit (a local, ignored `.env` holds real
    /// secrets by design and is nobody else's business).
    pub(super) fn run_dotenv(&mut self, config: &Config) -> Vec<Finding> {
        let kind = self
            .path
            .as_deref()
            .map_or(DotenvKind::Values, DotenvKind::of);
        if kind == DotenvKind::Values && self.path.as_deref().is_some_and(git_ignored) {
            self.env_found = false;
            return Vec::new();
        }
        let mut file = EnvFile::of_dotenv(Dotenv::parse(kind, &self.text));
        let project = self.env_project(&mut file);
        self.judge_env(&file, &project, config, false)
    }

    /// The env rules' findings on `file`, suppressions applied.
    fn judge_env(
        &mut self,
        file: &EnvFile,
        project: &Project,
        config: &Config,
        build_fixes: bool,
    ) -> Vec<Finding> {
        self.env_found = !file.is_empty();
        // `def get_settings(): return Settings()` in a module that reads
        // nothing itself still builds the settings late.
        if file.is_empty() && !file.constructions.iter().any(|c| c.lazy) {
            return Vec::new();
        }
        // Absolute, as the project knows its files.
        let path = self.path.as_deref().map(super::workspace::absolute);
        let modules: Vec<&Path> = match path.as_deref().map(|p| config.is_settings_module(p)) {
            Some(Some(_)) => project
                .files()
                .map(|(p, _)| p)
                .filter(|p| config.is_settings_module(p) == Some(true))
                .collect(),
            _ => project.settings_modules(),
        };
        let modules: Vec<(&Path, std::path::PathBuf)> =
            modules.into_iter().map(|m| (m, governed(m))).collect();
        // Tests set up their own environment on purpose: no module governs them.
        let settings_module = path.as_deref().and_then(|p| {
            let module = Project::governing(p, &modules)?;
            let root = modules.iter().find(|(m, _)| *m == module).map(|(_, r)| r)?;
            let relative = p.strip_prefix(root).unwrap_or(p);
            (!env::is_test_path(relative)).then_some(module)
        });
        let outside = settings_module.is_some()
            && rules::find("env-read-outside-settings")
                .and_then(|r| config.severity_of(r.id, r.severity, r.default_enabled))
                .is_some();
        let base = self.env_base(config, file, project);
        let source = self.host_tree().filter(|_| build_fixes).map(|tree| Source {
            text: &self.text,
            tree: tree.tree(),
            language: self.document.language(),
            is_package: &|dir: &Path| dir.join("__init__.py").is_file(),
        });
        let check = EnvCheck {
            file,
            path: path.as_deref(),
            project,
            settings_module,
            reads_go_through_settings: outside,
            allowed: &|name| config.env_allowed(name),
            base: base.as_ref(),
            source,
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
        rules::env::drop_superseded(&mut findings);
        self.env_found |= !findings.is_empty();
        findings
    }

    /// The schemas this document declared on the base branch, when
    /// `new-required-setting` is on and git knows them.
    fn env_base(&self, config: &Config, file: &EnvFile, project: &Project) -> Option<BaseSchemas> {
        if file.schemas.is_empty() {
            return None;
        }
        let rule = rules::env::NEW_REQUIRED_SETTING;
        config.severity_of(rule.id, rule.severity, rule.default_enabled)?;
        let path = super::workspace::absolute(self.path.as_ref()?);
        let workspace = self.workspace.as_ref()?;
        let snapshot = workspace.base_snapshot(&path, config.base_branch.as_deref())?;
        // The old classes are resolved against the project as it is now,
        // not as it was at the merge-base: a mixin or configuration in
        // another file that changed since counts as it is. Close enough to
        // tell new fields from old ones, and it costs no checkout.
        let facts = &snapshot.facts;
        let schemas = if facts.classes.is_empty() {
            facts.schemas.clone()
        } else {
            project::resolve(&facts.classes, &project.classes_except(Some(&path)))
        };
        Some(BaseSchemas {
            branch: snapshot.branch,
            schemas,
        })
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

    /// Whether the last check found environment reads, settings classes or
    /// env file entries.
    pub fn reads_env(&self) -> bool {
        self.env_found
    }
}

/// The directory a settings module governs: for Python, its top-level
/// package (the highest directory above it that still holds an
/// `__init__.py`: `app/core/config.py` governs `app/`), else its directory;
/// for TypeScript and JavaScript, its package (the nearest directory above
/// with a `package.json`), else its directory.
fn governed(module: &Path) -> std::path::PathBuf {
    let dir = module.parent().unwrap_or(Path::new(""));
    let python = module.extension().is_some_and(|e| e == "py" || e == "pyi");
    let found = if python {
        dir.ancestors()
            .take_while(|d| d.join("__init__.py").is_file())
            .last()
    } else {
        dir.ancestors()
            .take(8)
            .find(|d| d.join("package.json").is_file())
    };
    found.unwrap_or(dir).to_path_buf()
}

/// Whether git ignores the file at `path`: the nearest `.gitignore` with a
/// matching pattern decides, from the file's directory up to the
/// repository's root (and `.git/info/exclude`). Outside a repository a file
/// is never committed, so it counts as ignored.
fn git_ignored(path: &Path) -> bool {
    use ignore::gitignore::{Gitignore, GitignoreBuilder};
    let path = super::workspace::absolute(path);
    let Some(root) = path.ancestors().skip(1).find(|d| d.join(".git").exists()) else {
        return true;
    };
    // Each `.gitignore` speaks relative to its own directory.
    let mut matchers: Vec<Gitignore> = path
        .ancestors()
        .skip(1)
        .take_while(|dir| dir.starts_with(root))
        .map(|dir| dir.join(".gitignore"))
        .filter(|file| file.is_file())
        .map(|file| Gitignore::new(file).0)
        .collect();
    let mut exclude = GitignoreBuilder::new(root);
    // A worktree's `.git` is a file: no `info/exclude` of its own.
    exclude.add(root.join(".git/info/exclude"));
    matchers.extend(exclude.build().ok());
    matchers
        .iter()
        .map(|m| m.matched_path_or_any_parents(&path, false))
        .find(|m| !m.is_none())
        .is_some_and(|m| m.is_ignore())
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

    /// Findings of `path` in a workspace where `others` were analysed first.
    fn rules_in_project(
        others: &[(&str, &str)],
        path: &str,
        text: &str,
        config: &Config,
    ) -> Vec<&'static str> {
        let workspace = std::sync::Arc::new(crate::engine::workspace::Workspace::default());
        for (other, source) in others {
            workspace.reread(Path::new(other), source);
        }
        let mut analysis =
            Analysis::new(Some(path.into()), Document::new(text, 0, Language::Python))
                .with_workspace(workspace);
        analysis.findings(config).iter().map(|f| f.rule).collect()
    }

    #[test]
    fn reads_beside_a_settings_module_are_flagged_in_its_package_only() {
        let root = std::env::temp_dir().join(format!("preflight-governed-{}", std::process::id()));
        for package in ["app", "app/core", "app/api"] {
            std::fs::create_dir_all(root.join(package)).expect("temp dir");
            std::fs::write(root.join(package).join("__init__.py"), "").expect("package");
        }
        let at = |relative: &str| root.join(relative).to_string_lossy().into_owned();
        let config_py = at("app/core/config.py");
        let settings = [(
            config_py.as_str(),
            "from pydantic_settings import BaseSettings\nclass Settings(BaseSettings):\n    debug: bool = False\n",
        )];
        let read = "import os\nKEY = os.environ.get('KEY')\n";
        let config = Config::default();
        // Reported once: `getenv-unvalidated` gives way.
        assert_eq!(
            rules_in_project(&settings, &at("app/api/x.py"), read, &config),
            ["env-read-outside-settings"]
        );
        // Outside the top-level package `app/`, and in tests: not governed.
        assert_eq!(
            rules_in_project(&settings, &at("scripts/x.py"), read, &config),
            ["getenv-unvalidated"]
        );
        assert_eq!(
            rules_in_project(&settings, &at("app/tests/test_x.py"), read, &config),
            ["getenv-unvalidated"]
        );
        assert_eq!(
            rules_in_project(&[], &at("app/api/x.py"), read, &config),
            ["getenv-unvalidated"]
        );
        // With the rule off, the reads are judged as any other.
        let mut off = Config::default();
        off.ignore.push("env-read-outside-settings".to_string());
        assert_eq!(
            rules_in_project(&settings, &at("app/api/x.py"), read, &off),
            ["getenv-unvalidated"]
        );
        // The settings module itself reads freely.
        let module = "import os\nfrom pydantic_settings import BaseSettings\nclass Settings(BaseSettings):\n    debug: bool = False\nKEY = os.environ['KEY']\n";
        assert!(rules_in_project(&settings, &config_py, module, &config).is_empty());
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn configured_settings_modules_replace_the_schema_files() {
        let dir = std::env::temp_dir().join(format!("preflight-env-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let toml = dir.join("preflight.toml");
        let text = "settings-modules = [\"proj/settings.py\"]\n";
        std::fs::write(&toml, text).expect("config");
        let config = crate::config::parse(&toml, text, &|_| true).expect("config parses");
        let settings_path = dir.join("proj/settings.py");
        let django = "import os\nSECRET_KEY = os.environ['SECRET_KEY']\n";
        let others = [(settings_path.to_str().expect("utf-8"), django)];
        let view = dir.join("proj/shop/views.py");
        let read = "import os\nKEY = os.environ['KEY']\n";
        assert_eq!(
            rules_in_project(&others, view.to_str().expect("utf-8"), read, &config),
            ["env-read-outside-settings"]
        );
        assert!(
            rules_in_project(
                &others,
                settings_path.to_str().expect("utf-8"),
                django,
                &config
            )
            .is_empty()
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A settings module beside an `.env.example` that documents one of its
    /// variables: the others are reported in the module, required ones as
    /// errors, and the fix appends them to the example file.
    #[test]
    fn missing_keys_are_appended_to_the_example_file() {
        use std::sync::Arc;

        use crate::engine::workspace::Workspace;
        use crate::finding::{Applicability, Severity};
        use crate::fixes::apply::apply_edits;

        let root =
            std::env::temp_dir().join(format!("preflight-env-example-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("app")).expect("temp dir");
        let example = root.join(".env.example");
        std::fs::write(&example, "# Settings\nAPP_DEBUG=false").expect("example");
        let settings = "from pydantic import Field\nfrom pydantic_settings import BaseSettings, SettingsConfigDict\n\nclass Settings(BaseSettings):\n    model_config = SettingsConfigDict(env_prefix='APP_')\n    debug: bool = False\n    database_url: str = Field(description='Primary database.')\n    workers: int = 4\n";
        let path = root.join("app/settings.py");
        std::fs::write(&path, settings).expect("settings");
        let workspace = Arc::new(Workspace::scan(std::slice::from_ref(&root)));
        let mut analysis = Analysis::new(
            Some(path.clone()),
            Document::new(settings, 0, Language::Python),
        )
        .with_workspace(Arc::clone(&workspace));
        let findings: Vec<_> = analysis
            .findings(&Config::default())
            .into_iter()
            .filter(|f| f.rule == "missing-from-env-example")
            .collect();
        let shown: Vec<_> = findings
            .iter()
            .map(|f| (&settings[f.range.clone()], f.severity))
            .collect();
        assert_eq!(
            shown,
            [
                ("database_url", Severity::Error),
                ("workers", Severity::Warning)
            ]
        );
        let fix = &findings[0].fixes[0];
        assert_eq!(fix.title, "Add `APP_DATABASE_URL=` to .env.example");
        assert_eq!(fix.applicability, Applicability::Safe);
        assert_eq!(fix.edits[0].file.as_deref(), Some(example.as_path()));
        let before = std::fs::read_to_string(&example).expect("example");
        assert_eq!(
            apply_edits(&before, &fix.edits),
            "# Settings\nAPP_DEBUG=false\n# Primary database.\nAPP_DATABASE_URL=\n"
        );
        // Once the example documents it, the finding is gone.
        let after = apply_edits(&before, &fix.edits);
        workspace.reread(&example, &after);
        let rules: Vec<_> = analysis
            .findings(&Config::default())
            .into_iter()
            .filter(|f| f.rule == "missing-from-env-example")
            .map(|f| &settings[f.range.clone()])
            .collect();
        assert_eq!(rules, ["workers"]);
        // A variable the configuration allows needs no documentation.
        let toml = root.join("preflight.toml");
        let allow = "env-allowlist = [\"APP_WORK*\"]\n";
        let config = crate::config::parse(&toml, allow, &|_| true).expect("config parses");
        assert!(
            analysis
                .findings(&config)
                .iter()
                .all(|f| f.rule != "missing-from-env-example")
        );
        let _ = std::fs::remove_dir_all(&root);
    }

    /// A key no code reads is a hint in the example file, unless the
    /// configuration's `env-allowlist` names it.
    #[test]
    fn unused_example_keys_respect_the_allowlist() {
        use std::sync::Arc;

        use crate::engine::workspace::Workspace;

        let workspace = Arc::new(Workspace::default());
        workspace.reread(
            Path::new("/u/app/config.py"),
            "from pydantic_settings import BaseSettings\nclass Settings(BaseSettings):\n    database_url: str\n",
        );
        let example = "DATABASE_URL=postgres://\nWEB_CONCURRENCY=4\n";
        let unused = |config: &Config| {
            let document = Document::new(example, 0, Language::Dotenv);
            let mut analysis = Analysis::new(Some("/u/.env.example".into()), document)
                .with_workspace(Arc::clone(&workspace));
            analysis
                .findings(config)
                .iter()
                .filter(|f| f.rule == "env-example-unused")
                .map(|f| example[f.range.clone()].to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(unused(&Config::default()), ["WEB_CONCURRENCY"]);
        let text = "env-allowlist = [\"WEB_*\"]\n";
        let config = crate::config::parse(Path::new("/u/preflight.toml"), text, &|_| true)
            .expect("config parses");
        assert!(unused(&config).is_empty());
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
        // Validated now; but these reads bypass the env module beside them.
        assert_eq!(
            run(&workspace),
            [
                ("env-read-outside-settings", 10),
                ("env-read-outside-settings", 42)
            ]
        );
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
