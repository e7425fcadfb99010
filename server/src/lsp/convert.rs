//! Engine data → LSP data (diagnostics, code actions, hovers, classification
//! lenses and hints). The engine speaks byte offsets only; this module is
//! the one place they become line/column positions, always through the
//! document's [`LineIndex`] and the encoding negotiated with the client, so that
//! an emoji or a CJK identifier can never shift a squiggle.

use std::ops::Range;
use std::sync::Arc;

use tower_lsp_server::ls_types::{
    self as ls, CodeLens, Command, Diagnostic, DiagnosticSeverity, Hover, HoverContents, InlayHint,
    InlayHintLabel, MarkupContent, MarkupKind, NumberOrString, TextDocumentContentChangeEvent,
};

use crate::engine::env_hover::EnvHover;
use crate::engine::{ClassCounts, StatementSummary};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules;
use crate::text::{
    ByteEdit, Document, Language, LineIndex, Position, PositionEncoding, TextChange,
};

/// `Diagnostic.source` on everything we publish.
pub const SOURCE: &str = "preflight";

pub fn position(index: &LineIndex<'_>, offset: usize, encoding: PositionEncoding) -> ls::Position {
    lsp_position(index.position(offset, encoding))
}

fn lsp_position(p: Position) -> ls::Position {
    ls::Position::new(p.line, p.character)
}

pub fn range(index: &LineIndex<'_>, bytes: &Range<usize>, encoding: PositionEncoding) -> ls::Range {
    let (start, end) = index.span(bytes, encoding);
    ls::Range::new(lsp_position(start), lsp_position(end))
}

pub fn offset(index: &LineIndex<'_>, p: ls::Position, encoding: PositionEncoding) -> usize {
    index.offset(Position::new(p.line, p.character), encoding)
}

fn text_position(p: ls::Position) -> Position {
    Position::new(p.line, p.character)
}

/// `contentChanges` out of LSP types. Columns stay in the negotiated encoding;
/// the document resolves them against its text when it applies the change.
pub fn text_changes(events: &[TextDocumentContentChangeEvent]) -> Vec<TextChange> {
    events
        .iter()
        .map(|e| TextChange {
            range: e
                .range
                .map(|r| (text_position(r.start), text_position(r.end))),
            text: e.text.clone(),
        })
        .collect()
}

fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

pub fn diagnostic(
    document: &Document,
    finding: &Finding,
    encoding: PositionEncoding,
) -> Diagnostic {
    diagnostic_at(
        finding,
        range(&document.line_index(), &finding.range, encoding),
    )
}

fn diagnostic_at(finding: &Finding, range: ls::Range) -> Diagnostic {
    // The help goes into the message: related information and code descriptions
    // are shown inconsistently across clients, the message is shown everywhere.
    let help = finding.help.as_deref().unwrap_or("");
    let mut message = String::with_capacity(finding.message.len() + help.len() + 8);
    message.push_str(&finding.message);
    if !help.is_empty() {
        message.push_str("\n\nhelp: ");
        message.push_str(help);
    }
    Diagnostic {
        range,
        severity: Some(severity(finding.severity)),
        code: Some(NumberOrString::String(finding.rule.to_string())),
        source: Some(SOURCE.to_string()),
        message,
        ..Diagnostic::default()
    }
}

pub fn diagnostics(
    document: &Document,
    findings: &[Finding],
    encoding: PositionEncoding,
) -> Vec<Diagnostic> {
    let ranges = ranges(document, findings, encoding);
    to_diagnostics(findings, &ranges)
}

fn to_diagnostics(findings: &[Finding], ranges: &[ls::Range]) -> Vec<Diagnostic> {
    findings
        .iter()
        .zip(ranges)
        .map(|(finding, range)| diagnostic_at(finding, *range))
        .collect()
}

/// Every finding's range in the client's encoding, in one pass over the text
/// (a file may have thousands).
fn ranges(document: &Document, findings: &[Finding], encoding: PositionEncoding) -> Vec<ls::Range> {
    ranges_of(document, findings.iter().map(|f| &f.range), encoding)
}

fn ranges_of<'f>(
    document: &Document,
    byte_ranges: impl Iterator<Item = &'f Range<usize>>,
    encoding: PositionEncoding,
) -> Vec<ls::Range> {
    let offsets: Vec<usize> = byte_ranges.flat_map(|r| [r.start, r.end]).collect();
    let positions = document.line_index().positions(&offsets, encoding);
    positions
        .chunks_exact(2)
        .map(|ends| ls::Range::new(lsp_position(ends[0]), lsp_position(ends[1])))
        .collect()
}

