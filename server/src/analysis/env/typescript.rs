//! TypeScript / JavaScript front end of the env model: `process.env.X`,
//! `process.env["X"]`, `import.meta.env.X` and `const { A, B = "d" } =
//! process.env`, with their `??` / `||` defaults; and the schemas that
//! validate the environment at startup: envalid `cleanEnv(process.env, {
//! KEY: str({...}) })`, t3-env `createEnv({ server, client, runtimeEnv })`
//! and zod `z.object({...}).parse(process.env)`.
//!
//! Like the Python front end, one walk with an explicit stack that carries
//! how each node's value is used: a read is checked when it is tested (a
//! condition, `!`, `&&`, a comparison), defaulted (`??`, `||`), or handed
//! to a validator (`cleanEnv`, `createEnv`, `parse`, `assert`...), whose
//! arguments are checked however deep the read sits in them
//! (`runtimeEnv: { X: process.env.X }`).

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use tree_sitter::{Node, Tree};

use super::{
    Dialect, EnvFile, EnvRead, Field, FieldDefault, Library, ReadKind, RuntimeEntry, RuntimeEnv,
    Schema, Validation, Validator, Value, ValueKind,
};
use crate::analysis::orm::call::{JsCall, js_bool, js_elements, js_field, js_str};

/// Reads and schemas of a TypeScript or JavaScript module.
pub fn read(tree: &Tree, source: &str) -> EnvFile {
    let mut walk = Walk {
        source,
        file: EnvFile {
            dialect: Dialect::JavaScript,
            ..EnvFile::default()
        },
        tested: HashSet::new(),
        assigned: Vec::new(),
        validations: Vec::new(),
        zod_objects: HashMap::new(),
    };
    super::walk(tree.root_node(), Use::Plain, |node, usage, children| {
        walk.visit(node, usage, children)
    });
    let Walk {
        mut file,
        tested,
        assigned,
        validations,
        zod_objects,
        ..
    } = walk;
    // `const url = process.env.URL; if (!url) throw ...` is validated by
    // the test.
    for (name, range) in assigned {
        if tested.contains(name) {
            for read in file.reads.iter_mut().filter(|r| r.range == range) {
                read.checked = true;
            }
        }
    }
    for call in validations {
        validation(call, source, &zod_objects, &mut file);
    }
    file
}

/// Whether a module may read the environment or validate it: a cheap test
/// on the text before any tree is built.
pub fn mentions_env(text: &str) -> bool {
    ["process.env", "import.meta.env", "cleanEnv", "createEnv"]
        .iter()
        .any(|word| text.contains(word))
}

struct Walk<'t, 's> {
    source: &'s str,
    file: EnvFile,
    /// Names whose value the module tests somewhere.
    tested: HashSet<&'s str>,
    /// `name = <read>` and destructured bindings: the name and the read.
    assigned: Vec<(&'s str, Range<usize>)>,
    /// Calls that may validate the environment, judged after the walk.
    validations: Vec<Node<'t>>,
    /// `const schema = z.object({...})`: the name and the `z.object` call.
    zod_objects: HashMap<&'s str, Node<'t>>,
}

/// How a node's value is used.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Use {
    Plain,
    /// Tested for truth or compared.
    Tested,
    /// Inside the arguments of a validator: checked however deep.
    Validated,
    /// Assigned to or deleted: `process.env.X = ...` is no read.
    Written,
}

impl Use {
    fn checks(self) -> bool {
        matches!(self, Use::Tested | Use::Validated)
    }
}

/// Calls that check what they are given: schema parsers and assertions.
fn is_validator(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "cleanEnv",
        "createEnv",
        "parse",
        "safeParse",
        "parseAsync",
        "safeParseAsync",
        "assert",
        "invariant",
        "ok",
    ];
    const PREFIXES: &[&str] = &["require", "assert", "ensure", "validate", "check", "must"];
    EXACT.contains(&name) || PREFIXES.iter().any(|p| name.starts_with(p))
}

