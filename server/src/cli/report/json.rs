//! `--format json`: exactly one JSON object on stdout.
//!
//! ```json
//! {
//!   "version": 1,
//!   "findings": [{
//!     "path": "migrations/001.sql", "rule": "drop-column", "severity": "warning",
//!     "class": "destructive", "message": "...", "help": "..." | null,
//!     "range": {"start": {"line": 3, "column": 14}, "end": {"line": 3, "column": 27}},
//!     "offset": {"start": 52, "end": 65},
//!     "fixes": [{"title": "...", "applicability": "safe" | "unsafe",
//!                "edits": [{"path": null, "offset": {"start": 0, "end": 0},
//!                           "replacement": "...", "create": false}]}]
//!   }],
//!   "files": [{"path": "migrations/001.sql",
//!              "classes": {"additive": 2, "transformative": 0, "destructive": 1}}],
//!   "summary": {"files": 1, "findings": 1}
//! }
//! ```
//!
//! Lines and columns are 1-based, columns count characters; offsets are bytes.
//! An edit's `path` is `null` for the file the finding is in. `files` lists
//! every checked SQL file, with or without findings, in path order; `classes`
//! counts its statements by migration class (statements of class `any`, such
//! as `SET`, are not counted).

use std::io::{self, Write};

use serde::Serialize;

use super::{Locator, Report};
use crate::cli::display_path;
use crate::engine::ClassCounts;
use crate::finding::{Applicability, MigrationClass, Severity};

/// The schema version; bumped on an incompatible change.
pub const VERSION: u32 = 1;

#[derive(Debug, Serialize)]
pub struct JsonOutput<'a> {
    pub version: u32,
    pub findings: Vec<JsonFinding<'a>>,
    pub files: Vec<JsonFile<'a>>,
    pub summary: JsonSummary,
}

/// One checked SQL file and how many of its statements are of each class.
#[derive(Debug, Serialize)]
pub struct JsonFile<'a> {
    pub path: &'a str,
    pub classes: ClassCounts,
}

#[derive(Debug, Serialize)]
pub struct JsonFinding<'a> {
    pub path: &'a str,
    pub rule: &'a str,
    pub severity: Severity,
    pub class: MigrationClass,
    pub message: &'a str,
    pub help: Option<&'a str>,
    pub range: JsonRange,
    pub offset: JsonOffset,
    pub fixes: Vec<JsonFix<'a>>,
}

#[derive(Debug, Serialize)]
pub struct JsonRange {
    pub start: JsonPosition,
    pub end: JsonPosition,
}

#[derive(Debug, Serialize)]
pub struct JsonPosition {
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Serialize)]
pub struct JsonOffset {
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Serialize)]
pub struct JsonFix<'a> {
    pub title: &'a str,
    pub applicability: Applicability,
    pub edits: Vec<JsonEdit<'a>>,
}

#[derive(Debug, Serialize)]
pub struct JsonEdit<'a> {
    /// `None` (null): the file the finding is in.
    pub path: Option<String>,
    pub offset: JsonOffset,
    pub replacement: &'a str,
    pub create: bool,
}

#[derive(Debug, Serialize)]
pub struct JsonSummary {
    pub files: usize,
    pub findings: usize,
}

pub fn build(report: &Report) -> JsonOutput<'_> {
    let mut findings = Vec::with_capacity(report.finding_count());
    for file in &report.files {
        if file.findings.is_empty() {
            continue;
        }
        let locator = Locator::new(&file.text);
        for finding in &file.findings {
            let span = locator.span(&finding.range);
            findings.push(JsonFinding {
                path: &file.path,
                rule: finding.rule,
                severity: finding.severity,
                class: finding.class,
                message: &finding.message,
                help: finding.help.as_deref(),
                range: JsonRange {
                    start: JsonPosition {
                        line: span.start_pos.line,
                        column: span.start_pos.column,
                    },
                    end: JsonPosition {
                        line: span.end_pos.line,
                        column: span.end_pos.column,
                    },
                },
                offset: JsonOffset {
                    start: span.start,
                    end: span.end,
                },
                fixes: finding
                    .fixes
                    .iter()
                    .map(|fix| JsonFix {
                        title: &fix.title,
                        applicability: fix.applicability,
                        edits: fix
                            .edits
                            .iter()
                            .map(|edit| JsonEdit {
                                path: edit.file.as_deref().map(display_path),
                                offset: JsonOffset {
                                    start: edit.range.start,
                                    end: edit.range.end,
                                },
                                replacement: &edit.replacement,
                                create: edit.create,
                            })
                            .collect(),
                    })
                    .collect(),
            });
        }
    }
    let files = report
        .files
        .iter()
        .filter_map(|file| {
            Some(JsonFile {
                path: &file.path,
                classes: file.classes?,
            })
        })
        .collect();
    JsonOutput {
        version: VERSION,
        files,
        summary: JsonSummary {
            files: report.files.len(),
            findings: findings.len(),
        },
        findings,
    }
}

pub fn write(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &build(report))?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::report::FileReport;

    #[test]
    fn files_list_every_sql_file_with_its_class_counts() {
        let file = |path: &str, classes| FileReport {
            path: path.to_string(),
            text: String::new(),
            findings: Vec::new(),
            classes,
        };
        let report = Report {
            files: vec![
                file(
                    "a.sql",
                    Some(ClassCounts {
                        additive: 2,
                        transformative: 1,
                        destructive: 0,
                    }),
                ),
                file("notes.txt", None),
            ],
        };
        let json = serde_json::to_value(build(&report)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "version": 1,
                "findings": [],
                "files": [{
                    "path": "a.sql",
                    "classes": {"additive": 2, "transformative": 1, "destructive": 0}
                }],
                "summary": {"files": 2, "findings": 0}
            })
        );
    }
}
