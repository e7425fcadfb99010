//! Reading calls and the constant values passed to them, in Python
//! (`f(a, b=1)`) and in TypeScript/JavaScript (`f(a, { b: 1 })`).
//!
//! A value the analysis cannot know (a name, an expression) reads as `None`;
//! the lowering then assumes nothing about it.

use tree_sitter::Node;

use crate::syntax::literal::{self, Literal};

/// A Python call's arguments.
#[derive(Debug, Clone)]
pub struct PyCall<'t> {
    pub node: Node<'t>,
    positional: Vec<Node<'t>>,
    keywords: Vec<(&'t str, Node<'t>)>,
}

impl<'t> PyCall<'t> {
    /// `None` unless `node` is a call with an argument list.
    pub fn new(node: Node<'t>, source: &'t str) -> Option<Self> {
        if node.kind() != "call" {
            return None;
        }
        let arguments = node.child_by_field_name("arguments")?;
        let mut positional = Vec::new();
        let mut keywords = Vec::new();
        let mut cursor = arguments.walk();
        for argument in arguments.named_children(&mut cursor) {
            match argument.kind() {
                "keyword_argument" => {
                    let name = argument.child_by_field_name("name")?;
                    let value = argument.child_by_field_name("value")?;
                    keywords.push((source.get(name.byte_range())?, value));
                }
                "comment" | "list_splat" | "dictionary_splat" => {}
                _ => positional.push(argument),
            }
        }
        Some(PyCall {
            node,
            positional,
            keywords,
        })
    }

    /// The callee as written: `sa.Column`, `migrations.AddField`.
    pub fn function(&self, source: &'t str) -> &'t str {
        self.node
            .child_by_field_name("function")
            .and_then(|f| source.get(f.byte_range()))
            .unwrap_or("")
    }

    /// The callee's last name: `Column` for `sa.Column`.
    pub fn last_name(&self, source: &'t str) -> &'t str {
        last_name(self.function(source))
    }

    pub fn keyword(&self, name: &str) -> Option<Node<'t>> {
        self.keywords
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
    }

    /// The argument at `index`, or passed as `keyword`.
    pub fn arg(&self, index: usize, keyword: &str) -> Option<Node<'t>> {
        self.positional
            .get(index)
            .copied()
            .or_else(|| self.keyword(keyword))
    }

    pub fn positional(&self) -> &[Node<'t>] {
        &self.positional
    }

    /// A keyword's constant `True`/`False`.
    pub fn flag(&self, keyword: &str, source: &str) -> Option<bool> {
        py_bool(self.keyword(keyword)?, source)
    }
}

/// `sa.Column` → `Column`.
pub fn last_name(dotted: &str) -> &str {
    dotted.rsplit('.').next().unwrap_or(dotted).trim()
}

/// A Python string constant's value; also through `op.f("...")`, which only
/// marks a name as final, and `sa.text("...")`.
pub fn py_str(node: Node<'_>, source: &str) -> Option<String> {
    py_literal(node, source).map(|l| l.value)
}

/// [`py_str`] with its map to the source.
pub fn py_literal(node: Node<'_>, source: &str) -> Option<Literal> {
    if let Some(literal) = literal::python(node, source) {
        return Some(literal);
    }
    let call = PyCall::new(node, source)?;
    match call.last_name(source) {
        "f" | "text" | "literal_column" | "quoted_name" if call.positional().len() == 1 => {
            literal::python(call.positional()[0], source)
        }
        _ => None,
    }
}

pub fn py_bool(node: Node<'_>, source: &str) -> Option<bool> {
    match source.get(node.byte_range())? {
        "True" => Some(true),
        "False" => Some(false),
        _ => None,
    }
}

pub fn py_int(node: Node<'_>, source: &str) -> Option<i64> {
    (node.kind() == "integer")
        .then(|| source.get(node.byte_range())?.replace('_', "").parse().ok())
        .flatten()
}

/// The strings of a list or tuple (or of one string): column names.
pub fn py_strings(node: Node<'_>, source: &str) -> Vec<String> {
    match node.kind() {
        "list" | "tuple" => {
            let mut cursor = node.walk();
            node.named_children(&mut cursor)
                .filter(|c| c.kind() != "comment")
                .filter_map(|c| py_str(c, source))
                .collect()
        }
        _ => py_str(node, source).into_iter().collect(),
    }
}
/// The elements of a Python list or tuple.
pub fn py_elements(node: Node<'_>) -> Vec<Node<'_>> {
    match node.kind() {
        "list" | "tuple" | "set" => {
            let mut cursor = node.walk();
            node.named_children(&mut cursor)
                .filter(|c| c.kind() != "comment")
                .collect()
        }
        _ => Vec::new(),
    }
}

/// The value of `key` in a Python dict literal (`{"db_table": "x"}`).
pub fn py_dict_value<'t>(node: Node<'t>, key: &str, source: &str) -> Option<Node<'t>> {
    if node.kind() != "dictionary" {
        return None;
    }
    let mut cursor = node.walk();
    node.named_children(&mut cursor).find_map(|pair| {
        let k = pair.child_by_field_name("key")?;
        (py_str(k, source).as_deref() == Some(key)).then(|| pair.child_by_field_name("value"))?
    })
}
/// A TypeScript/JavaScript call: `receiver.name(args)`.
#[derive(Debug, Clone)]
pub struct JsCall<'t> {
    pub node: Node<'t>,
    pub receiver: Option<Node<'t>>,
    pub name: &'t str,
    pub args: Vec<Node<'t>>,
}

