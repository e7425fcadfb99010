//! A SQL file as statements with spans, each parsed on its own so that an edit
//! re-parses only the statements whose text it changed.
use std::collections::HashMap;
use std::ops::Range;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use crate::text::ByteEdit;

use super::Token;
use super::lexer::lex;
use super::split::{Splitter, split};

/// One statement's text and what parsing it gave. Independent of where the
/// statement sits in the file, so it is shared across edits while its text is
/// unchanged.
#[derive(Debug)]
pub struct ParsedStatement {
    /// From the first token through the terminating `;` (if any).
    pub text: Box<str>,
    /// Tokens with spans relative to `text`; comments are not tokens.
    pub tokens: Vec<Token>,
    /// sqlparser's PostgreSQL-dialect parse, or its error message.
    pub ast: Result<sqlparser::ast::Statement, String>,
}

impl ParsedStatement {
    fn parse(text: &str) -> Self {
        ParsedStatement {
            text: text.into(),
            tokens: lex(text).tokens,
            ast: parse_one(text),
        }
    }
}

/// sqlparser has panicked on odd input before; one bad statement must cost a
/// parse error, not the server.
fn parse_one(text: &str) -> Result<sqlparser::ast::Statement, String> {
    let parsed = panic::catch_unwind(AssertUnwindSafe(|| {
        Parser::parse_sql(&PostgreSqlDialect {}, text)
    }));
    match parsed {
        Ok(Ok(mut statements)) if statements.len() == 1 => Ok(statements.remove(0)),
        Ok(Ok(statements)) => Err(format!(
            "expected one statement, found {}",
            statements.len()
        )),
        Ok(Err(error)) => Err(error.to_string()),
        Err(payload) => Err(format!(
            "the SQL parser crashed: {}",
            panic_message(&*payload)
        )),
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    if let Some(message) = payload.downcast_ref::<&str>() {
        message
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message
    } else {
        "unknown panic"
    }
}

#[derive(Debug, Clone)]
pub struct Statement {
    /// Absolute byte span in the file.
    pub span: Range<usize>,
    pub parsed: Arc<ParsedStatement>,
}

#[derive(Debug, Clone, Default)]
pub struct SqlFile {
    statements: Vec<Statement>,
    comments: Vec<Range<usize>>,
}

impl SqlFile {
    pub fn parse(text: &str) -> Self {
        let split = split(text);
        let statements = split
            .statements
            .into_iter()
            .map(|span| Statement {
                parsed: Arc::new(ParsedStatement::parse(&text[span.clone()])),
                span,
            })
            .collect();
        SqlFile {
            statements,
            comments: split.comments,
        }
    }

    /// Brings the file up to date with `edit`, which turned the old text into
    /// `text`, in place: only the statements the edit touched are split again,
    /// those after it are shifted. Statements whose text is unchanged keep their
    /// `Arc<ParsedStatement>`.
    pub fn reparse(&mut self, text: &str, edit: ByteEdit) -> Reparsed {
        let plan = Resplit::plan(self, text, edit);
        // An edit that does not fit the texts: split everything again, still
        // reusing every statement whose text survived.
        plan.unwrap_or_else(Resplit::whole).run(self, text)
    }

    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// Absolute spans of every comment, in order.
    pub fn comments(&self) -> &[Range<usize>] {
        &self.comments
    }
}

/// What [`SqlFile::reparse`] replaced: the `removed` old statements from index
/// `start` on gave way to the statements now at `start..start + inserted.len()`;
/// for each of those, the old index whose parse it shares, if any. Every
/// statement after them is an old one, shifted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reparsed {
    pub start: usize,
    pub removed: usize,
    pub inserted: Vec<Option<usize>>,
}

/// Statements for `spans` of `text`, each sharing the parse of an old statement
/// among `candidates` with the same text when there is one.
fn reuse_or_parse(
    old: &SqlFile,
    candidates: Range<usize>,
    text: &str,
    spans: Vec<Range<usize>>,
) -> impl Iterator<Item = (Statement, Option<usize>)> {
    // Reversed so that the first of several equal texts wins.
    let by_text: HashMap<&str, usize> = candidates
        .rev()
        .map(|i| (&*old.statements[i].parsed.text, i))
        .collect();
    spans.into_iter().map(move |span| {
        let source = by_text.get(&text[span.clone()]).copied();
        let parsed = match source {
            Some(i) => Arc::clone(&old.statements[i].parsed),
            None => Arc::new(ParsedStatement::parse(&text[span.clone()])),
        };
        (Statement { span, parsed }, source)
    })
}