/// The findings last converted for a document and their ranges, so the next
/// conversion after an edit only computes the positions the edit moved.
#[derive(Debug, Clone)]
pub struct Converted {
    findings: Arc<Vec<Finding>>,
    ranges: Vec<ls::Range>,
    /// The document's line count then.
    lines: usize,
    encoding: PositionEncoding,
}

/// Diagnostics for `findings`, reusing the ranges of `previous` for the
/// findings `edit` (everything changed since `previous`) did not touch: one
/// before the edit keeps its range; one after it, on a later line than the
/// edit's end, keeps its columns and moves by the lines the edit added or
/// removed. The rest are computed, by a walk over the rope when there are
/// many. Returns what to pass next time.
pub fn diagnostics_after_edit(
    document: &Document,
    findings: Arc<Vec<Finding>>,
    previous: Option<(Converted, ByteEdit)>,
    encoding: PositionEncoding,
) -> (Vec<Diagnostic>, Converted) {
    let lines = document.rope().len_lines();
    let ranges = match previous {
        Some((previous, edit)) if previous.encoding == encoding => {
            carried_ranges(document, &findings, &previous, edit, lines)
        }
        _ => ranges(document, &findings, encoding),
    };
    let diagnostics = to_diagnostics(&findings, &ranges);
    let converted = Converted {
        findings,
        ranges,
        lines,
        encoding,
    };
    (diagnostics, converted)
}

fn carried_ranges(
    document: &Document,
    findings: &[Finding],
    previous: &Converted,
    edit: ByteEdit,
    lines: usize,
) -> Vec<ls::Range> {
    let encoding = previous.encoding;
    let index = document.line_index();
    let edit_end_line = i64::from(index.position(edit.new_end, encoding).line);
    let line_delta = lines as i64 - previous.lines as i64;
    let delta = edit.delta();
    let mut old = previous.findings.iter().zip(&previous.ranges).peekable();
    let mut ranges = Vec::with_capacity(findings.len());
    let mut missing = Vec::new();
    for (i, finding) in findings.iter().enumerate() {
        let before = finding.range.end <= edit.start;
        let after = finding.range.start >= edit.new_end;
        // The finding's range in the previous text.
        let was = match (before, after) {
            (true, _) => Some(finding.range.clone()),
            (_, true) => Some(
                finding.range.start.saturating_add_signed(-delta)
                    ..finding.range.end.saturating_add_signed(-delta),
            ),
            _ => None,
        };
        let carried = was.and_then(|was| {
            // Both lists are sorted by range: skip what came before.
            while old
                .next_if(|(g, _)| (g.range.start, g.range.end) < (was.start, was.end))
                .is_some()
            {}
            let (_, range) = old.next_if(|(g, _)| g.range == was && same_report(g, finding))?;
            if before {
                return Some(*range);
            }
            let line = i64::from(range.start.line) + line_delta;
            (line > edit_end_line).then(|| shifted(*range, line_delta))
        });
        match carried {
            Some(range) => ranges.push(range),
            None => {
                missing.push(i);
                ranges.push(ls::Range::default());
            }
        }
    }
    // Many moved findings: one walk; a few: a descent each.
    if missing.len() > 64 {
        let moved = missing.iter().map(|&i| &findings[i].range);
        let computed = ranges_of(document, moved, encoding);
        for (&i, range) in missing.iter().zip(computed) {
            ranges[i] = range;
        }
    } else {
        for &i in &missing {
            ranges[i] = range(&index, &findings[i].range, encoding);
        }
    }
    ranges
}

/// The same finding as before the edit, apart from where it is.
fn same_report(old: &Finding, new: &Finding) -> bool {
    old.rule == new.rule
        && old.severity == new.severity
        && old.message == new.message
        && old.help == new.help
}

fn shifted(range: ls::Range, lines: i64) -> ls::Range {
    let line = |p: ls::Position| {
        ls::Position::new(
            u32::try_from(i64::from(p.line) + lines).unwrap_or(p.line),
            p.character,
        )
    };
    ls::Range::new(line(range.start), line(range.end))
}

/// A configuration problem as a diagnostic on the configuration file, at the
/// error's byte range in `config_text` (read from disk by the caller: the file
/// is usually not open).
pub fn config_problem(
    config_text: &str,
    bytes: &Range<usize>,
    message: &str,
    encoding: PositionEncoding,
) -> Diagnostic {
    let document = Document::new(config_text, 0, Language::Toml);
    let index = document.line_index();
    Diagnostic {
        range: range(&index, bytes, encoding),
        severity: Some(DiagnosticSeverity::ERROR),
        code: Some(NumberOrString::String("invalid-config".to_string())),
        source: Some(SOURCE.to_string()),
        message: message.to_string(),
        ..Diagnostic::default()
    }
}

