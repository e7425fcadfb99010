//! Capability negotiation: what the client told us in `initialize`, boiled down
//! to the few facts the handlers branch on, and what we announce in return.

use tower_lsp_server::ls_types::{
    ClientCapabilities, CodeActionKind, CodeActionOptions, CodeActionProviderCapability,
    CodeLensOptions, DiagnosticOptions, DiagnosticServerCapabilities, HoverProviderCapability,
    OneOf, PositionEncodingKind, ResourceOperationKind, SaveOptions, ServerCapabilities,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions,
};

use super::commands;
use crate::text::PositionEncoding;

/// The client features the server adapts to. Fixed for the whole session.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientSupport {
    /// The unit columns are counted in, both ways.
    pub encoding: PositionEncoding,
    /// The client pulls (`textDocument/diagnostic`); pushing as well would show
    /// every diagnostic twice in clients that merge both (VS Code).
    pub pull_diagnostics: bool,
    /// The client accepts `workspace/diagnostic/refresh`, the only way to make a
    /// pulling client ask again after a configuration change.
    pub diagnostic_refresh: bool,
    /// We may register file watchers for configuration files at runtime.
    pub watch_files_dynamic: bool,
    /// Workspace edits may use `documentChanges` (versioned edits).
    pub document_changes: bool,
    /// Workspace edits may create files (needs `documentChanges` too).
    pub create_files: bool,
    /// The client shows code lenses (`textDocument.codeLens`): the statement
    /// classes go there.
    pub code_lens: bool,
    /// The client accepts `workspace/codeLens/refresh`.
    pub code_lens_refresh: bool,
    /// The client shows inlay hints (`textDocument.inlayHint`).
    pub inlay_hints: bool,
    /// The client accepts `workspace/inlayHint/refresh`.
    pub inlay_hint_refresh: bool,
}

impl ClientSupport {
    pub fn negotiate(caps: &ClientCapabilities) -> Self {
        let encoding = PositionEncoding::negotiate(
            caps.general
                .as_ref()
                .and_then(|g| g.position_encodings.as_deref())
                .unwrap_or_default()
                .iter()
                .map(PositionEncodingKind::as_str),
        );
        let workspace = caps.workspace.as_ref();
        let text_document = caps.text_document.as_ref();
        let edit = workspace.and_then(|w| w.workspace_edit.as_ref());
        let document_changes = edit.and_then(|e| e.document_changes).unwrap_or(false);
        let create_files = document_changes
            && edit
                .and_then(|e| e.resource_operations.as_ref())
                .is_some_and(|ops| ops.contains(&ResourceOperationKind::Create));
        ClientSupport {
            encoding,
            pull_diagnostics: text_document.is_some_and(|t| t.diagnostic.is_some()),
            diagnostic_refresh: workspace
                .and_then(|w| w.diagnostics.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
            watch_files_dynamic: workspace
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
            document_changes,
            create_files,
            code_lens: text_document.is_some_and(|t| t.code_lens.is_some()),
            code_lens_refresh: workspace
                .and_then(|w| w.code_lens.as_ref())
                .and_then(|c| c.refresh_support)
                .unwrap_or(false),
            inlay_hints: text_document.is_some_and(|t| t.inlay_hint.is_some()),
            inlay_hint_refresh: workspace
                .and_then(|w| w.inlay_hint.as_ref())
                .and_then(|i| i.refresh_support)
                .unwrap_or(false),
        }
    }

    /// Statement classes go into inlay hints: the client shows hints but no
    /// code lenses, which carry them otherwise.
    pub fn class_hints(&self) -> bool {
        self.inlay_hints && !self.code_lens
    }
}

/// What we announce. Only what is implemented: an advertised but unserved
/// capability makes clients send requests that fail.
pub fn server_capabilities(support: &ClientSupport) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::from(support.encoding.as_lsp_str())),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                // Saves matter only for configuration files, which we read from disk.
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        // Announced to every client: one that does not show lenses never asks.
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(false),
        }),
        inlay_hint_provider: support.class_hints().then_some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::new(super::actions::FIX_ALL),
            ]),
            resolve_provider: Some(false),
            ..CodeActionOptions::default()
        })),
        diagnostic_provider: support.pull_diagnostics.then(|| {
            DiagnosticServerCapabilities::Options(DiagnosticOptions {
                identifier: Some("preflight".to_string()),
                // A document's findings depend on configuration files, never on
                // other open documents; config changes are announced by a refresh.
                inter_file_dependencies: false,
                workspace_diagnostics: false,
                ..DiagnosticOptions::default()
            })
        }),
        // Editors ask for rule documentation by command (`preflight.explain`).
        execute_command_provider: Some(commands::options()),
        ..ServerCapabilities::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn caps(value: serde_json::Value) -> ClientCapabilities {
        serde_json::from_value(value).expect("valid client capabilities")
    }

    #[test]
    fn bare_client_gets_utf16_and_push() {
        let support = ClientSupport::negotiate(&caps(json!({})));
        assert_eq!(support, ClientSupport::default());
        let server = server_capabilities(&support);
        assert_eq!(server.position_encoding, Some(PositionEncodingKind::UTF16));
        assert!(server.diagnostic_provider.is_none());
        assert!(server.code_lens_provider.is_some());
        assert!(server.inlay_hint_provider.is_none());
    }

    #[test]
    fn inlay_hints_only_for_clients_without_code_lenses() {
        let hints_only = ClientSupport::negotiate(&caps(json!({
            "textDocument": { "inlayHint": {} },
            "workspace": { "inlayHint": { "refreshSupport": true } }
        })));
        assert!(hints_only.class_hints() && hints_only.inlay_hint_refresh);
        assert!(!hints_only.code_lens && !hints_only.code_lens_refresh);
        let server = server_capabilities(&hints_only);
        assert_eq!(server.inlay_hint_provider, Some(OneOf::Left(true)));
        assert!(server.code_lens_provider.is_some());

        let both = ClientSupport::negotiate(&caps(json!({
            "textDocument": { "inlayHint": {}, "codeLens": {} },
            "workspace": { "codeLens": { "refreshSupport": true } }
        })));
        assert!(both.code_lens && both.code_lens_refresh && !both.class_hints());
        assert!(server_capabilities(&both).inlay_hint_provider.is_none());
    }

    #[test]
    fn rich_client() {
        let support = ClientSupport::negotiate(&caps(json!({
            "general": { "positionEncodings": ["utf-16", "utf-8"] },
            "textDocument": { "diagnostic": { "dynamicRegistration": false } },
            "workspace": {
                "diagnostics": { "refreshSupport": true },
                "didChangeWatchedFiles": { "dynamicRegistration": true },
                "workspaceEdit": { "documentChanges": true, "resourceOperations": ["create", "rename"] }
            }
        })));
        assert_eq!(support.encoding, PositionEncoding::Utf8);
        assert!(support.pull_diagnostics && support.diagnostic_refresh);
        assert!(support.watch_files_dynamic && support.document_changes && support.create_files);
        let server = server_capabilities(&support);
        assert_eq!(server.position_encoding, Some(PositionEncodingKind::UTF8));
        assert!(server.diagnostic_provider.is_some());
    }

    #[test]
    fn resource_operations_without_document_changes_are_unusable() {
        let support = ClientSupport::negotiate(&caps(json!({
            "workspace": { "workspaceEdit": { "resourceOperations": ["create"] } }
        })));
        assert!(!support.create_files);
    }
}
