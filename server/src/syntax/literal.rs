//! String literals of host languages (Python, TypeScript/JavaScript) as the
//! program sees them, with a map back to the characters that wrote them.
//!
//! SQL embedded in a migration is checked on its value (`"a\"b"` is `a"b`),
//! but every finding must point at the host file's own characters: the map
//! sends a byte of the value to the bytes of the source that produced it, so
//! a range inside an escape-free stretch is exact and one that starts or ends
//! on an escape covers the whole escape. Concatenated literals
//! (`"a" "b"`, `'a' + 'b'`) are one value whose pieces sit apart in the file.
//!
//! Anything computed at run time (f-string fields, `${...}`, names) makes the
//! value unknown: the readers return `None` and the caller reports it as such.

use std::ops::Range;

use tree_sitter::Node;

/// A literal's value and where each part of it is written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Literal {
    pub value: String,
    pieces: Vec<Piece>,
    /// Each string the value is concatenated from, with its own quoting.
    parts: Vec<Part>,
}

/// One string of a (possibly concatenated) literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Part {
    /// Its range in the value.
    start: usize,
    end: usize,
    quote: Quote,
}

/// A run of the value and the source bytes that produce it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Piece {
    /// Start and length in the value.
    at: usize,
    len: usize,
    /// Start and length in the source.
    source: usize,
    source_len: usize,
    /// Written as-is: value byte `at + i` is source byte `source + i`.
    verbatim: bool,
}

/// How a literal is delimited, for writing new text into it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Quote {
    /// `'`, `"`, `'''`, `"""` or `` ` ``.
    pub delimiter: &'static str,
    /// Python `r"..."`: backslashes are text, so nothing can be escaped.
    pub raw: bool,
    /// A Python f-string: braces are doubled.
    pub format: bool,
}

impl Literal {
    fn push_verbatim(&mut self, text: &str, source: usize) {
        if text.is_empty() {
            return;
        }
        let at = self.value.len();
        self.value.push_str(text);
        if let Some(last) = self.pieces.last_mut()
            && last.verbatim
            && last.at + last.len == at
            && last.source + last.source_len == source
        {
            last.len += text.len();
            last.source_len += text.len();
            return;
        }
        self.pieces.push(Piece {
            at,
            len: text.len(),
            source,
            source_len: text.len(),
            verbatim: true,
        });
    }

    /// `value` written as the escape at `source`.
    fn push_escape(&mut self, value: &str, source: Range<usize>) {
        let at = self.value.len();
        self.value.push_str(value);
        self.pieces.push(Piece {
            at,
            len: value.len(),
            source: source.start,
            source_len: source.len(),
            verbatim: false,
        });
    }

    /// The piece holding value byte `offset` (the last one for the end).
    fn piece(&self, offset: usize) -> Option<&Piece> {
        let i = self.pieces.partition_point(|p| p.at <= offset);
        self.pieces.get(i.checked_sub(1)?)
    }

    /// The source offset where value byte `offset` starts.
    pub fn source_start(&self, offset: usize) -> usize {
        match self.piece(offset) {
            Some(p) if p.verbatim => p.source + (offset - p.at).min(p.len),
            // Past the last escape: the end of the value.
            Some(p) if offset >= p.at + p.len => p.source + p.source_len,
            Some(p) => p.source,
            None => 0,
        }
    }

    /// The source offset where the value's bytes before `offset` end.
    pub fn source_end(&self, offset: usize) -> usize {
        match offset.checked_sub(1).and_then(|last| self.piece(last)) {
            Some(p) if p.verbatim => p.source + (offset - p.at).min(p.len),
            Some(p) => p.source + p.source_len,
            None => self.source_start(0),
        }
    }

    /// A range of the value as a range of the source.
    pub fn source_range(&self, range: Range<usize>) -> Range<usize> {
        let start = self.source_start(range.start);
        start..self.source_end(range.end).max(start)
    }

    /// The source range of the whole value.
    pub fn source_span(&self) -> Range<usize> {
        self.source_range(0..self.value.len())
    }

