//! Scalars: the text a YAML scalar stands for (quotes, escapes, line folding
//! and block indentation undone) and a map from that text back to the source,
//! so a token found in a decoded `run:` script points at its own bytes.

use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    /// `|`: lines kept.
    Literal,
    /// `>`: lines folded into spaces.
    Folded,
}

/// A stretch of decoded text and the source bytes it came from. Equal lengths
/// map byte for byte; an escape (`\n`, `''`) maps to its whole source.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Piece {
    decoded: Range<usize>,
    source: Range<usize>,
}

#[derive(Debug, Clone)]
pub struct Scalar {
    pub text: String,
    pub style: Style,
    pieces: Vec<Piece>,
}

impl PartialEq for Scalar {
    /// Equal data, wherever it was written.
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Scalar {
    /// A scalar whose text is its source (keys of merged mappings, tests).
    pub fn verbatim(text: &str, start: usize) -> Self {
        let mut scalar = Scalar::new(Style::Plain);
        scalar.push_verbatim(text, start);
        scalar
    }

    fn new(style: Style) -> Self {
        Scalar {
            text: String::new(),
            style,
            pieces: Vec::new(),
        }
    }

    fn push_verbatim(&mut self, text: &str, source_start: usize) {
        if text.is_empty() {
            return;
        }
        let start = self.text.len();
        self.text.push_str(text);
        self.pieces.push(Piece {
            decoded: start..self.text.len(),
            source: source_start..source_start + text.len(),
        });
    }

    fn push_mapped(&mut self, text: &str, source: Range<usize>) {
        let start = self.text.len();
        self.text.push_str(text);
        self.pieces.push(Piece {
            decoded: start..self.text.len(),
            source,
        });
    }

    /// Whether a plain scalar is one of YAML's `true` spellings.
    pub fn is_true(&self) -> bool {
        self.style == Style::Plain && matches!(self.text.as_str(), "true" | "True" | "TRUE")
    }

    pub fn is_null(&self) -> bool {
        self.style == Style::Plain
            && matches!(self.text.as_str(), "" | "~" | "null" | "Null" | "NULL")
    }

    /// The integer a plain scalar spells, if it spells one.
    pub fn as_int(&self) -> Option<i64> {
        if self.style != Style::Plain {
            return None;
        }
        self.text.parse().ok()
    }

    /// The source bytes of decoded `span`: exact where the text was copied,
    /// the whole escape where it was not.
    pub fn source_range(&self, span: Range<usize>) -> Range<usize> {
        let start = self.source_at(span.start, false);
        let end = self.source_at(span.end, true).max(start);
        start..end
    }

    fn source_at(&self, offset: usize, is_end: bool) -> usize {
        let Some(first) = self.pieces.first() else {
            return 0;
        };
        // The piece that holds `offset` (an end belongs to the piece before).
        let holds = |p: &Piece| {
            if is_end {
                p.decoded.start < offset && offset <= p.decoded.end
            } else {
                p.decoded.start <= offset && offset < p.decoded.end
            }
        };
        let Some(piece) = self.pieces.iter().find(|p| holds(p)) else {
            return if offset <= first.decoded.start {
                first.source.start
            } else {
                self.pieces.last().map_or(0, |p| p.source.end)
            };
        };
        if piece.decoded.len() == piece.source.len() {
            piece.source.start + (offset - piece.decoded.start)
        } else if is_end {
            piece.source.end
        } else {
            piece.source.start
        }
    }

    /// A plain or quoted (flow) scalar written at `start` as `source`.
    pub fn flow(source: &str, start: usize) -> Self {
        if let Some(inner) = source.strip_prefix('\'') {
            let inner = inner.strip_suffix('\'').unwrap_or(inner);
            return fold_lines(inner, start + 1, Style::SingleQuoted);
        }
        if let Some(inner) = source.strip_prefix('"') {
            let inner = inner.strip_suffix('"').unwrap_or(inner);
            return fold_lines(inner, start + 1, Style::DoubleQuoted);
        }
        fold_lines(source, start, Style::Plain)
    }

    /// A block scalar (`|`, `>-`, `|2+`...) written at `start` as `source`,
    /// whose parent entry is indented by `parent_indent` columns.
    pub fn block(source: &str, start: usize, parent_indent: usize) -> Self {
        let header_end = source.find('\n').unwrap_or(source.len());
        let header = source[..header_end].split('#').next().unwrap_or("").trim();
        let style = if header.starts_with('>') {
            Style::Folded
        } else {
            Style::Literal
        };
        let keep = header.contains('+');
        let strip = header.contains('-');
        let explicit = header
            .chars()
            .find(|c| c.is_ascii_digit() && *c != '0')
            .and_then(|c| c.to_digit(10))
            .map(|n| parent_indent + n as usize);
        let mut scalar = Scalar::new(style);
        if header_end >= source.len() {
            return scalar;
        }
        let body_start = header_end + 1;
        let lines = split_lines(&source[body_start..], start + body_start);
        let indent = explicit.unwrap_or_else(|| {
            lines
                .iter()
                .find(|(line, _)| !line.trim().is_empty())
                .map_or(0, |(line, _)| {
                    line.len() - line.trim_start_matches(' ').len()
                })
        });
        // Content lines: the indentation removed; a line with less is blank.
        let content: Vec<(&str, usize)> = lines
            .iter()
            .map(|(line, at)| {
                let cut = indent.min(line.len() - line.trim_start_matches(' ').len());
                (&line[cut..], at + cut)
            })
            .collect();
        let last_content = content
            .iter()
            .rposition(|(line, _)| !line.trim().is_empty());
        let Some(last) = last_content else {
            return scalar;
        };
        let mut previous_folds = false;
        for (i, (line, at)) in content[..=last].iter().enumerate() {
            let blank = line.trim().is_empty();
            let more_indented = line.starts_with([' ', '\t']);
            if i > 0 {
                let joins = style == Style::Folded && previous_folds && !blank && !more_indented;
                scalar.text.push(if joins { ' ' } else { '\n' });
                // A folded line break before blank lines is dropped: the
                // blank lines stand for the breaks.
                if style == Style::Folded && previous_folds && blank {
                    scalar.text.pop();
                }
            }
            if !blank {
                scalar.push_verbatim(line.trim_end_matches('\r'), *at);
            }
            previous_folds = !blank && !more_indented;
        }
        // The last "line" of the split is what follows the final break.
        let trailing_breaks = (content.len() - 1 - last).max(1);
        if keep {
            (0..trailing_breaks).for_each(|_| scalar.text.push('\n'));
        } else if !strip {
            scalar.text.push('\n');
        }
        scalar
    }
}

/// Lines of `text` (without their `\n`) with their absolute start offsets.
fn split_lines(text: &str, start: usize) -> Vec<(&str, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    for line in text.split('\n') {
        out.push((line, start + at));
        at += line.len() + 1;
    }
    out
}

/// Plain and quoted scalars: lines trimmed and joined by a space, a blank
/// line standing for a line break; quotes' escapes undone.
fn fold_lines(inner: &str, start: usize, style: Style) -> Scalar {
    let mut scalar = Scalar::new(style);
    let lines = split_lines(inner, start);
    let count = lines.len();
    let mut pending_breaks = 0;
    let mut wrote = false;
    let mut escaped_break = false;
    for (i, (line, at)) in lines.into_iter().enumerate() {
        let line = line.trim_end_matches('\r');
        let lead = if i == 0 {
            0
        } else {
            line.len() - line.trim_start_matches([' ', '\t']).len()
        };
        let body = &line[lead..];
        let body = if i + 1 < count {
            body.trim_end_matches([' ', '\t'])
        } else {
            body
        };
        if body.is_empty() && i > 0 && i + 1 < count {
            pending_breaks += 1;
            continue;
        }
        if wrote && !escaped_break {
            if pending_breaks > 0 {
                (0..pending_breaks).for_each(|_| scalar.text.push('\n'));
            } else {
                scalar.text.push(' ');
            }
        }
        pending_breaks = 0;
        escaped_break = false;
        let at = at + lead;
        match style {
            Style::DoubleQuoted => {
                escaped_break = body.ends_with('\\') && !body.ends_with("\\\\") && i + 1 < count;
                let body = if escaped_break {
                    &body[..body.len() - 1]
                } else {
                    body
                };
                unescape_double(&mut scalar, body, at);
            }
            Style::SingleQuoted => {
                for (j, part) in body.split("''").enumerate() {
                    let offset = body_offset(body, part, at);
                    if j > 0 {
                        scalar.push_mapped("'", offset - 2..offset);
                    }
                    scalar.push_verbatim(part, offset);
                }
            }
            _ => scalar.push_verbatim(body, at),
        }
        wrote = true;
    }
    scalar
}

/// Absolute offset of `part`, a subslice of `body` that starts at `at`.
fn body_offset(body: &str, part: &str, at: usize) -> usize {
    at + (part.as_ptr() as usize - body.as_ptr() as usize)
}

fn unescape_double(scalar: &mut Scalar, body: &str, at: usize) {
    let mut run_start = 0;
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' || i + 1 >= bytes.len() {
            i += 1;
            continue;
        }
        scalar.push_verbatim(&body[run_start..i], at + run_start);
        let (decoded, len) = escape(&body[i + 1..]);
        let len = len.min(body.len() - i - 1);
        scalar.push_mapped(&decoded, at + i..at + i + 1 + len);
        i += 1 + len;
        // Stay on a character boundary whatever the escape claimed.
        while i < body.len() && !body.is_char_boundary(i) {
            i += 1;
        }
        run_start = i;
    }
    if run_start < body.len() {
        scalar.push_verbatim(&body[run_start..], at + run_start);
    }
}

