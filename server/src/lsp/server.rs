//! The `LanguageServer` implementation: protocol handlers over the engine.
//!
//! Ordering and staleness, the two things that make a language server wrong
//! rather than slow:
//! - tower-lsp-server may run handlers concurrently, but it starts them in
//!   arrival order; every handler that changes a document does so before its
//!   first `.await`, so edits apply in the order the client sent them.
//! - Analyses run on the blocking pool and may finish out of order. A pushed
//!   result is published only if its document is still at the version analysed,
//!   checked and sent under one lock so an older result can never overtake a
//!   newer one on the wire.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    CodeActionParams, CodeActionResponse, CodeLens, CodeLensParams, Diagnostic,
    DidChangeConfigurationParams, DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidChangeWatchedFilesRegistrationOptions, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, DocumentDiagnosticParams,
    DocumentDiagnosticReport, DocumentDiagnosticReportResult, ExecuteCommandParams,
    FileSystemWatcher, FullDocumentDiagnosticReport, GlobPattern, Hover, HoverParams,
    InitializeParams, InitializeResult, InitializedParams, InlayHint, InlayHintParams, MessageType,
    Registration, RelatedFullDocumentDiagnosticReport, ServerInfo, Uri,
};
use tower_lsp_server::{Client, LanguageServer};
use tracing::{debug, error, info, warn};

use super::actions::{self, ActionTarget};
use super::capabilities::{self, ClientSupport};
use super::commands;
use super::config_state::{self, ConfigState};
use super::convert;
use super::documents::{Applied, Documents, Need};
use super::transport::{Malformed, MalformedParams};
use crate::config::{self, Config, ConfigError};
use crate::engine::env_hover::env_hover;
use crate::engine::workspace::Workspace;
use crate::engine::{Analysis, StatementSummary};
use crate::finding::Finding;
use crate::text::{Document, Language, PositionEncoding};

/// The server handed to tower-lsp-server. Cheap to clone: handlers hand a clone
/// to the tasks they spawn.
#[derive(Clone)]
pub struct Backend {
    inner: Arc<Inner>,
}

struct Inner {
    client: Client,
    /// Set once by `initialize`; before that, LSP defaults (UTF-16, push).
    support: OnceLock<ClientSupport>,
    /// Workspace folders: where a document that is not a file looks for config.
    roots: OnceLock<Vec<PathBuf>>,
    documents: Documents,
    config: ConfigState,
    /// Invalid config files currently reported, by path. Guarded by a plain
    /// mutex: never held across an `.await`.
    problems: Mutex<HashMap<PathBuf, ConfigError>>,
    /// Settings problems found in `initialize`, shown once `initialized`.
    pending_messages: Mutex<Vec<String>>,
    /// Serialises the version check and the send of pushed diagnostics.
    publish: tokio::sync::Mutex<()>,
    /// `shutdown` was received: `exit` then ends the process with status 0.
    shutdown: Arc<AtomicBool>,
    /// The workspace's manifests (disk, then open documents as analysed):
    /// where a Deployment's PodDisruptionBudget is looked up.
    workspace: Arc<Workspace>,
}