impl<'t, 's> Walk<'t, 's> {
    fn visit(&mut self, node: Node<'t>, usage: Use, children: &mut Vec<(Node<'t>, Use)>) {
        let field = |name: &str| node.child_by_field_name(name);
        let kind = node.kind();
        if kind == "comment" {
            self.file.comments.push(node.byte_range());
        } else if kind.ends_with("_statement") || kind.ends_with("_declaration") || kind == "pair" {
            // An entry of a schema object is what a suppression above it
            // covers, as a statement is.
            self.file.statements.push(node.byte_range());
        }
        // Inside a validator's arguments everything stays checked.
        let inner = if usage == Use::Validated {
            Use::Validated
        } else {
            Use::Plain
        };
        let as_used = |n: Node<'t>, u: Use| (n, if inner == Use::Validated { inner } else { u });
        match kind {
            "identifier" if usage.checks() => {
                if let Some(name) = self.source.get(node.byte_range()) {
                    self.tested.insert(name);
                }
                return;
            }
            "member_expression" | "subscript_expression" if usage != Use::Written => {
                if let Some(read) = self.read_at(node, ReadKind::Get, usage, None) {
                    self.file.reads.push(read);
                    children.extend(field("index").map(|i| (i, inner)));
                    return;
                }
                // `process.env.X?.trim()`: the author handles `undefined`.
                if field("optional_chain").is_some() {
                    children.extend(field("object").map(|o| as_used(o, Use::Tested)));
                    children.extend(field("index").map(|i| (i, inner)));
                    return;
                }
            }
            "non_null_expression" => {
                if let Some(read) = node
                    .named_child(0)
                    .and_then(|n| self.read_at(n, ReadKind::Asserted, usage, None))
                {
                    self.file.reads.push(read);
                    return;
                }
                children.extend(named_children(node).map(|n| (n, usage)));
                return;
            }
            "binary_expression" => {
                let operator = field("operator").map(|o| o.kind());
                let (Some(left), Some(right)) = (field("left"), field("right")) else {
                    return;
                };
                match operator {
                    Some("??" | "||") => {
                        let default = Some(value(right, self.source));
                        match self.read_at(unwrapped(left), ReadKind::Get, usage, default) {
                            Some(read) => self.file.reads.push(read),
                            None => children.push(as_used(left, Use::Tested)),
                        }
                        children.push((right, usage));
                    }
                    Some("&&") => {
                        children.push(as_used(left, Use::Tested));
                        children.push((right, usage));
                    }
                    Some("===" | "!==" | "==" | "!=" | "<" | ">" | "<=" | ">=" | "in") => {
                        children.push(as_used(left, Use::Tested));
                        children.push(as_used(right, Use::Tested));
                    }
                    _ => children.extend([(left, inner), (right, inner)]),
                }
                return;
            }
            "unary_expression" => {
                let argument_use = match field("operator").map(|o| o.kind()) {
                    Some("!" | "typeof") => Use::Tested,
                    Some("delete") => Use::Written,
                    _ => Use::Plain,
                };
                children.extend(field("argument").map(|a| as_used(a, argument_use)));
                return;
            }
            "ternary_expression" => {
                children.extend(field("condition").map(|c| as_used(c, Use::Tested)));
                children.extend(field("consequence").map(|c| (c, usage)));
                children.extend(field("alternative").map(|c| (c, usage)));
                return;
            }
            "if_statement" | "while_statement" | "do_statement" | "for_statement" => {
                let condition = field("condition");
                children.extend(condition.map(|c| as_used(c, Use::Tested)));
                let condition = condition.map(|c| c.id());
                children.extend(
                    named_children(node)
                        .filter(|c| Some(c.id()) != condition)
                        .map(|c| (c, inner)),
                );
                return;
            }
            "parenthesized_expression" => {
                children.extend(named_children(node).map(|n| (n, usage)));
                return;
            }
            "assignment_expression" | "augmented_assignment_expression" => {
                if let (Some(left), Some(right)) = (field("left"), field("right")) {
                    self.note_assignment(left, right);
                }
                children.extend(field("left").map(|n| as_used(n, Use::Written)));
                children.extend(field("right").map(|n| (n, inner)));
                return;
            }
            "variable_declarator" => {
                if let (Some(name), Some(value)) = (field("name"), field("value")) {
                    if name.kind() == "object_pattern" && is_env_object(value, self.source) {
                        self.destructure(name, usage);
                        return;
                    }
                    self.note_assignment(name, value);
                    if let (Some(binding), true) = (
                        self.source.get(name.byte_range()),
                        zod_object(value, self.source).is_some(),
                    ) {
                        self.zod_objects.insert(binding, value);
                    }
                }
                children.extend(field("value").map(|n| (n, inner)));
                return;
            }
            "call_expression" => {
                if let Some(call) = JsCall::new(node, self.source)
                    && is_validator(call.name)
                {
                    if matches!(
                        call.name,
                        "cleanEnv"
                            | "createEnv"
                            | "parse"
                            | "safeParse"
                            | "parseAsync"
                            | "safeParseAsync"
                    ) {
                        self.validations.push(node);
                    }
                    children.extend(field("function").map(|f| (f, inner)));
                    children.extend(field("arguments").map(|a| (a, Use::Validated)));
                    return;
                }
            }
            _ => {}
        }
        children.extend(named_children(node).map(|n| (n, inner)));
    }

    fn note_assignment(&mut self, left: Node<'t>, right: Node<'t>) {
        if left.kind() != "identifier" {
            return;
        }
        if let Some(name) = self.source.get(left.byte_range()) {
            self.assigned.push((name, unwrapped(right).byte_range()));
        }
    }

    /// `const { A, B = "d", C: c } = process.env`: one read per key.
    fn destructure(&mut self, pattern: Node<'t>, usage: Use) {
        for element in named_children(pattern) {
            let (key, binding, default) = match element.kind() {
                "shorthand_property_identifier_pattern" => (element, element, None),
                "object_assignment_pattern" => {
                    let Some(left) = element.child_by_field_name("left") else {
                        continue;
                    };
                    (left, left, element.child_by_field_name("right"))
                }
                "pair_pattern" => {
                    let (Some(key), Some(value)) = (
                        element.child_by_field_name("key"),
                        element.child_by_field_name("value"),
                    ) else {
                        continue;
                    };
                    match value.kind() {
                        "assignment_pattern" => match value.child_by_field_name("left") {
                            Some(left) => (key, left, value.child_by_field_name("right")),
                            None => continue,
                        },
                        _ => (key, value, None),
                    }
                }
                _ => continue,
            };
            let Some(name) = key_name(key, self.source) else {
                continue;
            };
            let read = EnvRead {
                kind: ReadKind::Get,
                name: Some(name),
                key: key.byte_range(),
                key_not_str: false,
                range: element.byte_range(),
                line: key.start_position().row as u32,
                default: default.map(|d| value(d, self.source)),
                checked: usage.checks(),
            };
            if matches!(
                binding.kind(),
                "identifier" | "shorthand_property_identifier_pattern"
            ) && let Some(bound) = self.source.get(binding.byte_range())
            {
                self.assigned.push((bound, read.range.clone()));
            }
            self.file.reads.push(read);
        }
    }

    /// The read `node` is, if it is one: `process.env.X`, `process.env["X"]`,
    /// `import.meta.env.X`.
    fn read_at(
        &self,
        node: Node<'t>,
        kind: ReadKind,
        usage: Use,
        default: Option<Value>,
    ) -> Option<EnvRead> {
        let (key, name, key_not_str) = read_key(node, self.source)?;
        Some(EnvRead {
            kind,
            name,
            key: key.byte_range(),
            key_not_str,
            range: node.byte_range(),
            line: key.start_position().row as u32,
            default,
            checked: usage.checks(),
        })
    }
}

