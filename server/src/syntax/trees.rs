//! Tree-sitter front ends for Python, TypeScript/JavaScript and YAML. Their
//! rules arrive with later capabilities; this module is where the grammars are
//! chosen and loaded, so every caller parses with the same one.

use tree_sitter::{Parser, Tree};

use crate::text::Language;

/// The grammar for a language, `None` for those without a tree-sitter front end.
pub fn grammar(language: Language) -> Option<tree_sitter::Language> {
    Some(match language {
        Language::Python => tree_sitter_python::LANGUAGE.into(),
        // TSX is a superset that also accepts plain JavaScript with JSX.
        Language::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
        Language::JavaScript => tree_sitter_typescript::LANGUAGE_TSX.into(),
        Language::Yaml => tree_sitter_yaml::LANGUAGE.into(),
        Language::Sql | Language::Toml | Language::Other => return None,
    })
}

/// Parses `text` from scratch. `None` when the language has no grammar or the
/// grammar is incompatible with the linked tree-sitter runtime.
pub fn parse(language: Language, text: &str) -> Option<Tree> {
    let mut parser = Parser::new();
    parser.set_language(&grammar(language)?).ok()?;
    parser.parse(text, None)
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
}
