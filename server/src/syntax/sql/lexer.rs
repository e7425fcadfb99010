//! A PostgreSQL lexer over bytes.
//!
//! It only has to find token and comment boundaries, never values, so it never
//! fails: anything it does not know becomes a one-character `Operator`, and an
//! unterminated string, quoted identifier, comment or dollar quote runs to the
//! end of the input. Every span starts and ends on an ASCII byte or at the end
//! of the text, so spans are always on char boundaries.
use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A keyword or unquoted identifier: `CREATE`, `users`.
    Word,
    /// `"Mixed Case"`.
    QuotedIdent,
    /// `'...'`, `E'...'`, `$tag$...$tag$`, `B'...'`, `X'...'`, `U&'...'`.
    String,
    Number,
    /// `$1`.
    Param,
    /// One of `( ) , ; . [ ] :` ; `::` is an Operator.
    Punct,
    /// Any other run of operator characters: `=`, `::`, `<>`, `||`.
    Operator,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    /// Byte range relative to the text that was lexed.
    pub span: Range<usize>,
}

/// What the lexer yields: tokens and comments, in text order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lexeme {
    Token(Token),
    Comment(Range<usize>),
}

/// A whole text lexed at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lexed {
    pub tokens: Vec<Token>,
    pub comments: Vec<Range<usize>>,
}

pub fn lex(text: &str) -> Lexed {
    let mut lexed = Lexed::default();
    for lexeme in Lexer::new(text) {
        match lexeme {
            Lexeme::Token(token) => lexed.tokens.push(token),
            Lexeme::Comment(span) => lexed.comments.push(span),
        }
    }
    lexed
}