/// The key of a read of the environment object: its node, its name when
/// written as a constant, and whether it is a constant of another type.
fn read_key<'t>(node: Node<'t>, source: &str) -> Option<(Node<'t>, Option<String>, bool)> {
    let object = node.child_by_field_name("object")?;
    if !is_env_object(object, source) {
        return None;
    }
    match node.kind() {
        "member_expression" => {
            let property = node.child_by_field_name("property")?;
            let name = source.get(property.byte_range())?.to_string();
            Some((property, Some(name), false))
        }
        "subscript_expression" => {
            let index = node.child_by_field_name("index")?;
            let name = js_str(index, source);
            let not_str = name.is_none() && matches!(index.kind(), "number" | "true" | "false");
            Some((index, name, not_str))
        }
        _ => None,
    }
}

/// `process.env` or `import.meta.env`.
fn is_env_object(node: Node<'_>, source: &str) -> bool {
    let node = unwrapped(node);
    if node.kind() != "member_expression" || node.child_by_field_name("optional_chain").is_some() {
        return false;
    }
    let property = node
        .child_by_field_name("property")
        .and_then(|p| source.get(p.byte_range()));
    let object = node
        .child_by_field_name("object")
        .and_then(|o| source.get(o.byte_range()));
    property == Some("env") && matches!(object, Some("process" | "import.meta"))
}

