//! Inline suppressions: `-- preflight: ignore[rule-id, ...] reason` on the line
//! above a statement or at the end of one of its lines, and
//! `-- preflight: ignore-file[rule-id, ...] reason` for the whole file.
//!
//! The comment marker is a parameter, so `#` hosts (Python, YAML) share the parser.
//! Suppressions are themselves checked: an unknown id is `invalid-suppression`, an id
//! that hides nothing is `unused-suppression`, so stale ones do not pile up.

use std::ops::Range;

use crate::finding::{Finding, MigrationClass, Severity};

pub const INVALID_SUPPRESSION: &str = "invalid-suppression";
pub const UNUSED_SUPPRESSION: &str = "unused-suppression";
pub const INVALID_SUPPRESSION_SEVERITY: Severity = Severity::Warning;
pub const UNUSED_SUPPRESSION_SEVERITY: Severity = Severity::Hint;

/// What a directive covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `ignore-file[...]`: every finding in the file.
    File,
    /// `ignore[...]` alone on its line: the statement that starts next.
    NextStatement,
    /// `ignore[...]` after code on its line: the statement that line belongs to.
    SameStatement,
}

/// One rule id as written in a directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleRef {
    pub id: String,
    /// Absolute byte range of the id inside the comment.
    pub range: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub scope: Scope,
    /// Absolute byte range of the whole comment.
    pub comment: Range<usize>,
    pub rules: Vec<RuleRef>,
    /// The text after `]`, if any: why the finding is acceptable here.
    pub reason: Option<String>,
}

/// A comment that starts like a directive but is not one; reported rather than
/// silently ignored, since the author clearly meant to suppress something.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Malformed {
    range: Range<usize>,
    message: &'static str,
}

/// Every directive of one document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Suppressions {
    directives: Vec<Directive>,
    malformed: Vec<Malformed>,
}

/// The comment that suppresses `rule` in `scope`, as the parser reads it:
/// `-- preflight: ignore[rule] reason`. `SameStatement` is written like
/// `NextStatement`; the caller decides where the comment goes.
pub fn directive(marker: &str, scope: Scope, rule: &str, reason: &str) -> String {
    let verb = match scope {
        Scope::File => "ignore-file",
        Scope::NextStatement | Scope::SameStatement => "ignore",
    };
    format!("{marker} preflight: {verb}[{rule}] {reason}")
}

impl Suppressions {
    /// Reads directives from `comments` (absolute spans, marker included). Only
    /// comments count, so a directive inside a string literal is just text.
    pub fn parse(text: &str, comments: &[Range<usize>], marker: &str) -> Suppressions {
        let mut suppressions = Suppressions::default();
        for comment in comments {
            match parse_comment(text, comment.clone(), marker) {
                Some(Ok(directive)) => suppressions.directives.push(directive),
                Some(Err(malformed)) => suppressions.malformed.push(malformed),
                None => {}
            }
        }
        suppressions
    }

    /// These directives and `other`'s: a host file's own comments and those
    /// of the SQL in its literals.
    pub fn merged(mut self, other: Suppressions) -> Suppressions {
        self.directives.extend(other.directives);
        self.malformed.extend(other.malformed);
        self
    }

    pub fn directives(&self) -> &[Directive] {
        &self.directives
    }

    /// Drops the findings a directive covers and reports unknown, malformed and
    /// unused directives. `statements` are the document's statement spans in order.
    pub fn apply(
        &self,
        findings: Vec<Finding>,
        statements: &[Range<usize>],
        is_known_rule: &dyn Fn(&str) -> bool,
    ) -> Vec<Finding> {
        let targets: Vec<Option<Target>> = self
            .directives
            .iter()
            .map(|d| target(d, statements))
            .collect();
        let mut used: Vec<Vec<Use>> = self
            .directives
            .iter()
            .map(|d| vec![Use::None; d.rules.len()])
            .collect();
        let mut kept: Vec<Finding> = findings
            .into_iter()
            .filter(|finding| !self.suppress(finding, &targets, &mut used))
            .collect();
        kept.extend(self.problems(&targets, &used, is_known_rule));
        kept
    }

