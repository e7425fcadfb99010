//! Text documents: a rope, its version and language, positions and edits.
//!
//! Everything above this layer speaks byte offsets. Positions with a line and a
//! column in some encoding exist only here, for the faces (LSP, CLI) to convert at
//! the edge.

mod document;
mod encoding;
mod language;
mod line_index;

pub use document::{ByteEdit, Document, EditError, TextChange};
pub use encoding::PositionEncoding;
pub use language::Language;
pub use line_index::{LineIndex, Position, line_break_ends};
