//! Statement boundaries: a statement runs from its first token through the `;`
//! that ends it, and a `;` ends a statement only outside quotes, comments and
//! `BEGIN ATOMIC ... END` bodies.
use std::ops::Range;

use super::lexer::{Lexeme, Lexer, Token, TokenKind};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Split {
    pub statements: Vec<Range<usize>>,
    pub comments: Vec<Range<usize>>,
}

pub fn split(text: &str) -> Split {
    let mut splitter = Splitter::new(text, 0);
    let mut statements = Vec::new();
    while let Some(span) = splitter.next_statement() {
        statements.push(span);
    }
    Split {
        statements,
        comments: splitter.into_comments(),
    }
}

/// Splits statement by statement, so that a caller can stop at any statement
/// start (the incremental reparse stops where the old statements take over).
pub(super) struct Splitter<'a> {
    text: &'a str,
    lexer: Lexer<'a>,
    /// The first token of the statement `next_start` found.
    first: Option<Token>,
    comments: Vec<Range<usize>>,
}

impl<'a> Splitter<'a> {
    /// Splits `text` from `pos`, which must be between statements.
    pub(super) fn new(text: &'a str, pos: usize) -> Self {
        Splitter {
            text,
            lexer: Lexer::starting_at(text, pos),
            first: None,
            comments: Vec::new(),
        }
    }

    /// Skips comments and empty statements up to the next statement and returns
    /// where it starts, or `None` at the end of the text.
    pub(super) fn next_start(&mut self) -> Option<usize> {
        if let Some(first) = &self.first {
            return Some(first.span.start);
        }
        loop {
            match self.lexer.next()? {
                Lexeme::Comment(span) => self.comments.push(span),
                Lexeme::Token(token) if self.is_semicolon(&token) => {}
                Lexeme::Token(token) => {
                    let start = token.span.start;
                    self.first = Some(token);
                    return Some(start);
                }
            }
        }
    }

    /// Consumes the next statement and returns its span.
    pub(super) fn next_statement(&mut self) -> Option<Range<usize>> {
        self.next_start()?;
        let first = self.first.take()?;
        let first_word = self.word(&first);
        let in_create = first_word.is_some_and(|w| w.eq_ignore_ascii_case(b"create"));
        let mut block = AtomicBlock::new(in_create);
        block.see(first_word);
        let mut end = first.span.end;
        while let Some(lexeme) = self.lexer.next() {
            let token = match lexeme {
                Lexeme::Comment(span) => {
                    self.comments.push(span);
                    continue;
                }
                Lexeme::Token(token) => token,
            };
            end = token.span.end;
            if self.is_semicolon(&token) && !block.is_open() {
                break;
            }
            block.see(self.word(&token));
        }
        Some(first.span.start..end)
    }

    pub(super) fn into_comments(self) -> Vec<Range<usize>> {
        self.comments
    }

    fn is_semicolon(&self, token: &Token) -> bool {
        token.kind == TokenKind::Punct && self.text.as_bytes()[token.span.start] == b';'
    }

    /// The token's text if it is a word.
    fn word(&self, token: &Token) -> Option<&'a [u8]> {
        (token.kind == TokenKind::Word).then(|| &self.text.as_bytes()[token.span.clone()])
    }
}

/// Tracks `BEGIN ATOMIC ... END` in a `CREATE FUNCTION`/`CREATE PROCEDURE`:
/// its body holds whole statements, `;` included. `CASE ... END` inside the
/// body is counted so that its `END` does not close the block.
struct AtomicBlock {
    in_create: bool,
    after_begin: bool,
    depth: usize,
}

impl AtomicBlock {
    fn new(in_create: bool) -> Self {
        AtomicBlock {
            in_create,
            after_begin: false,
            depth: 0,
        }
    }

    fn is_open(&self) -> bool {
        self.depth > 0
    }

