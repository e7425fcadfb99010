use std::fmt;

use ropey::Rope;

use super::{Language, LineIndex, Position, PositionEncoding};

/// An open file: its text, the version the client gave it and its language.
#[derive(Debug, Clone)]
pub struct Document {
    rope: Rope,
    version: i32,
    language: Language,
}

/// One `contentChanges` entry of `textDocument/didChange`, already out of LSP types.
/// `range: None` replaces the whole text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextChange {
    pub range: Option<(Position, Position)>,
    pub text: String,
}

/// What an applied change did, in bytes of the text before and after it. The
/// incremental front ends (statement reuse, `Tree::edit`) start from this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteEdit {
    pub start: usize,
    pub old_end: usize,
    pub new_end: usize,
}

impl ByteEdit {
    /// No change at all.
    pub const NONE: ByteEdit = ByteEdit {
        start: 0,
        old_end: 0,
        new_end: 0,
    };

    /// One edit covering `self` and then `later` (whose offsets are in the
    /// text `self` produced).
    pub fn then(self, later: ByteEdit) -> ByteEdit {
        // Work in the coordinates between the two edits, then map the end back
        // through `self` and forward through `later`.
        let end = self.new_end.max(later.old_end);
        ByteEdit {
            start: self.start.min(later.start),
            old_end: end.saturating_add_signed(-self.delta()),
            new_end: end.saturating_add_signed(later.delta()),
        }
    }

    /// Growth of the text, negative when it shrank.
    pub fn delta(&self) -> isize {
        self.new_end as isize - self.old_end as isize
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditError {
    /// The range's end comes before its start.
    InvertedRange { start: Position, end: Position },
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EditError::InvertedRange { start, end } => write!(
                f,
                "edit range ends ({}:{}) before it starts ({}:{})",
                end.line, end.character, start.line, start.character
            ),
        }
    }
}

impl std::error::Error for EditError {}

impl Document {
    pub fn new(text: &str, version: i32, language: Language) -> Self {
        Document {
            rope: Rope::from_str(text),
            version,
            language,
        }
    }

    pub fn version(&self) -> i32 {
        self.version
    }

    pub fn language(&self) -> Language {
        self.language
    }

    pub fn rope(&self) -> &Rope {
        &self.rope
    }

    pub fn text(&self) -> String {
        // Sized up front: growing a multi-megabyte string chunk by chunk
        // re-copies it a dozen times.
        let mut text = String::with_capacity(self.rope.len_bytes());
        for chunk in self.rope.chunks() {
            text.push_str(chunk);
        }
        text
    }

    pub fn line_index(&self) -> LineIndex<'_> {
        LineIndex::new(&self.rope)
    }

    /// Applies one change. Positions are clamped to the text as LSP requires, so
    /// the only rejected change is one whose range is inverted; the document is
    /// unchanged then.
    pub fn apply(
        &mut self,
        change: &TextChange,
        encoding: PositionEncoding,
    ) -> Result<ByteEdit, EditError> {
        let (start, old_end) = match change.range {
            None => (0, self.rope.len_bytes()),
            Some((start, end)) => {
                if end < start {
                    return Err(EditError::InvertedRange { start, end });
                }
                let index = self.line_index();
                (index.offset(start, encoding), index.offset(end, encoding))
            }
        };
        let start_char = self.rope.byte_to_char(start);
        let end_char = self.rope.byte_to_char(old_end);
        self.rope.remove(start_char..end_char);
        self.rope.insert(start_char, &change.text);
        Ok(ByteEdit {
            start,
            old_end,
            new_end: start + change.text.len(),
        })
    }

    pub fn set_version(&mut self, version: i32) {
        self.version = version;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PositionEncoding::{Utf8, Utf16};

    fn change(l0: u32, c0: u32, l1: u32, c1: u32, text: &str) -> TextChange {
        TextChange {
            range: Some((Position::new(l0, c0), Position::new(l1, c1))),
            text: text.to_string(),
        }
    }

    #[test]
    fn incremental_edits_after_emoji_in_utf16() {
        let mut doc = Document::new("-- 🚀\nCREATE INDEX i ON t (a);\n", 1, Language::Sql);
        // Insert after "CREATE INDEX" on line 1.
        let edit = doc
            .apply(&change(1, 12, 1, 12, " CONCURRENTLY"), Utf16)
            .unwrap();
        assert_eq!(doc.text(), "-- 🚀\nCREATE INDEX CONCURRENTLY i ON t (a);\n");
        assert_eq!(edit.start, "-- 🚀\nCREATE INDEX".len());
        assert_eq!(edit.delta(), 13);
        // Replace the emoji (two UTF-16 units) with a CJK character.
        doc.apply(&change(0, 3, 0, 5, "表"), Utf16).unwrap();
        assert!(doc.text().starts_with("-- 表\n"));
    }

    #[test]
    fn utf8_columns_and_crlf() {
        let mut doc = Document::new("é\r\nDROP TABLE t;\r\n", 1, Language::Sql);
        doc.apply(&change(1, 5, 1, 10, "INDEX"), Utf8).unwrap();
        assert_eq!(doc.text(), "é\r\nDROP INDEX t;\r\n");
        // Deleting the CRLF joins the lines.
        doc.apply(&change(0, 2, 1, 0, ""), Utf8).unwrap();
        assert_eq!(doc.text(), "éDROP INDEX t;\r\n");
    }

    #[test]
    fn full_replacement_and_inverted_range() {
        let mut doc = Document::new("abc", 1, Language::Sql);
        let err = doc.apply(&change(0, 2, 0, 1, "x"), Utf16).unwrap_err();
        assert!(err.to_string().contains("before it starts"));
        assert_eq!(doc.text(), "abc");
        doc.apply(
            &TextChange {
                range: None,
                text: "new".into(),
            },
            Utf16,
        )
        .unwrap();
        assert_eq!(doc.text(), "new");
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let mut doc = Document::new("ab\ncd", 1, Language::Sql);
        doc.apply(&change(0, 50, 7, 0, "!"), Utf16).unwrap();
        assert_eq!(doc.text(), "ab!");
    }
}
