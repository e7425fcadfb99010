//! Dotenv files: `KEY=value` lines, as python-dotenv, Node's `dotenv` and
//! Docker's `--env-file` read them, with comments, blank lines, an optional
//! `export ` prefix, quoted values (double and single quotes may span lines,
//! as python-dotenv and `dotenv` allow) and `# KEY=value` lines that document
//! a variable without setting it. CRLF line ends are accepted.
//!
//! The parser never fails: what no parser would read as intended is kept as
//! a [`Problem`] beside the entries, so a lint can say what is wrong and
//! where while every other line is still understood.

use std::ops::Range;

/// A parsed dotenv file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DotenvFile {
    pub entries: Vec<Entry>,
    /// Every `#` comment: whole-line ones (commented entries too) and those
    /// after a value.
    pub comments: Vec<Range<usize>>,
    /// What suppression directives cover: each entry and each unreadable
    /// line, in order.
    pub statements: Vec<Range<usize>>,
    pub problems: Vec<Problem>,
}

/// One `KEY=value` line (several when a quoted value spans lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: String,
    pub key_range: Range<usize>,
    /// The value as written, inside its quotes (escapes kept).
    pub value: String,
    pub value_range: Range<usize>,
    pub quote: Option<Quote>,
    /// `export KEY=value`.
    pub export: bool,
    /// `# KEY=value`: documents the variable, sets nothing.
    pub commented: bool,
    /// From the key (or `export`) to the end of the value's last line.
    pub range: Range<usize>,
    /// The whole lines of the entry, with the last line break: what removing
    /// it removes.
    pub lines: Range<usize>,
    /// Zero-based line of the key.
    pub line: u32,
    /// Variables the value interpolates (`${NAME}`, `${NAME:-default}`):
    /// python-dotenv and `dotenv-expand` substitute them in unquoted and
    /// double-quoted values.
    pub references: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quote {
    Single,
    Double,
    Backtick,
}

impl Quote {
    fn of(c: u8) -> Option<Quote> {
        match c {
            b'\'' => Some(Quote::Single),
            b'"' => Some(Quote::Double),
            b'`' => Some(Quote::Backtick),
            _ => None,
        }
    }

    pub fn char(self) -> char {
        match self {
            Quote::Single => '\'',
            Quote::Double => '"',
            Quote::Backtick => '`',
        }
    }
}

/// A line parsers disagree on or misread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub range: Range<usize>,
    pub kind: ProblemKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// `KEY` alone: python-dotenv reads it as unset, `dotenv` skips it.
    KeyWithoutEquals,
    /// `=value`: no key.
    EmptyKey,
    /// `KEY="value` with no closing quote anywhere after it.
    UnclosedQuote(Quote),
    /// `KEY="value'`: opened with one quote, closed with another.
    MixedQuotes,
    /// `KEY = value`: Docker keeps the spaces in the name and the value.
    SpaceAroundEquals,
    /// A key starting with a digit, `-` or `.`: no shell can name it.
    LeadingCharacter,
    /// `${NAME` without `}`.
    UnclosedSubstitution,
}

impl DotenvFile {
    pub fn parse(text: &str) -> DotenvFile {
        let mut parser = Parser {
            text,
            bytes: text.as_bytes(),
            file: DotenvFile::default(),
            line: 0,
            unclosed_from: [None; 3],
        };
        let mut at = 0;
        while at < text.len() {
            at = parser.line(at);
        }
        parser.file
    }

    /// The entries that set a variable (not commented out).
    pub fn active(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| !e.commented)
    }
}

struct Parser<'t> {
    text: &'t str,
    bytes: &'t [u8],
    file: DotenvFile,
    /// Zero-based line number of the line being read.
    line: u32,
    /// Per quote kind, a position from which no closing quote follows.
    unclosed_from: [Option<usize>; 3],
}

struct Multiline {
    /// The closing quote.
    close: usize,
    /// Where the line after it starts.
    next: usize,
}

