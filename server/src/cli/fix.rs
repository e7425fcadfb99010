//! `preflight check --fix` / `--unsafe-fixes` / `--diff`: apply fixes before
//! reporting what is left. A file is fixed in rounds (check, apply the
//! non-overlapping fixes, check again) until nothing more applies, so fixes
//! that touch the same statement land one after the other.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use similar::TextDiff;

use super::display_path;
use crate::config::Config;
use crate::engine::Analysis;
use crate::engine::workspace::Workspace;
use crate::fixes::apply::{Allowed, Plan, apply_edits};
use crate::text::{Document, Language};

/// Enough for every fix of a migration to land; a file that still changes
/// after this many rounds has fixes that undo each other, a bug.
const MAX_ROUNDS: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixMode {
    pub allowed: Allowed,
    /// Show the changes as a unified diff instead of writing them.
    pub diff: bool,
}

/// What fixing one file changed.
#[derive(Debug, Default)]
pub struct Fixed {
    pub path: PathBuf,
    pub before: String,
    pub after: String,
    /// Files the fixes create or change besides this one.
    pub others: Vec<OtherText>,
    pub applied: usize,
}

/// Another file's text before (`None`: created) and after the fixes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherText {
    pub path: PathBuf,
    pub before: Option<String>,
    pub after: String,
}

impl Fixed {
    pub fn changed(&self) -> bool {
        self.before != self.after || !self.others.is_empty()
    }
}

/// Fixes `path` in memory. Another file a fix touches is read from disk (or
/// starts empty when the fix creates it); a fix that would create a file that
/// already exists is not applied.
pub fn fix_file(
    path: &Path,
    text: String,
    config: &Config,
    allowed: Allowed,
    workspace: Option<&Arc<Workspace>>,
) -> Fixed {
    let mut fixed = Fixed {
        path: path.to_path_buf(),
        after: text.clone(),
        before: text,
        ..Fixed::default()
    };
    for _ in 0..MAX_ROUNDS {
        let document = Document::new(&fixed.after, 0, Language::from_path(path));
        let mut analysis = Analysis::new(Some(path.to_path_buf()), document);
        if let Some(workspace) = workspace {
            analysis = analysis.with_workspace(Arc::clone(workspace));
        }
        let findings = analysis.findings(config);
        let plan = Plan::choose(&findings, allowed);
        let creates_existing = plan.others.iter().any(|other| {
            other.create
                && (other.path.exists() || fixed.others.iter().any(|o| o.path == other.path))
        });
        if plan.is_empty() || creates_existing {
            break;
        }
        let mut others = Vec::new();
        for other in &plan.others {
            // A file fixed earlier in this run is edited from its fixed text.
            let earlier = fixed.others.iter().position(|o| o.path == other.path);
            let before = match earlier {
                Some(i) => Some(fixed.others.remove(i).after),
                None if other.create => None,
                None => match std::fs::read_to_string(&other.path) {
                    Ok(text) => Some(text),
                    Err(_) => break,
                },
            };
            let mut edits: Vec<_> = other.edits.iter().collect();
            edits.sort_by_key(|e| (e.range.start, e.range.end));
            let after = apply_edits(before.as_deref().unwrap_or_default(), edits);
            others.push(OtherText {
                path: other.path.clone(),
                before,
                after,
            });
        }
        if others.len() != plan.others.len() {
            break;
        }
        // The next round (and the next file) must see what this one wrote
        // to another file: a key appended to `.env.example` is documented.
        if let Some(workspace) = workspace {
            for other in &others {
                workspace.reread(&other.path, &other.after);
            }
        }
        fixed.after = plan.apply(&fixed.after);
        fixed.applied += plan.fixes.len();
        fixed.others.extend(others);
    }
    fixed
}

/// Writes the fixed file and the files its fixes create.
pub fn write(fixed: &Fixed) -> Result<(), String> {
    for other in &fixed.others {
        let path = &other.path;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", display_path(dir)))?;
        }
        std::fs::write(path, &other.after)
            .map_err(|e| format!("cannot write {}: {e}", display_path(path)))?;
    }
    if fixed.before != fixed.after {
        std::fs::write(&fixed.path, &fixed.after)
            .map_err(|e| format!("cannot write {}: {e}", display_path(&fixed.path)))?;
    }
    Ok(())
}

/// The changes as unified diffs, one per file, created files against
/// `/dev/null`. In a diff, a file that is both checked and changed by another
/// file's fix shows both changes separately: nothing is written in between.
pub fn write_diff(out: &mut impl Write, fixed: &Fixed) -> io::Result<()> {
    let path = display_path(&fixed.path);
    if fixed.before != fixed.after {
        let diff = TextDiff::from_lines(&fixed.before, &fixed.after);
        write!(
            out,
            "{}",
            diff.unified_diff()
                .header(&format!("a/{path}"), &format!("b/{path}"))
        )?;
    }
    for other in &fixed.others {
        let path = display_path(&other.path);
        let old = match &other.before {
            Some(_) => format!("a/{path}"),
            None => "/dev/null".to_string(),
        };
        let diff = TextDiff::from_lines(other.before.as_deref().unwrap_or_default(), &other.after);
        write!(
            out,
            "{}",
            diff.unified_diff().header(&old, &format!("b/{path}"))
        )?;
    }
    Ok(())
}
