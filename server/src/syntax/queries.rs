//! The tree-sitter queries under `grammars/`, compiled once per grammar, and
//! their matches as plain data: each capture by name with its node.

use std::sync::OnceLock;

use tree_sitter::{Node, Query, QueryCursor, StreamingIterator};

use super::trees;
use crate::text::Language;

/// One query file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryFile {
    Alembic,
    AlembicOps,
    AlembicEnv,
    Django,
    TypeOrm,
    Knex,
}

impl QueryFile {
    pub const ALL: [QueryFile; 6] = [
        QueryFile::Alembic,
        QueryFile::AlembicOps,
        QueryFile::AlembicEnv,
        QueryFile::Django,
        QueryFile::TypeOrm,
        QueryFile::Knex,
    ];

    fn source(self) -> &'static str {
        match self {
            QueryFile::Alembic => include_str!("../../../grammars/python/alembic.scm"),
            QueryFile::AlembicOps => include_str!("../../../grammars/python/alembic-ops.scm"),
            QueryFile::AlembicEnv => include_str!("../../../grammars/python/alembic-env.scm"),
            QueryFile::Django => include_str!("../../../grammars/python/django.scm"),
            QueryFile::TypeOrm => include_str!("../../../grammars/typescript/typeorm.scm"),
            QueryFile::Knex => include_str!("../../../grammars/typescript/knex.scm"),
        }
    }

    /// The languages whose trees the query runs on.
    pub fn languages(self) -> &'static [Language] {
        match self {
            QueryFile::Alembic
            | QueryFile::AlembicOps
            | QueryFile::AlembicEnv
            | QueryFile::Django => &[Language::Python],
            QueryFile::TypeOrm | QueryFile::Knex => &[Language::TypeScript, Language::JavaScript],
        }
    }
}

/// The compiled query, `None` when `language` is not one it is written for
/// (or, which a test rules out, it does not compile).
pub fn query(file: QueryFile, language: Language) -> Option<&'static Query> {
    const SLOTS: usize = QueryFile::ALL.len() * 2;
    static COMPILED: [OnceLock<Option<Query>>; SLOTS] = [const { OnceLock::new() }; SLOTS];
    let grammar = file.languages().iter().position(|l| *l == language)?;
    let slot = &COMPILED[file as usize * 2 + grammar];
    slot.get_or_init(|| Query::new(&trees::grammar(language)?, file.source()).ok())
        .as_ref()
}

/// One match: its pattern and its captures, by name.
#[derive(Debug, Clone)]
pub struct Match<'t> {
    pub pattern: usize,
    captures: Vec<(&'static str, Node<'t>)>,
}

impl<'t> Match<'t> {
    /// The node captured as `name` (the first, when several are).
    pub fn get(&self, name: &str) -> Option<Node<'t>> {
        self.captures
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, node)| *node)
    }

    /// The text captured as `name`.
    pub fn text<'s>(&self, name: &str, source: &'s str) -> Option<&'s str> {
        source.get(self.get(name)?.byte_range())
    }
}

/// Every match of `query` under `node`, in the order tree-sitter finds them
/// (by start position).
pub fn matches<'t>(query: &'static Query, node: Node<'t>, source: &str) -> Vec<Match<'t>> {
    collect(query, QueryCursor::new(), node, source)
}

/// The matches of patterns rooted at `node` itself: the cursor does not
/// descend looking for deeper starts (a module's declarations, not every
/// call in it).
pub fn matches_at<'t>(query: &'static Query, node: Node<'t>, source: &str) -> Vec<Match<'t>> {
    let mut cursor = QueryCursor::new();
    cursor.set_max_start_depth(Some(0));
    collect(query, cursor, node, source)
}

fn collect<'t>(
    query: &'static Query,
    mut cursor: QueryCursor,
    node: Node<'t>,
    source: &str,
) -> Vec<Match<'t>> {
    let names = query.capture_names();
    let mut found = cursor.matches(query, node, source.as_bytes());
    let mut out = Vec::new();
    while let Some(m) = found.next() {
        out.push(Match {
            pattern: m.pattern_index,
            captures: m
                .captures()
                .iter()
                .filter_map(|c| Some((*names.get(c.index as usize)?, c.node)))
                .collect(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_query_compiles_for_its_grammars() {
        for file in QueryFile::ALL {
            for &language in file.languages() {
                let grammar = trees::grammar(language).expect("grammar");
                if let Err(error) = Query::new(&grammar, file.source()) {
                    panic!("{file:?} for {language:?}: {error}");
                }
                assert!(query(file, language).is_some());
            }
        }
        assert!(query(QueryFile::Alembic, Language::TypeScript).is_none());
    }

    #[test]
    fn matches_carry_named_captures() {
        let source =
            "from alembic import op\n\nrevision = 'a1'\n\ndef upgrade():\n    op.drop_table('t')\n";
        let tree = trees::parse(Language::Python, source).unwrap();
        let module = query(QueryFile::Alembic, Language::Python).unwrap();
        let found = matches_at(module, tree.root_node(), source);
        let revision = found
            .iter()
            .find(|m| m.get("assign.name").is_some())
            .unwrap();
        assert_eq!(revision.text("assign.value", source), Some("'a1'"));
        let ops = query(QueryFile::AlembicOps, Language::Python).unwrap();
        let found = matches(ops, tree.root_node(), source);
        let call = found.iter().find(|m| m.get("call").is_some()).unwrap();
        assert_eq!(call.text("call.name", source), Some("drop_table"));
        assert_eq!(call.text("call.receiver", source), Some("op"));
    }
}
