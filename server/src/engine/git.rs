//! Base-branch facts from git, for `new-required-setting`: what a settings
//! file declared at the merge-base of `HEAD` and the base branch.
//!
//! git runs as a program with an argument vector (never through a shell),
//! in the file's directory, and rarely: the repository of a directory and
//! the base branch of a repository are looked up once; the merge-base again
//! only when `HEAD` or the base branch moved, which is read from the ref
//! files themselves (a few small reads, where running git costs
//! milliseconds); a file's facts at a merge-base are read and parsed once.
//! A keystroke in a settings module runs no git at all.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use crate::analysis::env::project::EnvFacts;

/// The env facts of one file on the base branch.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The base branch as the user names it (`main`, `origin/main`).
    pub branch: String,
    /// Empty when the file did not exist at the merge-base.
    pub facts: Arc<EnvFacts>,
}

/// git's answers, remembered. Without a repository, git or a base branch
/// there is no snapshot, which is logged once and never guessed around.
#[derive(Debug, Default)]
pub struct Git {
    state: Mutex<State>,
    /// How many times git ran, for the debug log.
    runs: AtomicUsize,
}

#[derive(Debug, Default)]
struct State {
    /// A directory's repository; `None` outside one (or without git).
    repos: HashMap<PathBuf, Option<Arc<Repo>>>,
    /// The base branch's full ref name per repository and configured name.
    bases: HashMap<(PathBuf, Option<String>), Option<String>>,
    /// The merge-base per repository and base ref, with the state of the
    /// refs it was computed for.
    merge_bases: HashMap<(PathBuf, String), (Stamp, Option<String>)>,
    /// A file's facts per repository, merge-base and repository path.
    files: HashMap<(PathBuf, String, String), Arc<EnvFacts>>,
    /// Messages already logged.
    logged: HashSet<String>,
}

/// Where a directory sits in a repository.
#[derive(Debug)]
struct Repo {
    top: PathBuf,
    /// The worktree's git directory (its `HEAD`).
    git_dir: PathBuf,
    /// Where the branches are (the main `.git` of a linked worktree).
    common_dir: PathBuf,
    /// The directory relative to `top`, `/`-separated, empty or ending in `/`.
    prefix: String,
}

impl Git {
    /// The facts of the file at `path` (absolute) at the merge-base of
    /// `HEAD` and the base branch (`configured`, or the default one).
    pub fn snapshot(&self, path: &Path, configured: Option<&str>) -> Option<Snapshot> {
        let dir = path.parent()?;
        let name = path.file_name()?.to_str()?;
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let repo = self.repo(&mut state, dir)?;
        let base = self.base_ref(&mut state, &repo, configured)?;
        let merge_base = self.merge_base(&mut state, &repo, &base)?;
        let relative = format!("{}{name}", repo.prefix);
        let key = (repo.top.clone(), merge_base, relative);
        let facts = match state.files.get(&key) {
            Some(facts) => Arc::clone(facts),
            None => {
                // A file that did not exist at the merge-base declared
                // nothing there; git fails for no other reason here, the
                // commit having just been found.
                let spec = format!("{}:{}", key.1, key.2);
                let text = self.run(&mut state, dir, &["show", &spec]);
                let facts = Arc::new(
                    text.map(|text| super::env::facts_of(path, &text))
                        .unwrap_or_default(),
                );
                state.files.insert(key, Arc::clone(&facts));
                facts
            }
        };
        Some(Snapshot {
            branch: short_name(&base).to_string(),
            facts,
        })
    }

    /// Forgets repositories and base branches (files changed outside the
    /// editor: a branch may have been created or fetched). What was logged
    /// stays logged.
    pub fn forget(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.repos.clear();
        state.bases.clear();
    }

    fn repo(&self, state: &mut State, dir: &Path) -> Option<Arc<Repo>> {
        if let Some(known) = state.repos.get(dir) {
            return known.clone();
        }
        let args = [
            "rev-parse",
            "--show-toplevel",
            "--absolute-git-dir",
            "--git-common-dir",
            "--show-prefix",
        ];
        let repo = self.run(state, dir, &args).and_then(|out| {
            let mut lines = out.lines();
            let top = PathBuf::from(lines.next()?);
            let git_dir = PathBuf::from(lines.next()?);
            // Relative to the directory git ran in.
            let common_dir = dir.join(lines.next()?);
            let prefix = lines.next().unwrap_or("").to_string();
            Some(Arc::new(Repo {
                top,
                git_dir,
                common_dir,
                prefix,
            }))
        });
        if repo.is_none() {
            log_once(
                state,
                Level::Info,
                format!(
                    "{} is not in a git repository (or git is missing): new-required-setting reports nothing there",
                    dir.display()
                ),
            );
        }
        state.repos.insert(dir.to_path_buf(), repo.clone());
        repo
    }

