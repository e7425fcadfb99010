//! YAML front end: a tree-sitter-yaml tree kept across edits, and the small
//! value model built from it ([`value`]) with symbolic paths ([`path`]) that
//! resolve to the exact bytes of a key or a value.
//!
//! The tree is edited in place and reparsed with the old tree, so a keystroke
//! costs what changed; the value model is rebuilt from the tree per analysis
//! (workflow and manifest files are small, and the model is plain data the
//! rules can hold without borrowing the tree).

mod build;
pub mod path;
pub mod scalar;
pub mod value;

use std::ops::Range;

use tree_sitter::{InputEdit, Parser, Point, Tree};

use crate::text::ByteEdit;

pub use path::{Anchor, Seg, YamlPath};
pub use scalar::Scalar;
pub use value::{Doc, Entry, Item, Kind, Node};

/// One YAML file: its tree, the text the tree was parsed from, and the
/// comments in it.
#[derive(Debug)]
pub struct YamlFile {
    tree: Option<Tree>,
    /// The text `tree` describes: the old side of the next edit needs its
    /// line and column positions.
    text: String,
}

impl YamlFile {
    pub fn parse(text: &str) -> Self {
        YamlFile {
            tree: parse_with(text, None),
            text: text.to_string(),
        }
    }

    /// Follows `edit` (which turned the previous text into `text`): the old
    /// tree is edited and handed to the parser, which reuses what is unchanged.
    pub fn reparse(&mut self, text: &str, edit: ByteEdit) {
        let valid = edit.start <= edit.old_end
            && edit.old_end <= self.text.len()
            && edit.start <= edit.new_end
            && edit.new_end <= text.len()
            && self.text.is_char_boundary(edit.start)
            && self.text.is_char_boundary(edit.old_end)
            && text.is_char_boundary(edit.new_end);
        match (&mut self.tree, valid) {
            (Some(tree), true) => {
                tree.edit(&InputEdit {
                    start_byte: edit.start,
                    old_end_byte: edit.old_end,
                    new_end_byte: edit.new_end,
                    start_position: point(&self.text, edit.start),
                    old_end_position: point(&self.text, edit.old_end),
                    new_end_position: point(text, edit.new_end),
                });
                let old = self.tree.take();
                self.tree = parse_with(text, old.as_ref());
            }
            _ => self.tree = parse_with(text, None),
        }
        self.text.clear();
        self.text.push_str(text);
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn tree(&self) -> Option<&Tree> {
        self.tree.as_ref()
    }

    /// Every document of the stream as values, in order. A document the
    /// parser could not read whole is marked `broken`: rules skip it rather
    /// than judge half a file while it is being typed.
    pub fn documents(&self) -> Vec<Doc> {
        match &self.tree {
            Some(tree) => build::documents(tree, &self.text),
            None => Vec::new(),
        }
    }

    /// Byte ranges of every `#` comment, marker included.
    pub fn comments(&self) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        if let Some(tree) = &self.tree {
            let mut cursor = tree.walk();
            collect_comments(&mut cursor, &mut out);
        }
        out
    }
}

fn parse_with(text: &str, old: Option<&Tree>) -> Option<Tree> {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_yaml::LANGUAGE.into())
        .ok()?;
    parser.parse(text, old)
}

/// Row and byte column of `offset`, as tree-sitter counts them.
fn point(text: &str, offset: usize) -> Point {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let row = before.iter().filter(|&&b| b == b'\n').count();
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    Point::new(row, before.len() - line_start)
}

fn collect_comments(cursor: &mut tree_sitter::TreeCursor<'_>, out: &mut Vec<Range<usize>>) {
    loop {
        let node = cursor.node();
        if node.kind() == "comment" {
            out.push(node.byte_range());
        } else if cursor.goto_first_child() {
            collect_comments(cursor, out);
            cursor.goto_parent();
        }
        if !cursor.goto_next_sibling() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reparse_equals_a_fresh_parse() {
        let before = "jobs:\n  test:\n    runs-on: ubuntu-latest\n  deploy:\n    steps:\n      - run: ./deploy.sh\n";
        let mut file = YamlFile::parse(before);
        let at = before.find("  deploy:").unwrap();
        let after = format!("{}  # note\n{}", &before[..at], &before[at..]);
        file.reparse(
            &after,
            ByteEdit {
                start: at,
                old_end: at,
                new_end: at + "  # note\n".len(),
            },
        );
        let fresh = YamlFile::parse(&after);
        assert_eq!(
            file.tree().unwrap().root_node().to_sexp(),
            fresh.tree().unwrap().root_node().to_sexp()
        );
        assert_eq!(file.comments(), fresh.comments());
        assert_eq!(&after[file.comments()[0].clone()], "# note");
    }
}