/// Whether two byte ranges touch or overlap. Touching counts: a cursor right
/// after the last character of a statement still gets its quick fixes.
pub(super) fn intersects(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start <= b.end && b.start <= a.end
}

/// The hover for a position: what the project knows about the environment
/// variable named there (`env`, from the engine); the documentation of every
/// rule with a finding there, in finding order, each rule once; then what the
/// statement there does (its class, and per operation its lock, table work and
/// transaction restriction), whether or not anything was found in it.
pub fn hover(
    document: &Document,
    findings: &[Finding],
    summaries: &[StatementSummary],
    env: Option<&EnvHover>,
    at: ls::Position,
    encoding: PositionEncoding,
) -> Option<Hover> {
    let index = document.line_index();
    let at = offset(&index, at, encoding);
    let mut sections: Vec<String> = Vec::new();
    let mut span: Option<Range<usize>> = None;
    let mut cover = |range: &Range<usize>| {
        span = Some(match span.take() {
            Some(span) => span.start.min(range.start)..span.end.max(range.end),
            None => range.clone(),
        });
    };
    if let Some(env) = env {
        cover(&env.range);
        sections.push(env.markdown.clone());
    }
    let mut seen: Vec<&str> = Vec::new();
    for finding in findings
        .iter()
        .filter(|f| (f.range.start <= at && at < f.range.end) || f.range.start == at)
    {
        cover(&finding.range);
        if seen.contains(&finding.rule) {
            continue;
        }
        seen.push(finding.rule);
        let docs = rules::find(finding.rule)
            .map(|rule| rule.docs())
            .filter(|docs| !docs.is_empty())
            .unwrap_or_else(|| finding.message.clone());
        sections.push(format!("**preflight** `{}`\n\n{docs}", finding.rule));
    }
    // The statement's range stops before its `;`; the `;` still belongs to it.
    if let Some(statement) = summaries
        .iter()
        .find(|s| s.range.start <= at && at <= s.range.end)
    {
        cover(&statement.range);
        sections.push(statement_facts(statement));
    }
    let span = span?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: sections.join("\n\n---\n\n"),
        }),
        range: Some(range(&index, &span, encoding)),
    })
}

/// A statement's hover section: its class, then one line per operation.
fn statement_facts(statement: &StatementSummary) -> String {
    let mut out = format!("**preflight** statement class: **{}**", statement.class);
    if !statement.effects.is_empty() {
        out.push('\n');
        for effect in &statement.effects {
            out.push_str("\n- ");
            out.push_str(effect);
        }
    }
    out
}

/// The command id on every classification lens. Lenses are information only:
/// clients need not implement it, but VS Code shows a lens only with a title
/// and a command.
pub const SHOW_CLASSIFICATION: &str = "preflight.showClassification";

/// Statement classes as code lenses: the file's counts at line 0, then one lens
/// at the first line of every classified statement. Nothing for a document
/// without statements.
pub fn code_lenses(
    document: &Document,
    summaries: &[StatementSummary],
    encoding: PositionEncoding,
) -> Vec<CodeLens> {
    if summaries.is_empty() {
        return Vec::new();
    }
    let lens = |at: ls::Position, title: String| CodeLens {
        range: ls::Range::new(at, at),
        command: Some(Command {
            title,
            command: SHOW_CLASSIFICATION.to_string(),
            arguments: None,
        }),
        data: None,
    };
    let classified = classified(summaries);
    let starts: Vec<usize> = classified.iter().map(|s| s.range.start).collect();
    let positions = document.line_index().positions(&starts, encoding);
    let mut lenses = Vec::with_capacity(classified.len() + 1);
    lenses.push(lens(
        ls::Position::new(0, 0),
        ClassCounts::of(summaries).to_string(),
    ));
    for (statement, at) in classified.iter().zip(positions) {
        lenses.push(lens(lsp_position(at), statement.class.to_string()));
    }
    lenses
}

