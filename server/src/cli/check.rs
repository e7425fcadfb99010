//! `preflight check [PATHS]`: pick the files, check them (in parallel), report.
//!
//! Directories are walked with the `ignore` crate: `.gitignore`, `.ignore` and
//! git's excludes are respected inside and outside git repositories, hidden files
//! and directories are skipped (but for `.github/`, `.gitlab/` and
//! `.gitlab-ci.yml`), and only files the engine handles and the
//! governing config includes are kept. A file named on the command line is
//! always checked. Output is sorted by path, then by offset, whatever order the
//! threads finish in.
//!
//! Exit codes: 0 when nothing is at or above `--fail-on`, 1 when something is,
//! 2 on a configuration or I/O error (after every other file has been checked and
//! reported).

use std::collections::HashSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ignore::WalkBuilder;

use super::fix::{self, FixMode, Fixed};
use super::report::{FileReport, Report, json, text};
use super::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, display_path, exit};
use crate::config::{Config, ConfigCache};
use crate::engine::workspace::Workspace;
use crate::engine::{self, Analysis, ClassCounts};
use crate::finding::{Finding, Severity};
use crate::fixes::apply::Allowed;
use crate::rules;
use crate::text::{Document, Language};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Files and directories; `.` when the user named none.
    pub paths: Vec<PathBuf>,
    pub format: OutputFormat,
    /// The lowest severity that makes the exit code 1.
    pub fail_on: Severity,
    /// `--fix`, `--unsafe-fixes`, `--diff`.
    pub fix: Option<FixMode>,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            paths: vec![PathBuf::from(".")],
            format: OutputFormat::Text,
            fail_on: Severity::Warning,
            fix: None,
        }
    }
}

/// Runs the check, writes the report to stdout and problems to stderr.
pub fn run(options: &CheckOptions) -> ExitCode {
    if let Some(mode) = options.fix.filter(|mode| mode.diff) {
        return diff(options, mode.allowed);
    }
    let (report, problems) = check(options);
    let mut stderr = io::stderr().lock();
    for problem in &problems {
        // Nothing sensible is left to do when stderr itself is gone.
        let _ = writeln!(stderr, "preflight: {problem}");
    }
    drop(stderr);

    let mut stdout = io::BufWriter::new(io::stdout().lock());
    let written = match options.format {
        OutputFormat::Text => text::write(&mut stdout, &report),
        OutputFormat::Json => json::write(&mut stdout, &report),
    }
    .and_then(|()| stdout.flush());
    if let Err(error) = written {
        // A closed pipe (`preflight check | head`) is not worth a message.
        if error.kind() != io::ErrorKind::BrokenPipe {
            let _ = writeln!(io::stderr(), "preflight: cannot write the report: {error}");
        }
        return exit(EXIT_ERROR);
    }
    exit(exit_code(&report, &problems, options.fail_on))
}

/// The report and every problem met on the way, each a message without the
/// `preflight: ` prefix, in a deterministic order.
pub fn check(options: &CheckOptions) -> (Report, Vec<String>) {
    let mut problems = Vec::new();
    let selected = select(&options.paths, &mut problems);
    let workspace = scan_workspace(&options.paths);
    if let Some(mode) = options.fix {
        let mut applied = 0;
        for file in &selected {
            match fix_one(file, mode.allowed, &workspace).and_then(|fixed| {
                fix::write(&fixed)?;
                Ok(fixed.applied)
            }) {
                Ok(n) => applied += n,
                Err(problem) => problems.push(problem),
            }
        }
        // On stderr, so `--format json` stays one document.
        let noun = if applied == 1 { "fix" } else { "fixes" };
        let _ = writeln!(io::stderr(), "preflight: applied {applied} {noun}");
    }
    let mut files = Vec::with_capacity(selected.len());
    for outcome in check_all(&selected, &workspace) {
        match outcome {
            Ok(Some(file)) => files.push(file),
            // A Python or TypeScript file that holds no migration.
            Ok(None) => {}
            Err(problem) => problems.push(problem),
        }
    }
    (Report { files }, problems)
}

