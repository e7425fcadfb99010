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
use crate::analysis::orm;
use crate::analysis::suppression::{Scope, directive};
use crate::finding::{Applicability, Edit, Finding, Fix};
use crate::fixes::apply::{Allowed, Plan};
use crate::rules::{self, Check};
use crate::syntax::trees;
use crate::text::{Document, Language, Position, PositionEncoding};

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

/// The kind of the action that applies every safe fix of a document.
pub const FIX_ALL: &str = "source.fixAll.preflight";

/// For the findings whose range meets `requested`: each fix as a quick fix,
/// then "ignore here" and "ignore in this file"; and, when asked for by kind,
/// the document's safe fixes as one `source.fixAll.preflight` action.
pub fn code_actions(
    target: &ActionTarget<'_>,
    findings: &[Finding],
    requested: ls::Range,
    only: Option<&[CodeActionKind]>,
) -> Vec<CodeActionOrCommand> {
    let mut actions = Vec::new();
    if wanted(only, CodeActionKind::QUICKFIX.as_str()) {
        let encoding = target.support.encoding;
        let index = target.document.line_index();
        let requested =
            offset(&index, requested.start, encoding)..offset(&index, requested.end, encoding);
        let touched: Vec<&Finding> = findings
            .iter()
            .filter(|f| intersects(&f.range, &requested))
            .collect();
        for finding in &touched {
            quick_fixes(target, finding, &mut actions);
        }
        for finding in &touched {
            ignore_actions(target, finding, &mut actions);
        }
    }
    // Only on request: a client asks for it by kind (on save, or from a
    // "fix all" command), never in the light bulb.
    if only.is_some_and(|only| !only.is_empty()) && wanted(only, FIX_ALL) {
        actions.extend(fix_all(target, findings));
    }
    actions
}

/// Whether a client's `only` filter admits `kind`: an entry matches itself
/// and every kind below it (`source` matches `source.fixAll.preflight`).
fn wanted(only: Option<&[CodeActionKind]>, kind: &str) -> bool {
    let Some(only) = only else { return true };
    only.iter().any(|o| {
        let o = o.as_str();
        o.is_empty()
            || kind == o
            || kind
                .strip_prefix(o)
                .is_some_and(|rest| rest.starts_with('.'))
    })
}

fn quick_fixes(target: &ActionTarget<'_>, finding: &Finding, out: &mut Vec<CodeActionOrCommand>) {
    for fix in &finding.fixes {
        let Some(edit) = workspace_edit(target, fix) else {
            tracing::debug!(rule = finding.rule, fix = %fix.title, "fix not expressible for this client");
            continue;
        };
        out.push(action(
            target,
            finding,
            fix.title.to_string(),
            CodeActionKind::QUICKFIX,
            edit,
            fix.applicability == Applicability::Safe,
        ));
    }
}

/// `-- preflight: ignore[rule] ...` on its own line above the finding, and
/// `-- preflight: ignore-file[rule] ...` at the top of the file. The reason
/// is left for the author to write; a destructive rule's suppression is
/// reported until it has one.
fn ignore_actions(
    target: &ActionTarget<'_>,
    finding: &Finding,
    out: &mut Vec<CodeActionOrCommand>,
) {
    let ignorable = rules::find(finding.rule).is_some_and(|r| !matches!(r.check, Check::Engine));
    let Some(marker) = target
        .document
        .language()
        .line_comment()
        .filter(|_| ignorable)
    else {
        return;
    };
    let index = target.document.line_index();
    // In Python or TypeScript the finding may sit inside a multi-line SQL
    // literal, where a comment line would become SQL: the directive goes
    // above the host statement holding it.
    let anchor =
        host_statement_start(target.document, finding.range.start).unwrap_or(finding.range.start);
    let line = index.position(anchor, PositionEncoding::Utf8).line;
    let line_text = index.line_text(line as usize);
    let indent: String = line_text
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let line_start = index.offset(Position::new(line, 0), PositionEncoding::Utf8);
    let here = directive(marker, Scope::NextStatement, finding.rule, REASON);
    let top = file_directive_offset(target.document);
    let file = directive(marker, Scope::File, finding.rule, REASON);
    for (title, at, text) in [
        (
            format!("Ignore `{}` here", finding.rule),
            line_start,
            format!("{indent}{here}\n"),
        ),
        (
            format!("Ignore `{}` in this file", finding.rule),
            top,
            format!("{file}\n"),
        ),
    ] {
        let fix = Fix {
            title: title.clone().into(),
            applicability: Applicability::Unsafe,
            edits: vec![Edit::insert(at, text)],
        };
        if let Some(edit) = workspace_edit(target, &fix) {
            out.push(action(
                target,
                finding,
                title,
                CodeActionKind::QUICKFIX,
                edit,
                false,
            ));
        }
    }
}

/// Where the host statement (Python, TypeScript) holding `offset` starts;
/// `None` for languages without a syntax tree.
fn host_statement_start(document: &Document, offset: usize) -> Option<usize> {
    let tree = trees::parse(document.language(), &document.text())?;
    let node = tree.root_node().descendant_for_byte_range(offset, offset)?;
    Some(orm::host_statement(node).start)
}

