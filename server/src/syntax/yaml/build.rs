//! Builds the value model from a tree-sitter-yaml tree.

use std::collections::HashMap;

use tree_sitter::{Node as TsNode, Tree};

use super::scalar::Scalar;
use super::value::{Doc, Entry, Item, Kind, Node};

/// Deeper than any real workflow or manifest; stops a pathological input
/// (`[[[[...`) from exhausting the stack.
const MAX_DEPTH: usize = 200;

pub fn documents(tree: &Tree, text: &str) -> Vec<Doc> {
    let root = tree.root_node();
    if root.kind() != "stream" {
        return vec![Doc {
            root: None,
            range: root.byte_range(),
            broken: true,
        }];
    }
    let mut cursor = root.walk();
    root.named_children(&mut cursor)
        .filter(|n| n.kind() == "document")
        .map(|document| {
            let mut builder = Builder {
                text,
                anchors: HashMap::new(),
            };
            let mut cursor = document.walk();
            let content = document
                .named_children(&mut cursor)
                .find(|n| matches!(n.kind(), "block_node" | "flow_node"));
            Doc {
                root: content.map(|n| builder.node(n, 0)),
                range: document.byte_range(),
                broken: document.has_error(),
            }
        })
        .collect()
}

struct Builder<'t> {
    text: &'t str,
    anchors: HashMap<String, Node>,
}

impl Builder<'_> {
    fn src(&self, node: TsNode<'_>) -> &str {
        self.text.get(node.byte_range()).unwrap_or("")
    }

    /// A `block_node` or `flow_node` (or its content directly).
    fn node(&mut self, node: TsNode<'_>, depth: usize) -> Node {
        if depth > MAX_DEPTH {
            return Node::null_at(node.start_byte());
        }
        let mut anchor = None;
        let mut content = None;
        let mut cursor = node.walk();
        if matches!(node.kind(), "block_node" | "flow_node") {
            for child in node.named_children(&mut cursor) {
                match child.kind() {
                    "anchor" => anchor = Some(self.src(child).trim_start_matches('&').to_string()),
                    "tag" | "comment" => {}
                    _ => content = Some(child),
                }
            }
        } else {
            content = Some(node);
        }
        let built = match content {
            None => Node::null_at(node.end_byte()),
            Some(content) => self.content(content, depth),
        };
        if let Some(name) = anchor {
            self.anchors.insert(name, built.clone());
        }
        built
    }

    fn content(&mut self, node: TsNode<'_>, depth: usize) -> Node {
        let range = node.byte_range();
        let flow = node.kind().starts_with("flow_");
        let kind = match node.kind() {
            "block_mapping" | "flow_mapping" => Kind::Map(self.mapping(node, depth)),
            "block_sequence" | "flow_sequence" => Kind::Seq(self.sequence(node, depth)),
            "plain_scalar" | "single_quote_scalar" | "double_quote_scalar" => {
                Kind::Scalar(Scalar::flow(self.src(node), node.start_byte()))
            }
            "block_scalar" => Kind::Scalar(Scalar::block(
                self.src(node),
                node.start_byte(),
                self.indent_of_line(node.start_byte()),
            )),
            "alias" => {
                let name = self.src(node).trim_start_matches('*');
                return self
                    .anchors
                    .get(name)
                    .cloned()
                    .unwrap_or_else(|| Node::null_at(range.start));
            }
            "flow_node" | "block_node" => return self.node(node, depth + 1),
            _ => Kind::Null,
        };
        Node { range, kind, flow }
    }

    /// Columns of indentation of the line `offset` is on.
    fn indent_of_line(&self, offset: usize) -> usize {
        let before = self.text.get(..offset).unwrap_or("");
        let line = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
        line.len() - line.trim_start_matches(' ').len()
    }

    fn mapping(&mut self, node: TsNode<'_>, depth: usize) -> Vec<Entry> {
        let mut entries: Vec<Entry> = Vec::new();
        let mut merges: Vec<Node> = Vec::new();
        let mut cursor = node.walk();
        for pair in node.named_children(&mut cursor) {
            match pair.kind() {
                "block_mapping_pair" | "flow_pair" => {
                    let Some(entry) = self.pair(pair, depth) else {
                        continue;
                    };
                    if entry.key.text == "<<" && entry.key.style == super::scalar::Style::Plain {
                        merges.push(entry.value);
                    } else {
                        entries.push(entry);
                    }
                }
                // `{a, b}`: keys without values.
                "flow_node" => {
                    let key = self.node(pair, depth + 1);
                    if let Kind::Scalar(scalar) = key.kind {
                        entries.push(Entry {
                            key: scalar,
                            key_range: key.range.clone(),
                            value: Node::null_at(key.range.end),
                            range: key.range,
                            merged: false,
                        });
                    }
                }
                _ => {}
            }
        }
        // Keys written here win over merged ones, wherever the `<<` is.
        for merge in merges {
            let sources: Vec<&Node> = match &merge.kind {
                Kind::Seq(items) => items.iter().map(|i| &i.value).collect(),
                _ => vec![&merge],
            };
            for source in sources {
                for entry in source.entries() {
                    if !entries.iter().any(|e| e.key == entry.key) {
                        let mut entry = entry.clone();
                        entry.merged = true;
                        entries.push(entry);
                    }
                }
            }
        }
        entries
    }

    fn pair(&mut self, pair: TsNode<'_>, depth: usize) -> Option<Entry> {
        let key_node = pair.child_by_field_name("key")?;
        let key = self.node(key_node, depth + 1);
        let Kind::Scalar(key_scalar) = key.kind else {
            // Complex keys (`? [a, b]`) name nothing a rule looks up.
            return None;
        };
        let value = match pair.child_by_field_name("value") {
            Some(value) => self.node(value, depth + 1),
            None => Node::null_at(pair.end_byte()),
        };
        Some(Entry {
            key: key_scalar,
            key_range: key.range,
            value,
            range: pair.byte_range(),
            merged: false,
        })
    }

    fn sequence(&mut self, node: TsNode<'_>, depth: usize) -> Vec<Item> {
        let mut items = Vec::new();
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            match child.kind() {
                "block_sequence_item" => {
                    let dash = child.start_byte()..child.start_byte() + 1;
                    let mut inner = child.walk();
                    let value = child
                        .named_children(&mut inner)
                        .find(|n| matches!(n.kind(), "block_node" | "flow_node"));
                    let value = match value {
                        Some(value) => self.node(value, depth + 1),
                        None => Node::null_at(dash.end),
                    };
                    items.push(Item {
                        dash,
                        value,
                        range: child.byte_range(),
                    });
                }
                "flow_node" => {
                    let value = self.node(child, depth + 1);
                    items.push(Item {
                        dash: value.range.clone(),
                        range: value.range.clone(),
                        value,
                    });
                }
                // `[a: 1]`: a single-pair mapping.
                "flow_pair" => {
                    if let Some(entry) = self.pair(child, depth) {
                        let range = entry.range.clone();
                        items.push(Item {
                            dash: range.clone(),
                            range: range.clone(),
                            value: Node {
                                range,
                                kind: Kind::Map(vec![entry]),
                                flow: true,
                            },
                        });
                    }
                }
                _ => {}
            }
        }
        items
    }
}