    /// Takes the next token: its word, or `None` for any other token.
    fn see(&mut self, word: Option<&[u8]>) {
        if !self.in_create {
            return;
        }
        let is = |keyword: &str| word.is_some_and(|w| w.eq_ignore_ascii_case(keyword.as_bytes()));
        if self.depth == 0 {
            if self.after_begin && is("atomic") {
                self.depth = 1;
            }
            self.after_begin = is("begin");
        } else if is("case") {
            self.depth += 1;
        } else if is("end") {
            self.depth -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn statements(text: &str) -> Vec<&str> {
        split(text)
            .statements
            .into_iter()
            .map(|s| &text[s])
            .collect()
    }

    fn comments(text: &str) -> Vec<&str> {
        split(text).comments.into_iter().map(|s| &text[s]).collect()
    }

    #[test]
    fn statements_run_from_first_token_through_semicolon() {
        let text = "  -- lead\nSELECT 1;\n\n/* c */ SELECT 2 ;  SELECT 3";
        assert_eq!(statements(text), ["SELECT 1;", "SELECT 2 ;", "SELECT 3"]);
        assert_eq!(comments(text), ["-- lead", "/* c */"]);
        assert_eq!(split(text).statements[0], 10..19);
    }

    #[test]
    fn trailing_comment_is_not_part_of_an_unterminated_statement() {
        let text = "SELECT 1 -- done\n";
        assert_eq!(statements(text), ["SELECT 1"]);
        assert_eq!(comments(text), ["-- done"]);
    }

    #[test]
    fn comments_inside_a_statement_stay_inside_it() {
        let text = "SELECT /* a; */ 1 -- b;\n + 2;";
        assert_eq!(statements(text), ["SELECT /* a; */ 1 -- b;\n + 2;"]);
        assert_eq!(comments(text), ["/* a; */", "-- b;"]);
    }

    #[test]
    fn semicolons_inside_quotes_and_comments_do_not_split() {
        let cases = [
            "SELECT 'a;b';",
            "SELECT 'it''s; fine';",
            r"SELECT E'it\'s; fine';",
            r"SELECT e'\\'; ",
            r#"SELECT "a;b" FROM "x"";y";"#,
            r#"SELECT U&"a;b";"#,
            "SELECT B'1;', X'2;', N'3;', U&'4;';",
            "SELECT $$a;b$$;",
            "SELECT $body$ a; $$ b; $body$;",
            "SELECT /* a; /* b; */ c; */ 1;",
            "SELECT -- a;\r\n 1;",
            "SELECT -- a;\r 1;",
        ];
        for case in cases {
            let expected = case.trim_end();
            assert_eq!(statements(case), [expected], "{case:?}");
        }
    }

    #[test]
    fn params_are_not_dollar_quotes() {
        assert_eq!(
            statements("SELECT $1; SELECT $2$;"),
            ["SELECT $1;", "SELECT $2$;"]
        );
    }

    #[test]
    fn empty_statements_produce_nothing() {
        assert_eq!(
            statements(";; ;\n; SELECT 1;; ; SELECT 2;;"),
            ["SELECT 1;", "SELECT 2;"]
        );
        assert!(split("; /* x */ ;").statements.is_empty());
        assert_eq!(split("").statements, Vec::<Range<usize>>::new());
    }

    #[test]
    fn unterminated_constructs_swallow_the_rest() {
        assert_eq!(statements("SELECT 'a; SELECT 2;"), ["SELECT 'a; SELECT 2;"]);
        assert_eq!(
            statements("SELECT $$a; SELECT 2;"),
            ["SELECT $$a; SELECT 2;"]
        );
        assert_eq!(statements("SELECT 1 /* a; SELECT 2;"), ["SELECT 1"]);
        assert_eq!(comments("SELECT 1 /* a; SELECT 2;"), ["/* a; SELECT 2;"]);
    }

    #[test]
    fn begin_atomic_bodies_keep_their_semicolons() {
        let function = "CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql\n\
                        BEGIN ATOMIC\n  SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END;\n  \
                        SELECT /* ; */ a + 1;\nend;";
        let procedure = "create procedure p() begin -- x\n atomic insert into t values (1); end;";
        let text = format!("{function}\n{procedure}\nSELECT 1;");
        assert_eq!(statements(&text), [function, procedure, "SELECT 1;"]);
    }

    #[test]
    fn begin_atomic_counts_only_in_create_statements() {
        assert_eq!(
            statements("SELECT begin atomic; SELECT 2; end;"),
            ["SELECT begin atomic;", "SELECT 2;", "end;"]
        );
        assert_eq!(
            statements("BEGIN; SELECT 1; END;"),
            ["BEGIN;", "SELECT 1;", "END;"]
        );
    }

    #[test]
    fn unterminated_atomic_body_runs_to_the_end() {
        let text = "CREATE FUNCTION f() RETURNS int BEGIN ATOMIC SELECT 1; SELECT 2;";
        assert_eq!(statements(text), [text]);
    }

    #[test]
    fn non_ascii_statements_have_exact_spans() {
        let text = "-- 注释\nINSERT INTO café VALUES ('😀;');\nSELECT \"名\";";
        let split = split(text);
        assert_eq!(split.statements, [10..45, 46..59]);
        assert_eq!(&text[46..59], "SELECT \"名\";");
        assert_eq!(&text[10..45], "INSERT INTO café VALUES ('😀;');");
        assert_eq!(split.comments.first(), Some(&(0..9)));
        assert_eq!(split.comments.len(), 1);
    }

    proptest! {
        #[test]
        fn spans_are_ordered_char_boundaries_within_text(text in any::<std::string::String>()) {
            check(&text)?;
        }

        #[test]
        fn sql_like_spans_are_ordered_char_boundaries(
            text in "([-a-z0$'\"/*;:. \r\n&é😀]|begin|atomic|create|end|case){0,30}"
        ) {
            check(&text)?;
        }
    }

    fn check(text: &str) -> Result<(), TestCaseError> {
        let split = split(text);
        for spans in [&split.statements, &split.comments] {
            let mut last_end = 0;
            for span in spans {
                prop_assert!(last_end <= span.start && span.start < span.end);
                prop_assert!(span.end <= text.len());
                prop_assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
                last_end = span.end;
            }
        }
        Ok(())
    }
}
