//! Each test builds a throwaway repository: a settings module committed on
//! `main`, a branch off it that changes the module, and checks through the
//! engine as the CLI and the server do.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::Git;
use crate::config::Config;
use crate::engine::Analysis;
use crate::engine::workspace::Workspace;
use crate::finding::Severity;
use crate::text::{Document, Language, Position, PositionEncoding, TextChange};

const BASE: &str = "from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    database_url: str
    debug: bool = False
    timeout: int
    region: str | None = None
";

/// On the branch: `stripe_key` is new, `timeout` gained a default and
/// `region` lost its one.
const BRANCH: &str = "from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    database_url: str
    debug: bool = False
    timeout: int = 30
    region: str
    stripe_key: str
";

/// A directory under the system temp dir (owned by the test's user, so git
/// trusts it), removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("preflight-git-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        Scratch(dir)
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.0.join(relative)
    }

    fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().expect("has a parent")).expect("create dirs");
        std::fs::write(&path, text).expect("write file");
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs git in `dir`, away from the user's and the system's configuration.
fn git(dir: &Path, args: &[&str]) {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A repository in `dir` whose `main` holds `files`, checked out on a new
/// branch `feature`.
fn repo_in(dir: &Path, files: &[(&str, &str)]) {
    std::fs::create_dir_all(dir).expect("create repo dir");
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["config", "user.name", "Test"]);
    git(dir, &["config", "user.email", "test@example.com"]);
    git(dir, &["config", "commit.gpgsign", "false"]);
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().expect("has a parent")).expect("create dirs");
        std::fs::write(path, text).expect("write file");
    }
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "--allow-empty", "-m", "base"]);
    git(dir, &["checkout", "-q", "-b", "feature"]);
}

fn commit_all(dir: &Path) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "change"]);
}

/// (rule, the field's text, severity) of every env finding, as the CLI
/// computes them.
fn check(path: &Path, config: &Config) -> Vec<(&'static str, String, Severity)> {
    let root = path.parent().expect("has a parent").to_path_buf();
    let workspace = Arc::new(Workspace::scan(&[root]).with_git());
    let text = std::fs::read_to_string(path).expect("read settings");
    let document = Document::new(&text, 0, Language::Python);
    Analysis::new(Some(path.to_path_buf()), document)
        .with_workspace(workspace)
        .findings(config)
        .into_iter()
        .map(|f| (f.rule, text[f.range].to_string(), f.severity))
        .collect()
}

fn config(toml: &str) -> Config {
    let known = |id: &str| crate::rules::find(id).is_some();
    crate::config::parse(Path::new("preflight.toml"), toml, &known).expect("valid config")
}

fn info(field: &str) -> (&'static str, String, Severity) {
    (
        "required-setting-without-default",
        field.to_string(),
        Severity::Info,
    )
}

fn new(field: &str) -> (&'static str, String, Severity) {
    ("new-required-setting", field.to_string(), Severity::Error)
}

#[test]
fn fields_required_since_the_base_are_errors_and_old_ones_stay_info() {
    let scratch = Scratch::new();
    let dir = scratch.path("repo");
    repo_in(&dir, &[("app/settings.py", BASE)]);
    let path = scratch.write("repo/app/settings.py", BRANCH);
    // Unsaved or committed, the branch's text is compared with `main`'s.
    let expected = [info("database_url"), new("region"), new("stripe_key")];
    assert_eq!(check(&path, &Config::default()), expected);
    commit_all(&dir);
    assert_eq!(check(&path, &Config::default()), expected);
    let message = {
        let workspace = Arc::new(Workspace::default().with_git());
        let document = Document::new(BRANCH, 0, Language::Python);
        let findings = Analysis::new(Some(path.clone()), document)
            .with_workspace(workspace)
            .findings(&Config::default());
        findings[2].message.clone()
    };
    assert_eq!(
        message,
        "`Settings.stripe_key` is required and new since `main`: every deployment without `STRIPE_KEY` fails at startup"
    );
}