pub fn exit_code(report: &Report, problems: &[String], fail_on: Severity) -> u8 {
    if !problems.is_empty() {
        EXIT_ERROR
    } else if report.max_severity().is_some_and(|max| max >= fail_on) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// A file to check and the configuration it runs under.
struct Selected {
    path: PathBuf,
    display: String,
    /// The governing config file (empty when none) and its settings.
    config: Arc<(PathBuf, Config)>,
    /// Named on the command line rather than found by walking.
    named: bool,
}

/// Resolves the command-line paths to files, sorted by path and without
/// duplicates. Missing paths, walk errors and broken configs become problems.
fn select(paths: &[PathBuf], problems: &mut Vec<String>) -> Vec<Selected> {
    let mut configs = Configs::default();
    let mut selected = Vec::new();
    for root in paths {
        let metadata = match std::fs::metadata(root) {
            Ok(metadata) => metadata,
            Err(error) => {
                problems.push(format!("cannot read {}: {error}", display_path(root)));
                continue;
            }
        };
        if !metadata.is_dir() {
            // Named explicitly: checked even if a walk would have skipped it.
            if let Some(config) = configs.for_file(root, problems) {
                selected.push(Selected {
                    path: root.clone(),
                    display: display_path(root),
                    config,
                    named: true,
                });
            }
            continue;
        }
        let walker = WalkBuilder::new(root)
            .require_git(false)
            .hidden(false)
            .filter_entry(|entry| {
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                entry.depth() == 0 || !is_hidden(entry.file_name(), is_dir)
            })
            .sort_by_file_name(|a, b| a.cmp(b))
            .build();
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                Err(error) => {
                    problems.push(walk_problem(&error));
                    continue;
                }
            };
            let path = entry.path();
            if !entry.file_type().is_some_and(|t| t.is_file()) || !engine::handles(path) {
                continue;
            }
            let Some(config) = configs.for_file(path, problems) else {
                continue;
            };
            if config.1.includes(path) {
                selected.push(Selected {
                    path: path.to_path_buf(),
                    display: display_path(path),
                    config,
                    named: false,
                });
            }
        }
    }
    selected.sort_by(|a, b| Path::new(&a.display).cmp(Path::new(&b.display)));
    let mut seen = HashSet::new();
    selected
        .retain(|file| seen.insert(std::path::absolute(&file.path).unwrap_or(file.path.clone())));
    selected
}

/// Hidden files and directories are skipped, except where CI configuration
/// lives: `.github/` and `.gitlab-ci.yml` (and `.gitlab/` for its includes),
/// and env files (`.env.example`; a `.env` git ignores is left out by the
/// walk's ignore rules). A directory named `.env` is a virtualenv.
fn is_hidden(name: &std::ffi::OsStr, is_dir: bool) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.')
        && !matches!(
            name.as_ref(),
            ".github" | ".gitlab" | ".gitlab-ci.yml" | ".gitlab-ci.yaml"
        )
        && (is_dir || Language::from_path(Path::new(name.as_ref())) != Language::Dotenv)
}

fn walk_problem(error: &ignore::Error) -> String {
    match error {
        ignore::Error::WithPath { path, err } => {
            format!("cannot read {}: {err}", display_path(path))
        }
        other => other.to_string(),
    }
}

/// The configs governing checked files, each broken one reported once.
struct Configs {
    cache: ConfigCache,
    /// What a file no config file governs runs under.
    default: Arc<(PathBuf, Config)>,
    reported: HashSet<String>,
}

impl Default for Configs {
    fn default() -> Self {
        Configs {
            cache: ConfigCache::new(),
            default: Arc::new((PathBuf::new(), Config::default())),
            reported: HashSet::new(),
        }
    }
}

impl Configs {
    /// The config a file runs under, or `None` when that config is broken
    /// (reported as a problem): the file is skipped.
    fn for_file(
        &mut self,
        path: &Path,
        problems: &mut Vec<String>,
    ) -> Option<Arc<(PathBuf, Config)>> {
        let dir = path.parent().unwrap_or(Path::new("."));
        match self.cache.lookup(dir, &|id| rules::find(id).is_some()) {
            Ok(found) => Some(found.unwrap_or_else(|| Arc::clone(&self.default))),
            Err(error) => {
                let message = error.to_string();
                if self.reported.insert(message.clone()) {
                    problems.push(message);
                }
                None
            }
        }
    }
}

