//! Ties the layers together for one file: text → syntax → analysis → rules,
//! then configuration and suppressions. The LSP and the CLI both call this.
//!
//! STUB: being implemented; the signatures are the contract.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::finding::Finding;
use crate::text::{Document, EditError, Language, PositionEncoding, TextChange};

/// One open document and the incremental state of its front end.
#[derive(Debug)]
pub struct Analysis {
    path: Option<PathBuf>,
    document: Document,
}

impl Analysis {
    pub fn new(path: Option<PathBuf>, document: Document) -> Self {
        Analysis { path, document }
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn document(&self) -> &Document {
        &self.document
    }

    /// Applies one `didChange` notification's changes in order and sets the
    /// version. On error the changes before the failing one stay applied.
    pub fn apply_changes(
        &mut self,
        version: i32,
        changes: &[TextChange],
        encoding: PositionEncoding,
    ) -> Result<(), EditError> {
        for change in changes {
            self.document.apply(change, encoding)?;
        }
        self.document.set_version(version);
        Ok(())
    }

    /// Every finding for the current text, configuration and suppressions applied.
    pub fn findings(&mut self, _config: &Config) -> Vec<Finding> {
        Vec::new()
    }
}

/// Whether preflight has anything to say about a file of this name and language;
/// the CLI walks only these.
pub fn handles(path: &Path) -> bool {
    Language::from_path(path) == Language::Sql
}

/// One-shot check of a file's text (the CLI's path).
pub fn check_text(path: &Path, text: &str, config: &Config) -> Vec<Finding> {
    let language = Language::from_path(path);
    Analysis::new(Some(path.to_path_buf()), Document::new(text, 0, language)).findings(config)
}
