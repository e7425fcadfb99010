//! Code actions: each finding's fixes as quick fixes, "ignore" directives for
//! every finding, and `source.fixAll.preflight` (the safe fixes of the whole
//! document). Fixes arrive as byte-offset data from the engine; this is where
//! they become workspace edits in the client's position encoding, with file
//! creation when the client supports resource operations.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use tower_lsp_server::ls_types::{
    self as ls, CodeAction, CodeActionKind, CodeActionOrCommand, CreateFile, CreateFileOptions,
    DocumentChangeOperation, DocumentChanges, OneOf, OptionalVersionedTextDocumentIdentifier,
    ResourceOp, TextDocumentEdit, TextEdit, Uri, WorkspaceEdit,
};

use super::capabilities::ClientSupport;
use super::convert::{diagnostic, intersects, offset, range};
use crate::finding::{Applicability, Finding, Fix};
use crate::text::{Document, Language};

/// What building code actions needs besides the findings.
pub struct ActionTarget<'a> {
    pub uri: &'a Uri,
    pub document: &'a Document,
    /// The document's file, to resolve relative paths of edits in other files.
    pub path: Option<&'a Path>,
    pub support: ClientSupport,
    /// Reads a file an edit targets (other than the document). `None` when it
    /// does not exist, which is fine for a file the edit creates.
    pub read_file: &'a dyn Fn(&Path) -> Option<String>,
}

/// One quick fix per fix of every finding whose range meets `requested`.
pub fn code_actions(
    target: &ActionTarget<'_>,
    findings: &[Finding],
    requested: ls::Range,
    only: Option<&[CodeActionKind]>,
) -> Vec<CodeActionOrCommand> {
    // `only` filters by kind prefix ("quickfix" matches "quickfix", "" matches all).
    if let Some(only) = only {
        let wanted = only.iter().any(|kind| {
            let kind = kind.as_str();
            kind.is_empty() || kind == "quickfix"
        });
        if !wanted {
            return Vec::new();
        }
    }
    let encoding = target.support.encoding;
    let index = target.document.line_index();
    let requested =
        offset(&index, requested.start, encoding)..offset(&index, requested.end, encoding);
    let mut actions = Vec::new();
    for finding in findings.iter().filter(|f| intersects(&f.range, &requested)) {
        for fix in &finding.fixes {
            let Some(edit) = workspace_edit(target, fix) else {
                tracing::debug!(rule = finding.rule, fix = %fix.title, "fix not expressible for this client");
                continue;
            };
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.title.to_string(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic(target.document, finding, encoding)]),
                edit: Some(edit),
                is_preferred: Some(fix.applicability == Applicability::Safe),
                ..CodeAction::default()
            }));
        }
    }
    actions
}

/// The text edits for one file, and whether the file must be created first.
struct FileEdits {
    uri: Uri,
    /// `Some(version)` for the open document, so the client rejects a stale fix.
    version: Option<i32>,
    create: bool,
    edits: Vec<TextEdit>,
}

/// A fix as a workspace edit, or `None` when this client cannot apply it (a new
/// file without resource-operation support) or a target cannot be resolved.
fn workspace_edit(target: &ActionTarget<'_>, fix: &Fix) -> Option<WorkspaceEdit> {
    let encoding = target.support.encoding;
    let mut files: Vec<FileEdits> = Vec::new();
    // Other files' texts, indexed once per fix.
    let mut others: HashMap<PathBuf, Document> = HashMap::new();
    for edit in &fix.edits {
        let other = match &edit.file {
            None => None,
            Some(file) => {
                let file = resolve(target.path, file)?;
                (Some(file.as_path()) != target.path).then_some(file)
            }
        };
        let (uri, version, text_edit) = match other {
            None => {
                let index = target.document.line_index();
                let text_edit = TextEdit::new(
                    range(&index, &edit.range, encoding),
                    edit.replacement.clone(),
                );
                (
                    target.uri.clone(),
                    Some(target.document.version()),
                    text_edit,
                )
            }
            Some(file) => {
                let document = match others.entry(file.clone()) {
                    std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                    std::collections::hash_map::Entry::Vacant(e) => {
                        // A missing file is empty only when the fix creates it.
                        let text = match (target.read_file)(&file) {
                            Some(text) => text,
                            None if edit.create => String::new(),
                            None => return None,
                        };
                        e.insert(Document::new(&text, 0, Language::from_path(&file)))
                    }
                };
                let index = document.line_index();
                let text_edit = TextEdit::new(
                    range(&index, &edit.range, encoding),
                    edit.replacement.clone(),
                );
                (Uri::from_file_path(&file)?, None, text_edit)
            }
        };
        match files.iter_mut().find(|f| f.uri == uri) {
            Some(entry) => {
                entry.create |= edit.create && version.is_none();
                entry.edits.push(text_edit);
            }
            None => files.push(FileEdits {
                uri,
                create: edit.create && version.is_none(),
                version,
                edits: vec![text_edit],
            }),
        }
    }
    if files.iter().any(|f| f.create) {
        if !target.support.create_files {
            return None;
        }
        let mut operations = Vec::new();
        for file in files {
            if file.create {
                operations.push(DocumentChangeOperation::Op(ResourceOp::Create(
                    CreateFile {
                        uri: file.uri.clone(),
                        // An existing file is kept and edited (e.g. a line appended
                        // to `.env.example`); the edit ranges were computed on it.
                        options: Some(CreateFileOptions {
                            overwrite: Some(false),
                            ignore_if_exists: Some(true),
                        }),
                        annotation_id: None,
                    },
                )));
            }
            operations.push(DocumentChangeOperation::Edit(text_document_edit(file)));
        }
        return Some(WorkspaceEdit {
            document_changes: Some(DocumentChanges::Operations(operations)),
            ..WorkspaceEdit::default()
        });
    }
    if target.support.document_changes {
        return Some(WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(
                files.into_iter().map(text_document_edit).collect(),
            )),
            ..WorkspaceEdit::default()
        });
    }
    let changes = files.into_iter().map(|f| (f.uri, f.edits)).collect();
    Some(WorkspaceEdit::new(changes))
}