/// The text of the escape after a `\` and how many bytes it spans.
fn escape(rest: &str) -> (String, usize) {
    let Some(c) = rest.chars().next() else {
        return (String::new(), 0);
    };
    let simple = match c {
        'n' => Some('\n'),
        't' | '\t' => Some('\t'),
        'r' => Some('\r'),
        '0' => Some('\0'),
        '"' => Some('"'),
        '\\' => Some('\\'),
        '/' => Some('/'),
        ' ' => Some(' '),
        'e' => Some('\u{1b}'),
        _ => None,
    };
    if let Some(decoded) = simple {
        return (decoded.to_string(), c.len_utf8());
    }
    let digits = match c {
        'x' => 2,
        'u' => 4,
        'U' => 8,
        _ => return (c.to_string(), c.len_utf8()),
    };
    let hex = rest.get(1..1 + digits).unwrap_or("");
    match u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) {
        Some(decoded) if hex.len() == digits => (decoded.to_string(), 1 + digits),
        _ => (c.to_string(), c.len_utf8()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_scalars_decode_and_map_back() {
        let s = Scalar::flow("'it''s'", 10);
        assert_eq!(s.text, "it's");
        assert_eq!(s.source_range(3..4), 15..16);
        let d = Scalar::flow(r#""a\tb \"c\"""#, 0);
        assert_eq!(d.text, "a\tb \"c\"");
        assert_eq!(d.source_range(1..2), 2..4);
        let p = Scalar::flow("npm test\n    || true", 5);
        assert_eq!(p.text, "npm test || true");
        assert_eq!(p.source_range(9..16), 18..25);
        assert_eq!(Scalar::flow("a\n\n  b", 0).text, "a\nb");
    }

    #[test]
    fn block_scalars_keep_or_fold_lines() {
        let src = "|\n  set +e\n  pytest || true\n\n";
        let s = Scalar::block(src, 100, 0);
        assert_eq!(s.text, "set +e\npytest || true\n");
        let at = s.text.find("||").unwrap();
        assert_eq!(
            s.source_range(at..at + 2),
            100 + src.find("||").unwrap()..100 + src.find("||").unwrap() + 2
        );
        assert_eq!(Scalar::block(">-\n  a\n  b\n\n  c\n", 0, 0).text, "a b\nc");
        assert_eq!(Scalar::block("|+\n  a\n\n", 0, 0).text, "a\n\n");
        assert_eq!(Scalar::block("|\n    a\n      b\n", 0, 2).text, "a\n  b\n");
    }
}
