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
        if let Some(position) = self.position_in_chunk(offset, encoding) {
            return position;
        }
        let line = rope.byte_to_line(offset);
        let line_start = rope.line_to_byte(line);
        let character = self.column_by_rope(line_start, offset, encoding);
        Position::new(saturating_u32(line), saturating_u32(character))
    }

    /// Positions of many byte offsets at once, in one pass over the text: far
    /// cheaper than a walk down the rope per offset when there are hundreds.
    pub fn positions(&self, offsets: &[usize], encoding: PositionEncoding) -> Vec<Position> {
        let mut order: Vec<usize> = (0..offsets.len()).collect();
        order.sort_unstable_by_key(|&i| offsets[i]);
        let mut out = vec![Position::default(); offsets.len()];
        let mut walker = Walker::new(self);
        for i in order {
            out[i] = walker.advance_to(offsets[i].min(self.rope.len_bytes()), encoding);
        }
        out
    }

    /// Both ends of a byte range. A range within one line of one chunk (most
    /// findings) costs a single walk down the rope.
    pub fn span(
        &self,
        range: &std::ops::Range<usize>,
        encoding: PositionEncoding,
    ) -> (Position, Position) {
        let start = self.position(range.start, encoding);
        let end = range.end.min(self.rope.len_bytes());
        let (chunk, chunk_start, _, _) = self.rope.chunk_at_byte(range.start.min(end));
        let same_line = range.start <= end
            && end - chunk_start < chunk.len()
            && chunk.is_char_boundary(range.start - chunk_start)
            && chunk.is_char_boundary(end - chunk_start)
            && !chunk[range.start - chunk_start..end - chunk_start].contains(['\n', '\r']);
        if !same_line {
            return (start, self.position(range.end, encoding));
        }
        let between = &chunk[range.start - chunk_start..end - chunk_start];
        let width = column_in(between, between.len(), encoding);
        (
            start,
            Position::new(
                start.line,
                start.character.saturating_add(saturating_u32(width)),
            ),
        )
    }

    /// The common case: the line starts in the same chunk as the offset, so
    /// the column is counted there without converting through char indices.
    fn position_in_chunk(&self, offset: usize, encoding: PositionEncoding) -> Option<Position> {
        let (chunk, chunk_start, _, _) = self.rope.chunk_at_byte(offset);
        let bytes = chunk.as_bytes();
        let relative = offset - chunk_start;
        let line_start = (0..relative)
            .rev()
            .find(|&i| is_line_break(bytes, i))
            .map(|i| i + 1)?;
        let column = column_in(&chunk[line_start..], relative - line_start, encoding);
        // ropey counts the lines with SIMD; the column is counted here.
        let line = self.rope.byte_to_line(offset);
        Some(Position::new(saturating_u32(line), saturating_u32(column)))
    }

    fn column_by_rope(
        &self,
        line_start: usize,
        offset: usize,
        encoding: PositionEncoding,
    ) -> usize {
        let rope = self.rope;
        match encoding {
            PositionEncoding::Utf8 => {
                let char_start = rope.char_to_byte(rope.byte_to_char(offset));
                char_start - line_start
            }
            PositionEncoding::Utf16 => {
                rope.char_to_utf16_cu(rope.byte_to_char(offset))
                    - rope.char_to_utf16_cu(rope.byte_to_char(line_start))
            }
            PositionEncoding::Utf32 => rope.byte_to_char(offset) - rope.byte_to_char(line_start),
        }
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

/// The byte offset just past each line break of `text` (`\n`, `\r\n` or a lone
/// `\r`): where every line but the first starts, as the editor counts lines.
pub fn line_break_ends(text: &str) -> impl Iterator<Item = usize> + '_ {
    let bytes = text.as_bytes();
    memchr::memchr2_iter(b'\n', b'\r', bytes)
        .filter(move |&i| is_line_break(bytes, i))
        .map(|i| i + 1)
}

/// Whether the byte at `i` ends a line: `\n`, or a `\r` not followed by `\n`
/// (ropey never splits a CRLF across chunks).
fn is_line_break(bytes: &[u8], i: usize) -> bool {
    match bytes[i] {
        b'\n' => true,
        b'\r' => bytes.get(i + 1) != Some(&b'\n'),
        _ => false,
    }
}

