//! Terminal output in the style of rustc and ruff:
//!
//! ```text
//! migrations/001.sql:3:1: error[require-concurrent-index-creation] Creating index ...
//!   |
//! 3 | CREATE INDEX idx ON users (email);
//!   | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
//!   = help: ...
//! ```
//!
//! followed by one summary line, and a line counting the statements of each
//! migration class when any SQL file was checked:
//!
//! ```text
//! Found 1 finding (1 error) in 1 file.
//! Statements: 2 additive, 0 transformative, 1 destructive.
//! ```

use std::io::{self, Write};

use super::{FileReport, Locator, Report, plural};
use crate::finding::{Applicability, Finding, Severity};

/// Writes every finding, then the summary lines.
pub fn write(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    for file in &report.files {
        write_file(out, file)?;
    }
    writeln!(out, "{}", summary(report))?;
    if let Some(classes) = report.classes() {
        writeln!(out, "Statements: {classes}.")?;
    }
    Ok(())
}

fn write_file(out: &mut dyn Write, file: &FileReport) -> io::Result<()> {
    if file.findings.is_empty() {
        return Ok(());
    }
    let locator = Locator::new(&file.text);
    for finding in &file.findings {
        write_finding(out, &file.path, &locator, finding)?;
        writeln!(out)?;
    }
    Ok(())
}

fn write_finding(
    out: &mut dyn Write,
    path: &str,
    locator: &Locator,
    finding: &Finding,
) -> io::Result<()> {
    let span = locator.span(&finding.range);
    let start = span.start_pos;
    writeln!(
        out,
        "{path}:{}:{}: {}[{}] {}",
        start.line, start.column, finding.severity, finding.rule, finding.message
    )?;

    let line_text = locator.index().line_text(start.line - 1);
    let end_column = (span.end_pos.line == start.line).then_some(span.end_pos.column - 1);
    let carets = underline(&line_text, start.column - 1, end_column);
    let number = start.line.to_string();
    let pad = " ".repeat(number.len());
    writeln!(out, "{pad} |")?;
    if line_text.is_empty() {
        writeln!(out, "{number} |")?;
    } else {
        writeln!(out, "{number} | {line_text}")?;
    }
    writeln!(out, "{pad} | {carets}")?;

    if let Some(help) = &finding.help {
        write_note(out, &pad, "help", help)?;
    }
    for fix in &finding.fixes {
        let label = match fix.applicability {
            Applicability::Safe => "fix",
            Applicability::Unsafe => "fix (unsafe)",
        };
        write_note(out, &pad, label, &fix.title)?;
    }
    Ok(())
}

/// `  = label: text`, continuation lines aligned under the text.
fn write_note(out: &mut dyn Write, pad: &str, label: &str, text: &str) -> io::Result<()> {
    let mut lines = text.lines();
    writeln!(out, "{pad} = {label}: {}", lines.next().unwrap_or(""))?;
    let indent = " ".repeat(pad.len() + label.len() + 5);
    for line in lines {
        if line.is_empty() {
            writeln!(out)?;
        } else {
            writeln!(out, "{indent}{line}")?;
        }
    }
    Ok(())
}

/// The caret line under `line` from character column `start` (0-based) to `end`
/// (exclusive; `None` means the end of the line). Tabs before the range are kept
/// as tabs so the terminal aligns them; wide characters get two columns. Always
/// at least one caret.
pub fn underline(line: &str, start: usize, end: Option<usize>) -> String {
    let mut out = String::new();
    for ch in line.chars().take(start) {
        if ch == '\t' {
            out.push('\t');
        } else {
            out.extend(std::iter::repeat_n(' ', display_width(ch)));
        }
    }
    let count = end.unwrap_or(usize::MAX).saturating_sub(start);
    let mut carets = 0;
    for ch in line.chars().skip(start).take(count) {
        carets += display_width(ch).max(1);
    }
    out.extend(std::iter::repeat_n('^', carets.max(1)));
    out
}

