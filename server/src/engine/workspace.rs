//! What a document's rules may know about the rest of the workspace: the
//! cluster facts of every Kubernetes manifest (Services, PodDisruption-
//! Budgets, autoscalers), the env facts of every file that reads, declares,
//! documents or provides environment variables, and, per repository, where
//! its migrations live.
//!
//! The CLI scans the paths it checks once; the language server scans its
//! workspace folders on disk and then records each open document's facts as
//! it is analysed, so an unsaved PDB counts. `generation` changes whenever
//! the facts do, which tells the server its cached findings are stale.
//!
//! A workspace made [`Workspace::with_git`] also answers what a file was on
//! the base branch; the CLI's and the server's are, so that tests of files
//! inside this very repository do not depend on its branches.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use ignore::WalkBuilder;

use crate::analysis::env::project::{EnvFacts, Project};
use crate::analysis::manifest::{self, ClusterFacts};
use crate::analysis::orm::alembic_ini;
use crate::analysis::yaml_kind::is_yaml_path;
use crate::syntax::yaml::YamlFile;

use super::env;
use super::git::{Git, Snapshot};

/// Manifests larger than this are generated bundles, not what a PDB is
/// looked up in (and reading them would slow the scan).
const MAX_SCANNED_BYTES: u64 = 1 << 20;

#[derive(Debug, Default)]
pub struct Workspace {
    files: RwLock<BTreeMap<PathBuf, ClusterFacts>>,
    env: RwLock<BTreeMap<PathBuf, Arc<EnvFacts>>>,
    migrations: Mutex<HashMap<PathBuf, Vec<String>>>,
    generation: AtomicU64,
    /// Base-branch facts; `None`: git is not consulted.
    git: Option<Git>,
}

impl Workspace {
    /// The manifests under `roots` (ignore files respected, hidden
    /// directories skipped, as `preflight check` walks).
    pub fn scan(roots: &[PathBuf]) -> Self {
        let workspace = Workspace::default();
        workspace.scan_into(roots);
        workspace
    }

    /// This workspace, consulting git for base-branch facts.
    pub fn with_git(mut self) -> Self {
        self.git = Some(Git::default());
        self
    }

    /// The facts of the file at `path` (absolute) at the merge-base with the
    /// base branch; `None` when unknown or git is not consulted.
    pub(super) fn base_snapshot(&self, path: &Path, base_branch: Option<&str>) -> Option<Snapshot> {
        self.git.as_ref()?.snapshot(path, base_branch)
    }