impl Parser<'_> {
    /// Reads the line (or lines, for a multi-line value) starting at `start`;
    /// returns where the next one starts.
    fn line(&mut self, start: usize) -> usize {
        let (end, next) = self.line_end(start);
        let begin = start + blank_len(&self.bytes[start..end]);
        if begin == end {
            self.line += 1;
            return next;
        }
        if self.bytes[begin] == b'#' {
            self.file.comments.push(begin..end);
            self.commented_entry(begin + 1, end, start..next);
            self.line += 1;
            return next;
        }
        self.entry(start, begin, end, next)
    }

    /// The end of the line starting at `start` (before any `\r\n` or `\n`)
    /// and where the next line starts.
    fn line_end(&self, start: usize) -> (usize, usize) {
        match self.bytes[start..].iter().position(|&b| b == b'\n') {
            Some(i) => {
                let newline = start + i;
                let end = if newline > start && self.bytes[newline - 1] == b'\r' {
                    newline - 1
                } else {
                    newline
                };
                (end, newline + 1)
            }
            None => (self.text.len(), self.text.len()),
        }
    }

    /// `# KEY=value` (or `# export KEY=value`) documents `KEY`. Strict, so
    /// prose is not taken for a key: a plain name right before `=`.
    fn commented_entry(&mut self, from: usize, end: usize, lines: Range<usize>) {
        let mut begin = from + blank_len(&self.bytes[from..end]);
        let export = self.text[begin..end].starts_with("export ");
        if export {
            begin += "export ".len();
            begin += blank_len(&self.bytes[begin..end]);
        }
        let key_len = self.bytes[begin..end]
            .iter()
            .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_')
            .count();
        let eq = begin + key_len;
        let starts_well = self
            .bytes
            .get(begin)
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_');
        if !starts_well || self.bytes.get(eq) != Some(&b'=') || eq >= end {
            return;
        }
        let value = eq + 1..end;
        let value_range = trim_range(self.text, value);
        self.file.statements.push(begin..end);
        self.file.entries.push(Entry {
            key: self.text[begin..eq].to_string(),
            key_range: begin..eq,
            value: self.text[value_range.clone()].to_string(),
            value_range,
            quote: None,
            export,
            commented: true,
            range: begin..end,
            lines,
            line: self.line,
            references: Vec::new(),
        });
    }

    fn entry(&mut self, start: usize, begin: usize, end: usize, next: usize) -> usize {
        let line = self.line;
        self.line += 1;
        let bytes = self.bytes;
        let mut key_start = begin;
        let export = self.text[begin..end]
            .strip_prefix("export")
            .is_some_and(|rest| rest.starts_with([' ', '\t']));
        if export {
            key_start += "export".len();
            key_start += blank_len(&bytes[key_start..end]);
        }
        let key_end = key_start
            + bytes[key_start..end]
                .iter()
                .take_while(|&&b| b != b'=' && !b.is_ascii_whitespace())
                .count();
        let eq = key_end + blank_len(&bytes[key_end..end]);
        let statement = begin..end;
        if bytes.get(eq) != Some(&b'=') || eq >= end {
            self.file.statements.push(statement.clone());
            self.problem(
                key_start..key_end.max(key_start + 1).min(end),
                ProblemKind::KeyWithoutEquals,
            );
            return next;
        }
        if key_start == key_end {
            self.file.statements.push(statement);
            self.problem(eq..eq + 1, ProblemKind::EmptyKey);
            return next;
        }
        let key_range = key_start..key_end;
        if bytes[key_start].is_ascii_digit() || matches!(bytes[key_start], b'-' | b'.') {
            self.problem(key_range.clone(), ProblemKind::LeadingCharacter);
        }
        let value_start = eq + 1 + blank_len(&bytes[eq + 1..end]);
        let spaced_value = value_start > eq + 1 && value_start < end && bytes[value_start] != b'#';
        if eq > key_end || spaced_value {
            self.problem(key_end..value_start, ProblemKind::SpaceAroundEquals);
        }
        let (value_range, quote, range_end, next) =
            match bytes.get(value_start).and_then(|&b| Quote::of(b)) {
                Some(quote) if value_start < end => self.quoted(value_start, end, next, quote),
                _ => {
                    let value = unquoted_end(bytes, value_start, end);
                    if let Some(comment) = value.comment {
                        self.file.comments.push(comment..end);
                    }
                    (value_start..value.end, None, end, next)
                }
            };
        // Single quotes are literal: nothing is substituted in them.
        let references = if quote == Some(Quote::Single) {
            Vec::new()
        } else {
            self.references(value_range.clone())
        };
        self.file.entries.push(Entry {
            key: self.text[key_range.clone()].to_string(),
            key_range,
            value: self.text[value_range.clone()].to_string(),
            value_range,
            quote,
            export,
            commented: false,
            range: begin..range_end,
            lines: start..next,
            line,
            references,
        });
        self.file.statements.push(begin..range_end);
        next
    }

    /// A value opened by `quote` at `open` on the line ending at `end`: its
    /// inside, where the entry ends and where the next line starts.
    fn quoted(
        &mut self,
        open: usize,
        end: usize,
        next: usize,
        quote: Quote,
    ) -> (Range<usize>, Option<Quote>, usize, usize) {
        let close = quote.char() as u8;
        let inside = open + 1;
        if let Some(at) = find_closing(&self.bytes[inside..end], close) {
            let after = inside + at + 1;
            self.trailing_comment(after, end);
            return (inside..inside + at, Some(quote), after, next);
        }
        // Opened with one quote, ended with another on the same line: a typo,
        // not the start of a multi-line value.
        let last = self.text[inside..end].trim_end().bytes().last();
        if last.is_some_and(|b| Quote::of(b).is_some() && b != close) {
            let last_at = inside + self.text[inside..end].trim_end().len() - 1;
            self.problem(open..last_at + 1, ProblemKind::MixedQuotes);
            return (inside..last_at, Some(quote), last_at + 1, next);
        }
        if let Some(multiline) = self.multiline(next, quote) {
            return (
                inside..multiline.close,
                Some(quote),
                multiline.close + 1,
                multiline.next,
            );
        }
        self.problem(open..end, ProblemKind::UnclosedQuote(quote));
        (inside..end, Some(quote), end, next)
    }

    /// A value whose closing quote is on a later line, the line ending right
    /// after it (or in a comment). A quote closed by the opening quote of a
    /// later entry (`B="x"` after `A="oops`) is no such value: that line goes
    /// on after the quote, and `A` is reported unclosed instead.
    fn multiline(&mut self, from: usize, quote: Quote) -> Option<Multiline> {
        let slot = quote as usize;
        if self.unclosed_from[slot].is_some_and(|known| known <= from) {
            return None;
        }
        let close = quote.char() as u8;
        let mut at = from;
        let mut lines = 0;
        while at < self.text.len() {
            let (line_end, line_next) = self.line_end(at);
            lines += 1;
            if let Some(i) = find_closing(&self.bytes[at..line_end], close) {
                let after = at + i + 1;
                let rest = after + blank_len(&self.bytes[after..line_end]);
                if rest < line_end && self.bytes[rest] != b'#' {
                    return None;
                }
                self.trailing_comment(after, line_end);
                self.line += lines;
                return Some(Multiline {
                    close: at + i,
                    next: line_next,
                });
            }
            at = line_next;
        }
        // Remembered, so a file of unclosed quotes is not searched to its
        // end once per line.
        self.unclosed_from[slot] = Some(from);
        None
    }

    /// A `# comment` after a closing quote.
    fn trailing_comment(&mut self, after: usize, end: usize) {
        let rest = after + blank_len(&self.bytes[after..end]);
        if self.bytes.get(rest) == Some(&b'#') && rest < end {
            self.file.comments.push(rest..end);
        }
    }

    /// The names `${NAME}` and `${NAME:-default}` interpolate in `value`; a
    /// `${` left open is a problem.
    fn references(&mut self, value: Range<usize>) -> Vec<String> {
        let mut names = Vec::new();
        let mut at = value.start;
        while let Some(i) = self.text[at..value.end].find("${") {
            let open = at + i;
            let name_start = open + 2;
            let Some(close) = self.text[name_start..value.end].find('}') else {
                self.problem(open..value.end, ProblemKind::UnclosedSubstitution);
                break;
            };
            let inner = &self.text[name_start..name_start + close];
            let name = inner.split([':', '-']).next().unwrap_or("");
            if !name.is_empty() {
                names.push(name.to_string());
            }
            at = name_start + close + 1;
        }
        names
    }

    fn problem(&mut self, range: Range<usize>, kind: ProblemKind) {
        self.file.problems.push(Problem { range, kind });
    }
}

