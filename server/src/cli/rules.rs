//! `preflight rules` (the registry as a table) and `preflight explain <id>`.

use std::io::{self, Write};
use std::process::ExitCode;

use super::{EXIT_ERROR, EXIT_OK, exit};
use crate::rules::{self, Rule};

/// Writes one aligned line per rule: id, default severity (or `off`), class, summary.
pub fn list(out: &mut dyn Write) -> io::Result<()> {
    let rows: Vec<[&str; 4]> = rules::all()
        .iter()
        .map(|r| [r.id, default_severity(r), r.class.as_str(), r.summary])
        .collect();
    write_table(out, &rows)
}

fn write_table(out: &mut dyn Write, rows: &[[&str; 4]]) -> io::Result<()> {
    let mut widths = [0usize; 3];
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for [id, severity, class, summary] in rows {
        writeln!(
            out,
            "{id:<w0$}  {severity:<w1$}  {class:<w2$}  {summary}",
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        )?;
    }
    Ok(())
}

fn default_severity(rule: &Rule) -> &'static str {
    if rule.default_enabled {
        rule.severity.as_str()
    } else {
        "off"
    }
}

/// Prints a rule's header and documentation; an unknown id is an error (exit 2)
/// with a suggestion.
pub fn explain(out: &mut dyn Write, err: &mut dyn Write, id: &str) -> io::Result<ExitCode> {
    let Some(rule) = rules::find(id) else {
        writeln!(err, "preflight: {}", unknown_rule(id))?;
        writeln!(err, "Run `preflight rules` to list every rule.")?;
        return Ok(exit(EXIT_ERROR));
    };
    write!(out, "{}", explanation(rule, Style::Text))?;
    Ok(exit(EXIT_OK))
}

/// How [`explanation`] sets its header: plain lines for a terminal, a title and
/// a list for Markdown (where plain lines would run together).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Text,
    Markdown,
}

/// A rule's id, default severity, class and summary, then its documentation
/// (itself Markdown). `preflight explain` prints it; the language server
/// serves it to editors (`preflight.explain`).
pub fn explanation(rule: &Rule, style: Style) -> String {
    let enabled = if rule.default_enabled {
        "on by default"
    } else {
        "off by default"
    };
    let (title, item) = match style {
        Style::Text => ("", ""),
        Style::Markdown => ("# ", "- "),
    };
    let mut out = format!("{title}{}\n\n", rule.id);
    out.push_str(&format!("{item}Severity: {} ({enabled})\n", rule.severity));
    out.push_str(&format!("{item}Class: {}\n", rule.class));
    out.push_str(&format!("{item}Summary: {}\n", rule.summary));
    let docs = rule.docs();
    if !docs.is_empty() {
        out.push_str(&format!("\n{docs}\n"));
    }
    out
}

/// Why an id is no rule, with the closest id when it looks like a typo.
pub fn unknown_rule(id: &str) -> String {
    let mut message = format!("unknown rule `{id}`");
    if let Some(close) = closest(id, rules::all().iter().map(|r| r.id)) {
        message.push_str(&format!("; did you mean `{close}`?"));
    }
    message
}

/// The candidate nearest to `input` by edit distance, when it is close enough to
/// be a plausible typo (or `input` is a prefix or part of it).
fn closest<'a>(input: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let input = input.to_ascii_lowercase();
    let limit = (input.chars().count() / 2).max(2);
    candidates
        .map(|c| {
            let distance = if c.contains(input.as_str()) && !input.is_empty() {
                0
            } else {
                edit_distance(&input, c)
            };
            (distance, c)
        })
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, c)| (d, c))
        .map(|(_, c)| c)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitute.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_basics() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("drop-colum", "drop-column"), 1);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn closest_suggests_typos_but_not_nonsense() {
        let ids = ["drop-column", "drop-table", "rename-column"];
        assert_eq!(closest("drop-colum", ids.into_iter()), Some("drop-column"));
        assert_eq!(closest("DROP-TABLE", ids.into_iter()), Some("drop-table"));
        assert_eq!(closest("rename", ids.into_iter()), Some("rename-column"));
        assert_eq!(closest("zzzzzzzzzzzzzzzzzz", ids.into_iter()), None);
    }

    #[test]
    fn markdown_explanation_is_the_text_one_with_a_title_and_a_list() {
        let rule = rules::find("require-concurrent-index-creation").unwrap();
        let text = explanation(rule, Style::Text);
        let markdown = explanation(rule, Style::Markdown);
        assert!(text.starts_with("require-concurrent-index-creation\n\nSeverity: error"));
        assert!(markdown.starts_with("# require-concurrent-index-creation\n\n- Severity: error"));
        assert!(markdown.contains("\n- Class: additive\n- Summary: "));
        assert!(text.ends_with(&format!("\n\n{}\n", rule.docs())));
        assert!(markdown.ends_with(&format!("\n\n{}\n", rule.docs())));
    }

    #[test]
    fn unknown_rule_suggests_a_close_id() {
        assert_eq!(
            unknown_rule("drop-tabel"),
            "unknown rule `drop-tabel`; did you mean `drop-table`?"
        );
        assert_eq!(
            unknown_rule("zzzzzzzzzzzzzzzzzz"),
            "unknown rule `zzzzzzzzzzzzzzzzzz`"
        );
    }

    #[test]
    fn table_is_aligned_and_marks_disabled_rules_off() {
        let mut out = Vec::new();
        let rows = [
            ["a-long-rule", "error", "additive", "First."],
            ["b", "off", "destructive", "Second."],
        ];
        write_table(&mut out, &rows).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "a-long-rule  error  additive     First.\n\
             b            off    destructive  Second.\n"
        );
    }
}
