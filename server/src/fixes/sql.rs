//! Keyword-level rewrites of SQL statements.

use std::ops::Range;

use crate::finding::{Applicability, Edit, Fix};

/// `CREATE [UNIQUE] INDEX ...` → `CREATE [UNIQUE] INDEX CONCURRENTLY ...`, where
/// `range` starts at `CREATE` in `source`.
pub fn add_concurrently(source: &str, range: Range<usize>) -> Option<Fix> {
    let text = source.get(range.clone())?;
    let after_index = keyword_end(text, &["CREATE", "UNIQUE", "INDEX"])
        .or_else(|| keyword_end(text, &["CREATE", "INDEX"]))?;
    Some(Fix {
        title: "Build the index with CONCURRENTLY".into(),
        // The statement then fails inside a transaction block; the migration
        // must run outside one, which a person has to arrange.
        applicability: Applicability::Unsafe,
        edits: vec![Edit::insert(range.start + after_index, " CONCURRENTLY")],
    })
}

/// Byte offset just past the keyword sequence `words` at the start of `text`,
/// separated by whitespace (any case).
fn keyword_end(text: &str, words: &[&str]) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut offset = 0;
    for word in words {
        while bytes.get(offset).is_some_and(u8::is_ascii_whitespace) {
            offset += 1;
        }
        let candidate = bytes.get(offset..offset + word.len())?;
        if !candidate.eq_ignore_ascii_case(word.as_bytes()) {
            return None;
        }
        offset += word.len();
        // A keyword must end here: `INDEXES` is not `INDEX`.
        if bytes
            .get(offset)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_' || !b.is_ascii())
        {
            return None;
        }
    }
    Some(offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_after_index_keyword() {
        let src = "SELECT 1;\ncreate unique\n  index i on t (a);";
        let start = src.find("create").unwrap();
        let fix = add_concurrently(src, start..src.len() - 1).unwrap();
        let edit = &fix.edits[0];
        let mut out = src.to_string();
        out.replace_range(edit.range.clone(), &edit.replacement);
        assert_eq!(
            out,
            "SELECT 1;\ncreate unique\n  index CONCURRENTLY i on t (a);"
        );
    }

    #[test]
    fn refuses_other_shapes() {
        assert!(add_concurrently("op.create_index('i', 't')", 0..10).is_none());
        assert!(add_concurrently("CREATE INDEXES", 0..14).is_none());
    }
}