#[cfg(test)]
mod tests {
    use crate::syntax::yaml::YamlFile;

    #[test]
    fn values_aliases_merges_and_documents() {
        let text = "base: &base\n  image: python:3.12\n  tags: [a, b]\njob:\n  <<: *base\n  image: node\n  script:\n    - 'echo ''hi'''\n    - |\n      pytest\n---\nkind: Service\nempty:\n";
        let docs = YamlFile::parse(text).documents();
        assert_eq!(docs.len(), 2);
        let job = docs[0].root.as_ref().unwrap().get("job").unwrap();
        assert_eq!(job.get("image").unwrap().str(), Some("node"));
        assert_eq!(job.get("tags").unwrap().strings(), ["a", "b"]);
        assert!(job.entry("tags").unwrap().merged);
        let script = job.get("script").unwrap().items();
        assert_eq!(script[0].value.str(), Some("echo 'hi'"));
        assert_eq!(script[1].value.str(), Some("pytest\n"));
        let second = docs[1].root.as_ref().unwrap();
        assert_eq!(second.get("kind").unwrap().str(), Some("Service"));
        assert!(second.get("empty").unwrap().is_null());
        assert!(!docs[0].broken && !docs[1].broken);
        assert!(YamlFile::parse("a: [b\nc: d\n").documents()[0].broken);
        // Broken beyond a stream: one broken document stands for the file.
        let whole = YamlFile::parse("jobs:\n  test:\n    runs-on: x\n  deploy: [\n").documents();
        assert!(whole.len() == 1 && whole[0].broken);
    }
}