    /// Malformed directives, unknown ids, and known ids that hid nothing.
    fn problems(
        &self,
        targets: &[Option<Target>],
        used: &[Vec<Use>],
        is_known_rule: &dyn Fn(&str) -> bool,
    ) -> Vec<Finding> {
        let mut problems: Vec<Finding> = self
            .malformed
            .iter()
            .map(|m| invalid(m.range.clone(), m.message.to_string()))
            .collect();
        for ((directive, target), used) in self.directives.iter().zip(targets).zip(used) {
            for (rule, used) in directive.rules.iter().zip(used) {
                if !is_known_rule(&rule.id) {
                    let message = format!("unknown rule `{}` in suppression", rule.id);
                    problems.push(invalid(rule.range.clone(), message));
                } else if *used == Use::None {
                    problems.push(unused(rule, target.is_some()));
                } else if *used == Use::Destructive && directive.reason.is_none() {
                    let message = format!(
                        "`{}` is destructive: acknowledge it with a reason after the `]`",
                        rule.id
                    );
                    problems.push(invalid(rule.range.clone(), message));
                }
            }
        }
        problems
    }

    /// Whether any directive hides `finding`; marks every id that does as used.
    fn suppress(
        &self,
        finding: &Finding,
        targets: &[Option<Target>],
        used: &mut [Vec<Use>],
    ) -> bool {
        let mut suppressed = false;
        for ((directive, target), used) in self.directives.iter().zip(targets).zip(used) {
            if !target
                .as_ref()
                .is_some_and(|t| t.covers(finding.range.start))
            {
                continue;
            }
            for (rule, used) in directive.rules.iter().zip(used.iter_mut()) {
                if rule.id == finding.rule {
                    *used = (*used).max(if finding.class == MigrationClass::Destructive {
                        Use::Destructive
                    } else {
                        Use::Plain
                    });
                    suppressed = true;
                }
            }
        }
        suppressed
    }
}

/// What a directive's rule id hid: nothing, findings, or at least one
/// destructive finding (which needs a reason to stay hidden quietly).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Use {
    None,
    Plain,
    Destructive,
}

/// The part of the document a directive applies to.
enum Target {
    File,
    Statement(Range<usize>),
}

impl Target {
    fn covers(&self, offset: usize) -> bool {
        match self {
            Target::File => true,
            Target::Statement(span) => span.contains(&offset) || offset == span.start,
        }
    }
}

fn target(directive: &Directive, statements: &[Range<usize>]) -> Option<Target> {
    let comment = &directive.comment;
    match directive.scope {
        Scope::File => Some(Target::File),
        Scope::SameStatement => statements
            .iter()
            .rev()
            .find(|s| s.start < comment.start)
            .cloned()
            .map(Target::Statement),
        Scope::NextStatement => {
            // The first statement after the comment; statements may nest
            // (YAML entries), so the innermost one around the comment counts
            // only if nothing starts inside it after the comment.
            let next = statements.iter().find(|s| s.start >= comment.end);
            let inside = statements
                .iter()
                .rfind(|s| s.start < comment.start && comment.start < s.end);
            match (inside, next) {
                // Inside a multi-line statement (above one `ALTER TABLE`
                // action, say) the directive covers what follows it there.
                (Some(inside), next) if next.is_none_or(|n| n.start >= inside.end) => {
                    Some(Target::Statement(comment.end..inside.end))
                }
                (_, next) => next.cloned().map(Target::Statement),
            }
        }
    }
}

fn invalid(range: Range<usize>, message: String) -> Finding {
    Finding {
        rule: INVALID_SUPPRESSION,
        severity: INVALID_SUPPRESSION_SEVERITY,
        class: MigrationClass::Any,
        range,
        message,
        help: Some("`preflight rules` lists every rule id".into()),
        fixes: Vec::new(),
    }
}

fn unused(rule: &RuleRef, bound: bool) -> Finding {
    let message = if bound {
        format!(
            "`{}` is not reported here; remove this suppression",
            rule.id
        )
    } else {
        format!(
            "`{}` suppression applies to no statement; put it on the line above a statement or at the end of one of its lines",
            rule.id
        )
    };
    Finding {
        rule: UNUSED_SUPPRESSION,
        severity: UNUSED_SUPPRESSION_SEVERITY,
        class: MigrationClass::Any,
        range: rule.range.clone(),
        message,
        help: None,
        fixes: Vec::new(),
    }
}