#[test]
fn turning_the_rule_off_brings_the_info_back() {
    let scratch = Scratch::new();
    let dir = scratch.path("repo");
    repo_in(&dir, &[("settings.py", BASE)]);
    let path = scratch.write("repo/settings.py", BRANCH);
    let config = config("ignore = [\"new-required-setting\"]");
    let expected = [info("database_url"), info("region"), info("stripe_key")];
    assert_eq!(check(&path, &config), expected);
}

#[test]
fn a_variable_read_under_another_name_is_a_new_requirement() {
    let scratch = Scratch::new();
    let dir = scratch.path("repo");
    let base = "from pydantic_settings import BaseSettings\n\n\nclass Settings(BaseSettings):\n    api_key: str\n    token: str\n";
    repo_in(&dir, &[("settings.py", base)]);
    // A prefix renames `API_KEY`; an alias adds a name to `TOKEN`, which
    // still reads `TOKEN`.
    let branch = "from pydantic import AliasChoices, Field\nfrom pydantic_settings import BaseSettings, SettingsConfigDict\n\n\nclass Settings(BaseSettings):\n    model_config = SettingsConfigDict(env_prefix='APP_')\n    api_key: str\n    token: str = Field(validation_alias=AliasChoices('TOKEN', 'APP_TOKEN'))\n";
    let path = scratch.write("repo/settings.py", branch);
    // `TOKEN` is the field's own name, which the prefix does not reach.
    let alias = (
        "prefix-alias-mismatch",
        "token".to_string(),
        Severity::Warning,
    );
    assert_eq!(
        check(&path, &Config::default()),
        [new("api_key"), info("token"), alias]
    );
}

#[test]
fn every_required_field_of_a_file_new_since_the_base_is_new() {
    let scratch = Scratch::new();
    let dir = scratch.path("repo");
    repo_in(&dir, &[("README", "base\n")]);
    let path = scratch.write("repo/app/settings.py", BASE);
    assert_eq!(
        check(&path, &Config::default()),
        [new("database_url"), new("timeout")]
    );
}

#[test]
fn outside_a_repository_only_the_info_is_reported() {
    let scratch = Scratch::new();
    let path = scratch.write("plain/settings.py", BRANCH);
    let expected = [info("database_url"), info("region"), info("stripe_key")];
    assert_eq!(check(&path, &Config::default()), expected);
}

#[test]
fn without_the_base_branch_only_the_info_is_reported() {
    let scratch = Scratch::new();
    let dir = scratch.path("repo");
    repo_in(&dir, &[("settings.py", BASE)]);
    let path = scratch.write("repo/settings.py", BRANCH);
    let config = config("base-branch = \"release\"");
    let expected = [info("database_url"), info("region"), info("stripe_key")];
    assert_eq!(check(&path, &config), expected);
    // Named, a branch that exists is compared with.
    git(&dir, &["branch", "release", "main"]);
    let found = check(&path, &config);
    assert!(found.contains(&new("stripe_key")), "{found:?}");
}

#[test]
fn the_remote_default_branch_is_the_base() {
    let scratch = Scratch::new();
    let upstream = scratch.path("upstream");
    repo_in(&upstream, &[("settings.py", BASE)]);
    // The remote's default branch is `trunk`: neither `main` nor `master`.
    git(&upstream, &["branch", "-m", "main", "trunk"]);
    git(&upstream, &["checkout", "-q", "trunk"]);
    git(
        &scratch.0,
        &["clone", "-q", "--bare", "upstream", "origin.git"],
    );
    git(&scratch.0, &["clone", "-q", "origin.git", "clone"]);
    let clone = scratch.path("clone");
    git(&clone, &["checkout", "-q", "-b", "feature"]);
    git(&clone, &["branch", "-q", "-D", "trunk"]);
    let path = scratch.write("clone/settings.py", BRANCH);
    let findings = check(&path, &Config::default());
    assert_eq!(
        findings,
        [info("database_url"), new("region"), new("stripe_key")]
    );
    let workspace = Arc::new(Workspace::default().with_git());
    let document = Document::new(BRANCH, 0, Language::Python);
    let messages: Vec<_> = Analysis::new(Some(path), document)
        .with_workspace(workspace)
        .findings(&Config::default())
        .into_iter()
        .map(|f| f.message)
        .collect();
    assert!(
        messages[2].contains("new since `origin/trunk`"),
        "{messages:?}"
    );
}

