//! The value model: mappings, sequences and scalars with the byte ranges they
//! were written at. Aliases are resolved and merge keys (`<<: *defaults`)
//! folded in, so a rule sees the data a CI system sees; ranges still point
//! where each piece was written.

use std::ops::Range;

use super::scalar::Scalar;

/// One document of a stream.
#[derive(Debug, Clone)]
pub struct Doc {
    /// `None` for an empty document.
    pub root: Option<Node>,
    pub range: Range<usize>,
    /// The parser met an error inside: judging it would judge a guess.
    pub broken: bool,
}

#[derive(Debug, Clone)]
pub struct Node {
    /// The value's bytes; for an empty value, the empty range after its key.
    pub range: Range<usize>,
    pub kind: Kind,
    /// Written in flow style (`[a, b]`, `{a: 1}`).
    pub flow: bool,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Map(Vec<Entry>),
    Seq(Vec<Item>),
    Scalar(Scalar),
    /// Nothing written (`key:` with no value) or an unresolvable alias.
    Null,
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub key: Scalar,
    pub key_range: Range<usize>,
    pub value: Node,
    /// Key and value.
    pub range: Range<usize>,
    /// Folded in from a merge key (`<<: *base`), not written here.
    pub merged: bool,
}

#[derive(Debug, Clone)]
pub struct Item {
    /// The `-` (or, in a flow sequence, the item itself).
    pub dash: Range<usize>,
    pub value: Node,
    pub range: Range<usize>,
}

impl Node {
    pub fn null_at(at: usize) -> Self {
        Node {
            range: at..at,
            kind: Kind::Null,
            flow: false,
        }
    }

    pub fn entries(&self) -> &[Entry] {
        match &self.kind {
            Kind::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Item] {
        match &self.kind {
            Kind::Seq(items) => items,
            _ => &[],
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.kind, Kind::Map(_))
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries().iter().find(|e| e.key.text == key)
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The node at a chain of keys.
    pub fn at(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    pub fn scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            Kind::Scalar(scalar) => Some(scalar),
            _ => None,
        }
    }

    /// A scalar's text.
    pub fn str(&self) -> Option<&str> {
        self.scalar().map(|s| s.text.as_str())
    }

    pub fn is_true(&self) -> bool {
        self.scalar().is_some_and(Scalar::is_true)
    }

    pub fn is_null(&self) -> bool {
        match &self.kind {
            Kind::Null => true,
            Kind::Scalar(scalar) => scalar.is_null(),
            _ => false,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        self.scalar().and_then(Scalar::as_int)
    }

    /// A scalar or a sequence of scalars as strings (`needs: test` and
    /// `needs: [test, lint]` alike).
    pub fn strings(&self) -> Vec<&str> {
        match &self.kind {
            Kind::Scalar(scalar) if !scalar.is_null() => vec![scalar.text.as_str()],
            Kind::Seq(items) => items.iter().filter_map(|i| i.value.str()).collect(),
            _ => Vec::new(),
        }
    }

    /// Same data, wherever and however it was written.
    pub fn same_data(&self, other: &Node) -> bool {
        match (&self.kind, &other.kind) {
            (Kind::Map(a), Kind::Map(b)) => {
                a.len() == b.len()
                    && a.iter().all(|x| {
                        b.iter()
                            .any(|y| x.key == y.key && x.value.same_data(&y.value))
                    })
            }
            (Kind::Seq(a), Kind::Seq(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.value.same_data(&y.value))
            }
            (Kind::Scalar(a), Kind::Scalar(b)) => a == b,
            (Kind::Null, Kind::Null) => true,
            _ => false,
        }
    }
}
