//! Reporters for `preflight check`: they turn checked files and their findings
//! into terminal text or JSON. Positions are computed here, at the edge: 1-based
//! lines and 1-based columns counted in characters.

pub mod json;
pub mod text;

use ropey::Rope;

use crate::engine::ClassCounts;
use crate::finding::{Finding, Severity};
use crate::text::LineIndex;

/// One checked file and its findings, sorted by offset.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// The path as given or walked, with `/` separators.
    pub path: String,
    pub text: String,
    pub findings: Vec<Finding>,
    /// How many statements of each class it has; `None` when it is not SQL.
    pub classes: Option<ClassCounts>,
}

/// Everything a reporter prints.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Every file that was read and checked, sorted by path, with or without findings.
    pub files: Vec<FileReport>,
}

impl Report {
    pub fn finding_count(&self) -> usize {
        self.files.iter().map(|f| f.findings.len()).sum()
    }

    pub fn count_at(&self, severity: Severity) -> usize {
        self.files
            .iter()
            .flat_map(|f| &f.findings)
            .filter(|f| f.severity == severity)
            .count()
    }

    /// Statements of each class over every SQL file; `None` when no SQL file
    /// was checked.
    pub fn classes(&self) -> Option<ClassCounts> {
        self.files
            .iter()
            .filter_map(|f| f.classes)
            .reduce(|a, b| ClassCounts {
                additive: a.additive + b.additive,
                transformative: a.transformative + b.transformative,
                destructive: a.destructive + b.destructive,
            })
    }

    /// The most severe finding, if any.
    pub fn max_severity(&self) -> Option<Severity> {
        self.files
            .iter()
            .flat_map(|f| &f.findings)
            .map(|f| f.severity)
            .max()
    }
}

/// A 1-based line and 1-based column in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// Byte offsets of a finding clamped to its text and to character boundaries,
/// with their line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub start_pos: LineCol,
    pub end_pos: LineCol,
}

/// Positions for the findings of one file, computed over a rope built once.
pub struct Locator {
    rope: Rope,
    len: usize,
}

impl Locator {
    pub fn new(text: &str) -> Self {
        Locator {
            rope: Rope::from_str(text),
            len: text.len(),
        }
    }

    pub fn index(&self) -> LineIndex<'_> {
        LineIndex::new(&self.rope)
    }

    pub fn span(&self, range: &std::ops::Range<usize>) -> Span {
        let start = range.start.min(self.len);
        let end = range.end.clamp(start, self.len);
        let index = self.index();
        let pos = |offset| {
            let (line, column) = index.line_col(offset);
            LineCol { line, column }
        };
        Span {
            start,
            end,
            start_pos: pos(start),
            end_pos: pos(end),
        }
    }
}

pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