#[test]
fn an_unborn_head_reports_nothing_new() {
    let scratch = Scratch::new();
    let dir = scratch.path("repo");
    std::fs::create_dir_all(&dir).expect("create repo dir");
    git(&dir, &["init", "-q", "-b", "main"]);
    let path = scratch.write("repo/settings.py", BASE);
    assert_eq!(
        check(&path, &Config::default()),
        [info("database_url"), info("timeout")]
    );
}

/// git runs for the first check only; edits run none; a commit (`HEAD`
/// moved) runs only `merge-base` again, whose answer is the same, so the
/// file is not read again.
#[test]
fn keystrokes_run_no_git() {
    let scratch = Scratch::new();
    let dir = scratch.path("repo");
    repo_in(&dir, &[("settings.py", BASE)]);
    let path = scratch.write("repo/settings.py", BRANCH);
    let cache = Git::default();
    let snapshot = cache.snapshot(&path, None).expect("a snapshot");
    assert_eq!(snapshot.branch, "main");
    assert_eq!(snapshot.facts.classes[0].fields.len(), 4);
    // rev-parse, symbolic-ref, for-each-ref, merge-base, show.
    assert_eq!(cache.runs(), 5);
    for _ in 0..20 {
        cache.snapshot(&path, None).expect("a snapshot");
    }
    assert_eq!(cache.runs(), 5);
    commit_all(&dir);
    cache.snapshot(&path, None).expect("a snapshot");
    assert_eq!(cache.runs(), 6);
    cache.snapshot(&path, None).expect("a snapshot");
    assert_eq!(cache.runs(), 6);
    // The base branch moved on: a new merge-base, and the file there.
    git(&dir, &["checkout", "-q", "main"]);
    scratch.write("repo/settings.py", BRANCH);
    commit_all(&dir);
    git(&dir, &["checkout", "-q", "feature"]);
    git(&dir, &["merge", "-q", "--no-edit", "main"]);
    let after = cache.snapshot(&path, None).expect("a snapshot");
    assert_eq!(after.facts.classes[0].fields.len(), 5);
    assert_eq!(cache.runs(), 8);
}

/// Through the engine: edits to an open settings module keep the findings
/// current without asking git again.
#[test]
fn edits_are_compared_with_the_same_snapshot() {
    let scratch = Scratch::new();
    let dir = scratch.path("repo");
    repo_in(&dir, &[("settings.py", BASE)]);
    let path = scratch.write("repo/settings.py", BASE);
    let workspace = Arc::new(Workspace::default().with_git());
    let mut analysis = Analysis::new(Some(path), Document::new(BASE, 0, Language::Python))
        .with_workspace(workspace);
    let config = Config::default();
    let rules = |analysis: &mut Analysis| -> Vec<&'static str> {
        analysis.diagnose(&config).iter().map(|f| f.rule).collect()
    };
    assert_eq!(
        rules(&mut analysis),
        ["required-setting-without-default"; 2]
    );
    let end = BASE.lines().count() as u32;
    let add = TextChange {
        range: Some((
            Position {
                line: end,
                character: 0,
            },
            Position {
                line: end,
                character: 0,
            },
        )),
        text: "    sentry_dsn: str\n".to_string(),
    };
    analysis
        .apply_changes(1, &[add], PositionEncoding::Utf8)
        .expect("edit applies");
    assert_eq!(
        rules(&mut analysis),
        [
            "required-setting-without-default",
            "required-setting-without-default",
            "new-required-setting"
        ]
    );
}