/// `None` when the comment is not addressed to preflight at all.
fn parse_comment(
    text: &str,
    comment: Range<usize>,
    marker: &str,
) -> Option<Result<Directive, Malformed>> {
    // Spans come from a lexer over this very text; a stale one must not panic.
    text.get(comment.clone())?;
    let mut cursor = Cursor::new(text, comment.clone());
    cursor.eat(marker)?;
    cursor.skip_spaces();
    cursor.eat("preflight")?;
    cursor.skip_spaces();
    cursor.eat(":")?;
    cursor.skip_spaces();
    let directive_start = cursor.pos;
    cursor.eat("ignore")?;
    let file = cursor.eat("-file").is_some();
    // `preflight: ignored because ...` is prose, not a misspelt directive.
    if cursor
        .rest()
        .starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '-')
    {
        return None;
    }
    let malformed = |message| {
        let end = directive_start + text[directive_start..comment.end].trim_end().len();
        Some(Err(Malformed {
            range: directive_start..end,
            message,
        }))
    };
    cursor.skip_spaces();
    if cursor.eat("[").is_none() {
        return malformed("expected `[rule-id, ...]` after `ignore`");
    }
    let Some(close) = cursor.rest().find(']') else {
        return malformed("missing `]` after the rule ids");
    };
    let rules = rule_refs(text, cursor.pos..cursor.pos + close);
    if rules.is_empty() {
        return malformed("the suppression names no rule");
    }
    let reason = text[cursor.pos + close + 1..comment.end].trim();
    let scope = if file {
        Scope::File
    } else if starts_own_line(text, comment.start) {
        Scope::NextStatement
    } else {
        Scope::SameStatement
    };
    Some(Ok(Directive {
        scope,
        comment,
        rules,
        reason: (!reason.is_empty()).then(|| reason.to_string()),
    }))
}

/// The comma-separated ids in `list`, trimmed, empty entries skipped.
fn rule_refs(text: &str, list: Range<usize>) -> Vec<RuleRef> {
    let mut refs = Vec::new();
    let mut start = list.start;
    for part in text[list.clone()].split(',') {
        let leading = part.len() - part.trim_start().len();
        let id = part.trim();
        if !id.is_empty() {
            let id_start = start + leading;
            refs.push(RuleRef {
                id: id.to_string(),
                range: id_start..id_start + id.len(),
            });
        }
        start += part.len() + 1;
    }
    refs
}

fn starts_own_line(text: &str, offset: usize) -> bool {
    // A lone `\r` ends a line too, as it does for the SQL lexer's line comments.
    let line_start = text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    text[line_start..offset].trim().is_empty()
}

