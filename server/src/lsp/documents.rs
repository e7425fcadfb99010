//! The open documents, each with its engine state and the findings and statement
//! summaries last computed for it.
//!
//! Locking: an entry is locked (DashMap shard lock) for the whole of an
//! analysis, which runs on the blocking pool. `didChange` takes the same lock
//! on the executor; it waits at most one analysis, and this is what keeps edits
//! in order without copying the engine's incremental state. Never hold an entry
//! across an `.await`, and never lock two entries at once.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use dashmap::DashMap;
use tower_lsp_server::ls_types::{Diagnostic, Uri};

use super::convert::{self, Converted};

use crate::config::Config;
use crate::engine::{Analysis, StatementSummary};
use crate::finding::Finding;
use crate::text::{ByteEdit, Document, EditError, PositionEncoding, TextChange};

/// Whether a caller needs the findings' fixes (code actions) or only the
/// findings (diagnostics, hovers): fixes are built only when asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Findings,
    Fixes,
}

/// Findings for (document version, configuration generation).
type Cached = Option<(i32, u64, Arc<Vec<Finding>>)>;

struct Open {
    analysis: Analysis,
    /// Findings without their fixes.
    cached: Cached,
    /// Findings with their fixes; current ones serve both needs.
    with_fixes: Cached,
    /// The findings last turned into diagnostics and the edits since, so the
    /// next conversion reuses the positions the edits did not move.
    converted: Option<(Converted, Option<ByteEdit>)>,
    /// Statement summaries for a document version; no configuration changes them.
    summaries: Option<(i32, Arc<Vec<StatementSummary>>)>,
}

impl Open {
    fn findings(&mut self, config: &Config, generation: u64, need: Need) -> Arc<Vec<Finding>> {
        let version = self.analysis.document().version();
        let current = |cached: &Cached| match cached {
            Some((v, g, findings)) if *v == version && *g == generation => Some(findings.clone()),
            _ => None,
        };
        if let Some(findings) = current(&self.with_fixes) {
            return findings;
        }
        match need {
            Need::Findings => current(&self.cached).unwrap_or_else(|| {
                let findings = Arc::new(self.analysis.diagnose(config));
                self.cached = Some((version, generation, findings.clone()));
                findings
            }),
            Need::Fixes => {
                let findings = Arc::new(self.analysis.findings(config));
                self.with_fixes = Some((version, generation, findings.clone()));
                findings
            }
        }
    }

    fn summaries(&mut self) -> Arc<Vec<StatementSummary>> {
        let version = self.analysis.document().version();
        match &self.summaries {
            Some((v, summaries)) if *v == version => summaries.clone(),
            _ => {
                let summaries = Arc::new(self.analysis.summaries());
                self.summaries = Some((version, summaries.clone()));
                summaries
            }
        }
    }
}

#[derive(Default)]
pub struct Documents {
    map: DashMap<Uri, Open>,
}

/// What `apply` did.
#[derive(Debug)]
pub enum Applied {
    Ok,
    /// Not open (a client bug, or a document dropped after a failed edit).
    Unknown,
    Failed(EditError),
}

impl Documents {
    pub fn open(&self, uri: Uri, analysis: Analysis) {
        self.map.insert(
            uri,
            Open {
                analysis,
                cached: None,
                with_fixes: None,
                converted: None,
                summaries: None,
            },
        );
    }

    pub fn close(&self, uri: &Uri) -> bool {
        self.map.remove(uri).is_some()
    }

    /// Applies one `didChange`. Synchronous on purpose: the caller runs it before
    /// its first `.await`.
    pub fn apply(
        &self,
        uri: &Uri,
        version: i32,
        changes: &[TextChange],
        encoding: PositionEncoding,
    ) -> Applied {
        let Some(mut open) = self.map.get_mut(uri) else {
            return Applied::Unknown;
        };
        open.cached = None;
        open.summaries = None;
        match open.analysis.apply_changes(version, changes, encoding) {
            Ok(edit) => {
                if let (Some((_, since)), Some(edit)) = (&mut open.converted, edit) {
                    *since = Some(since.map_or(edit, |before| before.then(edit)));
                }
                Applied::Ok
            }
            Err(error) => {
                // Some changes may have landed: positions cannot be carried over.
                open.converted = None;
                Applied::Failed(error)
            }
        }
    }