impl<'t> JsCall<'t> {
    pub fn new(node: Node<'t>, source: &'t str) -> Option<Self> {
        if node.kind() != "call_expression" {
            return None;
        }
        let function = node.child_by_field_name("function")?;
        let (receiver, name) = match function.kind() {
            "member_expression" => (
                function.child_by_field_name("object"),
                source.get(function.child_by_field_name("property")?.byte_range())?,
            ),
            "identifier" => (None, source.get(function.byte_range())?),
            _ => return None,
        };
        let arguments = node.child_by_field_name("arguments")?;
        let mut cursor = arguments.walk();
        let args = arguments
            .named_children(&mut cursor)
            .filter(|c| c.kind() != "comment")
            .collect();
        Some(JsCall {
            node,
            receiver,
            name,
            args,
        })
    }

    pub fn arg(&self, index: usize) -> Option<Node<'t>> {
        self.args.get(index).copied()
    }
}

/// A JavaScript string constant's value (templates without substitutions too).
pub fn js_str(node: Node<'_>, source: &str) -> Option<String> {
    literal::javascript(node, source).map(|l| l.value)
}

pub fn js_bool(node: Node<'_>, source: &str) -> Option<bool> {
    match source.get(node.byte_range())? {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

pub fn js_number(node: Node<'_>, source: &str) -> Option<i64> {
    (node.kind() == "number")
        .then(|| source.get(node.byte_range())?.parse().ok())
        .flatten()
}

/// The strings of an array (or of one string).
pub fn js_strings(node: Node<'_>, source: &str) -> Vec<String> {
    match node.kind() {
        "array" => {
            let mut cursor = node.walk();
            node.named_children(&mut cursor)
                .filter_map(|c| js_str(c, source))
                .collect()
        }
        _ => js_str(node, source).into_iter().collect(),
    }
}

/// The value of `key` in an object literal (`{ key: value }`), also through
/// `new TableIndex({ ... })`.
pub fn js_field<'t>(node: Node<'t>, key: &str, source: &str) -> Option<Node<'t>> {
    let object = match node.kind() {
        "object" => node,
        "new_expression" => node
            .child_by_field_name("arguments")?
            .named_child(0)
            .filter(|o| o.kind() == "object")?,
        _ => return None,
    };
    let mut cursor = object.walk();
    object.named_children(&mut cursor).find_map(|pair| {
        if pair.kind() != "pair" {
            return None;
        }
        let k = pair.child_by_field_name("key")?;
        let text = source.get(k.byte_range())?;
        let unquoted = text.trim_matches(|c| c == '"' || c == '\'');
        (unquoted == key).then(|| pair.child_by_field_name("value"))?
    })
}

/// A function value's first parameter and its body: `function (knex) {...}`,
/// `async (knex) => ...`, `knex => ...`, a method or a function declaration.
pub fn js_function<'t>(node: Node<'t>, source: &'t str) -> Option<(Option<&'t str>, Node<'t>)> {
    if !matches!(
        node.kind(),
        "function_expression" | "arrow_function" | "function_declaration" | "method_definition"
    ) {
        return None;
    }
    let body = node.child_by_field_name("body")?;
    let parameter = node
        .child_by_field_name("parameter")
        .or_else(|| {
            let parameters = node.child_by_field_name("parameters")?;
            let first = parameters.named_child(0)?;
            // `required_parameter` (TypeScript) holds the name as its pattern.
            Some(first.child_by_field_name("pattern").unwrap_or(first))
        })
        .and_then(|p| source.get(p.byte_range()));
    Some((parameter, body))
}

/// Whether a function body does nothing: no statements (comments aside).
pub fn js_empty_body(body: Node<'_>) -> bool {
    let mut cursor = body.walk();
    body.kind() == "statement_block"
        && body
            .named_children(&mut cursor)
            .all(|statement| statement.kind() == "comment" || statement.kind() == "empty_statement")
}

/// The elements of an array literal.
pub fn js_elements(node: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = node.walk();
    match node.kind() {
        "array" => node
            .named_children(&mut cursor)
            .filter(|c| c.kind() != "comment")
            .collect(),
        _ => Vec::new(),
    }
}