/// A position inside one comment.
struct Cursor<'a> {
    text: &'a str,
    pos: usize,
    end: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str, span: Range<usize>) -> Self {
        Cursor {
            text,
            pos: span.start,
            end: span.end,
        }
    }

    fn rest(&self) -> &'a str {
        &self.text[self.pos..self.end]
    }

    fn eat(&mut self, expected: &str) -> Option<()> {
        self.rest()
            .starts_with(expected)
            .then(|| self.pos += expected.len())
    }

    fn skip_spaces(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start_matches([' ', '\t']).len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_directives_parse_back() {
        for (scope, marker) in [(Scope::NextStatement, "--"), (Scope::File, "#")] {
            let comment = directive(marker, scope, "drop-table", "emptied last release");
            let span = 0..comment.len();
            let parsed = Suppressions::parse(&comment, std::slice::from_ref(&span), marker);
            let [d] = parsed.directives() else {
                panic!("{comment:?} did not parse: {parsed:?}")
            };
            assert_eq!(d.scope, scope);
            assert_eq!(d.rules[0].id, "drop-table");
            assert_eq!(d.reason.as_deref(), Some("emptied last release"));
        }
    }

    fn known(id: &str) -> bool {
        ["drop-table", "rename-column", "require-lock-timeout"].contains(&id)
    }

    /// Byte span of the first occurrence of `needle`.
    fn span(text: &str, needle: &str) -> Range<usize> {
        let start = text
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not in text"));
        start..start + needle.len()
    }

    /// Every `marker` comment, to the end of its line (any line break, as the SQL
    /// lexer does).
    fn line_comments(text: &str, marker: &str) -> Vec<Range<usize>> {
        let mut comments = Vec::new();
        let mut from = 0;
        while let Some(found) = text[from..].find(marker) {
            let start = from + found;
            let end = text[start..]
                .find(['\n', '\r'])
                .map_or(text.len(), |i| start + i);
            comments.push(start..end);
            from = end;
        }
        comments
    }

    fn finding(rule: &'static str, range: Range<usize>) -> Finding {
        Finding {
            rule,
            severity: Severity::Warning,
            class: MigrationClass::Transformative,
            range,
            message: String::new(),
            help: None,
            fixes: Vec::new(),
        }
    }

    struct Case {
        text: &'static str,
        statements: Vec<Range<usize>>,
        findings: Vec<Finding>,
    }

    impl Case {
        /// `statements` as the splitter would give them; each finding is
        /// `(rule, statement index)` and starts at that statement.
        fn new(
            text: &'static str,
            statements: &[&str],
            findings: &[(&'static str, usize)],
        ) -> Case {
            let statements: Vec<_> = statements.iter().map(|s| span(text, s)).collect();
            let findings = findings
                .iter()
                .map(|&(rule, i)| finding(rule, statements[i].clone()))
                .collect();
            Case {
                text,
                statements,
                findings,
            }
        }

        fn run(&self) -> Vec<Finding> {
            let suppressions =
                Suppressions::parse(self.text, &line_comments(self.text, "--"), "--");
            suppressions.apply(self.findings.clone(), &self.statements, &known)
        }

        /// The result as `(rule, text of its range)`.
        fn outcome(&self) -> Vec<(&'static str, &'static str)> {
            self.run()
                .iter()
                .map(|f| (f.rule, &self.text[f.range.clone()]))
                .collect()
        }
    }

    #[test]
    fn line_above_suppresses_the_next_statement_only() {
        let case = Case::new(
            "-- preflight: ignore[drop-table] emptied last release\nDROP TABLE a;\nDROP TABLE b;\n",
            &["DROP TABLE a;", "DROP TABLE b;"],
            &[("drop-table", 0), ("drop-table", 1)],
        );
        assert_eq!(case.outcome(), [("drop-table", "DROP TABLE b;")]);
    }

    #[test]
    fn end_of_line_suppresses_the_statement_of_that_line() {
        let case = Case::new(
            "DROP TABLE a;\nALTER TABLE b\n  RENAME COLUMN x TO y; -- preflight: ignore[rename-column]\nDROP TABLE c;\n",
            &[
                "DROP TABLE a;",
                "ALTER TABLE b\n  RENAME COLUMN x TO y;",
                "DROP TABLE c;",
            ],
            &[("drop-table", 0), ("rename-column", 1), ("drop-table", 2)],
        );
        assert_eq!(
            case.outcome(),
            [
                ("drop-table", "DROP TABLE a;"),
                ("drop-table", "DROP TABLE c;")
            ]
        );
    }

    #[test]
    fn end_of_line_inside_a_statement() {
        let case = Case::new(
            "ALTER TABLE b -- preflight: ignore[rename-column] keeps a view\n  RENAME COLUMN x TO y;\n",
            &[
                "ALTER TABLE b -- preflight: ignore[rename-column] keeps a view\n  RENAME COLUMN x TO y;",
            ],
            &[("rename-column", 0)],
        );
        assert_eq!(case.outcome(), []);
    }

    #[test]
    fn file_level() {
        let case = Case::new(
            "DROP TABLE a;\n-- preflight: ignore-file[drop-table] teardown script\nDROP TABLE b;\nALTER TABLE c RENAME x TO y;\n",
            &[
                "DROP TABLE a;",
                "DROP TABLE b;",
                "ALTER TABLE c RENAME x TO y;",
            ],
            &[("drop-table", 0), ("drop-table", 1), ("rename-column", 2)],
        );
        assert_eq!(
            case.outcome(),
            [("rename-column", "ALTER TABLE c RENAME x TO y;")]
        );
        let suppressions = Suppressions::parse(case.text, &line_comments(case.text, "--"), "--");
        assert_eq!(suppressions.directives()[0].scope, Scope::File);
        assert_eq!(
            suppressions.directives()[0].reason.as_deref(),
            Some("teardown script")
        );
    }

    #[test]
    fn multiple_ids() {
        let case = Case::new(
            "-- preflight: ignore[drop-table, rename-column]\nDROP TABLE a; \n",
            &["DROP TABLE a;"],
            &[
                ("drop-table", 0),
                ("rename-column", 0),
                ("require-lock-timeout", 0),
            ],
        );
        assert_eq!(case.outcome(), [("require-lock-timeout", "DROP TABLE a;")]);
    }

    #[test]
    fn unknown_id_is_invalid() {
        let case = Case::new(
            "-- preflight: ignore[drop-tabel, drop-table]\nDROP TABLE a;\n",
            &["DROP TABLE a;"],
            &[("drop-table", 0)],
        );
        let out = case.run();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].rule, INVALID_SUPPRESSION);
        assert_eq!(out[0].severity, Severity::Warning);
        assert_eq!(out[0].class, MigrationClass::Any);
        assert_eq!(&case.text[out[0].range.clone()], "drop-tabel");
        assert_eq!(out[0].message, "unknown rule `drop-tabel` in suppression");
    }

    #[test]
    fn unused_id() {
        let case = Case::new(
            "-- preflight: ignore[drop-table, rename-column]\nDROP TABLE a;\n",
            &["DROP TABLE a;"],
            &[("drop-table", 0)],
        );
        let out = case.run();
        assert_eq!(case.outcome(), [(UNUSED_SUPPRESSION, "rename-column")]);
        assert_eq!(out[0].severity, Severity::Hint);
        assert_eq!(out[0].class, MigrationClass::Any);
        assert_eq!(
            out[0].message,
            "`rename-column` is not reported here; remove this suppression"
        );
    }

    #[test]
    fn overlapping_directives_are_all_used() {
        let case = Case::new(
            "-- preflight: ignore-file[drop-table]\n-- preflight: ignore[drop-table]\nDROP TABLE a;\n",
            &["DROP TABLE a;"],
            &[("drop-table", 0)],
        );
        assert_eq!(case.outcome(), []);
    }

    #[test]
    fn unused_file_level_id() {
        let case = Case::new(
            "-- preflight: ignore-file[drop-table]\nSELECT 1;\n",
            &["SELECT 1;"],
            &[],
        );
        assert_eq!(case.outcome(), [(UNUSED_SUPPRESSION, "drop-table")]);
    }

    #[test]
    fn directive_binding_to_no_statement_is_unused() {
        let case = Case::new(
            "DROP TABLE a;\n-- preflight: ignore[drop-table]\n",
            &["DROP TABLE a;"],
            &[("drop-table", 0)],
        );
        let out = case.run();
        assert_eq!(
            case.outcome(),
            [
                ("drop-table", "DROP TABLE a;"),
                (UNUSED_SUPPRESSION, "drop-table")
            ]
        );
        assert!(
            out[1].message.contains("applies to no statement"),
            "{}",
            out[1].message
        );
    }

    #[test]
    fn own_line_directive_inside_a_statement_binds_to_nothing() {
        let case = Case::new(
            "ALTER TABLE a\n  -- preflight: ignore[drop-table]\n  DROP COLUMN b;\nDROP TABLE c;\n",
            &[
                "ALTER TABLE a\n  -- preflight: ignore[drop-table]\n  DROP COLUMN b;",
                "DROP TABLE c;",
            ],
            &[("drop-table", 1)],
        );
        assert_eq!(
            case.outcome(),
            [
                ("drop-table", "DROP TABLE c;"),
                (UNUSED_SUPPRESSION, "drop-table")
            ]
        );
    }

    #[test]
    fn comments_and_blank_lines_may_separate_directive_and_statement() {
        let case = Case::new(
            "-- preflight: ignore[drop-table] reviewed\n\n-- the old audit log\n/* gone */\nDROP TABLE a;\n",
            &["DROP TABLE a;"],
            &[("drop-table", 0)],
        );
        assert_eq!(case.outcome(), []);
    }

    #[test]
    fn spaces_are_tolerated() {
        let case = Case::new(
            "--preflight:ignore[ drop-table ,rename-column ]\nDROP TABLE a;\n--  preflight :  ignore-file [require-lock-timeout]\n",
            &["DROP TABLE a;"],
            &[("drop-table", 0), ("rename-column", 0)],
        );
        assert_eq!(
            case.outcome(),
            [(UNUSED_SUPPRESSION, "require-lock-timeout")]
        );
        let suppressions = Suppressions::parse(case.text, &line_comments(case.text, "--"), "--");
        let ids: Vec<_> = suppressions.directives()[0]
            .rules
            .iter()
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(ids, ["drop-table", "rename-column"]);
        assert_eq!(suppressions.directives()[1].scope, Scope::File);
    }

    #[test]
    fn destructive_findings_need_a_reason() {
        let text = "-- preflight: ignore[drop-table]\nDROP TABLE a;\n-- preflight: ignore[drop-table] archived in 2026\nDROP TABLE b;\n";
        let statement = |s: &str| {
            let start = text.find(s).unwrap();
            start..start + s.len()
        };
        let destructive = |range| Finding {
            class: MigrationClass::Destructive,
            ..finding("drop-table", range)
        };
        let statements = [statement("DROP TABLE a;"), statement("DROP TABLE b;")];
        let findings = statements.iter().cloned().map(destructive).collect();
        let comments = crate::syntax::sql::split(text).comments;
        let out =
            Suppressions::parse(text, &comments, "--").apply(findings, &statements, &|_| true);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].rule, INVALID_SUPPRESSION);
        assert!(out[0].message.contains("`drop-table` is destructive"));
        assert_eq!(&text[out[0].range.clone()], "drop-table");
        assert!(out[0].range.end < statements[0].start);
    }

    #[test]
    fn reason_is_optional() {
        let text = "-- preflight: ignore[drop-table]\n-- preflight: ignore[drop-table]   \n-- preflight: ignore[drop-table] — per ADR 12 \n";
        let suppressions = Suppressions::parse(text, &line_comments(text, "--"), "--");
        let reasons: Vec<_> = suppressions
            .directives()
            .iter()
            .map(|d| d.reason.as_deref())
            .collect();
        assert_eq!(reasons, [None, None, Some("— per ADR 12")]);
    }

    #[test]
    fn directive_in_a_string_literal_is_not_a_directive() {
        let text = "SELECT '-- preflight: ignore[drop-table]';\nDROP TABLE a;\n";
        let statements = [
            span(text, "SELECT '-- preflight: ignore[drop-table]';"),
            span(text, "DROP TABLE a;"),
        ];
        let suppressions = Suppressions::parse(text, &[], "--");
        let out = suppressions.apply(
            vec![finding("drop-table", statements[1].clone())],
            &statements,
            &known,
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].rule, "drop-table");
    }

    #[test]
    fn crlf_line_endings() {
        let case = Case::new(
            "-- preflight: ignore[drop-table] emptied\r\nDROP TABLE a;\r\nDROP TABLE b; -- preflight: ignore[drop-table]\r\nDROP TABLE c;\r\n",
            &["DROP TABLE a;", "DROP TABLE b;", "DROP TABLE c;"],
            &[("drop-table", 0), ("drop-table", 1), ("drop-table", 2)],
        );
        assert_eq!(case.outcome(), [("drop-table", "DROP TABLE c;")]);
        let suppressions = Suppressions::parse(case.text, &line_comments(case.text, "--"), "--");
        assert_eq!(
            suppressions.directives()[0].reason.as_deref(),
            Some("emptied")
        );
        assert_eq!(suppressions.directives()[1].reason, None);
        assert_eq!(suppressions.directives()[1].scope, Scope::SameStatement);
    }

    #[test]
    fn lone_carriage_returns_end_lines() {
        let case = Case::new(
            "DROP TABLE a;\r-- preflight: ignore[drop-table]\rDROP TABLE b;\r",
            &["DROP TABLE a;", "DROP TABLE b;"],
            &[("drop-table", 0), ("drop-table", 1)],
        );
        assert_eq!(case.outcome(), [("drop-table", "DROP TABLE a;")]);
    }

    #[test]
    fn non_ascii_before_the_directive() {
        let case = Case::new(
            "-- Übersicht: café\nDROP TABLE café; -- preflight: ignore[drop-table, dröp] naïve\n",
            &["DROP TABLE café;"],
            &[("drop-table", 0)],
        );
        assert_eq!(case.outcome(), [(INVALID_SUPPRESSION, "dröp")]);
    }

    #[test]
    fn malformed_directives_are_invalid() {
        let text = "-- preflight: ignore drop-table\n-- preflight: ignore[drop-table\n-- preflight: ignore[ , ]\nDROP TABLE a;\n";
        let statements = [span(text, "DROP TABLE a;")];
        let suppressions = Suppressions::parse(text, &line_comments(text, "--"), "--");
        assert!(suppressions.directives().is_empty());
        let out = suppressions.apply(Vec::new(), &statements, &known);
        let ranges: Vec<_> = out
            .iter()
            .map(|f| (f.rule, &text[f.range.clone()]))
            .collect();
        assert_eq!(
            ranges,
            [
                (INVALID_SUPPRESSION, "ignore drop-table"),
                (INVALID_SUPPRESSION, "ignore[drop-table"),
                (INVALID_SUPPRESSION, "ignore[ , ]"),
            ]
        );
    }

    #[test]
    fn other_comments_are_not_directives() {
        let text = "-- preflight: ignored on purpose, see ADR 3\n-- preflightx: ignore[drop-table]\n-- ignore[drop-table]\n/* preflight: ignore[drop-table] */\n";
        let comments = line_comments(text, "--")
            .into_iter()
            .chain([span(text, "/* preflight: ignore[drop-table] */")]);
        let suppressions = Suppressions::parse(text, &comments.collect::<Vec<_>>(), "--");
        assert_eq!(suppressions, Suppressions::default());
    }

    #[test]
    fn hash_marker() {
        let text = "op.drop_table(\"a\")  # preflight: ignore[drop-table] gone\n# preflight: ignore[rename-column]\nop.alter_column(\"b\", new_column_name=\"c\")\n";
        let statements = [
            span(text, "op.drop_table(\"a\")"),
            span(text, "op.alter_column(\"b\", new_column_name=\"c\")"),
        ];
        let findings = vec![
            finding("drop-table", statements[0].clone()),
            finding("rename-column", statements[1].clone()),
        ];
        let suppressions = Suppressions::parse(text, &line_comments(text, "#"), "#");
        assert_eq!(suppressions.directives().len(), 2);
        assert_eq!(suppressions.apply(findings, &statements, &known), []);
    }

    #[test]
    fn with_the_sql_splitter() {
        let text = "-- preflight: ignore[drop-table] emptied\r\nDROP TABLE a;\r\nSELECT '-- preflight: ignore[drop-table]'; DROP TABLE b; /* x */ -- preflight: ignore[rename-column]\r\nDROP TABLE c;\r\n";
        let split = crate::syntax::sql::split(text);
        let findings = ["DROP TABLE a;", "DROP TABLE c;"]
            .iter()
            .map(|s| finding("drop-table", span(text, s)))
            .chain([finding("rename-column", span(text, "DROP TABLE b;"))])
            .collect();
        let suppressions = Suppressions::parse(text, &split.comments, "--");
        let out = suppressions.apply(findings, &split.statements, &known);
        let out: Vec<_> = out
            .iter()
            .map(|f| (f.rule, &text[f.range.clone()]))
            .collect();
        assert_eq!(out, [("drop-table", "DROP TABLE c;")]);
    }

    #[test]
    fn a_finding_inside_the_statement_is_covered() {
        let text = "-- preflight: ignore[rename-column]\nALTER TABLE a RENAME COLUMN x TO y;\n";
        let statement = span(text, "ALTER TABLE a RENAME COLUMN x TO y;");
        let suppressions = Suppressions::parse(text, &line_comments(text, "--"), "--");
        let inner = finding("rename-column", span(text, "RENAME COLUMN x TO y"));
        assert_eq!(suppressions.apply(vec![inner], &[statement], &known), []);
    }
}