/// An iterator of lexemes with spans relative to the text it was given.
#[derive(Debug, Clone)]
pub struct Lexer<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Lexer<'a> {
    pub fn new(text: &'a str) -> Self {
        Lexer::starting_at(text, 0)
    }

    /// Lexes `text` from `pos`, which must be outside any token or comment;
    /// spans stay relative to the whole of `text`.
    pub(super) fn starting_at(text: &'a str, pos: usize) -> Self {
        Lexer {
            bytes: text.as_bytes(),
            pos,
        }
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    fn skip_while(&mut self, keep: impl Fn(u8) -> bool) {
        let rest = &self.bytes[self.pos..];
        self.pos += rest.iter().position(|&b| !keep(b)).unwrap_or(rest.len());
    }

    /// Moves to the first byte at or after `self.pos + from` that matches, or
    /// to the end of the text; returns whether it found one.
    fn seek(&mut self, from: usize, found: impl Fn(u8) -> bool) -> bool {
        let start = (self.pos + from).min(self.bytes.len());
        match self.bytes[start..].iter().position(|&b| found(b)) {
            Some(i) => {
                self.pos = start + i;
                true
            }
            None => {
                self.pos = self.bytes.len();
                false
            }
        }
    }

    /// Scans one lexeme starting at `self.pos` (which holds `first`); `None`
    /// means it was a comment.
    fn scan(&mut self, first: u8) -> Option<TokenKind> {
        let next = self.peek(1);
        let kind = match first {
            b'-' if next == Some(b'-') => return self.line_comment(),
            b'/' if next == Some(b'*') => return self.block_comment(),
            b'\'' => self.quoted(1, b'\'', false),
            b'"' => self.quoted(1, b'"', false),
            b'$' => self.dollar(),
            b'0'..=b'9' => self.number(),
            b'.' if next.is_some_and(|b| b.is_ascii_digit()) => self.number(),
            b'(' | b')' | b',' | b';' | b'.' | b'[' | b']' => self.single(TokenKind::Punct),
            b':' => self.colon(next),
            b if is_word_start(b) => self.word_or_prefixed_quote(first, next),
            b if is_operator_char(b) => self.operator(),
            // Not valid SQL (`\`, `{`, control characters): one ASCII byte,
            // so the text after it still lexes normally.
            _ => self.single(TokenKind::Operator),
        };
        Some(kind)
    }

    fn single(&mut self, kind: TokenKind) -> TokenKind {
        self.pos += 1;
        kind
    }

    fn line_comment(&mut self) -> Option<TokenKind> {
        self.seek(2, |b| b == b'\n' || b == b'\r');
        None
    }

    fn block_comment(&mut self) -> Option<TokenKind> {
        self.pos += 2;
        let mut depth = 1usize;
        while self.seek(0, |b| b == b'*' || b == b'/') {
            match (self.bytes[self.pos], self.peek(1)) {
                (b'*', Some(b'/')) => {
                    self.pos += 2;
                    depth -= 1;
                    if depth == 0 {
                        return None;
                    }
                }
                (b'/', Some(b'*')) => {
                    self.pos += 2;
                    depth += 1;
                }
                _ => self.pos += 1,
            }
        }
        None
    }

    /// A quoted run after `skip` opening bytes: doubled quotes stay inside, and
    /// with `backslash` a `\` escapes the byte after it.
    fn quoted(&mut self, skip: usize, quote: u8, backslash: bool) -> TokenKind {
        let kind = if quote == b'"' {
            TokenKind::QuotedIdent
        } else {
            TokenKind::String
        };
        self.pos += skip;
        while self.seek(0, |b| b == quote || (backslash && b == b'\\')) {
            if self.bytes[self.pos] == b'\\' {
                // A multibyte char after `\` is harmless: its other bytes are
                // never a quote or a backslash.
                self.pos = (self.pos + 2).min(self.bytes.len());
            } else if self.peek(1) == Some(quote) {
                self.pos += 2;
            } else {
                self.pos += 1;
                return kind;
            }
        }
        kind
    }

    /// `$1`, `$$...$$`, `$tag$...$tag$`, or a lone `$`.
    fn dollar(&mut self) -> TokenKind {
        let rest = &self.bytes[self.pos + 1..];
        if rest.first().is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
            self.skip_while(|b| b.is_ascii_digit());
            return TokenKind::Param;
        }
        let tag_len = rest
            .iter()
            .position(|&b| !is_tag_char(b))
            .unwrap_or(rest.len());
        if rest.get(tag_len) != Some(&b'$') {
            return self.single(TokenKind::Operator);
        }
        let delimiter = &self.bytes[self.pos..self.pos + tag_len + 2];
        self.pos += delimiter.len();
        self.pos = match find_delimiter(&self.bytes[self.pos..], delimiter) {
            Some(at) => self.pos + at + delimiter.len(),
            None => self.bytes.len(),
        };
        TokenKind::String
    }

    fn number(&mut self) -> TokenKind {
        let digits = |b: u8| b.is_ascii_digit() || b == b'_';
        self.skip_while(digits);
        // `1..5` is two numbers around an operator-ish `..`, not `1.` and `.5`.
        if self.peek(0) == Some(b'.') && self.peek(1) != Some(b'.') {
            self.pos += 1;
            self.skip_while(digits);
        }
        if matches!(self.peek(0), Some(b'e' | b'E')) {
            let sign = usize::from(matches!(self.peek(1), Some(b'+' | b'-')));
            if self.peek(1 + sign).is_some_and(|b| b.is_ascii_digit()) {
                self.pos += 1 + sign;
                self.skip_while(digits);
            }
        }
        // Hex, octal and binary literals (`0x1F`) and trailing junk stay in
        // the number, as PostgreSQL reports them as one bad token.
        self.skip_while(is_tag_char);
        TokenKind::Number
    }

    fn colon(&mut self, next: Option<u8>) -> TokenKind {
        if matches!(next, Some(b':' | b'=')) {
            self.pos += 2;
            TokenKind::Operator
        } else {
            self.single(TokenKind::Punct)
        }
    }

    /// A word, unless it is the prefix of `E'..'`, `B'..'`, `X'..'`, `N'..'`,
    /// `U&'..'` or `U&".."`.
    fn word_or_prefixed_quote(&mut self, first: u8, next: Option<u8>) -> TokenKind {
        match (first.to_ascii_lowercase(), next) {
            (b'e', Some(b'\'')) => return self.quoted(2, b'\'', true),
            (b'b' | b'x' | b'n', Some(b'\'')) => return self.quoted(2, b'\'', false),
            (b'u', Some(b'&')) => {
                if let Some(quote @ (b'\'' | b'"')) = self.peek(2) {
                    return self.quoted(3, quote, false);
                }
            }
            _ => {}
        }
        self.pos += 1;
        self.skip_while(is_word_continue);
        TokenKind::Word
    }

    fn operator(&mut self) -> TokenKind {
        self.pos += 1;
        while let Some(b) = self.peek(0) {
            let comment_starts =
                matches!((b, self.peek(1)), (b'-', Some(b'-')) | (b'/', Some(b'*')));
            if !is_operator_char(b) || comment_starts {
                break;
            }
            self.pos += 1;
        }
        TokenKind::Operator
    }
}