    pub fn version(&self, uri: &Uri) -> Option<i32> {
        self.map
            .get(uri)
            .map(|open| open.analysis.document().version())
    }

    /// The file behind an open document (`Some(None)`: open, but not a file).
    pub fn path(&self, uri: &Uri) -> Option<Option<PathBuf>> {
        self.map
            .get(uri)
            .map(|open| open.analysis.path().map(Path::to_path_buf))
    }

    pub fn uris(&self) -> Vec<Uri> {
        self.map.iter().map(|entry| entry.key().clone()).collect()
    }

    /// Runs `f` over the document and its findings under `config`, reusing the
    /// last findings when neither the text nor the configuration changed. With
    /// `only_version`, a document that has moved on is skipped (`None`): its
    /// newer version has an analysis of its own coming. Blocking: call it from
    /// the blocking pool.
    pub fn with_findings<R>(
        &self,
        uri: &Uri,
        config: &Config,
        generation: u64,
        only_version: Option<i32>,
        need: Need,
        f: impl FnOnce(&Document, Option<&Path>, &[Finding]) -> R,
    ) -> Option<R> {
        let mut open = self.map.get_mut(uri)?;
        let open = &mut *open;
        let version = open.analysis.document().version();
        if only_version.is_some_and(|wanted| wanted != version) {
            return None;
        }
        let findings = open.findings(config, generation, need);
        Some(f(open.analysis.document(), open.analysis.path(), &findings))
    }

    /// The document's version, diagnostics under `config` and file; `None`
    /// as `with_findings`. Positions an edit did not move are carried over
    /// from the last call. Blocking.
    pub fn diagnostics(
        &self,
        uri: &Uri,
        config: &Config,
        generation: u64,
        only_version: Option<i32>,
        encoding: PositionEncoding,
    ) -> Option<(i32, Vec<Diagnostic>, Option<PathBuf>)> {
        let mut open = self.map.get_mut(uri)?;
        let open = &mut *open;
        let version = open.analysis.document().version();
        if only_version.is_some_and(|wanted| wanted != version) {
            return None;
        }
        let findings = open.findings(config, generation, Need::Findings);
        let previous = open
            .converted
            .take()
            .map(|(converted, since)| (converted, since.unwrap_or(ByteEdit::NONE)));
        let (diagnostics, converted) =
            convert::diagnostics_after_edit(open.analysis.document(), findings, previous, encoding);
        open.converted = Some((converted, None));
        let path = open.analysis.path().map(Path::to_path_buf);
        Some((version, diagnostics, path))
    }

    /// Runs `f` over the document's analysis (after a check: its env facts
    /// are in the workspace), its findings under `config` and its statement
    /// summaries, each reused while still current. Blocking.
    pub fn with_facts<R>(
        &self,
        uri: &Uri,
        config: &Config,
        generation: u64,
        f: impl FnOnce(&Analysis, &[Finding], &[StatementSummary]) -> R,
    ) -> Option<R> {
        let mut open = self.map.get_mut(uri)?;
        let open = &mut *open;
        let findings = open.findings(config, generation, Need::Findings);
        let summaries = open.summaries();
        Some(f(&open.analysis, &findings, &summaries))
    }

    /// Runs `f` over the document and its statement summaries (reused while the
    /// text is unchanged). Blocking.
    pub fn with_summaries<R>(
        &self,
        uri: &Uri,
        f: impl FnOnce(&Document, &[StatementSummary]) -> R,
    ) -> Option<R> {
        let mut open = self.map.get_mut(uri)?;
        let open = &mut *open;
        let summaries = open.summaries();
        Some(f(open.analysis.document(), &summaries))
    }
}