/// Which part of the old file an edit forces to be split again.
struct Resplit {
    /// Old statements before this index are kept as they are.
    kept: usize,
    /// Where splitting resumes: just after the last kept statement's `;`.
    resume: usize,
    /// Old statements starting at or after this old offset are unchanged text,
    /// found again at `offset - old_end + new_end`.
    old_end: usize,
    new_end: usize,
}

/// What splitting the changed region gave.
struct Region {
    statements: Vec<Range<usize>>,
    comments: Vec<Range<usize>>,
    /// The first old statement that is found again unchanged after the region.
    resync: usize,
}

impl Resplit {
    fn plan(old: &SqlFile, text: &str, edit: ByteEdit) -> Option<Self> {
        let old_len = text
            .len()
            .checked_add(edit.old_end)?
            .checked_sub(edit.new_end)?;
        let old_extent = [old.statements.last().map(|s| &s.span), old.comments.last()]
            .into_iter()
            .flatten()
            .map(|span| span.end)
            .max()
            .unwrap_or(0);
        let fits = edit.start <= edit.old_end
            && edit.start <= edit.new_end
            && edit.new_end <= text.len()
            && old_extent <= old_len;
        if !fits {
            return None;
        }
        // Only a statement followed by another is known to end with its own
        // `;`; the last one may end at its last token and grow past it.
        let kept = old
            .statements
            .partition_point(|s| s.span.end <= edit.start)
            .min(old.statements.len().saturating_sub(1));
        let resume = kept
            .checked_sub(1)
            .map_or(0, |i| old.statements[i].span.end);
        text.is_char_boundary(resume).then_some(Resplit {
            kept,
            resume,
            old_end: edit.old_end,
            new_end: edit.new_end,
        })
    }

    fn whole() -> Self {
        // No statement starts at `usize::MAX`, so none is ever found again
        // unchanged: every one is split anew, and matched by text.
        Resplit {
            kept: 0,
            resume: 0,
            old_end: usize::MAX,
            new_end: usize::MAX,
        }
    }

    fn run(&self, file: &mut SqlFile, text: &str) -> Reparsed {
        let region = self.split_region(file, text);
        let candidates = self.kept..region.resync;
        let (fresh, inserted): (Vec<Statement>, Vec<Option<usize>>) =
            reuse_or_parse(file, candidates.clone(), text, region.statements).unzip();
        let after = self.kept + fresh.len();
        file.statements.splice(candidates.clone(), fresh);
        for statement in &mut file.statements[after..] {
            statement.span = self.shift(&statement.span);
        }
        self.splice_comments(file, region.comments, after);
        Reparsed {
            start: self.kept,
            removed: candidates.len(),
            inserted,
        }
    }

    /// Splits from `resume` until a statement starts where an old statement
    /// after the edit starts, shifted: from there on nothing changed.
    fn split_region(&self, old: &SqlFile, text: &str) -> Region {
        let mut splitter = Splitter::new(text, self.resume);
        let mut statements = Vec::new();
        let mut next_old = old
            .statements
            .partition_point(|s| s.span.start < self.old_end)
            .max(self.kept);
        let resync = loop {
            let Some(start) = splitter.next_start() else {
                break old.statements.len();
            };
            if start >= self.new_end {
                let old_start = start - self.new_end + self.old_end;
                next_old +=
                    old.statements[next_old..].partition_point(|s| s.span.start < old_start);
                if old
                    .statements
                    .get(next_old)
                    .is_some_and(|s| s.span.start == old_start)
                {
                    break next_old;
                }
            }
            statements.extend(splitter.next_statement());
        };
        Region {
            statements,
            comments: splitter.into_comments(),
            resync,
        }
    }

    /// Replaces the comments from `resume` up to the first unchanged statement
    /// (now at `first_unchanged`, already shifted) with the region's, and
    /// shifts the rest.
    fn splice_comments(
        &self,
        file: &mut SqlFile,
        region: Vec<Range<usize>>,
        first_unchanged: usize,
    ) {
        let before = file.comments.partition_point(|c| c.start < self.resume);
        let after = match file.statements.get(first_unchanged) {
            Some(s) => {
                // The statement is shifted already; its old start bounds the old comments.
                let old_start = s.span.start - self.new_end + self.old_end;
                file.comments.partition_point(|c| c.start < old_start)
            }
            None => file.comments.len(),
        };
        let kept_after = after.max(before);
        let n_region = region.len();
        file.comments.splice(before..kept_after, region);
        for comment in &mut file.comments[before + n_region..] {
            *comment = self.shift(comment);
        }
    }