    /// Records the manifests found under `roots`.
    pub fn scan_into(&self, roots: &[PathBuf]) {
        for root in roots {
            // Hidden files count (`.env.example`, `.gitlab-ci.yml`); hidden
            // directories do not, but for `.github` (workflows' `env:`).
            let walk = WalkBuilder::new(root)
                .require_git(false)
                .hidden(false)
                .filter_entry(|entry| {
                    let name = entry.file_name().to_string_lossy();
                    let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                    !is_dir
                        || entry.depth() == 0
                        || name == ".github"
                        || !(name.starts_with('.') || SKIPPED.contains(&name.as_ref()))
                })
                .build();
            for entry in walk.flatten() {
                let path = entry.path();
                let small = entry
                    .metadata()
                    .is_ok_and(|m| m.is_file() && m.len() <= MAX_SCANNED_BYTES);
                if !small || !Workspace::indexes(path) {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(path) else {
                    continue;
                };
                self.reread(path, &text);
            }
        }
    }

    /// Whether the workspace keeps facts of the file at `path`: manifests,
    /// env example files and modules that read or declare variables.
    pub fn indexes(path: &Path) -> bool {
        is_yaml_path(path) || env::indexes(path)
    }

    /// Records a file's facts from its text (a file changed on disk, or was
    /// found by the scan).
    pub fn reread(&self, path: &Path, text: &str) {
        let path = absolute(path);
        if is_yaml_path(&path) {
            // Cheap test first: most YAML files are not these objects.
            let interesting = ["PodDisruptionBudget", "Service", "HorizontalPodAutoscaler"]
                .iter()
                .any(|kind| text.contains(kind));
            let facts = if interesting {
                manifest::cluster_facts(&YamlFile::parse(text).documents())
            } else {
                ClusterFacts::default()
            };
            self.record(&path, facts);
        }
        if env::indexes(&path) {
            self.record_env(&path, env::facts_of(&path, text));
        }
    }

    /// Records a file's facts; the generation moves when they changed.
    pub fn record(&self, path: &Path, facts: ClusterFacts) {
        let mut files = self.files.write().unwrap_or_else(|e| e.into_inner());
        let changed = if facts.is_empty() {
            files.remove(path).is_some()
        } else if files.get(path) == Some(&facts) {
            false
        } else {
            files.insert(path.to_path_buf(), facts);
            true
        };
        if changed {
            self.generation.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// The facts of every file but `except`.
    pub fn cluster_except(&self, except: Option<&Path>) -> ClusterFacts {
        let files = self.files.read().unwrap_or_else(|e| e.into_inner());
        let mut facts = ClusterFacts::default();
        for (path, file) in files.iter() {
            if Some(path.as_path()) != except {
                facts.extend(file);
            }
        }
        facts
    }

    /// Records a file's env facts. The generation moves only when what other
    /// files are told changed: a line shifting under a read does not make
    /// every open document stale.
    pub fn record_env(&self, path: &Path, facts: EnvFacts) {
        let mut files = self.env.write().unwrap_or_else(|e| e.into_inner());
        let changed = match files.get(path) {
            Some(old) => !old.same_names(&facts),
            None => !facts.is_empty(),
        };
        if facts.is_empty() {
            files.remove(path);
        } else {
            files.insert(path.to_path_buf(), Arc::new(facts));
        }
        if changed {
            self.generation.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// The env facts of every indexed file.
    pub fn env_project(&self) -> Project {
        let files = self.env.read().unwrap_or_else(|e| e.into_inner());
        Project::new(
            files
                .iter()
                .map(|(p, f)| (p.clone(), Arc::clone(f)))
                .collect(),
        )
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// The migration directories of the repository at `root`, looked up once.
    pub fn migrations(&self, root: &Path) -> Vec<String> {
        let mut cache = self.migrations.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .entry(root.to_path_buf())
            .or_insert_with(|| find_migrations(root))
            .clone()
    }

    /// Forgets what was read from disk besides the manifests (after files
    /// changed outside the editor).
    pub fn forget_disk_facts(&self) {
        self.migrations
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        if let Some(git) = &self.git {
            git.forget();
        }
        self.generation.fetch_add(1, Ordering::SeqCst);
    }
}

/// Files that mark a project's root directory.
const PROJECT_MARKERS: &[&str] = &[
    ".git",
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "requirements.txt",
    "manage.py",
    "package.json",
    "go.mod",
    "Cargo.toml",
];

/// The root of the project holding `path`: the nearest directory above it
/// with a project marker (`.git`, `pyproject.toml`, `package.json`...).
pub fn project_root(path: &Path) -> Option<PathBuf> {
    absolute(path)
        .ancestors()
        .skip(1)
        .take(16)
        .find(|dir| PROJECT_MARKERS.iter().any(|m| dir.join(m).exists()))
        .map(Path::to_path_buf)
}

pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Directories that are not the project's own code.
const SKIPPED: &[&str] = &[
    "node_modules",
    "target",
    "vendor",
    "venv",
    "dist",
    "build",
    "site-packages",
];

/// Whether a directory of `path` is one the scan skips.
pub(super) fn in_skipped_dir(path: &Path) -> bool {
    path.parent()
        .into_iter()
        .flat_map(Path::components)
        .any(|c| SKIPPED.iter().any(|s| c.as_os_str() == *s))
}

/// Migration directories under `root` (three levels deep at most), relative
/// to it: `migrations/` (SQL, Django, Prisma, Knex, TypeORM...),
/// `alembic/versions/`, `db/migrate/`.
pub fn find_migrations(root: &Path) -> Vec<String> {
    let mut found = Vec::new();
    visit(root, root, 0, &mut found);
    // An `alembic.ini` at the root may keep the revisions anywhere.
    if let Some(layout) = std::fs::read_to_string(root.join("alembic.ini"))
        .ok()
        .and_then(|text| alembic_ini::layout(&text, root))
    {
        for dir in layout.version_locations.iter().filter(|d| has_entries(d)) {
            let relative = dir.strip_prefix(root).unwrap_or(dir);
            let relative = relative.to_string_lossy().replace('\\', "/");
            if !found.contains(&relative) {
                found.push(relative);
            }
        }
    }
    found.sort();
    found
}

fn visit(root: &Path, dir: &Path, depth: usize, found: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut subdirs: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    subdirs.sort();
    for sub in subdirs {
        let Some(name) = sub.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if name.starts_with('.') || SKIPPED.contains(&name) {
            continue;
        }
        let parent = dir.file_name().and_then(|n| n.to_str());
        let is_migrations = name == "migrations"
            || (name == "versions" && parent == Some("alembic"))
            || (name == "migrate" && parent == Some("db"));
        if is_migrations && has_entries(&sub) {
            let relative = sub.strip_prefix(root).unwrap_or(&sub);
            found.push(relative.to_string_lossy().replace('\\', "/"));
        } else if depth < 2 {
            visit(root, &sub, depth + 1, found);
        }
    }
}

fn has_entries(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut entries| {
        entries.any(|e| e.is_ok_and(|e| !e.file_name().to_string_lossy().starts_with('.')))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::manifest::Selector;

    #[test]
    fn alembic_ini_names_a_revisions_directory_anywhere() {
        let root = std::env::temp_dir().join(format!("preflight-ini-{}", std::process::id()));
        let versions = root.join("src/schema_changes/versions");
        std::fs::create_dir_all(&versions).expect("temp dir");
        std::fs::write(versions.join("a1_init.py"), "revision = 'a1'\n").expect("revision");
        std::fs::write(
            root.join("alembic.ini"),
            "[alembic]\nscript_location = %(here)s/src/schema_changes\n",
        )
        .expect("ini");
        assert_eq!(find_migrations(&root), ["src/schema_changes/versions"]);
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn records_move_the_generation_only_on_change() {
        let workspace = Workspace::default();
        let mut facts = ClusterFacts::default();
        facts.pdbs.push(Selector {
            namespace: None,
            labels: [("app".to_string(), "api".to_string())].into(),
            expressions: Vec::new(),
        });
        workspace.record(Path::new("/w/pdb.yaml"), facts.clone());
        let after_first = workspace.generation();
        workspace.record(Path::new("/w/pdb.yaml"), facts);
        assert_eq!(workspace.generation(), after_first);
        assert_eq!(workspace.cluster_except(None).pdbs.len(), 1);
        assert!(
            workspace
                .cluster_except(Some(Path::new("/w/pdb.yaml")))
                .is_empty()
        );
        workspace.record(Path::new("/w/pdb.yaml"), ClusterFacts::default());
        assert!(workspace.generation() > after_first);
        assert!(workspace.cluster_except(None).is_empty());
    }
}