fn text_document_edit(file: FileEdits) -> TextDocumentEdit {
    TextDocumentEdit {
        text_document: OptionalVersionedTextDocumentIdentifier {
            uri: file.uri,
            version: file.version,
        },
        edits: file.edits.into_iter().map(OneOf::Left).collect(),
    }
}

/// An edit's file: absolute as given, or relative to the document's directory.
fn resolve(document: Option<&Path>, file: &Path) -> Option<PathBuf> {
    if file.is_absolute() {
        return Some(file.to_path_buf());
    }
    Some(document?.parent()?.join(file))
}


#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Edit, MigrationClass, Severity};

    const TEXT: &str = "-- 🚀 note\nSELECT '🚀'; CREATE INDEX i ON t (a);\n";

    fn finding(fixes: Vec<Fix>) -> Finding {
        let start = TEXT.find("CREATE").unwrap();
        Finding {
            rule: "require-concurrent-index-creation",
            severity: Severity::Warning,
            class: MigrationClass::Additive,
            range: start..TEXT.rfind(';').unwrap(),
            message: "index built with a lock".into(),
            help: None,
            fixes,
        }
    }

    fn concurrently() -> Fix {
        let at = TEXT.find("INDEX").unwrap() + "INDEX".len();
        Fix {
            title: "Add CONCURRENTLY".into(),
            applicability: Applicability::Safe,
            edits: vec![Edit::insert(at, " CONCURRENTLY")],
        }
    }

    fn uri() -> Uri {
        "file:///m/001.sql".parse().unwrap()
    }

    #[test]
    fn quick_fix_for_intersecting_range_only() {
        let doc = Document::new(TEXT, 3, Language::Sql);
        let uri = uri();
        let none = |_: &Path| None;
        let target = ActionTarget {
            uri: &uri,
            document: &doc,
            path: Some(Path::new("/m/001.sql")),
            support: ClientSupport::default(),
            read_file: &none,
        };
        let findings = [finding(vec![concurrently()])];
        let on_line0 = ls::Range::new(ls::Position::new(0, 0), ls::Position::new(0, 2));
        assert!(code_actions(&target, &findings, on_line0, None).is_empty());
        let cursor = ls::Range::new(ls::Position::new(1, 20), ls::Position::new(1, 20));
        let actions = code_actions(&target, &findings, cursor, None);
        assert_eq!(actions.len(), 1);
        let CodeActionOrCommand::CodeAction(action) = &actions[0] else {
            panic!("a code action")
        };
        assert_eq!(action.is_preferred, Some(true));
        let changes = action.edit.as_ref().unwrap().changes.as_ref().unwrap();
        assert_eq!(changes[&uri][0].range.start, ls::Position::new(1, 25));
        let refactor_only = [CodeActionKind::REFACTOR];
        assert!(code_actions(&target, &findings, cursor, Some(&refactor_only)).is_empty());
    }

    #[test]
    fn created_file_needs_resource_operations() {
        let doc = Document::new(TEXT, 3, Language::Sql);
        let uri = uri();
        let none = |_: &Path| None;
        let split = Fix {
            title: "Split".into(),
            applicability: Applicability::Unsafe,
            edits: vec![
                Edit::replace(0..0, "-- moved\n"),
                Edit {
                    file: Some(PathBuf::from("002.sql")),
                    range: 0..0,
                    replacement: "CREATE INDEX CONCURRENTLY i ON t (a);\n".into(),
                    create: true,
                },
            ],
        };
        let mut target = ActionTarget {
            uri: &uri,
            document: &doc,
            path: Some(Path::new("/m/001.sql")),
            support: ClientSupport::default(),
            read_file: &none,
        };
        let findings = [finding(vec![split])];
        let all = ls::Range::new(ls::Position::new(0, 0), ls::Position::new(9, 0));
        assert!(code_actions(&target, &findings, all, None).is_empty());
        target.support.document_changes = true;
        target.support.create_files = true;
        let actions = code_actions(&target, &findings, all, None);
        let CodeActionOrCommand::CodeAction(action) = &actions[0] else {
            panic!("a code action")
        };
        assert_eq!(action.is_preferred, Some(false));
        let Some(DocumentChanges::Operations(ops)) =
            &action.edit.as_ref().unwrap().document_changes
        else {
            panic!("operations")
        };
        assert_eq!(ops.len(), 3);
        let DocumentChangeOperation::Op(ResourceOp::Create(create)) = &ops[1] else {
            panic!("create second: {ops:?}")
        };
        assert_eq!(create.uri.as_str(), "file:///m/002.sql");
    }
}