    fn shift(&self, span: &Range<usize>) -> Range<usize> {
        span.start - self.old_end + self.new_end..span.end - self.old_end + self.new_end
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The new file and, for each of its statements, the old index whose parse
    /// it shares: the whole picture the in-place `Reparsed` summary stands for.
    fn reparsed(old: &SqlFile, text: &str, edit: ByteEdit) -> (SqlFile, Vec<Option<usize>>) {
        let mut new = old.clone();
        let summary = new.reparse(text, edit);
        let mut reused: Vec<Option<usize>> = (0..summary.start).map(Some).collect();
        reused.extend(summary.inserted.iter().copied());
        reused.extend((summary.start + summary.removed..old.statements.len()).map(Some));
        assert_eq!(
            reused.len(),
            new.statements.len(),
            "summary covers every statement"
        );
        (new, reused)
    }

    fn texts(file: &SqlFile) -> Vec<&str> {
        file.statements().iter().map(|s| &*s.parsed.text).collect()
    }

    /// Replaces `old[start..old_end]` with `insert`, as an editor would.
    fn apply(
        old: &str,
        start: usize,
        old_end: usize,
        insert: &str,
    ) -> (std::string::String, ByteEdit) {
        let text = format!("{}{insert}{}", &old[..start], &old[old_end..]);
        let edit = ByteEdit {
            start,
            old_end,
            new_end: start + insert.len(),
        };
        (text, edit)
    }

    /// The reparsed file must be what a full parse gives, and every reused
    /// statement must really be the old one with the same text.
    fn check_reparse(old: &SqlFile, text: &str, edit: ByteEdit) -> Result<SqlFile, TestCaseError> {
        let (new, reused) = reparsed(old, text, edit);
        let full = SqlFile::parse(text);
        let spans = |f: &SqlFile| {
            f.statements()
                .iter()
                .map(|s| s.span.clone())
                .collect::<Vec<_>>()
        };
        prop_assert_eq!(spans(&new), spans(&full));
        prop_assert_eq!(new.comments(), full.comments());
        prop_assert_eq!(texts(&new), texts(&full));
        prop_assert_eq!(reused.len(), new.statements().len());
        for (statement, source) in new.statements().iter().zip(&reused) {
            prop_assert_eq!(&*statement.parsed.text, &text[statement.span.clone()]);
            if let Some(i) = *source {
                prop_assert!(Arc::ptr_eq(&statement.parsed, &old.statements()[i].parsed));
            }
        }
        Ok(new)
    }

    #[test]
    fn parses_each_statement_on_its_own() {
        let file = SqlFile::parse("CREATE TABLE t (id int);\nSELECT FROM WHERE;\nSELECT 1");
        assert_eq!(
            texts(&file),
            ["CREATE TABLE t (id int);", "SELECT FROM WHERE;", "SELECT 1"]
        );
        let asts: Vec<_> = file
            .statements()
            .iter()
            .map(|s| s.parsed.ast.is_ok())
            .collect();
        assert_eq!(asts, [true, false, true]);
    }

    #[test]
    fn tokens_are_relative_to_the_statement() {
        let file = SqlFile::parse("-- x\nSELECT 'é';");
        let parsed = &file.statements()[0].parsed;
        let tokens: Vec<_> = parsed
            .tokens
            .iter()
            .map(|t| &parsed.text[t.span.clone()])
            .collect();
        assert_eq!(tokens, ["SELECT", "'é'", ";"]);
    }

    #[test]
    fn atomic_function_parses_as_one_statement() {
        let text = "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;";
        let file = SqlFile::parse(text);
        assert_eq!(texts(&file), [text]);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("SELECT {}1{};", "(".repeat(5000), ")".repeat(5000));
        let file = SqlFile::parse(&text);
        assert!(file.statements()[0].parsed.ast.is_err());
    }

    #[test]
    fn one_character_edit_reparses_one_statement() {
        let old_text: std::string::String = (0..1000)
            .map(|i| format!("-- step {i}\nINSERT INTO t (id, name) VALUES ({i}, 'n;{i}');\n"))
            .collect();
        let old = SqlFile::parse(&old_text);
        assert_eq!(old.statements().len(), 1000);
        let at = old.statements()[500].span.start + "INSERT INTO t".len();
        let (text, edit) = apply(&old_text, at, at, "x");
        let (new, reused) = reparsed(&old, &text, edit);
        assert_eq!(reused.iter().filter(|r| r.is_none()).count(), 1);
        assert_eq!(reused[500], None);
        assert_eq!(reused[501], Some(501));
        assert_eq!(
            new.statements()[500].parsed.text.as_ref(),
            "INSERT INTO tx (id, name) VALUES (500, 'n;500');"
        );
        assert_eq!(
            new.statements()[999].span.end,
            old.statements()[999].span.end + 1
        );
        assert_eq!(new.comments().len(), 1000);
    }

    #[test]
    fn edit_after_an_unterminated_last_statement_extends_it() {
        let old = SqlFile::parse("SELECT 1; SELECT 2 -- c");
        let (text, edit) = apply("SELECT 1; SELECT 2 -- c", 19, 23, "+ 3;");
        let (new, reused) = reparsed(&old, &text, edit);
        assert_eq!(texts(&new), ["SELECT 1;", "SELECT 2 + 3;"]);
        assert_eq!(reused, [Some(0), None]);
        assert!(new.comments().is_empty());
    }

    #[test]
    fn edits_that_do_not_fit_fall_back_to_a_full_split() {
        let old_text = "SELECT 1; SELECT 2; SELECT 3;";
        let old = SqlFile::parse(old_text);
        let bad = [
            ByteEdit {
                start: 5,
                old_end: 3,
                new_end: 5,
            },
            ByteEdit {
                start: 5,
                old_end: 6,
                new_end: 4,
            },
            ByteEdit {
                start: 0,
                old_end: 0,
                new_end: 100,
            },
            ByteEdit {
                start: usize::MAX,
                old_end: usize::MAX,
                new_end: usize::MAX,
            },
            ByteEdit {
                start: 0,
                old_end: usize::MAX,
                new_end: 0,
            },
        ];
        for edit in bad {
            let (new, reused) = reparsed(&old, "SELECT 2; é", edit);
            assert_eq!(texts(&new), ["SELECT 2;", "é"], "{edit:?}");
            assert_eq!(reused, [Some(1), None]);
        }
    }

    const FRAGMENTS: &[&str] = &[
        "SELECT 1",
        "select x",
        ";",
        ";",
        " ",
        "\n",
        "\r\n",
        "\r",
        "'a;b'",
        "'",
        "E'x\\'y;'",
        "E'",
        "\\",
        "\"q;\"",
        "\"",
        "--c;\n",
        "--",
        "/*",
        "*/",
        "/* a; /* b */ c */",
        "$$",
        "$t$",
        "$t$ x; $$ y $t$",
        "$1",
        "é",
        "😀",
        "中文",
        "CREATE FUNCTION f() RETURNS int BEGIN ATOMIC ",
        "SELECT 1; ",
        "END",
        "CASE",
        "begin",
        "atomic",
        "create",
        "::",
        "(",
        ")",
        "E",
        "U&",
        "-",
        "/",
        "*",
    ];

    fn sql_like() -> impl Strategy<Value = std::string::String> {
        prop::collection::vec(prop::sample::select(FRAGMENTS), 0..40).prop_map(|f| f.concat())
    }

    /// An edit as fractions of the text, so it stays in range whatever the text.
    fn edit() -> impl Strategy<Value = (f64, f64, std::string::String)> {
        (
            0.0..=1.0f64,
            0.0..=0.3f64,
            prop::collection::vec(prop::sample::select(FRAGMENTS), 0..3),
        )
            .prop_map(|(at, len, insert)| (at, len, insert.concat()))
    }

    fn char_boundary_at(text: &str, fraction: f64) -> usize {
        let mut at = ((text.len() as f64) * fraction) as usize;
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    }

    proptest! {
        #[test]
        fn reparse_matches_a_full_parse(text in sql_like(), edits in prop::collection::vec(edit(), 1..4)) {
            let mut text = text;
            let mut file = SqlFile::parse(&text);
            for (at, len, insert) in edits {
                let start = char_boundary_at(&text, at);
                let old_end = char_boundary_at(&text, (at + len).min(1.0)).max(start);
                let (new_text, edit) = apply(&text, start, old_end, &insert);
                file = check_reparse(&file, &new_text, edit)?;
                text = new_text;
            }
        }
    }
}
