//! STUB: being implemented.
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