/// The expression inside parentheses and `as` / `satisfies` casts.
fn unwrapped(node: Node<'_>) -> Node<'_> {
    let mut node = node;
    while matches!(
        node.kind(),
        "parenthesized_expression" | "as_expression" | "satisfies_expression"
    ) {
        match node.named_child(0) {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

fn named_children<'t>(node: Node<'t>) -> impl Iterator<Item = Node<'t>> {
    (0..node.named_child_count()).filter_map(move |i| node.named_child(i as u32))
}

/// An object key as the program sees it: `KEY`, `"KEY"`, `'KEY'`.
fn key_name(key: Node<'_>, source: &str) -> Option<String> {
    match key.kind() {
        "string" => js_str(key, source),
        "property_identifier" | "shorthand_property_identifier_pattern" | "identifier" => {
            source.get(key.byte_range()).map(str::to_string)
        }
        _ => None,
    }
}

/// What a default expression gives the program.
fn value(node: Node<'_>, source: &str) -> Value {
    let node = unwrapped(node);
    let kind = match node.kind() {
        "string" | "template_string" | "binary_expression" => {
            js_str(node, source).map_or(ValueKind::Unknown, ValueKind::Str)
        }
        "undefined" | "null" => ValueKind::None,
        "identifier" if source.get(node.byte_range()) == Some("undefined") => ValueKind::None,
        "number" => ValueKind::NotStr("a number"),
        "unary_expression"
            if node
                .child_by_field_name("argument")
                .is_some_and(|a| a.kind() == "number") =>
        {
            ValueKind::NotStr("a number")
        }
        "true" | "false" => ValueKind::NotStr("a boolean"),
        "array" => ValueKind::NotStr("an array"),
        "object" => ValueKind::NotStr("an object"),
        _ => ValueKind::Unknown,
    };
    Value {
        range: node.byte_range(),
        kind,
    }
}

/// The `z.object({...})` call a schema expression is built on
/// (`z.object({...}).strict()` too).
fn zod_object<'t>(node: Node<'t>, source: &'t str) -> Option<Node<'t>> {
    let mut node = unwrapped(node);
    for _ in 0..8 {
        let call = JsCall::new(node, source)?;
        let receiver = call.receiver?;
        if call.name == "object" && source.get(receiver.byte_range()) == Some("z") {
            return Some(node);
        }
        node = receiver;
    }
    None
}

/// Reads a validating call into a [`Validation`] and its schema.
fn validation(
    node: Node<'_>,
    source: &str,
    zod_objects: &HashMap<&str, Node<'_>>,
    file: &mut EnvFile,
) {
    let Some(call) = JsCall::new(node, source) else {
        return;
    };
    let Some(callee) = node.child_by_field_name("function") else {
        return;
    };
    let bound = bound_name(node, source);
    let (library, name, fields, options) = match call.name {
        "cleanEnv" => {
            let Some(specs) = call.arg(1).filter(|s| s.kind() == "object") else {
                return;
            };
            let fields = entries(specs)
                .filter_map(|(key, value)| envalid_field(key, value, source))
                .collect();
            (
                Library::Envalid,
                bound.unwrap_or("cleanEnv"),
                fields,
                call.arg(2),
            )
        }
        "createEnv" => {
            let Some(options) = call.arg(0).filter(|o| o.kind() == "object") else {
                return;
            };
            let mut fields = Vec::new();
            for group in ["server", "shared", "client"] {
                let Some(specs) = js_field(options, group, source).filter(|s| s.kind() == "object")
                else {
                    continue;
                };
                for (key, value) in entries(specs) {
                    fields.extend(zod_field(key, value, source).map(|mut f| {
                        f.client = group == "client";
                        f
                    }));
                }
            }
            (
                Library::T3,
                bound.unwrap_or("createEnv"),
                fields,
                Some(options),
            )
        }
        _ => {
            // A zod schema's `parse(process.env)` (or of an object of reads).
            let reads_env = call
                .arg(0)
                .is_some_and(|a| is_env_object(a, source) || a.kind() == "object");
            let receiver = call.receiver.map(unwrapped);
            let schema = receiver.and_then(|r| {
                zod_object(r, source).or_else(|| {
                    let name = source.get(r.byte_range())?;
                    zod_objects.get(name).and_then(|v| zod_object(*v, source))
                })
            });
            let (true, Some(schema)) = (reads_env, schema) else {
                return;
            };
            let Some(specs) = JsCall::new(schema, source)
                .and_then(|c| c.arg(0))
                .filter(|s| s.kind() == "object")
            else {
                return;
            };
            let fields = entries(specs)
                .filter_map(|(key, value)| zod_field(key, value, source))
                .collect();
            let name = bound
                .or_else(|| receiver.and_then(|r| source.get(r.byte_range())))
                .filter(|n| !n.contains(['(', '\n']))
                .unwrap_or("env");
            (Library::Zod, name, fields, None)
        }
    };
    let schema = Schema {
        name: name.to_string(),
        env_prefix: String::new(),
        case_sensitive: true,
        env_files: Vec::new(),
        fields,
    };
    let mut validation = Validation {
        library,
        callee: callee.byte_range(),
        schema: Some(file.schemas.len()),
        skipped: None,
        lenient_reporter: None,
        runtime_env: None,
    };
    file.schemas.push(schema);
    if let Some(options) = options.filter(|o| o.kind() == "object") {
        for (key, value) in entries(options) {
            let Some(entry) = key.parent() else {
                continue;
            };
            match key_name(key, source).as_deref() {
                Some("skipValidation") if js_bool(value, source) == Some(true) => {
                    validation.skipped = Some(entry.byte_range());
                }
                Some("reporter") if library == Library::Envalid && lenient(value, source) => {
                    validation.lenient_reporter = Some(entry.byte_range());
                }
                Some(which @ ("runtimeEnv" | "runtimeEnvStrict" | "experimental__runtimeEnv"))
                    if library == Library::T3 && value.kind() == "object" =>
                {
                    // The strict object wins: t3-env reads it when given.
                    if validation.runtime_env.as_ref().is_some_and(|r| r.strict) {
                        continue;
                    }
                    validation.runtime_env = Some(RuntimeEnv {
                        strict: which == "runtimeEnvStrict",
                        client_only: which == "experimental__runtimeEnv",
                        entries: runtime_entries(value, source),
                    });
                }
                _ => {}
            }
        }
    }
    file.validations.push(validation);
}

/// The name a call's result is bound to: `env` in `const env = cleanEnv(...)`.
fn bound_name<'s>(call: Node<'_>, source: &'s str) -> Option<&'s str> {
    let mut node = call;
    // Through `await` and casts.
    while let Some(parent) = node.parent() {
        match parent.kind() {
            "await_expression"
            | "as_expression"
            | "satisfies_expression"
            | "parenthesized_expression" => node = parent,
            "variable_declarator" => {
                let name = parent.child_by_field_name("name")?;
                return (name.kind() == "identifier")
                    .then(|| source.get(name.byte_range()))
                    .flatten();
            }
            _ => return None,
        }
    }
    None
}

/// The `key: value` entries of an object literal.
fn entries<'t>(object: Node<'t>) -> impl Iterator<Item = (Node<'t>, Node<'t>)> {
    named_children(object).filter_map(|pair| {
        if pair.kind() != "pair" {
            return None;
        }
        Some((
            pair.child_by_field_name("key")?,
            pair.child_by_field_name("value")?,
        ))
    })
}

/// A field's name, its place, and what every front end fills alike.
fn field_at(key: Node<'_>, name: String, annotation: String, validator: Validator) -> Field {
    Field {
        env_names: vec![name.clone()],
        name,
        name_range: key.byte_range(),
        line: key.start_position().row as u32,
        annotation,
        optional: false,
        default: FieldDefault::Required,
        aliases: Vec::new(),
        description: None,
        nested: None,
        client: false,
        validator: Some(validator),
    }
}

/// `KEY: str({ default, devDefault, desc, ... })`.
fn envalid_field(key: Node<'_>, spec: Node<'_>, source: &str) -> Option<Field> {
    let call = JsCall::new(spec, source)?;
    let name = key_name(key, source)?;
    let arguments = spec.child_by_field_name("arguments")?;
    let options = call.arg(0).filter(|o| o.kind() == "object");
    let option = |key: &str| options.and_then(|o| js_field(o, key, source));
    let default_key = options.and_then(|o| {
        entries(o)
            .find(|(k, _)| key_name(*k, source).as_deref() == Some("default"))
            .map(|(k, _)| k.byte_range())
    });
    let validator = Validator::Envalid {
        name: call.name.to_string(),
        arguments: arguments.byte_range(),
        options: options.map(|o| o.byte_range()),
        first_option: options
            .and_then(|o| named_children(o).find(|c| c.kind() != "comment"))
            .map(|c| c.byte_range()),
        default_key,
        dev_default: option("devDefault").is_some(),
    };
    let mut field = field_at(key, name, call.name.to_string(), validator);
    field.description = option("desc").and_then(|d| js_str(d, source));
    if let Some(default) = option("default") {
        let default = value(default, source);
        // `default: undefined` makes the variable optional.
        field.optional = default.kind == ValueKind::None;
        field.default = FieldDefault::Value(default);
    } else if let Some(default) = option("devDefault") {
        field.default = FieldDefault::Development(value(default, source));
    }
    Some(field)
}

/// `KEY: z.string().url().optional()`, `z.coerce.number().default(3000)`.
fn zod_field(key: Node<'_>, spec: Node<'_>, source: &str) -> Option<Field> {
    let name = key_name(key, source)?;
    let mut methods = Vec::new();
    let mut node = unwrapped(spec);
    // Outermost call first: `.optional()` of `z.string().optional()`.
    let (base, base_call) = loop {
        let function = node.child_by_field_name("function")?;
        if node.kind() != "call_expression" || function.kind() != "member_expression" {
            return None;
        }
        let object = function.child_by_field_name("object")?;
        let property = source.get(function.child_by_field_name("property")?.byte_range())?;
        let object_text = source.get(object.byte_range())?;
        if object_text == "z" || object_text.starts_with("z.") && !object_text.contains('(') {
            let base = match object_text.strip_prefix("z.") {
                Some(namespace) => format!("{namespace}.{property}"),
                None => property.to_string(),
            };
            break (base, node);
        }
        methods.push((property, node, object));
        node = object;
        if methods.len() > 32 {
            return None;
        }
    };
    methods.reverse();
    let first_choice = (base == "enum")
        .then(|| JsCall::new(base_call, source)?.arg(0))
        .flatten()
        .and_then(|choices| js_elements(choices).into_iter().next())
        .and_then(|c| source.get(c.byte_range()))
        .map(str::to_string);
    let default_call = methods
        .iter()
        .find(|(m, ..)| *m == "default")
        .map(|(_, call, object)| object.end_byte()..call.end_byte());
    let validator = Validator::Zod {
        base: base.clone(),
        methods: methods.iter().map(|(m, ..)| m.to_string()).collect(),
        first_choice,
        end: spec.end_byte(),
        default_call,
    };
    let annotation = source.get(spec.byte_range())?.to_string();
    let mut field = field_at(key, name, annotation, validator);
    field.description = methods
        .iter()
        .find(|(m, ..)| *m == "describe")
        .and_then(|(_, call, _)| JsCall::new(*call, source)?.arg(0))
        .and_then(|d| js_str(d, source));
    for (method, call, _) in &methods {
        let argument = || JsCall::new(*call, source).and_then(|c| c.arg(0));
        match *method {
            "optional" | "nullish" => {
                // `undefined` is a valid value: the field has that default.
                field.optional = true;
                if field.default == FieldDefault::Required {
                    field.default = FieldDefault::Value(Value {
                        range: call.byte_range(),
                        kind: ValueKind::None,
                    });
                }
            }
            "default" | "catch" => {
                if let Some(default) = argument() {
                    field.default = FieldDefault::Value(value(default, source));
                }
            }
            _ => {}
        }
    }
    Some(field)
}

/// An envalid reporter that lets startup go on: a function that neither
/// throws nor calls an `exit`.
fn lenient(reporter: Node<'_>, source: &str) -> bool {
    if !matches!(reporter.kind(), "arrow_function" | "function_expression") {
        return false;
    }
    let mut stack = vec![reporter];
    while let Some(node) = stack.pop() {
        if node.kind() == "throw_statement" {
            return false;
        }
        if let Some(call) = JsCall::new(node, source)
            && call.name == "exit"
        {
            return false;
        }
        stack.extend(named_children(node));
    }
    true
}

/// The entries of a t3 `runtimeEnv` object.
fn runtime_entries(object: Node<'_>, source: &str) -> Vec<RuntimeEntry> {
    named_children(object)
        .filter_map(|entry| match entry.kind() {
            "pair" => {
                let key = key_name(entry.child_by_field_name("key")?, source)?;
                let value = entry.child_by_field_name("value")?;
                let read = unwrapped(value);
                let read = match read.kind() {
                    "non_null_expression" => read.named_child(0)?,
                    _ => read,
                };
                Some(RuntimeEntry {
                    key,
                    reads: read_key(read, source).and_then(|(_, name, _)| name),
                    value: value.byte_range(),
                })
            }
            "shorthand_property_identifier" => Some(RuntimeEntry {
                key: source.get(entry.byte_range())?.to_string(),
                reads: None,
                value: entry.byte_range(),
            }),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests;