/// Statement classes as inlay hints, for clients without code lenses: each
/// classified statement's class at the end of its first line, and the file's
/// counts at the end of line 0, after any class there. Only hints inside
/// `requested`.
pub fn inlay_hints(
    document: &Document,
    summaries: &[StatementSummary],
    requested: ls::Range,
    encoding: PositionEncoding,
) -> Vec<InlayHint> {
    if summaries.is_empty() {
        return Vec::new();
    }
    let index = document.line_index();
    let classified = classified(summaries);
    let starts: Vec<usize> = classified.iter().map(|s| s.range.start).collect();
    let lines = index
        .positions(&starts, encoding)
        .into_iter()
        .map(|p| p.line);
    let labelled = classified
        .iter()
        .map(|s| s.class.to_string())
        .zip(lines)
        .map(|(label, line)| (line, label))
        .chain([(0, ClassCounts::of(summaries).to_string())]);
    let mut hints = Vec::new();
    for (line, label) in labelled {
        if line < requested.start.line || line > requested.end.line {
            continue;
        }
        let at = line_end(&index, line, encoding);
        if at < requested.start || at > requested.end {
            continue;
        }
        hints.push(InlayHint {
            position: at,
            label: InlayHintLabel::String(label),
            kind: None,
            text_edits: None,
            tooltip: None,
            padding_left: Some(true),
            padding_right: None,
            data: None,
        });
    }
    hints
}

/// The position after the last character of a line, before its terminator.
fn line_end(index: &LineIndex<'_>, line: u32, encoding: PositionEncoding) -> ls::Position {
    let text = index.line_text(line as usize);
    let width = match encoding {
        PositionEncoding::Utf8 => text.len(),
        PositionEncoding::Utf16 => text.encode_utf16().count(),
        PositionEncoding::Utf32 => text.chars().count(),
    };
    ls::Position::new(line, u32::try_from(width).unwrap_or(u32::MAX))
}

