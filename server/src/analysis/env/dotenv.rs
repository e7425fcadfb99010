//! Env files as the env model sees them: an example file (`.env.example`)
//! is the project's documentation of its variables, read for the keys it
//! documents; any other dotenv file checked (a committed `.env`,
//! `.env.production`) only for what it must not hold.

use std::path::Path;

use crate::syntax::dotenv::DotenvFile;

/// What an env file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DotenvKind {
    /// `.env.example`, `.env.sample`, `.env.template`, `.example.env`,
    /// `env.example`: the contract a deploy fills in.
    Example,
    /// Any other dotenv file: real values, for one environment.
    Values,
}

impl DotenvKind {
    pub fn of(path: &Path) -> DotenvKind {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if is_example_name(name) {
            DotenvKind::Example
        } else {
            DotenvKind::Values
        }
    }
}

/// Whether a file of this name documents variables rather than sets them.
pub fn is_example_name(name: &str) -> bool {
    matches!(
        name,
        ".env.example" | ".env.sample" | ".env.template" | ".example.env" | "env.example"
    )
}

/// A dotenv file of the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dotenv {
    pub kind: DotenvKind,
    pub file: DotenvFile,
    /// The file's length and whether its last line is unterminated: where a
    /// fix appends a key, and whether it must end that line first.
    pub len: usize,
    pub unterminated: bool,
}

impl Dotenv {
    pub fn parse(kind: DotenvKind, text: &str) -> Dotenv {
        Dotenv {
            kind,
            file: DotenvFile::parse(text),
            len: text.len(),
            unterminated: !text.is_empty() && !text.ends_with('\n'),
        }
    }

    pub fn is_example(&self) -> bool {
        self.kind == DotenvKind::Example
    }
}
