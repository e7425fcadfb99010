//! What the lowering keeps across edits: the SQL of each literal by its
//! text, and each lowered statement of an Alembic `upgrade()` by its text
//! and, for the statements an edit did not touch, by where they are. An
//! edit re-lowers only the text it changed; what a pass does not use is
//! dropped at the next one.

use std::ops::Range;
use std::sync::Arc;

use rustc_hash::FxHashMap as HashMap;

use super::Piece;
use super::embedded::LoweredSql;
use crate::text::ByteEdit;

/// Values by text, kept for one pass after their last use. Each entry
/// carries the pass that last used it, so a pass costs one lookup per text
/// and no copies of the keys it finds.
#[derive(Debug)]
pub(super) struct Generations<V> {
    entries: HashMap<String, (V, u64)>,
    pass: u64,
}

impl<V> Default for Generations<V> {
    fn default() -> Self {
        Generations {
            entries: HashMap::default(),
            pass: 0,
        }
    }
}

impl<V: Clone> Generations<V> {
    fn start_pass(&mut self) {
        let pass = self.pass;
        self.entries.retain(|_, (_, used)| *used == pass);
        self.pass += 1;
    }

    fn clear(&mut self) {
        self.entries.clear();
    }

    /// The value for `text`, built by `make` unless a pass kept it.
    pub(super) fn get_or_make(&mut self, text: &str, make: impl FnOnce() -> V) -> V {
        if let Some((value, used)) = self.entries.get_mut(text) {
            *used = self.pass;
            return value.clone();
        }
        let value = make();
        self.entries
            .insert(text.to_string(), (value.clone(), self.pass));
        value
    }
}

/// The lowering caches of one document.
#[derive(Debug, Default)]
pub struct Cache {
    pub(super) sql: Generations<Arc<LoweredSql>>,
    pub(super) pieces: Generations<Arc<Piece>>,
    /// The last pass's statements of `upgrade()` and their pieces, by range.
    statements: Vec<(Range<usize>, Arc<Piece>)>,
    /// The edit since the last pass (`None`: the text did not change).
    edit: Option<ByteEdit>,
    /// The last pass remembered its statements: a pass that did not (the
    /// file was no revision for a moment) leaves them from an older text.
    remembered: bool,
    /// What the pieces were lowered against besides their own text (the
    /// module's `sa.table(...)` definitions): when it changes, they go.
    context: String,
}

impl Cache {
    /// Starts a pass over the document, which `edit` changed since the
    /// last one (all edits since then, merged).
    pub fn start_pass(&mut self, edit: Option<ByteEdit>) {
        self.sql.start_pass();
        self.pieces.start_pass();
        self.edit = edit;
        if !std::mem::take(&mut self.remembered) {
            self.statements.clear();
        }
    }

    /// Keeps the pieces only if they were lowered against `context`.
    pub(super) fn lowering_context(&mut self, context: String) {
        if self.context != context {
            self.pieces.clear();
            self.statements.clear();
            self.context = context;
        }
    }

    /// The piece of the statement now at `range`, when the edit left its
    /// text alone (it lies wholly before or after the edit): found by
    /// position, without reading its text.
    pub(super) fn unedited(&self, range: &Range<usize>) -> Option<Arc<Piece>> {
        let old = match self.edit {
            None => range.clone(),
            Some(edit) if range.end <= edit.start => range.clone(),
            Some(edit) if range.start >= edit.new_end => {
                let delta = edit.delta();
                range.start.checked_add_signed(-delta)?..range.end.checked_add_signed(-delta)?
            }
            Some(_) => return None,
        };
        let i = self
            .statements
            .binary_search_by_key(&old.start, |(r, _)| r.start)
            .ok()?;
        let (found, piece) = self.statements.get(i)?;
        (*found == old).then(|| piece.clone())
    }

    /// Remembers this pass's statements for the next one.
    pub(super) fn remember(&mut self, statements: Vec<(Range<usize>, Arc<Piece>)>) {
        self.statements = statements;
        self.remembered = true;
    }
}