/// Columns a character takes in a terminal: 0 for combining marks and
/// zero-width characters, 2 for East Asian wide characters and most emoji, 1
/// otherwise. An approximation of Unicode's East Asian Width; good enough to
/// line up carets.
fn display_width(ch: char) -> usize {
    let c = ch as u32;
    let zero = matches!(c,
        0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05BD | 0x0610..=0x061A
        | 0x064B..=0x065F | 0x0E31 | 0x0E34..=0x0E3A | 0x1AB0..=0x1AFF
        | 0x1DC0..=0x1DFF | 0x200B..=0x200F | 0x20D0..=0x20FF | 0xFE00..=0xFE0F
        | 0xFE20..=0xFE2F | 0xE0100..=0xE01EF);
    if zero {
        return 0;
    }
    let wide = matches!(c,
        0x1100..=0x115F | 0x231A..=0x231B | 0x2329..=0x232A | 0x23E9..=0x23EC
        | 0x2614..=0x2615 | 0x2648..=0x2653 | 0x26A1 | 0x26AA..=0x26AB
        | 0x26BD..=0x26BE | 0x26C4..=0x26C5 | 0x26D4 | 0x26EA | 0x26F2..=0x26F5
        | 0x26FA | 0x26FD | 0x2705 | 0x270A..=0x270B | 0x2728 | 0x274C | 0x2753..=0x2755
        | 0x2757 | 0x2795..=0x2797 | 0x2B1B..=0x2B1C | 0x2B50 | 0x2B55
        | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xA960..=0xA97F | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE10..=0xFE19 | 0xFE30..=0xFE6F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6
        | 0x1F004 | 0x1F0CF | 0x1F18E | 0x1F191..=0x1F19A | 0x1F200..=0x1F2FF
        | 0x1F300..=0x1F64F | 0x1F680..=0x1F6FF | 0x1F7E0..=0x1F7EB
        | 0x1F900..=0x1F9FF | 0x1FA70..=0x1FAFF | 0x20000..=0x3FFFD);
    if wide { 2 } else { 1 }
}

/// `Found 3 findings (2 errors, 1 warning) in 1 file.` or `No findings in 4 files.`
pub fn summary(report: &Report) -> String {
    let total = report.finding_count();
    if total == 0 {
        return format!(
            "No findings in {}.",
            plural(report.files.len(), "file", "files")
        );
    }
    let mut parts = Vec::new();
    for (severity, one, many) in [
        (Severity::Error, "error", "errors"),
        (Severity::Warning, "warning", "warnings"),
        (Severity::Info, "info", "infos"),
        (Severity::Hint, "hint", "hints"),
    ] {
        let n = report.count_at(severity);
        if n > 0 {
            parts.push(plural(n, one, many));
        }
    }
    let with_findings = report
        .files
        .iter()
        .filter(|f| !f.findings.is_empty())
        .count();
    format!(
        "Found {} ({}) in {}.",
        plural(total, "finding", "findings"),
        parts.join(", "),
        plural(with_findings, "file", "files")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ClassCounts;

    #[test]
    fn underline_ascii_range() {
        assert_eq!(underline("CREATE INDEX i", 0, Some(6)), "^^^^^^");
        assert_eq!(underline("x = DROP", 4, None), "    ^^^^");
    }

    #[test]
    fn underline_keeps_tabs_and_counts_wide_characters() {
        assert_eq!(underline("\tDROP", 1, Some(5)), "\t^^^^");
        assert_eq!(underline("表 DROP", 2, Some(6)), "   ^^^^");
        assert_eq!(underline("é🚀 DROP", 3, None), "    ^^^^");
    }

    fn file(path: &str, classes: Option<ClassCounts>) -> FileReport {
        FileReport {
            path: path.to_string(),
            text: String::new(),
            findings: Vec::new(),
            classes,
        }
    }

    fn written(report: &Report) -> String {
        let mut out = Vec::new();
        write(&mut out, report).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn statement_counts_add_up_over_sql_files_only() {
        let counts = |additive, transformative, destructive| ClassCounts {
            additive,
            transformative,
            destructive,
        };
        let report = Report {
            files: vec![
                file("a.sql", Some(counts(2, 1, 0))),
                file("b.txt", None),
                file("c.sql", Some(counts(1, 0, 3))),
            ],
        };
        assert_eq!(
            written(&report),
            "No findings in 3 files.\nStatements: 3 additive, 1 transformative, 3 destructive.\n"
        );
        let not_sql = Report {
            files: vec![file("b.txt", None)],
        };
        assert_eq!(written(&not_sql), "No findings in 1 file.\n");
        assert_eq!(written(&Report::default()), "No findings in 0 files.\n");
    }

    #[test]
    fn underline_is_never_empty() {
        assert_eq!(underline("", 0, Some(0)), "^");
        assert_eq!(underline("ab", 2, None), "  ^");
        assert_eq!(underline("ab", 9, Some(9)), "  ^");
    }
}