/// Where an unquoted value ends: before a ` #` comment (python-dotenv and
/// `dotenv` agree on a comment after whitespace) and trailing blanks.
struct Unquoted {
    end: usize,
    comment: Option<usize>,
}

fn unquoted_end(bytes: &[u8], start: usize, end: usize) -> Unquoted {
    let mut comment = None;
    for i in start..end {
        if bytes[i] == b'#' && (i == start || matches!(bytes[i - 1], b' ' | b'\t')) {
            comment = Some(i);
            break;
        }
    }
    let mut value_end = comment.unwrap_or(end);
    while value_end > start && matches!(bytes[value_end - 1], b' ' | b'\t') {
        value_end -= 1;
    }
    Unquoted {
        end: value_end,
        comment,
    }
}

/// The first `close` not escaped by a backslash.
fn find_closing(bytes: &[u8], close: u8) -> Option<usize> {
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate() {
        if escaped {
            escaped = false;
        } else if b == b'\\' {
            escaped = true;
        } else if b == close {
            return Some(i);
        }
    }
    None
}

fn blank_len(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .take_while(|&&b| matches!(b, b' ' | b'\t'))
        .count()
}

fn trim_range(text: &str, range: Range<usize>) -> Range<usize> {
    let inner = &text[range.clone()];
    let start = range.start + (inner.len() - inner.trim_start().len());
    start..start + inner.trim().len()
}

#[cfg(test)]
mod tests;