    /// Whether `range` of the value is written verbatim in one stretch of
    /// the source, so an edit of the value there is the same edit of the source.
    pub fn is_verbatim(&self, range: Range<usize>) -> bool {
        let Some(p) = self.piece(range.start) else {
            return self.value.is_empty() && range.is_empty();
        };
        // An empty range at the end of a piece may sit before the next one.
        let end_piece = range.end.saturating_sub(1).max(range.start);
        p.verbatim && self.piece(end_piece) == Some(p) && range.end <= p.at + p.len
    }

    /// The same literal written `delta` bytes later (earlier when negative)
    /// in its file.
    pub fn shifted(&self, delta: isize) -> Literal {
        Literal {
            value: self.value.clone(),
            pieces: self
                .pieces
                .iter()
                .map(|p| Piece {
                    source: p.source.saturating_add_signed(delta),
                    ..*p
                })
                .collect(),
            parts: self.parts.clone(),
        }
    }

    /// The offset in the value that source offset `source` stands for: inside
    /// or at either end of a verbatim stretch, or at either end of an escape;
    /// `None` inside an escape or between the strings of a concatenation.
    pub fn value_offset(&self, source: usize) -> Option<usize> {
        self.pieces.iter().find_map(|p| {
            let end = p.source + p.source_len;
            if p.verbatim && (p.source..=end).contains(&source) {
                Some(p.at + (source - p.source))
            } else if source == p.source {
                Some(p.at)
            } else if source == end {
                Some(p.at + p.len)
            } else {
                None
            }
        })
    }

    /// The value range a source range stands for (see [`Literal::value_offset`]).
    pub fn value_span(&self, source: Range<usize>) -> Option<Range<usize>> {
        let start = self.value_offset(source.start)?;
        let end = self.value_offset(source.end)?;
        (start <= end).then_some(start..end)
    }

    /// The edits of the source that replace `range` of the value with
    /// `replacement`, each written for the quoting of the string it falls
    /// in: an escape the range cuts is rewritten whole, and a range across
    /// concatenated strings puts the replacement in the first and removes
    /// the rest from the others. `None` when a string's quoting cannot hold
    /// the text (a quote in a raw string) or the range is not in the value.
    /// As (source range, text) pairs, in source order.
    pub fn edit(
        &self,
        range: Range<usize>,
        replacement: &str,
    ) -> Option<Vec<(Range<usize>, String)>> {
        if range.start > range.end || range.end > self.value.len() {
            return None;
        }
        let insertion = range.is_empty();
        // An insertion goes into the first string it touches.
        let touched = self
            .parts
            .iter()
            .filter(|p| match insertion {
                true => p.start <= range.start && range.start <= p.end,
                false => p.start < range.end && range.start < p.end,
            })
            .take(if insertion { 1 } else { usize::MAX });
        let mut edits = Vec::new();
        for (i, part) in touched.enumerate() {
            let cut = range.start.max(part.start)..range.end.min(part.end);
            // Widened to whole escapes, so none is left half written.
            let start = self.escape_start(cut.start);
            let end = self.escape_end(cut.end);
            let mut text = self.value.get(start..cut.start)?.to_string();
            if i == 0 {
                text.push_str(replacement);
            }
            text.push_str(self.value.get(cut.end..end)?);
            let source = if start == end {
                // Inside the string's quotes, after the character before it.
                let at = if start > part.start {
                    self.source_end(start)
                } else {
                    self.source_start(start)
                };
                at..at
            } else {
                self.source_start(start)..self.source_end(end)
            };
            edits.push((source, encode(&text, part.quote)?));
        }
        (!edits.is_empty()).then_some(edits)
    }

    /// `offset`, or the start of the escape it falls inside.
    fn escape_start(&self, offset: usize) -> usize {
        match self.piece(offset) {
            Some(p) if !p.verbatim && p.at < offset && offset < p.at + p.len => p.at,
            _ => offset,
        }
    }

