//! Tree-sitter front ends for Python, TypeScript/JavaScript and YAML: where
//! the grammars are chosen and loaded, so every caller parses with the same
//! one, and [`SourceTree`], a document's tree kept across edits.

use tree_sitter::{InputEdit, Parser, Point, Tree};

use crate::text::{ByteEdit, Language};

/// The grammar for a language, `None` for those without a tree-sitter front end.
pub fn grammar(language: Language) -> Option<tree_sitter::Language> {
    Some(match language {
        Language::Python => tree_sitter_python::LANGUAGE.into(),
        // TSX is a superset that also accepts plain JavaScript with JSX.
        Language::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
        Language::JavaScript => tree_sitter_typescript::LANGUAGE_TSX.into(),
        Language::Yaml => tree_sitter_yaml::LANGUAGE.into(),
        Language::Sql | Language::Toml | Language::Dotenv | Language::Other => return None,
    })
}

/// Parses `text` from scratch. `None` when the language has no grammar or the
/// grammar is incompatible with the linked tree-sitter runtime.
pub fn parse(language: Language, text: &str) -> Option<Tree> {
    let mut parser = Parser::new();
    parser.set_language(&grammar(language)?).ok()?;
    parser.parse(text, None)
}

/// A document's syntax tree, kept incrementally: each edit is applied to the
/// old tree (`Tree::edit`) and the new text is parsed with it, so tree-sitter
/// re-reads only around the change.
pub struct SourceTree {
    language: Language,
    /// Kept with the tree: a parser reuses its buffers from edit to edit.
    parser: Parser,
    tree: Tree,
    /// The text the tree was parsed from: the edit's end in the old text is a
    /// row and column there.
    text: String,
}

impl SourceTree {
    /// `None` when the language has no grammar.
    pub fn parse(language: Language, text: &str) -> Option<Self> {
        let mut parser = Parser::new();
        parser.set_language(&grammar(language)?).ok()?;
        Some(SourceTree {
            language,
            tree: parser.parse(text, None)?,
            parser,
            text: text.to_string(),
        })
    }

    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    /// Follows `edit`, which turned the tree's text into `text`.
    pub fn update(&mut self, text: &str, edit: ByteEdit) {
        let consistent = edit.start <= edit.old_end
            && edit.start <= edit.new_end
            && edit.old_end <= self.text.len()
            && edit.new_end <= text.len()
            && self.text.len() as isize + edit.delta() == text.len() as isize
            && self.text.is_char_boundary(edit.start)
            && self.text.is_char_boundary(edit.old_end)
            && text.is_char_boundary(edit.new_end)
            && self.text[..edit.start] == text[..edit.start];
        let reparsed = consistent
            .then(|| {
                let start = point(&self.text, 0, Point::new(0, 0), edit.start);
                self.tree.edit(&InputEdit {
                    start_byte: edit.start,
                    old_end_byte: edit.old_end,
                    new_end_byte: edit.new_end,
                    start_position: start,
                    old_end_position: point(&self.text, edit.start, start, edit.old_end),
                    new_end_position: point(text, edit.start, start, edit.new_end),
                });
                self.parser.parse(text, Some(&self.tree))
            })
            .flatten()
            .or_else(|| self.parser.parse(text, None));
        if let Some(tree) = reparsed {
            self.tree = tree;
        }
        self.text.clear();
        self.text.push_str(text);
    }
}

impl std::fmt::Debug for SourceTree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceTree")
            .field("language", &self.language)
            .field("tree", &self.tree)
            .finish_non_exhaustive()
    }
}

/// The row and byte column of `offset`, counting from `from` at `at`.
fn point(text: &str, from: usize, at: Point, offset: usize) -> Point {
    let between = &text.as_bytes()[from..offset];
    match between.iter().rposition(|&b| b == b'\n') {
        Some(last) => Point::new(
            at.row + between.iter().filter(|&&b| b == b'\n').count(),
            between.len() - last - 1,
        ),
        None => Point::new(at.row, at.column + between.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root_kind(language: Language, text: &str) -> (String, bool) {
        let tree = parse(language, text).expect("grammar loads and parses");
        let root = tree.root_node();
        (root.kind().to_string(), root.has_error())
    }

    #[test]
    fn python_typescript_javascript_and_yaml_parse() {
        let python =
            "from alembic import op\n\ndef upgrade():\n    op.create_index('i', 't', ['c'])\n";
        assert_eq!(
            root_kind(Language::Python, python),
            ("module".into(), false)
        );
        let ts = "export class M { async up(q: QueryRunner): Promise<void> { await q.query(`SELECT 1`); } }\n";
        assert_eq!(
            root_kind(Language::TypeScript, ts),
            ("program".into(), false)
        );
        let js = "exports.up = (knex) => knex.raw('CREATE INDEX i ON t (c)');\nconst e = <div/>;\n";
        assert_eq!(
            root_kind(Language::JavaScript, js),
            ("program".into(), false)
        );
        let yaml = "jobs:\n  deploy:\n    needs: [test]\n    runs-on: ubuntu-latest\n";
        assert_eq!(root_kind(Language::Yaml, yaml), ("stream".into(), false));
    }

    #[test]
    fn broken_input_still_gives_a_tree_with_errors() {
        let (_, has_error) = root_kind(Language::Python, "def upgrade(:\n  op.(\n");
        assert!(has_error);
        assert!(parse(Language::Sql, "SELECT 1").is_none());
    }

    #[test]
    fn edits_reparse_to_the_fresh_tree() {
        let before = "def upgrade():\n    op.create_index('i', 't', ['c'])\n";
        let mut tree = SourceTree::parse(Language::Python, before).unwrap();
        let at = before.find("'t'").unwrap();
        let after = before.replace("'t'", "'users'");
        tree.update(
            &after,
            ByteEdit {
                start: at,
                old_end: at + 3,
                new_end: at + 7,
            },
        );
        let fresh = parse(Language::Python, &after).unwrap();
        assert_eq!(
            tree.tree().root_node().to_sexp(),
            fresh.root_node().to_sexp()
        );
        // A stale edit falls back to a fresh parse.
        tree.update(
            "x = 1\n",
            ByteEdit {
                start: 90,
                old_end: 95,
                new_end: 91,
            },
        );
        assert_eq!(tree.tree().root_node().end_byte(), 6);
    }
}