/// The manifests around the checked paths (a named file's directory), so a
/// Deployment's PodDisruptionBudget is found in a sibling file; git is asked
/// what settings files were on the base branch.
fn scan_workspace(paths: &[PathBuf]) -> Arc<Workspace> {
    let roots: Vec<PathBuf> = paths
        .iter()
        .map(|path| match path.is_dir() {
            true => path.clone(),
            false => path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
        })
        .collect();
    Arc::new(Workspace::scan(&roots).with_git())
}

/// Checks every file, on as many threads as there are cores; results come back
/// in the order of `files`. `None`: a file preflight does not check after all
/// (YAML that is neither pipeline nor manifest, a Python or TypeScript file
/// that holds no migration).
fn check_all(
    files: &[Selected],
    workspace: &Arc<Workspace>,
) -> Vec<Result<Option<FileReport>, String>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len());
    if threads <= 1 {
        return files.iter().map(|f| check_file(f, workspace)).collect();
    }
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<Result<Option<FileReport>, String>>> = Vec::new();
    results.resize_with(files.len(), || None);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(file) = files.get(i) else { break };
                        done.push((i, check_file(file, workspace)));
                    }
                    done
                })
            })
            .collect();
        for worker in workers {
            let done = worker
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            for (i, result) in done {
                results[i] = Some(result);
            }
        }
    });
    results.into_iter().flatten().collect()
}

/// The file's report; `None` when it is YAML preflight does not check, or a
/// walk found a Python or TypeScript file that holds no migration
/// (`__init__.py`, `env.py`, a helper module).
fn check_file(file: &Selected, workspace: &Arc<Workspace>) -> Result<Option<FileReport>, String> {
    let text = read_text(file)?;
    if !engine::checks(&file.path, &text) {
        return Ok(None);
    }
    let language = Language::from_path(&file.path);
    let document = Document::new(&text, 0, language);
    let mut analysis =
        Analysis::new(Some(file.path.clone()), document).with_workspace(Arc::clone(workspace));
    let mut findings = analysis.findings(&file.config.1);
    // A walked Python or TypeScript file that holds no migration and reads
    // no environment variable is not reported (YAML was already sorted out
    // by `engine::checks`).
    if !file.named
        && language != Language::Yaml
        && !analysis.is_migration()
        && !analysis.reads_env()
    {
        return Ok(None);
    }
    // The statements parsed for the findings are reused here.
    let classes = analysis
        .is_migration()
        .then(|| ClassCounts::of(&analysis.summaries()));
    sort_findings(&mut findings);
    Ok(Some(FileReport {
        path: file.display.clone(),
        text,
        findings,
        classes,
    }))
}

/// `--diff`: the changes the fixes would make, without writing them. Exit
/// code 1 when there are any.
fn diff(options: &CheckOptions, allowed: Allowed) -> ExitCode {
    let mut problems = Vec::new();
    let selected = select(&options.paths, &mut problems);
    let workspace = scan_workspace(&options.paths);
    let mut stdout = io::BufWriter::new(io::stdout().lock());
    let mut changed = false;
    for file in &selected {
        match fix_one(file, allowed, &workspace) {
            Ok(fixed) => {
                changed |= fixed.changed();
                if fix::write_diff(&mut stdout, &fixed).is_err() {
                    return exit(EXIT_ERROR);
                }
            }
            Err(problem) => problems.push(problem),
        }
    }
    let _ = stdout.flush();
    for problem in &problems {
        let _ = writeln!(io::stderr(), "preflight: {problem}");
    }
    exit(if !problems.is_empty() {
        EXIT_ERROR
    } else if changed {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

fn fix_one(file: &Selected, allowed: Allowed, workspace: &Arc<Workspace>) -> Result<Fixed, String> {
    let text = read_text(file)?;
    Ok(fix::fix_file(
        &file.path,
        text,
        &file.config.1,
        allowed,
        Some(workspace),
    ))
}

fn read_text(file: &Selected) -> Result<String, String> {
    let bytes = std::fs::read(&file.path)
        .map_err(|error| format!("cannot read {}: {error}", file.display))?;
    String::from_utf8(bytes).map_err(|error| {
        format!(
            "{} is not valid UTF-8 (invalid byte at offset {})",
            file.display,
            error.utf8_error().valid_up_to()
        )
    })
}

fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (a.range.start, a.range.end, a.rule, &a.message).cmp(&(
            b.range.start,
            b.range.end,
            b.rule,
            &b.message,
        ))
    });
}