impl Iterator for Lexer<'_> {
    type Item = Lexeme;

    fn next(&mut self) -> Option<Lexeme> {
        self.skip_while(is_space);
        let start = self.pos;
        let first = self.peek(0)?;
        let lexeme = match self.scan(first) {
            Some(kind) => Lexeme::Token(Token {
                kind,
                span: start..self.pos,
            }),
            None => Lexeme::Comment(start..self.pos),
        };
        Some(lexeme)
    }
}

fn find_delimiter(haystack: &[u8], delimiter: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = haystack[from..].iter().position(|&b| b == b'$') {
        let at = from + i;
        if haystack[at..].starts_with(delimiter) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')
}

/// Any byte of a non-ASCII char counts as a letter, as in PostgreSQL.
fn is_word_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_word_continue(b: u8) -> bool {
    is_tag_char(b) || b == b'$'
}

fn is_tag_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

fn is_operator_char(b: u8) -> bool {
    matches!(
        b,
        b'~' | b'!'
            | b'@'
            | b'#'
            | b'^'
            | b'&'
            | b'|'
            | b'`'
            | b'?'
            | b'+'
            | b'-'
            | b'*'
            | b'/'
            | b'%'
            | b'<'
            | b'>'
            | b'='
    )
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn tokens(text: &str) -> Vec<(TokenKind, &str)> {
        lex(text)
            .tokens
            .into_iter()
            .map(|t| (t.kind, &text[t.span]))
            .collect()
    }

    fn comments(text: &str) -> Vec<&str> {
        lex(text).comments.into_iter().map(|c| &text[c]).collect()
    }

    use TokenKind::*;

    #[test]
    fn words_numbers_punctuation_and_operators() {
        assert_eq!(
            tokens("SELECT a.b, x::int, arr[1:2] FROM t WHERE y<>-1.5e-3;"),
            vec![
                (Word, "SELECT"),
                (Word, "a"),
                (Punct, "."),
                (Word, "b"),
                (Punct, ","),
                (Word, "x"),
                (Operator, "::"),
                (Word, "int"),
                (Punct, ","),
                (Word, "arr"),
                (Punct, "["),
                (Number, "1"),
                (Punct, ":"),
                (Number, "2"),
                (Punct, "]"),
                (Word, "FROM"),
                (Word, "t"),
                (Word, "WHERE"),
                (Word, "y"),
                (Operator, "<>-"),
                (Number, "1.5e-3"),
                (Punct, ";"),
            ]
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(
            tokens(".5 1. 1_000 0x1F 1e5 1..2"),
            vec![
                (Number, ".5"),
                (Number, "1."),
                (Number, "1_000"),
                (Number, "0x1F"),
                (Number, "1e5"),
                (Number, "1"),
                (Punct, "."),
                (Number, ".2"),
            ]
        );
    }

    #[test]
    fn operator_runs_stop_at_comments() {
        assert_eq!(tokens("a+-- c\n"), vec![(Word, "a"), (Operator, "+")]);
        assert_eq!(
            tokens("a*/* c */b"),
            vec![(Word, "a"), (Operator, "*"), (Word, "b")]
        );
        assert_eq!(comments("a+-- c\n"), vec!["-- c"]);
    }

    #[test]
    fn line_comments_end_at_any_line_break() {
        assert_eq!(
            comments("-- a\nx -- b\r\ny -- c\rz -- d"),
            vec!["-- a", "-- b", "-- c", "-- d"]
        );
        assert_eq!(tokens("-- a\r\nx"), vec![(Word, "x")]);
    }

    #[test]
    fn block_comments_nest() {
        let text = "a /* one /* two */ still one */ b";
        assert_eq!(comments(text), vec!["/* one /* two */ still one */"]);
        assert_eq!(tokens(text), vec![(Word, "a"), (Word, "b")]);
    }

    #[test]
    fn quoted_identifiers_and_strings_with_doubled_quotes() {
        assert_eq!(
            tokens(r#""a ""b"" c" 'it''s' ''"#),
            vec![
                (QuotedIdent, r#""a ""b"" c""#),
                (String, "'it''s'"),
                (String, "''")
            ]
        );
    }

    #[test]
    fn escape_strings_take_backslashes() {
        assert_eq!(
            tokens(r"E'it\'s' e'\\' 'plain\' x"),
            vec![
                (String, r"E'it\'s'"),
                (String, r"e'\\'"),
                (String, r"'plain\'"),
                (Word, "x")
            ]
        );
    }

    #[test]
    fn prefixed_strings() {
        assert_eq!(
            tokens(r#"B'101' x'1F' N'n' U&'\0041' u&"id" Ex"#),
            vec![
                (String, "B'101'"),
                (String, "x'1F'"),
                (String, "N'n'"),
                (String, r"U&'\0041'"),
                (QuotedIdent, r#"u&"id""#),
                (Word, "Ex"),
            ]
        );
    }

    #[test]
    fn dollar_quotes_params_and_dollars_in_words() {
        assert_eq!(
            tokens("$1 $$ a $ b $$ $fn$ x $$ y $fn$ a$b $"),
            vec![
                (Param, "$1"),
                (String, "$$ a $ b $$"),
                (String, "$fn$ x $$ y $fn$"),
                (Word, "a$b"),
                (Operator, "$"),
            ]
        );
        assert_eq!(tokens("$_é1$ $x$ $_é1$"), vec![(String, "$_é1$ $x$ $_é1$")]);
        assert_eq!(tokens("$1a$"), vec![(Param, "$1"), (Word, "a$")]);
    }

    #[test]
    fn unterminated_constructs_run_to_the_end() {
        for text in [
            "'abc",
            "E'ab\\",
            "\"abc",
            "$$abc",
            "$t$abc$t",
            "/* a /* b */",
            "-- abc",
            "U&'x",
        ] {
            let lexed = lex(text);
            let end = lexed
                .tokens
                .iter()
                .map(|t| t.span.end)
                .chain(lexed.comments.iter().map(|c| c.end))
                .max();
            assert_eq!(end, Some(text.len()), "{text:?}");
        }
    }

    #[test]
    fn non_ascii_spans_are_exact() {
        let text = "SELECT café, 'naïve 😀', \"名前\" FROM 表_1";
        let lexed = lex(text);
        let spans: Vec<_> = lexed.tokens.iter().map(|t| t.span.clone()).collect();
        assert_eq!(
            spans,
            vec![0..6, 7..12, 12..13, 14..27, 27..28, 29..37, 38..42, 43..48]
        );
        assert_eq!(&text[7..12], "café");
        assert_eq!(&text[14..27], "'naïve 😀'");
        assert_eq!(&text[29..37], "\"名前\"");
        assert_eq!(&text[43..48], "表_1");
        let kinds: Vec<_> = lexed.tokens.iter().map(|t| t.kind).collect();
        assert_eq!(
            kinds,
            [Word, Word, Punct, String, Punct, QuotedIdent, Word, Word]
        );
    }

    #[test]
    fn odd_bytes_become_single_operators() {
        assert_eq!(
            tokens("\\{\0"),
            vec![(Operator, "\\"), (Operator, "{"), (Operator, "\0")]
        );
    }

    proptest! {
        #[test]
        fn spans_are_ordered_char_boundaries_within_text(text in any::<std::string::String>()) {
            check_spans(&text)?;
        }

        #[test]
        fn sql_like_spans_are_ordered_char_boundaries(text in "[-a-z0-9$'\"/*;:. \\\\\r\n&é😀]{0,40}") {
            check_spans(&text)?;
        }
    }

    fn check_spans(text: &str) -> Result<(), TestCaseError> {
        let mut last_end = 0;
        for lexeme in Lexer::new(text) {
            let span = match lexeme {
                Lexeme::Token(token) => token.span,
                Lexeme::Comment(span) => span,
            };
            prop_assert!(last_end <= span.start && span.start < span.end && span.end <= text.len());
            prop_assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
            last_end = span.end;
        }
        Ok(())
    }
}