    /// `offset`, or the end of the escape it falls inside.
    fn escape_end(&self, offset: usize) -> usize {
        match self.piece(offset) {
            Some(p) if !p.verbatim && p.at < offset && offset < p.at + p.len => p.at + p.len,
            _ => offset,
        }
    }

    /// Appends one string, whose text between the quotes is `content`.
    fn string(
        &mut self,
        source: &str,
        content: Range<usize>,
        quote: Quote,
        escape: fn(&str) -> (usize, Option<String>),
    ) {
        let start = self.value.len();
        // An empty string still has a place text can be inserted at.
        if content.is_empty() {
            self.pieces.push(Piece {
                at: start,
                len: 0,
                source: content.start,
                source_len: 0,
                verbatim: true,
            });
        }
        decode(source, content, quote, escape, self);
        self.parts.push(Part {
            start,
            end: self.value.len(),
            quote,
        });
    }
}

/// `text` written inside a literal quoted as `quote`.
pub fn encode(text: &str, quote: Quote) -> Option<String> {
    let delimiter = quote.delimiter.chars().next().unwrap_or('"');
    let triple = quote.delimiter.len() == 3;
    if quote.raw {
        let breaks = !triple && text.contains(['\n', '\r']);
        return (!text.contains(delimiter) && !text.ends_with('\\') && !breaks)
            .then(|| text.to_string());
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' if !triple && delimiter != '`' => out.push_str("\\n"),
            '\r' if !triple && delimiter != '`' => out.push_str("\\r"),
            '$' if delimiter == '`' => out.push_str("\\$"),
            '{' | '}' if quote.format => {
                out.push(c);
                out.push(c);
            }
            c if c == delimiter => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    Some(out)
}

/// A Python string expression's value: a string, implicitly concatenated
/// strings, a `+` of those, or any of them in parentheses. `None` for
/// anything else, and for f-strings with fields.
pub fn python(node: Node<'_>, source: &str) -> Option<Literal> {
    let mut literal = Literal::default();
    python_into(node, source, &mut literal)?;
    Some(literal)
}

fn python_into(node: Node<'_>, source: &str, out: &mut Literal) -> Option<()> {
    match node.kind() {
        "parenthesized_expression" => python_into(node.named_child(0)?, source, out),
        "binary_operator" => {
            if node.child_by_field_name("operator")?.kind() != "+" {
                return None;
            }
            python_into(node.child_by_field_name("left")?, source, out)?;
            python_into(node.child_by_field_name("right")?, source, out)
        }
        "concatenated_string" => {
            let mut cursor = node.walk();
            for part in node.named_children(&mut cursor) {
                if part.kind() != "comment" {
                    python_into(part, source, out)?;
                }
            }
            Some(())
        }
        "string" => python_string(node, source, out),
        _ => None,
    }
}

fn python_string(node: Node<'_>, source: &str, out: &mut Literal) -> Option<()> {
    let mut cursor = node.walk();
    let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
    if children.iter().any(|c| c.kind() == "interpolation") || node.has_error() {
        return None;
    }
    let start = children.first().filter(|c| c.kind() == "string_start")?;
    let end = children.last().filter(|c| c.kind() == "string_end")?;
    let opening = source.get(start.byte_range())?;
    let prefix: String = opening
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let delimiter = match &opening[prefix.len()..] {
        "\"\"\"" => "\"\"\"",
        "'''" => "'''",
        "\"" => "\"",
        "'" => "'",
        _ => return None,
    };
    let quote = Quote {
        delimiter,
        raw: prefix.contains('r'),
        format: prefix.contains('f') || prefix.contains('t'),
    };
    let content = start.end_byte()..end.start_byte();
    out.string(source, content, quote, python_escape);
    Some(())
}

/// A JavaScript/TypeScript string expression's value: a string, a template
/// without substitutions, a `+` of those, or either in parentheses.
pub fn javascript(node: Node<'_>, source: &str) -> Option<Literal> {
    let mut literal = Literal::default();
    javascript_into(node, source, &mut literal)?;
    Some(literal)
}

fn javascript_into(node: Node<'_>, source: &str, out: &mut Literal) -> Option<()> {
    match node.kind() {
        "parenthesized_expression" => javascript_into(node.named_child(0)?, source, out),
        "binary_expression" => {
            let operator = node.child_by_field_name("operator")?;
            if operator.kind() != "+" {
                return None;
            }
            javascript_into(node.child_by_field_name("left")?, source, out)?;
            javascript_into(node.child_by_field_name("right")?, source, out)
        }
        "string" | "template_string" => {
            let mut cursor = node.walk();
            if node.has_error()
                || node
                    .named_children(&mut cursor)
                    .any(|c| c.kind() == "template_substitution")
            {
                return None;
            }
            let text = source.get(node.byte_range())?;
            let delimiter = match text.chars().next()? {
                '`' => "`",
                '\'' => "'",
                _ => "\"",
            };
            let quote = Quote {
                delimiter,
                raw: false,
                format: false,
            };
            if text.len() < 2 {
                return None;
            }
            let content = node.start_byte() + 1..node.end_byte() - 1;
            out.string(source, content, quote, javascript_escape);
            Some(())
        }
        _ => None,
    }
}

/// Appends the value of `content` (the text between the quotes) to `out`.
fn decode(
    source: &str,
    content: Range<usize>,
    quote: Quote,
    escape: fn(&str) -> (usize, Option<String>),
    out: &mut Literal,
) {
    let Some(text) = source.get(content.clone()) else {
        return;
    };
    let base = content.start;
    let mut run = 0;
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let special = if quote.raw {
            None
        } else if rest.starts_with('\\') {
            let (len, value) = escape(rest);
            Some((len.max(1).min(rest.len()), value))
        } else if quote.format && (rest.starts_with("{{") || rest.starts_with("}}")) {
            Some((2, Some(rest[..1].to_string())))
        } else {
            None
        };
        match special {
            Some((len, value)) => {
                out.push_verbatim(&text[run..i], base + run);
                out.push_escape(value.as_deref().unwrap_or(""), base + i..base + i + len);
                i += len;
                // An escape ends on a character boundary: it is ASCII but for
                // the character an unknown escape keeps, taken whole.
                while !text.is_char_boundary(i) {
                    i += 1;
                }
                run = i;
            }
            None => i += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    out.push_verbatim(&text[run..], base + run);
}

/// The escapes Python and JavaScript write alike: a lone backslash at the
/// end, a line continuation, `\n \r \t \b \f \v`, `\x41`. `None`: the
/// language decides.
fn shared_escape(rest: &str) -> Option<(usize, Option<String>)> {
    let bytes = rest.as_bytes();
    let Some(&c) = bytes.get(1) else {
        return Some((1, Some("\\".into())));
    };
    let simple = match c {
        b'\n' => return Some((2, None)),
        b'\r' => return Some((if bytes.get(2) == Some(&b'\n') { 3 } else { 2 }, None)),
        b'x' => return Some(hex_escape(rest, 2)),
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'v' => '\u{b}',
        _ => return None,
    };
    Some((2, Some(simple.to_string())))
}

/// The length of the escaped character after the backslash.
fn escaped_len(rest: &str) -> usize {
    1 + rest[1..].chars().next().map_or(0, char::len_utf8)
}

/// Python's escapes: the length written and the value (`None`: nothing, as
/// for a line continuation).
fn python_escape(rest: &str) -> (usize, Option<String>) {
    if let Some(shared) = shared_escape(rest) {
        return shared;
    }
    let bytes = rest.as_bytes();
    let simple = match bytes[1] {
        b'\\' => '\\',
        b'\'' => '\'',
        b'"' => '"',
        b'a' => '\u{7}',
        b'0'..=b'7' => {
            let len = bytes[1..]
                .iter()
                .take(3)
                .take_while(|b| (b'0'..=b'7').contains(b))
                .count();
            let code = u32::from_str_radix(&rest[1..1 + len], 8).unwrap_or(0xfffd);
            return (1 + len, Some(char_of(code)));
        }
        b'u' => return hex_escape(rest, 4),
        b'U' => return hex_escape(rest, 8),
        b'N' => {
            // `\N{NAME}`: the character's name; its value does not matter to SQL.
            let len = rest.find('}').map_or(2, |end| end + 1);
            return (len, Some("\u{fffd}".into()));
        }
        // An unknown escape keeps its backslash.
        _ => {
            let len = escaped_len(rest);
            return (len, Some(rest[..len].to_string()));
        }
    };
    (2, Some(simple.to_string()))
}

/// JavaScript's escapes (strings and templates alike).
fn javascript_escape(rest: &str) -> (usize, Option<String>) {
    if let Some(shared) = shared_escape(rest) {
        return shared;
    }
    let bytes = rest.as_bytes();
    match bytes[1] {
        b'0' if !bytes.get(2).is_some_and(u8::is_ascii_digit) => (2, Some("\0".into())),
        b'u' if bytes.get(2) == Some(&b'{') => {
            let Some(close) = rest.find('}') else {
                return (2, Some("u".into()));
            };
            let code = u32::from_str_radix(&rest[3..close], 16).unwrap_or(0xfffd);
            (close + 1, Some(char_of(code)))
        }
        b'u' => hex_escape(rest, 4),
        // Any other character stands for itself (`\'`, `\\`, `` \` ``, `\$`).
        _ => {
            let len = escaped_len(rest);
            (len, Some(rest[1..len].to_string()))
        }
    }
}

/// `\x41`, `\u0041`, `\U00000041`: `digits` hex digits after two bytes.
fn hex_escape(rest: &str, digits: usize) -> (usize, Option<String>) {
    let hex = rest
        .get(2..2 + digits)
        .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
    match hex {
        Some(hex) => (
            2 + digits,
            Some(char_of(u32::from_str_radix(hex, 16).unwrap_or(0xfffd))),
        ),
        // Python rejects it; JavaScript too. Keep the text, map it whole.
        None => (2, Some(rest[..2].to_string())),
    }
}

fn char_of(code: u32) -> String {
    char::from_u32(code).unwrap_or('\u{fffd}').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::trees;
    use crate::text::Language;

    /// The value of the first string expression in `source` (after `x = `).
    fn value(language: Language, source: &str) -> Option<Literal> {
        let tree = trees::parse(language, source).expect("parses");
        let root = tree.root_node();
        let mut node = root;
        // Descend to the right-hand side of the first assignment.
        while let Some(child) = node.named_child(0) {
            node = child;
            if matches!(node.kind(), "assignment" | "variable_declarator") {
                break;
            }
        }
        let right = node
            .child_by_field_name("right")
            .or_else(|| node.child_by_field_name("value"))?;
        match language {
            Language::Python => python(right, source),
            _ => javascript(right, source),
        }
    }

    #[test]
    fn python_values_and_their_source() {
        let source = r#"x = "CREATE INDEX \"i\" ON t (a)\n""#;
        let literal = value(Language::Python, source).unwrap();
        assert_eq!(literal.value, "CREATE INDEX \"i\" ON t (a)\n");
        let i = literal.value.find('"').unwrap();
        // The quote is written `\"`.
        assert_eq!(&source[literal.source_range(i..i + 1)], "\\\"");
        let on = literal.value.find("ON").unwrap();
        assert_eq!(&source[literal.source_range(on..on + 6)], "ON t (");
        assert!(literal.is_verbatim(on..on + 6));
        let host = literal.source_range(on..on + 6);
        assert_eq!(literal.value_span(host), Some(on..on + 6));
        // An escape maps back whole, never in part.
        let escape = literal.source_range(i..i + 1);
        assert_eq!(literal.value_span(escape.clone()), Some(i..i + 1));
        assert_eq!(literal.value_span(escape.start..escape.start + 1), None);
        assert!(!literal.is_verbatim(i..i + 3));
    }

    #[test]
    fn raw_triple_concatenated_and_format_strings() {
        let raw = value(Language::Python, r"x = r'a\nb'").unwrap();
        assert_eq!(raw.value, r"a\nb");
        let triple = value(Language::Python, "x = \"\"\"\n  SELECT 1;\n\"\"\"").unwrap();
        assert_eq!(triple.value, "\n  SELECT 1;\n");
        let source = "x = (\n  'ALTER TABLE t '  # why\n  \"ADD c int\"\n)";
        let joined = value(Language::Python, source).unwrap();
        assert_eq!(joined.value, "ALTER TABLE t ADD c int");
        let add = joined.value.find("ADD").unwrap();
        assert_eq!(&source[joined.source_range(add..add + 3)], "ADD");
        // A range across the seam covers the characters between the pieces.
        let span = joined.source_range(12..add + 3);
        assert_eq!(&source[span], "t '  # why\n  \"ADD");
        let braces = value(Language::Python, "x = f'a{{b}}'").unwrap();
        assert_eq!(braces.value, "a{b}");
        assert!(value(Language::Python, "x = f'a{b}'").is_none());
        assert!(value(Language::Python, "x = sql").is_none());
        let plus = "x = 'ALTER TABLE t ' + (\"ADD c int\")";
        let added = value(Language::Python, plus).unwrap();
        assert_eq!(added.value, "ALTER TABLE t ADD c int");
        let add = added.value.find("ADD").unwrap();
        assert_eq!(&plus[added.source_range(add..add + 3)], "ADD");
        assert!(value(Language::Python, "x = 'a' + sql").is_none());
        assert!(value(Language::Python, "x = 'a' * 2").is_none());
        let continued = value(Language::Python, "x = 'a\\\nb'").unwrap();
        assert_eq!(continued.value, "ab");
        let escapes = value(Language::Python, r"x = '\x41\u00e9\101\d\N{BULLET}'").unwrap();
        assert_eq!(escapes.value, "Aé\u{41}\\d\u{fffd}");
    }

    #[test]
    fn javascript_values_and_their_source() {
        let source = "const x = `CREATE INDEX \\`i\\` ON t (a)`;";
        let literal = value(Language::TypeScript, source).unwrap();
        assert_eq!(literal.value, "CREATE INDEX `i` ON t (a)");
        let on = literal.value.find("ON").unwrap();
        assert_eq!(
            &source[literal.source_range(on..literal.value.len())],
            "ON t (a)"
        );
        assert!(value(Language::TypeScript, "const x = `a ${b}`;").is_none());
        let plus = "const x = 'DROP ' +\n  \"TABLE \\\"t\\\"\";";
        let joined = value(Language::TypeScript, plus).unwrap();
        assert_eq!(joined.value, "DROP TABLE \"t\"");
        let t = joined.value.find('T').unwrap();
        assert_eq!(&plus[joined.source_range(t..t + 5)], "TABLE");
        let unicode = value(Language::JavaScript, r"const x = '\u{1F680}\x41\0';").unwrap();
        assert_eq!(unicode.value, "🚀A\0");
        assert!(value(Language::TypeScript, "const x = 'a' - 'b';").is_none());
    }

    /// `source` with `literal`'s value range `range` replaced by `new`
    /// through [`Literal::edit`], and the value the edited literal has.
    fn edited(
        language: Language,
        source: &str,
        range: Range<usize>,
        new: &str,
    ) -> (String, String) {
        let literal = value(language, source).unwrap();
        let mut expected = literal.value.clone();
        expected.replace_range(range.clone(), new);
        let mut out = source.to_string();
        for (range, text) in literal.edit(range, new).unwrap().into_iter().rev() {
            out.replace_range(range, &text);
        }
        let reread = value(language, &out).expect("still a literal").value;
        assert_eq!(reread, expected, "{out}");
        (out, reread)
    }

    #[test]
    fn edits_through_escapes_and_seams() {
        let python = r#"x = "CREATE INDEX \"i\" ON t (a)\n""#;
        // Next to an escape: only the inserted text, escaped.
        let at = "CREATE INDEX ".len();
        let (out, _) = edited(Language::Python, python, at..at, "CONCURRENTLY \"j\" ");
        assert_eq!(
            out,
            r#"x = "CREATE INDEX CONCURRENTLY \"j\" \"i\" ON t (a)\n""#
        );
        // Across escapes: they are rewritten from the value.
        let (out, _) = edited(Language::Python, python, at..at + 3, "k");
        assert_eq!(out, r#"x = "CREATE INDEX k ON t (a)\n""#);
        // Inside an unknown escape's value (`\d` is two characters): whole.
        let unknown = r"x = 'a\db'";
        let (out, reread) = edited(Language::Python, unknown, 2..2, "X");
        assert_eq!(reread, "a\\Xdb");
        assert_eq!(out, r"x = 'a\\Xdb'");
        // Implicit concatenation: the replacement goes in the first string,
        // the rest of the range leaves the second; each in its own quoting.
        let joined = "x = ('ALTER TABLE t '\n     \"ADD c int\")";
        let (out, _) = edited(Language::Python, joined, 12..17, "u DROP");
        assert_eq!(out, "x = ('ALTER TABLE u DROP'\n     \" c int\")");
        let (out, _) = edited(Language::Python, joined, 14..14, "it's ");
        assert_eq!(out, "x = ('ALTER TABLE t it\\'s '\n     \"ADD c int\")");
        // At the seam: the end of the first string.
        let (out, _) = edited(Language::Python, joined, 14..14, "X");
        assert_eq!(out, "x = ('ALTER TABLE t X'\n     \"ADD c int\")");
        // JavaScript `+`, a template after a single-quoted string.
        let js = "const x = 'DROP ' + `TABLE \\`t\\``;";
        let (out, _) = edited(Language::TypeScript, js, 5..10, "VIEW $v");
        assert_eq!(out, "const x = 'DROP ' + `VIEW \\$v \\`t\\``;");
        let (out, _) = edited(Language::TypeScript, js, 3..10, "X $");
        assert_eq!(out, "const x = 'DROX $' + ` \\`t\\``;");
        // An empty string still takes text.
        let (out, _) = edited(Language::Python, "x = ''", 0..0, "a'b");
        assert_eq!(out, "x = 'a\\'b'");
        // A raw string cannot hold its own quote: no edit rather than a wrong one.
        let raw = value(Language::Python, "x = r'a\\d'").unwrap();
        assert!(raw.edit(0..0, "'").is_none());
        assert!(raw.edit(0..99, "").is_none());
    }

    #[test]
    fn encoding_for_each_quote() {
        let double = Quote {
            delimiter: "\"",
            raw: false,
            format: false,
        };
        assert_eq!(encode("a\"b\\\n", double).unwrap(), "a\\\"b\\\\\\n");
        let triple = Quote {
            delimiter: "'''",
            ..double
        };
        assert_eq!(encode("it's\n", triple).unwrap(), "it\\'s\n");
        let raw = Quote {
            raw: true,
            ..double
        };
        assert_eq!(encode("a'b", raw).unwrap(), "a'b");
        assert!(encode("a\"b", raw).is_none());
        let template = Quote {
            delimiter: "`",
            ..double
        };
        assert_eq!(encode("`$x`\n", template).unwrap(), "\\`\\$x\\`\n");
    }

    #[test]
    fn ranges_never_leave_the_literal() {
        let source = r#"x = "ab\ncd""#;
        let literal = value(Language::Python, source).unwrap();
        let whole = literal.source_span();
        assert_eq!(&source[whole], r"ab\ncd");
        for start in 0..=literal.value.len() {
            for end in start..=literal.value.len() {
                let r = literal.source_range(start..end);
                assert!(
                    r.start <= r.end && r.end <= source.len(),
                    "{start}..{end} → {r:?}"
                );
            }
        }
    }
}