impl Backend {
    pub fn new(client: Client, shutdown: Arc<AtomicBool>) -> Self {
        Backend {
            inner: Arc::new(Inner {
                client,
                support: OnceLock::new(),
                roots: OnceLock::new(),
                documents: Documents::default(),
                config: ConfigState::default(),
                problems: Mutex::new(HashMap::new()),
                pending_messages: Mutex::new(Vec::new()),
                publish: tokio::sync::Mutex::new(()),
                shutdown,
                workspace: Arc::new(Workspace::default().with_git()),
            }),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// The file behind a `file:` URI; other schemes (untitled, git, ...) have none.
fn file_path(uri: &Uri) -> Option<PathBuf> {
    if !uri.scheme().as_str().eq_ignore_ascii_case("file") {
        return None;
    }
    uri.to_file_path().map(|p| p.into_owned())
}

fn read_file(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

impl Inner {
    fn support(&self) -> ClientSupport {
        self.support.get().copied().unwrap_or_default()
    }

    fn push_mode(&self) -> bool {
        !self.support().pull_diagnostics
    }

    /// Where config discovery starts for a document.
    fn config_dir(&self, path: Option<&Path>) -> Option<PathBuf> {
        match path {
            Some(path) => path.parent().map(Path::to_path_buf),
            None => self.roots.get().and_then(|roots| roots.first().cloned()),
        }
    }

    /// Takes editor settings; returns a message for the user when they are bad.
    fn apply_settings(&self, settings: &serde_json::Value) -> Option<String> {
        let result = match config_state::overrides_from_settings(settings) {
            Ok(None) => Ok(()),
            Ok(Some(overrides)) => {
                if let Some(trace) = overrides.trace {
                    super::set_trace(trace);
                }
                self.config.set_overrides(overrides)
            }
            Err(message) => {
                // Unreadable settings: fall back to the config files alone.
                let _ = self.config.set_overrides(Default::default());
                Err(message)
            }
        };
        result
            .err()
            .map(|message| format!("preflight: {message}; editor settings ignored"))
    }

    /// Runs `f` over a document's findings on the blocking pool, then reports
    /// the document's config problem if it is new. `None`: the document is not
    /// open, moved past `only_version`, or the analysis panicked.
    async fn analyze<R, F>(
        self: &Arc<Self>,
        uri: Uri,
        only_version: Option<i32>,
        need: Need,
        f: F,
    ) -> Option<R>
    where
        R: Send + 'static,
        F: FnOnce(&Document, Option<&Path>, &[Finding]) -> R + Send + 'static,
    {
        self.configured(uri, move |documents, uri, config, generation| {
            documents.with_findings(uri, config, generation, only_version, need, f)
        })
        .await
    }

    /// A document's version, diagnostics and file, the positions of findings
    /// an edit did not move carried over from the last time.
    async fn diagnostics(
        self: &Arc<Self>,
        uri: Uri,
        only_version: Option<i32>,
        encoding: PositionEncoding,
    ) -> Option<(i32, Vec<Diagnostic>, Option<PathBuf>)> {
        self.configured(uri, move |documents, uri, config, generation| {
            documents.diagnostics(uri, config, generation, only_version, encoding)
        })
        .await
    }

    /// Like `analyze`, with the document's statement summaries as well.
    async fn analyze_facts<R, F>(self: &Arc<Self>, uri: Uri, f: F) -> Option<R>
    where
        R: Send + 'static,
        F: FnOnce(&Analysis, &[Finding], &[StatementSummary]) -> R + Send + 'static,
    {
        self.configured(uri, move |documents, uri, config, generation| {
            documents.with_facts(uri, config, generation, f)
        })
        .await
    }

    /// Runs `f` on the blocking pool with the configuration of the document at
    /// `uri`, then reports that configuration's problem if it is new.
    async fn configured<R, F>(self: &Arc<Self>, uri: Uri, f: F) -> Option<R>
    where
        R: Send + 'static,
        F: FnOnce(&Documents, &Uri, &Config, u64) -> Option<R> + Send + 'static,
    {
        let path = self.documents.path(&uri)?;
        let dir = self.config_dir(path.as_deref());
        let this = Arc::clone(self);
        let joined = tokio::task::spawn_blocking(move || {
            // Generation first: a change while we read files makes this stale.
            // Both counters only grow, so their sum moves when either does.
            let generation = this.config.generation() + this.workspace.generation();
            let resolved = this.config.resolve(dir.as_deref());
            let out = f(&this.documents, &uri, &resolved.config, generation);
            (resolved.error, out)
        })
        .await;
        match joined {
            Ok((problem, out)) => {
                if let Some(problem) = problem {
                    self.report_problem(problem).await;
                }
                out
            }
            Err(join_error) => {
                error!("analysis failed: {join_error}");
                None
            }
        }
    }

    /// Runs `f` over a document's statement summaries on the blocking pool.
    /// They depend on the text alone, so no configuration is read.
    async fn summarize<R, F>(self: &Arc<Self>, uri: Uri, f: F) -> Option<R>
    where
        R: Send + 'static,
        F: FnOnce(&Document, &[StatementSummary]) -> R + Send + 'static,
    {
        let this = Arc::clone(self);
        let joined =
            tokio::task::spawn_blocking(move || this.documents.with_summaries(&uri, f)).await;
        joined.unwrap_or_else(|join_error| {
            error!("statement summaries failed: {join_error}");
            None
        })
    }

    /// Computes and pushes one document's diagnostics, unless a newer version
    /// overtook it.
    async fn publish(self: &Arc<Self>, uri: Uri, only_version: Option<i32>) {
        let encoding = self.support().encoding;
        let facts_before = self.workspace.generation();
        let computed = self.diagnostics(uri.clone(), only_version, encoding).await;
        let Some((version, mut diagnostics, path)) = computed else {
            return;
        };
        // This document changed what other manifests may be told (a PDB was
        // added or removed): they are checked again.
        if self.workspace.generation() != facts_before {
            self.recheck_others(&uri);
        }
        // A config file open in the editor: a push replaces everything shown for
        // it, so its own problem must be part of the push.
        if let Some(path) = path {
            diagnostics.extend(self.problem_diagnostic(&path).await);
        }
        let _guard = self.publish.lock().await;
        if self.documents.version(&uri) != Some(version) {
            debug!(uri = uri.as_str(), version, "dropping stale diagnostics");
            return;
        }
        debug!(
            uri = uri.as_str(),
            version,
            count = diagnostics.len(),
            "publish"
        );
        self.client
            .publish_diagnostics(uri, diagnostics, Some(version))
            .await;
    }

    /// Re-diagnoses every open document but `uri` (pushed, or pulled again
    /// after a refresh).
    fn recheck_others(self: &Arc<Self>, uri: &Uri) {
        if self.push_mode() {
            for other in self.documents.uris().into_iter().filter(|o| o != uri) {
                self.spawn_publish(other, None);
            }
        } else {
            self.refresh();
        }
    }

    /// Reads changed YAML files' manifests from disk (unless open: then the
    /// editor's text counts) and forgets cached repository facts.
    async fn reread_files(self: &Arc<Self>, paths: Vec<PathBuf>) {
        let this = Arc::clone(self);
        let open: HashSet<PathBuf> = self
            .documents
            .uris()
            .iter()
            .filter_map(|uri| self.documents.path(uri).flatten())
            .collect();
        let before = self.workspace.generation();
        let _ = tokio::task::spawn_blocking(move || {
            this.workspace.forget_disk_facts();
            for path in paths.iter().filter(|p| !open.contains(*p)) {
                let text = read_file(path).unwrap_or_default();
                this.workspace.reread(path, &text);
            }
        })
        .await;
        if self.workspace.generation() != before && self.push_mode() {
            for uri in self.documents.uris() {
                self.spawn_publish(uri, None);
            }
        } else if self.workspace.generation() != before {
            self.refresh();
        }
    }

    fn spawn_publish(self: &Arc<Self>, uri: Uri, only_version: Option<i32>) {
        let this = Arc::clone(self);
        tokio::spawn(async move { this.publish(uri, only_version).await });
    }

    /// The `invalid-config` diagnostic for a config file currently reported.
    async fn problem_diagnostic(&self, path: &Path) -> Option<Diagnostic> {
        let problem = lock(&self.problems).get(path).cloned()?;
        let encoding = self.support().encoding;
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || {
            let text = read_file(&path).unwrap_or_default();
            convert::config_problem(&text, &problem.range, &problem.message, encoding)
        })
        .await
        .ok()
    }

    /// Pushes a config file's problem (or its absence) to the file's URI. Push
    /// also in pull mode: the file is usually not open, so nothing would pull.
    async fn publish_problem(&self, path: &Path) {
        let Some(uri) = Uri::from_file_path(path) else {
            return;
        };
        let diagnostics: Vec<Diagnostic> =
            self.problem_diagnostic(path).await.into_iter().collect();
        let _guard = self.publish.lock().await;
        self.client
            .publish_diagnostics(uri, diagnostics, None)
            .await;
    }

    /// Reports an invalid config file the first time it is seen in this form.
    async fn report_problem(&self, problem: ConfigError) {
        let new = {
            let mut problems = lock(&self.problems);
            let new = problems.get(&problem.path) != Some(&problem);
            if new {
                problems.insert(problem.path.clone(), problem.clone());
            }
            new
        };
        if new {
            warn!("invalid configuration: {problem}");
            self.client
                .show_message(
                    MessageType::ERROR,
                    format!("preflight: invalid configuration, using the defaults: {problem}"),
                )
                .await;
            self.publish_problem(&problem.path).await;
        }
    }

    /// After any configuration change: forget cached configs, re-read the config
    /// of every open document, update config-file diagnostics, re-diagnose.
    async fn reload(self: &Arc<Self>) {
        self.config.invalidate();
        info!("configuration changed, re-checking open documents");
        let dirs: HashSet<PathBuf> = self
            .documents
            .uris()
            .iter()
            .filter_map(|uri| self.documents.path(uri))
            .filter_map(|path| self.config_dir(path.as_deref()))
            .collect();
        let this = Arc::clone(self);
        let errors = tokio::task::spawn_blocking(move || {
            dirs.iter()
                .filter_map(|dir| this.config.resolve(Some(dir)).error)
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        let old = std::mem::take(&mut *lock(&self.problems));
        let mut current = HashMap::new();
        for error in errors {
            current.insert(error.path.clone(), error);
        }
        lock(&self.problems).extend(current.clone());
        for (path, problem) in &current {
            if old.get(path) != Some(problem) {
                self.client
                    .show_message(
                        MessageType::ERROR,
                        format!("preflight: invalid configuration, using the defaults: {problem}"),
                    )
                    .await;
            }
            self.publish_problem(path).await;
        }
        for path in old.keys().filter(|path| !current.contains_key(*path)) {
            self.publish_problem(path).await;
        }
        if self.push_mode() {
            for uri in self.documents.uris() {
                self.spawn_publish(uri, None);
            }
        }
        self.refresh();
    }

    /// Asks the client to request again what it pulls (diagnostics, lenses,
    /// hints), each only when the client supports the refresh. Sent in that
    /// order from one task that is not awaited here: the answers come through
    /// the same connection and this handler should not hold a concurrency slot
    /// waiting for them; joined, so that one unanswered refresh holds back none
    /// of the others.
    fn refresh(&self) {
        let support = self.support();
        let lenses = support.code_lens_refresh;
        let hints = support.class_hints() && support.inlay_hint_refresh;
        let diagnostics = !self.push_mode() && support.diagnostic_refresh;
        if !(lenses || hints || diagnostics) {
            return;
        }
        let client = self.client.clone();
        tokio::spawn(async move {
            let lenses = async {
                if lenses && let Err(e) = client.code_lens_refresh().await {
                    warn!("workspace/codeLens/refresh failed: {e}");
                }
            };
            let hints = async {
                if hints && let Err(e) = client.inlay_hint_refresh().await {
                    warn!("workspace/inlayHint/refresh failed: {e}");
                }
            };
            let diagnostics = async {
                if diagnostics && let Err(e) = client.workspace_diagnostic_refresh().await {
                    warn!("workspace/diagnostic/refresh failed: {e}");
                }
            };
            tokio::join!(lenses, hints, diagnostics);
        });
    }

    async fn show_pending_messages(&self) {
        let messages = std::mem::take(&mut *lock(&self.pending_messages));
        for message in messages {
            self.client
                .show_message(MessageType::WARNING, message)
                .await;
        }
    }

    /// Watches config files, when the client lets us register watchers; other
    /// clients still tell us about saves of open config files (`didSave`).
    fn register_watchers(&self) {
        // Config files, and the files the workspace index keeps: manifests
        // elsewhere decide `no-pdb`, settings elsewhere name a mixin's fields.
        let options = DidChangeWatchedFilesRegistrationOptions {
            watchers: [config::CONFIG_FILE, config::PYPROJECT_FILE]
                .into_iter()
                .chain(crate::engine::env::INDEXED_NAMES.iter().copied())
                .map(|name| FileSystemWatcher {
                    glob_pattern: GlobPattern::String(format!("**/{name}")),
                    kind: None,
                })
                .collect(),
        };
        let registration = Registration {
            id: "preflight-config-files".to_string(),
            method: "workspace/didChangeWatchedFiles".to_string(),
            register_options: serde_json::to_value(options).ok(),
        };
        let client = self.client.clone();
        tokio::spawn(async move {
            if let Err(e) = client.register_capability(vec![registration]).await {
                warn!("could not register config file watchers: {e}");
            }
        });
    }
}

impl Backend {
    /// Answers the stand-in for a message that could not be decoded (see
    /// `transport`) with the JSON-RPC error it deserves.
    pub async fn malformed_message(&self, params: MalformedParams) -> Result<()> {
        Err(match params.kind {
            Malformed::Parse => tower_lsp_server::jsonrpc::Error::parse_error(),
            Malformed::Invalid => tower_lsp_server::jsonrpc::Error::invalid_request(),
        })
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let support = ClientSupport::negotiate(&params.capabilities);
        info!(?support, "initialize");
        let _ = self.inner.support.set(support);
        let mut roots: Vec<PathBuf> = params
            .workspace_folders
            .iter()
            .flatten()
            .filter_map(|folder| file_path(&folder.uri))
            .collect();
        #[allow(deprecated)] // rootUri: still the only root some clients send
        if roots.is_empty()
            && let Some(root) = params.root_uri.as_ref().and_then(file_path)
        {
            roots.push(root);
        }
        self.inner.config.set_roots(roots.clone());
        let _ = self.inner.roots.set(roots);
        if let Some(options) = &params.initialization_options
            && let Some(message) = self.inner.apply_settings(options)
        {
            lock(&self.inner.pending_messages).push(message);
        }
        Ok(InitializeResult {
            capabilities: capabilities::server_capabilities(&support),
            server_info: Some(ServerInfo {
                name: "preflight".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            // clangd's pre-3.17 extension; `positionEncoding` is the standard.
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        if self.inner.support().watch_files_dynamic {
            self.inner.register_watchers();
        }
        // The manifests on disk, scanned once; open documents update them.
        let roots = self.inner.roots.get().cloned().unwrap_or_default();
        let inner = Arc::clone(&self.inner);
        let scanned = tokio::task::spawn_blocking(move || inner.workspace.scan_into(&roots)).await;
        if scanned.is_ok() && self.inner.workspace.generation() > 0 {
            for uri in self.inner.documents.uris() {
                if self.inner.push_mode() {
                    self.inner.spawn_publish(uri, None);
                }
            }
            if !self.inner.push_mode() {
                self.inner.refresh();
            }
        }
        self.inner.show_pending_messages().await;
    }

    async fn shutdown(&self) -> Result<()> {
        info!("shutdown");
        self.inner.shutdown.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let item = params.text_document;
        let path = file_path(&item.uri);
        let language = Language::detect(Some(&item.language_id), path.as_deref());
        debug!(
            uri = item.uri.as_str(),
            version = item.version,
            ?language,
            "open"
        );
        let document = Document::new(&item.text, item.version, language);
        let analysis =
            Analysis::new(path, document).with_workspace(Arc::clone(&self.inner.workspace));
        self.inner.documents.open(item.uri.clone(), analysis);
        if self.inner.push_mode() {
            self.inner.spawn_publish(item.uri, Some(item.version));
        }
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        // Applied before any `.await`: see the module comment.
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let changes = convert::text_changes(&params.content_changes);
        let encoding = self.inner.support().encoding;
        match self
            .inner
            .documents
            .apply(&uri, version, &changes, encoding)
        {
            Applied::Ok => {
                if self.inner.push_mode() {
                    self.inner.spawn_publish(uri, Some(version));
                }
            }
            Applied::Unknown => warn!(uri = uri.as_str(), "change to a document that is not open"),
            Applied::Failed(e) => {
                // The client's text and ours now differ and LSP has no way to
                // ask for the full text again: stop checking rather than show
                // diagnostics for text the user does not see.
                error!(uri = uri.as_str(), version, "cannot apply change: {e}");
                self.inner.documents.close(&uri);
                if self.inner.push_mode() {
                    let _guard = self.inner.publish.lock().await;
                    self.inner
                        .client
                        .publish_diagnostics(uri.clone(), Vec::new(), None)
                        .await;
                }
                self.inner
                    .client
                    .show_message(
                        MessageType::WARNING,
                        format!(
                            "preflight: could not apply an edit to {} ({e}); close and reopen the file to check it again",
                            uri.as_str()
                        ),
                    )
                    .await;
            }
        }
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        if file_path(&params.text_document.uri).is_some_and(|p| config_state::is_config_file(&p)) {
            self.inner.reload().await;
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let closed = self.inner.documents.close(&uri);
        // The file's unsaved text no longer counts: its manifests and env
        // facts are what is on disk again.
        if let Some(path) = file_path(&uri).filter(|p| closed && Workspace::indexes(p)) {
            self.inner.reread_files(vec![path]).await;
        }
        if !closed || !self.inner.push_mode() {
            return;
        }
        // Clear what we pushed, except a config file's own problem.
        let problem = match file_path(&uri) {
            Some(path) => self.inner.problem_diagnostic(&path).await,
            None => None,
        };
        let _guard = self.inner.publish.lock().await;
        self.inner
            .client
            .publish_diagnostics(uri, problem.into_iter().collect(), None)
            .await;
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        if let Some(message) = self.inner.apply_settings(&params.settings) {
            self.inner
                .client
                .show_message(MessageType::WARNING, message)
                .await;
        }
        self.inner.reload().await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let indexed: Vec<PathBuf> = params
            .changes
            .iter()
            .filter_map(|change| file_path(&change.uri))
            .filter(|p| Workspace::indexes(p))
            .collect();
        if !indexed.is_empty() {
            self.inner.reread_files(indexed).await;
        }
        let relevant = params
            .changes
            .iter()
            .any(|change| file_path(&change.uri).is_some_and(|p| config_state::is_config_file(&p)));
        if relevant {
            self.inner.reload().await;
        }
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let encoding = self.inner.support().encoding;
        let items = self
            .inner
            .diagnostics(params.text_document.uri, None, encoding)
            .await
            .map(|(_, diagnostics, _)| diagnostics)
            .unwrap_or_default();
        Ok(DocumentDiagnosticReportResult::Report(
            DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: None,
                    items,
                },
            }),
        ))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let support = self.inner.support();
        let uri = params.text_document.uri;
        let requested = params.range;
        let only = params.context.only;
        let actions = self
            .inner
            .analyze(
                uri.clone(),
                None,
                Need::Fixes,
                move |document, path, findings| {
                    let target = ActionTarget {
                        uri: &uri,
                        document,
                        path,
                        support,
                        read_file: &read_file,
                    };
                    actions::code_actions(&target, findings, requested, only.as_deref())
                },
            )
            .await;
        Ok(actions)
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let encoding = self.inner.support().encoding;
        let at = params.text_document_position_params.position;
        let uri = params.text_document_position_params.text_document.uri;
        let workspace = Arc::clone(&self.inner.workspace);
        let hover = self
            .inner
            .analyze_facts(uri, move |analysis, findings, summaries| {
                let document = analysis.document();
                let offset = convert::offset(&document.line_index(), at, encoding);
                let env = env_hover(analysis, &workspace.env_project(), offset);
                convert::hover(document, findings, summaries, env.as_ref(), at, encoding)
            })
            .await;
        Ok(hover.flatten())
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let encoding = self.inner.support().encoding;
        let lenses = self
            .inner
            .summarize(params.text_document.uri, move |document, summaries| {
                convert::code_lenses(document, summaries, encoding)
            })
            .await;
        Ok(lenses)
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let encoding = self.inner.support().encoding;
        let requested = params.range;
        let hints = self
            .inner
            .summarize(params.text_document.uri, move |document, summaries| {
                convert::inlay_hints(document, summaries, requested, encoding)
            })
            .await;
        Ok(hints)
    }

    async fn execute_command(
        &self,
        params: ExecuteCommandParams,
    ) -> Result<Option<serde_json::Value>> {
        debug!(command = params.command, "execute command");
        commands::execute(&params.command, &params.arguments)
    }
}