/// The column `bytes` into `line`. An offset inside a character counts as that
/// character's start.
fn column_in(line: &str, bytes: usize, encoding: PositionEncoding) -> usize {
    if line.as_bytes()[..bytes.min(line.len())].is_ascii() {
        // One byte, one UTF-16 unit, one character: the common case is free.
        return bytes.min(line.len());
    }
    let mut seen = 0;
    let mut column = 0;
    for ch in line.chars() {
        seen += ch.len_utf8();
        if seen > bytes {
            break;
        }
        column += match encoding {
            PositionEncoding::Utf8 => ch.len_utf8(),
            PositionEncoding::Utf16 => ch.len_utf16(),
            PositionEncoding::Utf32 => 1,
        };
    }
    column
}

/// A forward-only cursor over the rope's chunks that keeps the line number and
/// line start of the position it stands on.
struct Walker<'i, 'r> {
    index: &'i LineIndex<'r>,
    chunks: ropey::iter::Chunks<'r>,
    chunk: &'r str,
    chunk_start: usize,
    /// The chunk before `chunk` and where it starts, for a line that began
    /// there.
    previous: (&'r str, usize),
    at: usize,
    line: usize,
    line_start: usize,
}

impl<'i, 'r> Walker<'i, 'r> {
    fn new(index: &'i LineIndex<'r>) -> Self {
        let mut chunks = index.rope.chunks();
        let chunk = chunks.next().unwrap_or("");
        Walker {
            index,
            chunks,
            chunk,
            chunk_start: 0,
            previous: ("", 0),
            at: 0,
            line: 0,
            line_start: 0,
        }
    }

    /// Moves to `offset` (not before the current position) and returns it as a
    /// position.
    fn advance_to(&mut self, offset: usize, encoding: PositionEncoding) -> Position {
        while offset >= self.chunk_start + self.chunk.len() {
            let Some(next) = self.chunks.next() else {
                break;
            };
            self.count_breaks_until(self.chunk_start + self.chunk.len());
            self.previous = (self.chunk, self.chunk_start);
            self.chunk_start += self.chunk.len();
            self.chunk = next;
        }
        self.count_breaks_until(offset);
        let (previous, previous_start) = self.previous;
        let column = if self.line_start >= self.chunk_start {
            let line = &self.chunk[self.line_start - self.chunk_start..];
            column_in(line, offset - self.line_start, encoding)
        } else if self.line_start >= previous_start
            && previous_start + previous.len() == self.chunk_start
        {
            // The line began in the chunk before: its two parts, counted
            // where they are, instead of a walk down the rope.
            let head = &previous[self.line_start - previous_start..];
            column_in(head, head.len(), encoding)
                + column_in(self.chunk, offset - self.chunk_start, encoding)
        } else {
            self.index.column_by_rope(self.line_start, offset, encoding)
        };
        Position::new(saturating_u32(self.line), saturating_u32(column))
    }

    /// Counts the line breaks between the current position and `end`, both in
    /// the current chunk, and moves there.
    fn count_breaks_until(&mut self, end: usize) {
        let bytes = self.chunk.as_bytes();
        let from = self.at.max(self.chunk_start) - self.chunk_start;
        let to = (end - self.chunk_start).min(bytes.len());
        let slice = &bytes[from.min(to)..to];
        let (breaks, carriage_returns) = count_newlines(slice);
        if carriage_returns == 0 {
            // Plain `\n` text: the count is the answer.
            if let Some(last) = slice.iter().rposition(|&b| b == b'\n') {
                self.line += breaks;
                self.line_start = self.chunk_start + from + last + 1;
            }
        } else {
            for i in from..to {
                if is_line_break(bytes, i) {
                    self.line += 1;
                    self.line_start = self.chunk_start + i + 1;
                }
            }
        }
        self.at = self.at.max(end);
    }
}

/// `\n` and `\r` bytes in `bytes`, counted in byte lanes: a `usize` counter
/// per byte makes the compiler widen every comparison to 64 bits (4 bytes a
/// step); `u8` counters per 255-byte chunk let it compare 16 or 32 at once,
/// both counts in the same pass.
fn count_newlines(bytes: &[u8]) -> (usize, usize) {
    bytes.chunks(255).fold((0, 0), |(lf, cr), chunk| {
        let (l, c) = chunk.iter().fold((0u8, 0u8), |(l, c), &b| {
            (
                l.wrapping_add(u8::from(b == b'\n')),
                c.wrapping_add(u8::from(b == b'\r')),
            )
        });
        (lf + usize::from(l), cr + usize::from(c))
    })
}

fn saturating_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newlines_counted_across_chunk_sizes() {
        for len in [0, 1, 254, 255, 256, 1000] {
            let text: Vec<u8> = (0..len)
                .map(|i| if i % 3 == 0 { b'\n' } else { b'x' })
                .collect();
            let expected = text.iter().filter(|&&b| b == b'\n').count();
            assert_eq!(count_newlines(&text), (expected, 0), "{len}");
        }
        assert_eq!(count_newlines(&[b'\n'; 600]), (600, 0));
        assert_eq!(count_newlines(b"a\r\nb\rc"), (1, 2));
    }
    use PositionEncoding::{Utf8, Utf16, Utf32};

