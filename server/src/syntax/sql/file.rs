//! STUB: being implemented.
use std::ops::Range;
use std::sync::Arc;

use crate::text::ByteEdit;

use super::Token;

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
    pub fn parse(_text: &str) -> Self {
        SqlFile::default()
    }

    /// The file after `edit`, which turned the old text into `text`. Statements
    /// whose text is unchanged keep their `Arc<ParsedStatement>`; the second value
    /// gives, for each new statement, the index of the old one it reuses.
    pub fn reparse(&self, _text: &str, _edit: ByteEdit) -> (SqlFile, Vec<Option<usize>>) {
        (SqlFile::default(), Vec::new())
    }

    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// Absolute spans of every comment, in order.
    pub fn comments(&self) -> &[Range<usize>] {
        &self.comments
    }
}
