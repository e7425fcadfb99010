//! The SQL front end: a lexer that knows PostgreSQL's quoting, a statement
//! splitter with exact byte spans, and per-statement parsing with sqlparser's
//! PostgreSQL dialect, reused across edits for every statement whose text did
//! not change.

mod file;
pub mod lexer;
mod split;

pub use file::{ParsedStatement, Reparsed, SqlFile, Statement};
pub use lexer::{Token, TokenKind};
pub use split::{Split, split};