fn classified(summaries: &[StatementSummary]) -> Vec<&StatementSummary> {
    summaries
        .iter()
        .filter(|s| s.class != MigrationClass::Any)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::MigrationClass;

    const TEXT: &str = "-- 🚀 note\nSELECT '🚀'; CREATE INDEX i ON t (a);\n";

    fn finding() -> Finding {
        let start = TEXT.find("CREATE").unwrap();
        Finding {
            rule: "require-concurrent-index-creation",
            severity: Severity::Warning,
            class: MigrationClass::Additive,
            range: start..TEXT.rfind(';').unwrap(),
            message: "index built with a lock".into(),
            help: Some("use CONCURRENTLY".into()),
            fixes: Vec::new(),
        }
    }

    #[test]
    fn diagnostic_range_in_each_encoding() {
        let doc = Document::new(TEXT, 3, Language::Sql);
        let f = finding();
        let d16 = diagnostic(&doc, &f, PositionEncoding::Utf16);
        // "SELECT '🚀'; " is 12 characters: 13 UTF-16 units, 15 bytes.
        assert_eq!(d16.range.start, ls::Position::new(1, 13));
        assert_eq!(d16.range.end, ls::Position::new(1, 36));
        let d8 = diagnostic(&doc, &f, PositionEncoding::Utf8);
        assert_eq!(d8.range.start, ls::Position::new(1, 15));
        assert_eq!(d16.code, Some(NumberOrString::String(f.rule.into())));
        assert_eq!(
            d16.message,
            "index built with a lock\n\nhelp: use CONCURRENTLY"
        );
        assert_eq!(d16.severity, Some(DiagnosticSeverity::WARNING));
    }

    #[test]
    fn hover_shows_docs_or_message() {
        let doc = Document::new(TEXT, 3, Language::Sql);
        let findings = [finding()];
        let inside = ls::Position::new(1, 20);
        let hover = hover(&doc, &findings, &[], None, inside, PositionEncoding::Utf16).unwrap();
        let HoverContents::Markup(markup) = hover.contents else {
            panic!("markdown")
        };
        assert!(markup.value.contains("require-concurrent-index-creation"));
        assert!(
            super::hover(
                &doc,
                &findings,
                &[],
                None,
                ls::Position::new(0, 1),
                PositionEncoding::Utf16
            )
            .is_none()
        );
    }

    fn summary(text: &str, statement: &str, class: MigrationClass) -> StatementSummary {
        let start = text.find(statement).unwrap();
        StatementSummary {
            range: start..start + statement.len(),
            class,
            effects: vec![format!("takes a lock · {class}")],
        }
    }

    fn markdown(hover: Option<Hover>) -> String {
        match hover.expect("a hover").contents {
            HoverContents::Markup(markup) => markup.value,
            other => panic!("markdown, not {other:?}"),
        }
    }

    #[test]
    fn hover_shows_docs_then_statement_facts() {
        let doc = Document::new(TEXT, 3, Language::Sql);
        let findings = [finding()];
        let summaries = [
            summary(TEXT, "SELECT '🚀'", MigrationClass::Any),
            summary(TEXT, "CREATE INDEX i ON t (a)", MigrationClass::Additive),
        ];
        let at = |character| ls::Position::new(1, character);
        let both = markdown(hover(
            &doc,
            &findings,
            &summaries,
            None,
            at(20),
            PositionEncoding::Utf16,
        ));
        let docs = both.find("require-concurrent-index-creation").unwrap();
        let facts = both
            .find("**preflight** statement class: **additive**\n\n- takes a lock · additive")
            .unwrap();
        assert!(docs < facts, "{both}");
        // No finding on the SELECT: its facts alone, up to and including its `;`.
        let semicolon = at(11);
        let hover = hover(
            &doc,
            &findings,
            &summaries,
            None,
            semicolon,
            PositionEncoding::Utf16,
        );
        assert_eq!(
            hover.as_ref().unwrap().range,
            Some(ls::Range::new(at(0), at(11)))
        );
        let facts = markdown(hover);
        assert!(
            facts.starts_with("**preflight** statement class: **any**"),
            "{facts}"
        );
        assert!(!facts.contains("require-concurrent"), "{facts}");
        // Between the statements there is nothing.
        let between = super::hover(
            &doc,
            &findings,
            &summaries,
            None,
            at(12),
            PositionEncoding::Utf16,
        );
        assert!(between.is_none());
    }

    #[test]
    fn lenses_and_hints_carry_classes_and_the_file_counts() {
        let text = "SET lock_timeout = '2s';\nCREATE TABLE t (a int);\n\nDROP TABLE u;\n";
        let doc = Document::new(text, 1, Language::Sql);
        let summaries = [
            summary(text, "SET lock_timeout = '2s'", MigrationClass::Any),
            summary(text, "CREATE TABLE t (a int)", MigrationClass::Additive),
            summary(text, "DROP TABLE u", MigrationClass::Destructive),
        ];
        let lenses = code_lenses(&doc, &summaries, PositionEncoding::Utf16);
        let shown: Vec<(u32, &str, &str)> = lenses
            .iter()
            .map(|l| {
                let command = l.command.as_ref().unwrap();
                (
                    l.range.start.line,
                    command.title.as_str(),
                    command.command.as_str(),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                (
                    0,
                    "1 additive, 0 transformative, 1 destructive",
                    SHOW_CLASSIFICATION
                ),
                (1, "additive", SHOW_CLASSIFICATION),
                (3, "destructive", SHOW_CLASSIFICATION),
            ]
        );
        assert!(
            lenses
                .iter()
                .all(|l| l.command.as_ref().unwrap().arguments.is_none())
        );
        assert!(code_lenses(&doc, &[], PositionEncoding::Utf16).is_empty());

        let everything = ls::Range::new(ls::Position::new(0, 0), ls::Position::new(9, 0));
        let hints = inlay_hints(&doc, &summaries, everything, PositionEncoding::Utf16);
        let shown: Vec<(ls::Position, String)> = hints
            .iter()
            .map(|h| {
                let InlayHintLabel::String(label) = &h.label else {
                    panic!("a plain label")
                };
                (h.position, label.clone())
            })
            .collect();
        assert_eq!(
            shown,
            [
                (ls::Position::new(1, 23), "additive".to_string()),
                (ls::Position::new(3, 13), "destructive".to_string()),
                (
                    ls::Position::new(0, 24),
                    "1 additive, 0 transformative, 1 destructive".to_string()
                ),
            ]
        );
        let line_3 = ls::Range::new(ls::Position::new(3, 0), ls::Position::new(4, 0));
        let hints = inlay_hints(&doc, &summaries, line_3, PositionEncoding::Utf16);
        assert_eq!(hints.len(), 1);
        assert_eq!(hints[0].position, ls::Position::new(3, 13));
    }

    #[test]
    fn config_problem_range() {
        let text = "a = \"é\"\nselect = 3\n";
        let at = text.find('3').unwrap();
        let d = config_problem(text, &(at..at + 1), "bad", PositionEncoding::Utf16);
        assert_eq!(
            d.range,
            ls::Range::new(ls::Position::new(1, 9), ls::Position::new(1, 10))
        );
        let d = config_problem("", &(0..0), "bad", PositionEncoding::Utf16);
        assert_eq!(d.range, ls::Range::default());
    }
}