    /// The full ref name of the base branch: the configured branch (local,
    /// else a remote's), or the remote's default branch, else `main`, else
    /// `master`.
    fn base_ref(&self, state: &mut State, repo: &Repo, configured: Option<&str>) -> Option<String> {
        let key = (repo.top.clone(), configured.map(str::to_string));
        if let Some(known) = state.bases.get(&key) {
            return known.clone();
        }
        let candidates: Vec<String> = match configured {
            Some(name) => vec![
                format!("refs/heads/{name}"),
                format!("refs/remotes/{name}"),
                format!("refs/remotes/origin/{name}"),
            ],
            None => {
                let head = ["symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"];
                let remote_default = self.run(state, &repo.top, &head);
                remote_default
                    .map(|r| r.trim().to_string())
                    .into_iter()
                    .chain(
                        [
                            "refs/heads/main",
                            "refs/remotes/origin/main",
                            "refs/heads/master",
                            "refs/remotes/origin/master",
                        ]
                        .map(String::from),
                    )
                    .collect()
            }
        };
        let mut args = vec!["for-each-ref", "--format=%(refname)"];
        args.extend(candidates.iter().map(String::as_str));
        let existing = self.run(state, &repo.top, &args).unwrap_or_default();
        let found = candidates
            .into_iter()
            .find(|c| existing.lines().any(|line| line == c));
        if found.is_none() {
            let wanted = configured.map_or_else(
                || "no `origin/HEAD`, `main` or `master`".to_string(),
                |name| format!("no branch `{name}` (`base-branch`)"),
            );
            log_once(
                state,
                Level::Warn,
                format!(
                    "{} has {wanted}: new-required-setting reports nothing there",
                    repo.top.display()
                ),
            );
        }
        state.bases.insert(key, found.clone());
        found
    }

    fn merge_base(&self, state: &mut State, repo: &Repo, base: &str) -> Option<String> {
        // Read before git runs: if a ref moves meanwhile, the next check
        // sees a different stamp and asks again.
        let stamp = Stamp::read(repo, base);
        let key = (repo.top.clone(), base.to_string());
        if let Some((known, merge_base)) = state.merge_bases.get(&key)
            && *known == stamp
        {
            return merge_base.clone();
        }
        let merge_base = self
            .run(state, &repo.top, &["merge-base", "HEAD", base])
            .map(|out| out.trim().to_string())
            .filter(|id| !id.is_empty());
        if merge_base.is_none() {
            log_once(
                state,
                Level::Info,
                format!(
                    "{}: `HEAD` and `{}` have no merge-base: new-required-setting reports nothing there",
                    repo.top.display(),
                    short_name(base)
                ),
            );
        }
        state.merge_bases.insert(key, (stamp, merge_base.clone()));
        merge_base
    }

    /// git's standard output, when it ran and succeeded.
    fn run(&self, state: &mut State, dir: &Path, args: &[&str]) -> Option<String> {
        let runs = self.runs.fetch_add(1, Ordering::Relaxed) + 1;
        tracing::debug!(runs, dir = %dir.display(), "git {}", args.join(" "));
        let output = Command::new("git")
            .args(args)
            .current_dir(dir)
            // A hook running `preflight check` (pre-commit) exports these
            // for its own repository; discovery must start from `dir`.
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .output();
        match output {
            Ok(output) if output.status.success() => {
                Some(String::from_utf8_lossy(&output.stdout).into_owned())
            }
            // Why, for `PREFLIGHT_LOG=debug` (a repository git does not
            // trust, `safe.directory`, looks like no repository at all).
            Ok(output) => {
                let stderr = String::from_utf8_lossy(&output.stderr);
                tracing::debug!(dir = %dir.display(), "git {} failed: {}", args[0], stderr.trim());
                None
            }
            Err(error) => {
                log_once(
                    state,
                    Level::Warn,
                    format!("cannot run git ({error}): new-required-setting reports nothing"),
                );
                None
            }
        }
    }

    #[cfg(test)]
    fn runs(&self) -> usize {
        self.runs.load(Ordering::Relaxed)
    }
}

/// `main`, `origin/main`: a ref as a user names the branch.
fn short_name(full: &str) -> &str {
    full.strip_prefix("refs/heads/")
        .or_else(|| full.strip_prefix("refs/remotes/"))
        .unwrap_or(full)
}

enum Level {
    Info,
    Warn,
}

fn log_once(state: &mut State, level: Level, message: String) {
    if state.logged.insert(message.clone()) {
        match level {
            Level::Info => tracing::info!("{message}"),
            Level::Warn => tracing::warn!("{message}"),
        }
    }
}

/// Where `HEAD` and the base branch point, as the ref files say: `HEAD`
/// (a ref name or, detached, a commit id), the loose files of both refs,
/// and the size and time of the files that hold packed refs (`packed-refs`,
/// or reftable's table list). Any ref update changes one of them.
#[derive(Debug, PartialEq)]
struct Stamp {
    head: Option<Vec<u8>>,
    head_ref: Option<Vec<u8>>,
    base_ref: Option<Vec<u8>>,
    packed: Option<(u64, Option<SystemTime>)>,
    reftable: Option<(u64, Option<SystemTime>)>,
}

impl Stamp {
    fn read(repo: &Repo, base: &str) -> Stamp {
        let meta = |path: PathBuf| {
            std::fs::metadata(path)
                .ok()
                .map(|m| (m.len(), m.modified().ok()))
        };
        let head = std::fs::read(repo.git_dir.join("HEAD")).ok();
        let head_ref = head
            .as_deref()
            .and_then(|h| h.strip_prefix(b"ref: "))
            .and_then(|r| std::str::from_utf8(r.trim_ascii()).ok())
            .and_then(|r| read_ref(repo, r));
        Stamp {
            head_ref,
            head,
            base_ref: read_ref(repo, base),
            packed: meta(repo.common_dir.join("packed-refs")),
            reftable: meta(repo.common_dir.join("reftable").join("tables.list")),
        }
    }
}

/// A loose ref's file, read only for a well-formed name (a `HEAD` that
/// points outside `refs/` is not followed).
fn read_ref(repo: &Repo, name: &str) -> Option<Vec<u8>> {
    let well_formed = name.starts_with("refs/") && !name.split('/').any(|part| part == "..");
    well_formed
        .then(|| std::fs::read(repo.common_dir.join(name)).ok())
        .flatten()
}

#[cfg(test)]
mod tests;
