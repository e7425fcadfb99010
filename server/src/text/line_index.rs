use ropey::Rope;

use super::PositionEncoding;

/// A zero-based line and a zero-based column counted in some [`PositionEncoding`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Position {
    pub line: u32,
    pub character: u32,
}

impl Position {
    pub const fn new(line: u32, character: u32) -> Self {
        Position { line, character }
    }
}

/// Converts between byte offsets and positions over a rope. Lines end at `\n`,
/// `\r\n` or a lone `\r`, as LSP defines them.
#[derive(Clone, Copy)]
pub struct LineIndex<'a> {
    rope: &'a Rope,
}

impl<'a> LineIndex<'a> {
    pub fn new(rope: &'a Rope) -> Self {
        LineIndex { rope }
    }

    /// The position of a byte offset. Offsets past the end clamp to the end; an
    /// offset inside a multi-byte character counts as that character's start.
    pub fn position(&self, offset: usize, encoding: PositionEncoding) -> Position {
        let rope = self.rope;
        let offset = offset.min(rope.len_bytes());
        let line = rope.byte_to_line(offset);
        let line_start = rope.line_to_byte(line);
        let character = match encoding {
            PositionEncoding::Utf8 => {
                let char_start = rope.char_to_byte(rope.byte_to_char(offset));
                char_start - line_start
            }
            PositionEncoding::Utf16 => {
                rope.char_to_utf16_cu(rope.byte_to_char(offset))
                    - rope.char_to_utf16_cu(rope.byte_to_char(line_start))
            }
            PositionEncoding::Utf32 => rope.byte_to_char(offset) - rope.byte_to_char(line_start),
        };
        Position::new(saturating_u32(line), saturating_u32(character))
    }

    /// The byte offset of a position. A line past the end means the end of the
    /// text; a column past the end of its line means the end of that line (before
    /// its terminator), as the LSP specification asks.
    pub fn offset(&self, position: Position, encoding: PositionEncoding) -> usize {
        let rope = self.rope;
        let line = position.line as usize;
        if line >= rope.len_lines() {
            return rope.len_bytes();
        }
        let line_start = rope.line_to_byte(line);
        let line_end = line_start + self.content_len(line);
        let column = position.character as usize;
        match encoding {
            PositionEncoding::Utf8 => {
                let target = (line_start + column).min(line_end);
                rope.char_to_byte(rope.byte_to_char(target))
            }
            PositionEncoding::Utf16 => {
                let start_cu = rope.char_to_utf16_cu(rope.byte_to_char(line_start));
                let end_cu = rope.char_to_utf16_cu(rope.byte_to_char(line_end));
                let target = (start_cu + column).min(end_cu);
                rope.char_to_byte(rope.utf16_cu_to_char(target))
            }
            PositionEncoding::Utf32 => {
                let start = rope.byte_to_char(line_start);
                let end = rope.byte_to_char(line_end);
                rope.char_to_byte((start + column).min(end))
            }
        }
    }

    /// One-based line and one-based column counted in characters, for people.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let p = self.position(offset, PositionEncoding::Utf32);
        (p.line as usize + 1, p.character as usize + 1)
    }

    /// The text of a zero-based line without its terminator.
    pub fn line_text(&self, line: usize) -> String {
        if line >= self.rope.len_lines() {
            return String::new();
        }
        let start = self.rope.line_to_byte(line);
        self.rope
            .byte_slice(start..start + self.content_len(line))
            .to_string()
    }

    /// Bytes in a line, not counting its terminator.
    fn content_len(&self, line: usize) -> usize {
        let slice = self.rope.line(line);
        let mut len = slice.len_bytes();
        while len > 0 && matches!(slice.byte(len - 1), b'\n' | b'\r') {
            len -= 1;
        }
        len
    }
}

fn saturating_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use PositionEncoding::{Utf8, Utf16, Utf32};

    fn index_of(text: &str) -> Rope {
        Rope::from_str(text)
    }

    #[test]
    fn accented_letter_counts_once_in_utf16_twice_in_utf8() {
        let rope = index_of("-- café\nCREATE INDEX");
        let idx = LineIndex::new(&rope);
        let after_e = "-- café".len();
        assert_eq!(idx.position(after_e, Utf8), Position::new(0, 8));
        assert_eq!(idx.position(after_e, Utf16), Position::new(0, 7));
        assert_eq!(idx.position(after_e, Utf32), Position::new(0, 7));
        assert_eq!(idx.offset(Position::new(0, 7), Utf16), after_e);
        assert_eq!(
            idx.offset(Position::new(1, 6), Utf16),
            "-- café\nCREATE".len()
        );
    }

    #[test]
    fn emoji_is_two_utf16_units_and_four_bytes() {
        let text = "SELECT '🚀' ; DROP TABLE t;";
        let rope = index_of(text);
        let idx = LineIndex::new(&rope);
        let drop = text.find("DROP").unwrap();
        assert_eq!(idx.position(drop, Utf16), Position::new(0, 14));
        assert_eq!(idx.position(drop, Utf8), Position::new(0, 16));
        assert_eq!(idx.position(drop, Utf32), Position::new(0, 13));
        for enc in [Utf8, Utf16, Utf32] {
            assert_eq!(idx.offset(idx.position(drop, enc), enc), drop);
        }
        // A position in the middle of the surrogate pair lands on the emoji start.
        let emoji = text.find('🚀').unwrap();
        assert_eq!(idx.offset(Position::new(0, 9), Utf16), emoji);
        assert_eq!(idx.position(emoji + 2, Utf8), Position::new(0, 8));
    }

    #[test]
    fn cjk_and_crlf() {
        let text = "-- 表格\r\nALTER TABLE 用户 ADD c int;\r\n";
        let rope = index_of(text);
        let idx = LineIndex::new(&rope);
        let add = text.find("ADD").unwrap();
        assert_eq!(idx.position(add, Utf16), Position::new(1, 15));
        assert_eq!(idx.position(add, Utf8), Position::new(1, 19));
        assert_eq!(idx.line_col(add), (2, 16));
        // Column past the end of line 0 clamps before the CRLF.
        assert_eq!(idx.offset(Position::new(0, 99), Utf16), "-- 表格".len());
        assert_eq!(idx.line_text(0), "-- 表格");
        // Line past the end clamps to the end of the text.
        assert_eq!(idx.offset(Position::new(9, 0), Utf16), text.len());
        assert_eq!(idx.position(text.len(), Utf16), Position::new(2, 0));
    }

    #[test]
    fn lone_cr_ends_a_line() {
        let rope = index_of("a\rb\nc");
        let idx = LineIndex::new(&rope);
        assert_eq!(idx.position(2, Utf16), Position::new(1, 0));
        assert_eq!(idx.position(4, Utf16), Position::new(2, 0));
    }

    #[test]
    fn every_offset_round_trips_in_every_encoding() {
        let text = "é🚀表\r\nx\ry\n";
        let rope = index_of(text);
        let idx = LineIndex::new(&rope);
        for (offset, _) in text.char_indices() {
            for enc in [Utf8, Utf16, Utf32] {
                let pos = idx.position(offset, enc);
                // Offsets on a line terminator map back to the end of the line content.
                if !matches!(text.as_bytes()[offset], b'\r' | b'\n') {
                    assert_eq!(idx.offset(pos, enc), offset, "{offset} {enc:?}");
                }
            }
        }
    }
}
