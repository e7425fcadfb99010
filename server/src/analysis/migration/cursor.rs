//! A cursor over a statement's tokens, for the facts sqlparser cannot give: the
//! byte span of each `ALTER TABLE` action, and the kind of a statement it rejects.

use std::ops::Range;

use crate::syntax::sql::{Token, TokenKind};

use super::ops::Name;

#[derive(Clone)]
pub struct Cursor<'a> {
    text: &'a str,
    tokens: &'a [Token],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(text: &'a str, tokens: &'a [Token]) -> Self {
        Cursor {
            text,
            tokens,
            pos: 0,
        }
    }

    pub fn at_end(&self) -> bool {
        self.peek().is_none_or(|t| self.is_punct(t, ";"))
    }

    fn peek(&self) -> Option<&'a Token> {
        self.tokens.get(self.pos)
    }

    fn is_punct(&self, token: &Token, punct: &str) -> bool {
        token.kind == TokenKind::Punct && &self.text[token.span.clone()] == punct
    }

    /// Whether the next token is the keyword `word` (case-insensitive).
    pub fn at_word(&self, word: &str) -> bool {
        self.peek().is_some_and(|t| {
            t.kind == TokenKind::Word && self.text[t.span.clone()].eq_ignore_ascii_case(word)
        })
    }

    /// Consumes the keyword sequence `words` if it comes next, else nothing.
    pub fn eat(&mut self, words: &[&str]) -> bool {
        let mut probe = self.clone();
        for word in words {
            if !probe.at_word(word) {
                return false;
            }
            probe.pos += 1;
        }
        self.pos = probe.pos;
        true
    }

    /// Consumes one token of any kind, returning its text.
    pub fn bump(&mut self) -> Option<&'a str> {
        let token = self.peek()?;
        self.pos += 1;
        Some(&self.text[token.span.clone()])
    }

    /// An identifier, folded as PostgreSQL folds it.
    pub fn ident(&mut self) -> Option<String> {
        let token = self.peek()?;
        let raw = &self.text[token.span.clone()];
        let ident = match token.kind {
            // PostgreSQL folds only ASCII letters in a multi-byte encoding.
            TokenKind::Word => raw.to_ascii_lowercase(),
            TokenKind::QuotedIdent => unquote(raw),
            _ => return None,
        };
        self.pos += 1;
        Some(ident)
    }

    /// A possibly qualified relation name: `t`, `s.t` or `db.s.t` (the
    /// database part is dropped).
    pub fn name(&mut self) -> Option<Name> {
        let mut parts = vec![self.ident()?];
        while self.eat_punct(".") {
            match self.ident() {
                Some(part) => parts.push(part),
                None => break,
            }
        }
        let name = parts.pop()?;
        Some(Name::new(parts.pop(), name))
    }

    /// Comma-separated names, as in `DROP TABLE a, b`.
    pub fn names(&mut self) -> Vec<Name> {
        let mut names = Vec::new();
        while let Some(name) = self.name() {
            names.push(name);
            if !self.eat_punct(",") {
                break;
            }
        }
        names
    }

    /// Consumes a string literal (`'...'`, `E'...'`, `$$...$$`), returning it
    /// as written.
    pub fn string(&mut self) -> Option<&'a str> {
        let token = self.peek().filter(|t| t.kind == TokenKind::String)?;
        self.pos += 1;
        Some(&self.text[token.span.clone()])
    }

    /// Consumes a punctuation or operator token with exactly this text.
    pub fn eat_symbol(&mut self, symbol: &str) -> bool {
        let matches = self.peek().is_some_and(|t| {
            matches!(t.kind, TokenKind::Punct | TokenKind::Operator)
                && &self.text[t.span.clone()] == symbol
        });
        self.pos += usize::from(matches);
        matches
    }

    /// A cursor over this statement's tokens that lie inside `span`.
    pub fn within(&self, span: Range<usize>) -> Cursor<'a> {
        let start = self.tokens.partition_point(|t| t.span.start < span.start);
        let end = self.tokens.partition_point(|t| t.span.end <= span.end);
        Cursor {
            text: self.text,
            tokens: &self.tokens[start..end.max(start)],
            pos: 0,
        }
    }

    /// The text from the next token up to (not including) the first of `words`
    /// at parenthesis depth zero, or to the end.
    pub fn text_until(&self, words: &[&str]) -> &'a str {
        let mut probe = self.clone();
        let start = probe.offset();
        let mut end = start;
        let mut depth = 0usize;
        while let Some(token) = probe.peek() {
            let text = &self.text[token.span.clone()];
            let is_punct = token.kind == TokenKind::Punct;
            if depth == 0
                && ((is_punct && matches!(text, "," | ";"))
                    || (token.kind == TokenKind::Word
                        && words.iter().any(|w| w.eq_ignore_ascii_case(text))))
            {
                break;
            }
            if is_punct && text == "(" {
                depth += 1;
            } else if is_punct && text == ")" {
                depth = depth.saturating_sub(1);
            }
            end = token.span.end;
            probe.pos += 1;
        }
        &self.text[start..end]
    }

    pub fn eat_punct(&mut self, punct: &str) -> bool {
        if self.peek().is_some_and(|t| self.is_punct(t, punct)) {
            self.pos += 1;
            return true;
        }
        false
    }

    /// Whether `words` occurs anywhere from here to the end, as consecutive keywords.
    pub fn contains(&self, words: &[&str]) -> bool {
        let mut probe = self.clone();
        while !probe.at_end() {
            if probe.clone().eat(words) {
                return true;
            }
            probe.pos += 1;
        }
        false
    }

    /// Like [`Cursor::contains`], but only outside parentheses: `NOT NULL` in
    /// `int NOT NULL`, not in `int CHECK (a IS NOT NULL)`.
    pub fn contains_top_level(&self, words: &[&str]) -> bool {
        let mut probe = self.clone();
        let mut depth = 0usize;
        while !probe.at_end() {
            if depth == 0 && probe.clone().eat(words) {
                return true;
            }
            if probe.eat_punct("(") {
                depth += 1;
            } else if probe.eat_punct(")") {
                depth = depth.saturating_sub(1);
            } else {
                probe.pos += 1;
            }
        }
        false
    }

    /// A cursor on the first of `words` found outside parentheses from here,
    /// e.g. the `UPDATE` after a `WITH` list.
    pub fn after_top_level(&self, words: &[&str]) -> Option<Cursor<'a>> {
        let mut probe = self.clone();
        let mut depth = 0usize;
        while let Some(token) = probe.peek() {
            if depth == 0 && words.iter().any(|w| probe.at_word(w)) {
                return Some(probe);
            }
            if self.is_punct(token, "(") {
                depth += 1;
            } else if self.is_punct(token, ")") {
                depth = depth.saturating_sub(1);
            }
            probe.pos += 1;
        }
        None
    }

    /// The span inside the first top-level parentheses from here on, e.g. a
    /// `CREATE TABLE` column list.
    pub fn parenthesized_span(&self) -> Option<Range<usize>> {
        let mut probe = self.clone();
        while !probe.at_end() && !probe.eat_punct("(") {
            probe.bump();
        }
        let start = probe.offset();
        let mut depth = 1usize;
        while let Some(token) = probe.peek() {
            if self.is_punct(token, "(") {
                depth += 1;
            } else if self.is_punct(token, ")") {
                depth -= 1;
                if depth == 0 {
                    return Some(start..token.span.start);
                }
            }
            probe.pos += 1;
        }
        None
    }

    /// Consumes a parenthesized group if one comes next, through its matching
    /// `)`: the span inside it.
    pub fn eat_parenthesized(&mut self) -> Option<Range<usize>> {
        let mut probe = self.clone();
        if !probe.eat_punct("(") {
            return None;
        }
        let start = probe.offset();
        let mut depth = 1usize;
        while let Some(token) = probe.peek() {
            probe.pos += 1;
            if self.is_punct(token, "(") {
                depth += 1;
            } else if self.is_punct(token, ")") {
                depth -= 1;
                if depth == 0 {
                    self.pos = probe.pos;
                    return Some(start..token.span.start);
                }
            }
        }
        None
    }

    /// Splits the rest of a boolean expression at the `AND`s outside
    /// parentheses (not the one of a `BETWEEN`): the byte span of each
    /// conjunct. `None` when an `OR` outside parentheses makes it a disjunction.
    pub fn conjunct_spans(mut self) -> Option<Vec<Range<usize>>> {
        let mut spans = Vec::new();
        let mut depth = 0usize;
        let mut start: Option<usize> = None;
        let mut end = 0;
        let mut in_between = false;
        while let Some(token) = self.peek() {
            if depth == 0 && self.at_word("OR") {
                return None;
            }
            if depth == 0 && self.at_word("AND") && !std::mem::take(&mut in_between) {
                spans.extend(start.take().map(|s| s..end));
                self.pos += 1;
                continue;
            }
            if depth == 0 && self.at_word("BETWEEN") {
                in_between = true;
            } else if self.is_punct(token, "(") {
                depth += 1;
            } else if self.is_punct(token, ")") {
                depth = depth.saturating_sub(1);
            }
            start.get_or_insert(token.span.start);
            end = token.span.end;
            self.pos += 1;
        }
        spans.extend(start.map(|s| s..end));
        Some(spans)
    }

    /// Byte offset of the next token (or of the end of the text).
    pub fn offset(&self) -> usize {
        self.peek().map_or(self.text.len(), |t| t.span.start)
    }

    /// Splits the rest of the statement at top-level commas: the byte span of
    /// each piece (an `ALTER TABLE` action), without the trailing `;`.
    pub fn comma_separated_spans(mut self) -> Vec<Range<usize>> {
        let mut spans = Vec::new();
        let mut depth = 0usize;
        let mut start: Option<usize> = None;
        let mut end = 0;
        while let Some(token) = self.peek() {
            let text = &self.text[token.span.clone()];
            let punct = token.kind == TokenKind::Punct;
            if punct && depth == 0 && (text == "," || text == ";") {
                spans.extend(start.take().map(|s| s..end));
            } else {
                if punct && matches!(text, "(" | "[") {
                    depth += 1;
                } else if punct && matches!(text, ")" | "]") {
                    depth = depth.saturating_sub(1);
                }
                start.get_or_insert(token.span.start);
                end = token.span.end;
            }
            self.pos += 1;
        }
        spans.extend(start.map(|s| s..end));
        spans
    }

    /// The text from the next token to the end of the statement, without `;`.
    pub fn rest_text(&self) -> &'a str {
        let start = self.offset();
        let end = self.tokens[self.pos..]
            .iter()
            .rev()
            .find(|t| !self.is_punct(t, ";"))
            .map_or(start, |t| t.span.end);
        &self.text[start..end.max(start)]
    }
}

/// `"My ""Table"""` → `My "Table"`.
fn unquote(raw: &str) -> String {
    let inner = raw.strip_prefix('"').unwrap_or(raw);
    let inner = inner.strip_suffix('"').unwrap_or(inner);
    inner.replace("\"\"", "\"")
}

/// The statement's text without its trailing `;` and whitespace: the default
/// range to underline for a statement-level operation.
pub fn statement_span(text: &str) -> Range<usize> {
    let trimmed = text.trim_end();
    let trimmed = trimmed.strip_suffix(';').unwrap_or(trimmed).trim_end();
    0..trimmed.len()
}
