//! Symbolic paths into a YAML stream (`jobs.deploy.steps[3].run`), as rules
//! name what they judge. A path is resolved to bytes only when a finding or a
//! fix needs them, and then to the part that matters: the key, the value, or
//! a span of the value's text.

use std::fmt;
use std::ops::Range;

use super::value::{Doc, Kind, Node};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// A path from the root of one document of the stream.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct YamlPath {
    /// Which document of a multi-document stream.
    pub doc: usize,
    pub segs: Vec<Seg>,
}

/// The part of the node at a path that a finding points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchor {
    /// The key of a mapping entry; the `-` of a sequence item.
    Key,
    /// The value (for an empty value, the end of its key).
    Value,
    /// Key and value together.
    Entry,
    /// Bytes of the scalar's decoded text (a token of a `run:` script),
    /// mapped back to the source.
    Text(Range<usize>),
}

/// The document number of paths into another file.
const ELSEWHERE: usize = usize::MAX;

impl YamlPath {
    /// A path into another file (a GitLab `include:`): it names where a
    /// piece came from and locates nothing in the checked file.
    pub fn elsewhere(segs: Vec<Seg>) -> Self {
        YamlPath {
            doc: ELSEWHERE,
            segs,
        }
    }

    pub fn is_elsewhere(&self) -> bool {
        self.doc == ELSEWHERE
    }

    pub fn root(doc: usize) -> Self {
        YamlPath {
            doc,
            segs: Vec::new(),
        }
    }

    pub fn key(&self, key: &str) -> Self {
        let mut path = self.clone();
        path.segs.push(Seg::Key(key.to_string()));
        path
    }

    pub fn index(&self, index: usize) -> Self {
        let mut path = self.clone();
        path.segs.push(Seg::Index(index));
        path
    }

    /// The path one level up; the root's parent is the root.
    pub fn parent(&self) -> Self {
        let mut path = self.clone();
        path.segs.pop();
        path
    }

    pub fn last_key(&self) -> Option<&str> {
        match self.segs.last() {
            Some(Seg::Key(key)) => Some(key),
            _ => None,
        }
    }
}

impl fmt::Display for YamlPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_elsewhere() {
            f.write_str("(included)")?;
        } else if self.doc > 0 {
            write!(f, "[document {}]", self.doc + 1)?;
        }
        for (i, seg) in self.segs.iter().enumerate() {
            match seg {
                Seg::Index(n) => write!(f, "[{n}]")?,
                Seg::Key(key) => {
                    if i > 0 || self.doc > 0 {
                        f.write_str(".")?;
                    }
                    let plain = !key.is_empty()
                        && key
                            .chars()
                            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '/' | '<'));
                    if plain {
                        f.write_str(key)?;
                    } else {
                        write!(f, "{key:?}")?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// What a path leads to: the node and, for a mapping entry, its key's bytes;
/// for a sequence item, the `-`.
pub struct Found<'a> {
    pub node: &'a Node,
    pub key: Option<Range<usize>>,
    /// The whole entry or item.
    pub entry: Range<usize>,
}

impl Doc {
    /// The node at `segs` below this document's root.
    pub fn find(&self, segs: &[Seg]) -> Option<Found<'_>> {
        let mut found = Found {
            node: self.root.as_ref()?,
            key: None,
            entry: self.range.clone(),
        };
        for seg in segs {
            found = match (seg, &found.node.kind) {
                (Seg::Key(key), Kind::Map(entries)) => {
                    let entry = entries.iter().find(|e| e.key.text == *key)?;
                    Found {
                        node: &entry.value,
                        key: Some(entry.key_range.clone()),
                        entry: entry.range.clone(),
                    }
                }
                (Seg::Index(i), Kind::Seq(items)) => {
                    let item = items.get(*i)?;
                    Found {
                        node: &item.value,
                        key: Some(item.dash.clone()),
                        entry: item.range.clone(),
                    }
                }
                _ => return None,
            };
        }
        Some(found)
    }

    /// The bytes `anchor` names at `segs`; `None` when the path does not exist.
    pub fn locate(&self, segs: &[Seg], anchor: &Anchor) -> Option<Range<usize>> {
        let found = self.find(segs)?;
        Some(match anchor {
            Anchor::Key => found.key.unwrap_or(found.entry),
            Anchor::Value => found.node.range.clone(),
            Anchor::Entry => found.entry,
            Anchor::Text(span) => match &found.node.kind {
                Kind::Scalar(scalar) => scalar.source_range(span.clone()),
                _ => found.node.range.clone(),
            },
        })
    }
}

/// The node at `path` in a stream of documents.
pub fn node<'d>(docs: &'d [Doc], path: &YamlPath) -> Option<&'d Node> {
    Some(docs.get(path.doc)?.find(&path.segs)?.node)
}

/// Resolves paths in a stream of documents.
pub fn locate(docs: &[Doc], path: &YamlPath, anchor: &Anchor) -> Option<Range<usize>> {
    docs.get(path.doc)?.locate(&path.segs, anchor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::yaml::YamlFile;

    #[test]
    fn paths_print_as_written_and_resolve_to_keys_values_and_text() {
        let text = "jobs:\n  deploy:\n    steps:\n      - uses: actions/checkout@v4\n      - run: |\n          npm test || true\n";
        let docs = YamlFile::parse(text).documents();
        let run = YamlPath::root(0)
            .key("jobs")
            .key("deploy")
            .key("steps")
            .index(1)
            .key("run");
        assert_eq!(run.to_string(), "jobs.deploy.steps[1].run");
        assert_eq!(YamlPath::root(0).key("a.b").to_string(), "\"a.b\"");
        let key = locate(&docs, &run, &Anchor::Key).unwrap();
        assert_eq!(&text[key], "run");
        let value = locate(&docs, &run, &Anchor::Value).unwrap();
        assert!(text[value].starts_with('|'));
        let masked = locate(&docs, &run, &Anchor::Text(9..16)).unwrap();
        assert_eq!(&text[masked], "|| true");
        let item = locate(&docs, &run.parent(), &Anchor::Key).unwrap();
        assert_eq!(&text[item], "-");
        assert!(locate(&docs, &run.parent().parent().index(5), &Anchor::Key).is_none());
    }
}