/// What the inserted directive says until the author writes the reason.
const REASON: &str = "TODO: say why this is safe here";

/// Where a file-wide directive goes: the first line, except after a marker
/// that must stay first (sqlx's `-- no-transaction`).
fn file_directive_offset(document: &Document) -> usize {
    let index = document.line_index();
    if index.line_text(0).trim_end() == "-- no-transaction" {
        index.offset(Position::new(1, 0), PositionEncoding::Utf8)
    } else {
        0
    }
}

/// The safe fixes of the whole document that do not overlap, as one edit.
fn fix_all(target: &ActionTarget<'_>, findings: &[Finding]) -> Option<CodeActionOrCommand> {
    let plan = Plan::choose(findings, Allowed::SafeOnly);
    if plan.is_empty() || !plan.others.is_empty() {
        return None;
    }
    let fix = Fix {
        title: "Apply every safe preflight fix".into(),
        applicability: Applicability::Safe,
        edits: plan.edits.into_iter().cloned().collect(),
    };
    let edit = workspace_edit(target, &fix)?;
    Some(CodeActionOrCommand::CodeAction(CodeAction {
        title: fix.title.into_owned(),
        kind: Some(CodeActionKind::new(FIX_ALL)),
        edit: Some(edit),
        ..CodeAction::default()
    }))
}

fn action(
    target: &ActionTarget<'_>,
    finding: &Finding,
    title: String,
    kind: CodeActionKind,
    edit: WorkspaceEdit,
    preferred: bool,
) -> CodeActionOrCommand {
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(kind),
        diagnostics: Some(vec![diagnostic(
            target.document,
            finding,
            target.support.encoding,
        )]),
        edit: Some(edit),
        is_preferred: Some(preferred),
        ..CodeAction::default()
    })
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
    use crate::finding::{MigrationClass, Severity};

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

    fn nothing(_: &Path) -> Option<String> {
        None
    }

    /// A target for a client with default capabilities and no other files.
    fn target<'a>(uri: &'a Uri, document: &'a Document) -> ActionTarget<'a> {
        ActionTarget {
            uri,
            document,
            path: None,
            support: ClientSupport::default(),
            read_file: &nothing,
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
        assert_eq!(
            titles(&actions),
            [
                "Add CONCURRENTLY",
                "Ignore `require-concurrent-index-creation` here",
                "Ignore `require-concurrent-index-creation` in this file",
            ]
        );
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
        let without = code_actions(&target, &findings, all, None);
        assert!(!titles(&without).contains(&"Split".to_string()));
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

    fn titles(actions: &[CodeActionOrCommand]) -> Vec<String> {
        actions
            .iter()
            .map(|a| match a {
                CodeActionOrCommand::CodeAction(a) => a.title.clone(),
                CodeActionOrCommand::Command(c) => c.title.clone(),
            })
            .collect()
    }

    fn inserted(action: &CodeActionOrCommand, uri: &Uri) -> (ls::Position, String) {
        let CodeActionOrCommand::CodeAction(action) = action else {
            panic!("a code action")
        };
        let edit = &action.edit.as_ref().unwrap().changes.as_ref().unwrap()[uri][0];
        (edit.range.start, edit.new_text.clone())
    }

    #[test]
    fn ignore_directives_go_above_the_line_and_below_a_first_line_marker() {
        let text = "-- no-transaction\n  CREATE INDEX i ON t (a);\n";
        let doc = Document::new(text, 1, Language::Sql);
        let uri = uri();
        let target = target(&uri, &doc);
        let mut f = finding(vec![]);
        f.range = text.find("CREATE").unwrap()..text.len() - 2;
        let cursor = ls::Range::new(ls::Position::new(1, 4), ls::Position::new(1, 4));
        let actions = code_actions(&target, &[f], cursor, None);
        assert_eq!(
            inserted(&actions[0], &uri),
            (
                ls::Position::new(1, 0),
                "  -- preflight: ignore[require-concurrent-index-creation] TODO: say why this is safe here\n".to_string()
            )
        );
        assert_eq!(inserted(&actions[1], &uri).0, ls::Position::new(1, 0));
        assert!(
            inserted(&actions[1], &uri)
                .1
                .starts_with("-- preflight: ignore-file[")
        );
    }

    #[test]
    fn fix_all_only_when_asked_for_by_kind() {
        let doc = Document::new(TEXT, 3, Language::Sql);
        let uri = uri();
        let target = target(&uri, &doc);
        let findings = [finding(vec![concurrently()])];
        let nowhere = ls::Range::new(ls::Position::new(0, 0), ls::Position::new(0, 0));
        assert!(code_actions(&target, &findings, nowhere, None).is_empty());
        for kind in ["source", "source.fixAll", FIX_ALL] {
            let only = [CodeActionKind::new(kind)];
            let actions = code_actions(&target, &findings, nowhere, Some(&only));
            assert_eq!(
                titles(&actions),
                ["Apply every safe preflight fix"],
                "{kind}"
            );
            assert_eq!(inserted(&actions[0], &uri).1, " CONCURRENTLY");
        }
        let quickfix = [CodeActionKind::QUICKFIX];
        assert!(code_actions(&target, &findings, nowhere, Some(&quickfix)).is_empty());
    }
}