    fn index_of(text: &str) -> Rope {
        Rope::from_str(text)
    }

    #[test]
    fn line_breaks_end_after_lf_crlf_and_lone_cr() {
        let text = "a\nb\r\nc\rd\r";
        assert_eq!(line_break_ends(text).collect::<Vec<_>>(), [2, 5, 7, 9]);
        let rope = index_of(text);
        for offset in line_break_ends(text) {
            assert_eq!(LineIndex::new(&rope).position(offset, Utf8).character, 0);
        }
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

    /// Multi-chunk ropes take the one-walk path; it must agree with the
    /// rope's own line and column arithmetic everywhere.
    #[test]
    fn chunk_path_agrees_with_rope_arithmetic() {
        let mut text = String::new();
        for i in 0..3000 {
            let ending = ["\n", "\r\n", "\r"][i % 3];
            text.push_str(&format!(
                "ALTER TABLE t{i} ADD c é🚀表 {};{ending}",
                "x".repeat(i % 50)
            ));
        }
        let rope = Rope::from_str(&text);
        assert!(rope.chunks().count() > 10);
        let idx2 = LineIndex::new(&rope);
        let offsets: Vec<usize> = (0..text.len())
            .rev()
            .step_by(11)
            .chain([0, text.len(), 5])
            .collect();
        for enc in [Utf8, Utf16, Utf32] {
            let batch = idx2.positions(&offsets, enc);
            for (offset, got) in offsets.iter().zip(batch) {
                assert_eq!(got, idx2.position(*offset, enc), "batch {offset} {enc:?}");
            }
        }
        for (start, _) in text.char_indices().step_by(13) {
            for len in [0, 1, 5, 40, 300] {
                let end = (start + len).min(text.len());
                if !text.is_char_boundary(end) {
                    continue;
                }
                for enc in [Utf8, Utf16, Utf32] {
                    let both = (idx2.position(start, enc), idx2.position(end, enc));
                    assert_eq!(
                        idx2.span(&(start..end), enc),
                        both,
                        "{start}..{end} {enc:?}"
                    );
                }
            }
        }
        let idx = LineIndex::new(&rope);
        for (offset, _) in text.char_indices().step_by(7) {
            for enc in [Utf8, Utf16, Utf32] {
                let line = rope.byte_to_line(offset);
                let expected = Position::new(
                    line as u32,
                    idx.column_by_rope(rope.line_to_byte(line), offset, enc) as u32,
                );
                assert_eq!(
                    idx.position(offset, enc),
                    expected,
                    "offset {offset} {enc:?}"
                );
            }
        }
    }

    mod walk {
        use super::*;
        use proptest::prelude::*;

        /// Lines of ASCII, é, emoji and CJK with every kind of line break,
        /// long enough to span many rope chunks.
        fn text() -> impl Strategy<Value = String> {
            proptest::collection::vec(
                prop_oneof![
                    Just("a"),
                    Just("é"),
                    Just("🚀"),
                    Just("ユ"),
                    Just("\n"),
                    Just("\r\n"),
                    Just("\r"),
                    Just("SELECT 1; "),
                ],
                0..6000,
            )
            .prop_map(|parts| parts.concat())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(48))]
            #[test]
            fn one_walk_agrees_with_one_position_at_a_time(
                text in text(),
                picks in proptest::collection::vec(any::<prop::sample::Index>(), 0..200),
            ) {
                let doc = crate::text::Document::new(&text, 0, crate::text::Language::Sql);
                let index = doc.line_index();
                let boundaries: Vec<usize> = text
                    .char_indices()
                    .map(|(i, _)| i)
                    .chain(std::iter::once(text.len()))
                    .collect();
                let offsets: Vec<usize> = picks.iter().map(|p| boundaries[p.index(boundaries.len())]).collect();
                for encoding in [Utf8, Utf16, Utf32] {
                    let walked = index.positions(&offsets, encoding);
                    let one_by_one: Vec<Position> =
                        offsets.iter().map(|&o| index.position(o, encoding)).collect();
                    prop_assert_eq!(walked, one_by_one);
                }
            }
        }
    }
}
