//! Python front end of the env model: `os.getenv`, `os.environ.get`,
//! `os.environ[...]`, `os.environ.setdefault` (and `getenv` / `environ`
//! imported from `os`), and pydantic-settings `BaseSettings` classes with
//! their `model_config = SettingsConfigDict(...)` or `class Config`.
//!
//! One walk over the tree with an explicit stack (a deeply nested file
//! cannot overflow the call stack) that carries whether the value of the
//! node is tested: whether a read "flows on unchecked" depends on where it
//! sits (an `if` condition, an `or` operand), which a query cannot say
//! without climbing to parents.

use std::collections::HashSet;

use tree_sitter::{Node, Tree};

use super::{
    ClassDecl, EnvFile, EnvRead, Field, FieldDefault, Instance, ReadKind, SettingsConfig, Value,
    ValueKind, project,
};
use crate::syntax::literal;

/// Reads and schemas of a Python module.
pub fn read(tree: &Tree, source: &str) -> EnvFile {
    let mut walk = Walk {
        source,
        imported: imported_from_os(tree.root_node(), source),
        file: EnvFile::default(),
        tested: HashSet::new(),
        assigned: Vec::new(),
        classes: Vec::new(),
    };
    super::walk(tree.root_node(), Use::Plain, |node, usage, children| {
        walk.visit(node, usage, children)
    });
    let Walk {
        mut file,
        tested,
        assigned,
        classes,
        ..
    } = walk;
    // `x = os.getenv("X")` followed by `if not x:` is validated by the test,
    // and so is every read whose value `x` may hold: the operands of
    // `a or b` / `a if c else b`, the default of an outer read.
    for (name, range, spread) in assigned {
        if !tested.contains(&name) {
            continue;
        }
        let outer_read = file.reads.iter().any(|r| r.range == range);
        for read in file.reads.iter_mut() {
            let within = range.start <= read.range.start && read.range.end <= range.end;
            if read.range == range || (within && (spread || outer_read)) {
                read.checked = true;
            }
        }
    }
    file.classes = classes.iter().filter_map(|c| class(*c, source)).collect();
    file.schemas = project::resolve(&file.classes, &[]);
    file.instances = instances(tree.root_node(), source);
    file
}

/// `name = Class(...)` statements of the module's top level, for a class
/// named in `CamelCase` (a settings class, once resolved).
fn instances(root: Node<'_>, source: &str) -> Vec<Instance> {
    named_children(root)
        .filter(|s| s.kind() == "expression_statement")
        .filter_map(|s| s.named_child(0).filter(|a| a.kind() == "assignment"))
        .filter_map(|assignment| {
            let left = assignment.child_by_field_name("left")?;
            let right = assignment.child_by_field_name("right")?;
            let callee = source.get(right.child_by_field_name("function")?.byte_range())?;
            let class = callee.rsplit('.').next().unwrap_or(callee);
            let named = left.kind() == "identifier"
                && right.kind() == "call"
                && class.starts_with(|c: char| c.is_ascii_uppercase());
            named.then(|| Instance {
                name: source
                    .get(left.byte_range())
                    .unwrap_or_default()
                    .to_string(),
                class: class.to_string(),
            })
        })
        .collect()
}

/// Whether a module may hold env reads or settings: a cheap test on the text
/// before any tree is built for a file outside a migrations directory.
pub fn mentions_env(text: &str) -> bool {
    // `BaseModel`: a settings mixin declares fields without naming the
    // environment; its settings class may be in another file. `Settings(`:
    // a module that builds a settings class (`settings = Settings()`)
    // decides when its variables are validated.
    [
        "environ",
        "getenv",
        "BaseSettings",
        "BaseModel",
        "Settings(",
    ]
    .iter()
    .any(|word| text.contains(word))
}

struct Walk<'t, 's> {
    source: &'s str,
    /// `getenv` / `environ` bound by `from os import ...`.
    imported: HashSet<&'s str>,
    file: EnvFile,
    /// Names whose value the module tests somewhere.
    tested: HashSet<&'s str>,
    /// `name = <value>`: the name, the value's range, and whether the value
    /// is one of several operands (`a or b`, `a if c else b`).
    assigned: Vec<(&'s str, std::ops::Range<usize>, bool)>,
    classes: Vec<Node<'t>>,
}

/// How a node's value is used.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Use {
    Plain,
    /// Tested for truth or compared.
    Tested,
    /// Assigned to or deleted: `os.environ["X"] = ...` is no read.
    Written,
}

impl<'t, 's> Walk<'t, 's> {
    fn visit(&mut self, node: Node<'t>, usage: Use, children: &mut Vec<(Node<'t>, Use)>) {
        let field = |name: &str| node.child_by_field_name(name);
        let tested = |n: Option<Node<'t>>| n.map(|n| (n, Use::Tested));
        match node.kind() {
            "comment" => self.file.comments.push(node.byte_range()),
            kind if kind.ends_with("_statement")
                || matches!(
                    kind,
                    "class_definition" | "function_definition" | "decorated_definition"
                ) =>
            {
                self.file.statements.push(node.byte_range());
            }
            _ => {}
        }
        match node.kind() {
            "identifier" if usage == Use::Tested => {
                if let Some(name) = self.source.get(node.byte_range()) {
                    self.tested.insert(name);
                }
                return;
            }
            "class_definition" => self.classes.push(node),
            "call" => {
                if let Some(read) = self.call_read(node, usage) {
                    self.file.reads.push(read);
                }
                self.note_construction(node);
            }
            "subscript" if usage != Use::Written => {
                if let Some(read) = self.index_read(node, usage) {
                    self.file.reads.push(read);
                }
            }
            "assignment" | "augmented_assignment" => {
                self.note_assignment(node);
                children.extend(field("left").map(|n| (n, Use::Written)));
                children.extend(field("type").map(|n| (n, Use::Plain)));
                children.extend(field("right").map(|n| (n, Use::Plain)));
                return;
            }
            "delete_statement" => {
                children.extend(named_children(node).map(|n| (n, Use::Written)));
                return;
            }
            "if_statement" | "elif_clause" | "while_statement" => {
                children.extend(tested(field("condition")));
                let condition = field("condition").map(|n| n.id());
                children.extend(
                    named_children(node)
                        .filter(|c| Some(c.id()) != condition)
                        .map(|c| (c, Use::Plain)),
                );
                return;
            }
            "conditional_expression" => {
                // `a if condition else b`: the middle operand is tested.
                for (i, child) in named_children(node).enumerate() {
                    children.push((child, if i == 1 { Use::Tested } else { usage }));
                }
                return;
            }
            "boolean_operator" => {
                children.extend(tested(field("left")));
                children.extend(field("right").map(|n| (n, usage)));
                return;
            }
            "not_operator" | "comparison_operator" | "assert_statement" => {
                children.extend(named_children(node).map(|n| (n, Use::Tested)));
                return;
            }
            "parenthesized_expression" => {
                children.extend(named_children(node).map(|n| (n, usage)));
                return;
            }
            _ => {}
        }
        // Below a written subscript (`os.environ[key] = v`) the key is read.
        let inner = if usage == Use::Tested || usage == Use::Written {
            Use::Plain
        } else {
            usage
        };
        children.extend(named_children(node).map(|n| (n, inner)));
    }

    /// `Settings()`: a capitalised callee may be a settings class, which
    /// only the project knows.
    fn note_construction(&mut self, node: Node<'t>) {
        let Some(callee) = node
            .child_by_field_name("function")
            .and_then(|f| self.source.get(f.byte_range()))
        else {
            return;
        };
        let class = callee.rsplit('.').next().unwrap_or(callee).trim();
        if !class.starts_with(|c: char| c.is_ascii_uppercase()) {
            return;
        }
        let mut lazy = false;
        let mut ancestor = node.parent();
        while let Some(a) = ancestor {
            if matches!(a.kind(), "function_definition" | "lambda") {
                lazy = true;
                break;
            }
            ancestor = a.parent();
        }
        self.file.constructions.push(super::Construction {
            class: class.to_string(),
            range: node.byte_range(),
            lazy,
        });
    }

    fn note_assignment(&mut self, node: Node<'t>) {
        let (Some(left), Some(right)) = (
            node.child_by_field_name("left"),
            node.child_by_field_name("right"),
        ) else {
            return;
        };
        let spread = matches!(right.kind(), "boolean_operator" | "conditional_expression");
        if left.kind() != "identifier" || !(spread || matches!(right.kind(), "call" | "subscript"))
        {
            return;
        }
        let Some(name) = self.source.get(left.byte_range()) else {
            return;
        };
        self.assigned.push((name, right.byte_range(), spread));
    }

    /// `os.getenv(...)`, `os.environ.get(...)`, `os.environ.setdefault(...)`.
    fn call_read(&self, node: Node<'t>, usage: Use) -> Option<EnvRead> {
        let callee = compact(
            self.source
                .get(node.child_by_field_name("function")?.byte_range())?,
        );
        let kind = match callee.as_str() {
            "os.getenv" | "os.environ.get" => ReadKind::Get,
            "os.environ.setdefault" => ReadKind::SetDefault,
            "getenv" if self.imported.contains("getenv") => ReadKind::Get,
            "environ.get" if self.imported.contains("environ") => ReadKind::Get,
            "environ.setdefault" if self.imported.contains("environ") => ReadKind::SetDefault,
            _ => return None,
        };
        let arguments = Arguments::of(node.child_by_field_name("arguments")?, self.source);
        let key = arguments.get(0, "key")?;
        let default = arguments.get(1, "default").map(|d| value(d, self.source));
        Some(self.read_at(kind, node, key, default, usage))
    }

    /// `os.environ["X"]`.
    fn index_read(&self, node: Node<'t>, usage: Use) -> Option<EnvRead> {
        let value = compact(
            self.source
                .get(node.child_by_field_name("value")?.byte_range())?,
        );
        let environ =
            value == "os.environ" || (value == "environ" && self.imported.contains("environ"));
        if !environ {
            return None;
        }
        let key = node.child_by_field_name("subscript")?;
        Some(self.read_at(ReadKind::Index, node, key, None, usage))
    }

    fn read_at(
        &self,
        kind: ReadKind,
        node: Node<'t>,
        key: Node<'t>,
        default: Option<Value>,
        usage: Use,
    ) -> EnvRead {
        let key_value = value(key, self.source);
        let (name, key_not_str) = match key_value.kind {
            ValueKind::Str(name) => (Some(name), false),
            ValueKind::NotStr(_) => (None, true),
            _ => (None, false),
        };
        EnvRead {
            kind,
            name,
            key: key.byte_range(),
            key_not_str,
            range: node.byte_range(),
            line: key.start_position().row as u32,
            default,
            checked: usage == Use::Tested,
        }
    }
}

fn named_children<'t>(node: Node<'t>) -> impl Iterator<Item = Node<'t>> {
    (0..node.named_child_count()).filter_map(move |i| node.named_child(i as u32))
}

/// The text without whitespace: `os . environ.get` is `os.environ.get`.
fn compact(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Names `from os import ...` binds without renaming.
fn imported_from_os<'s>(root: Node<'_>, source: &'s str) -> HashSet<&'s str> {
    let mut names = HashSet::new();
    for statement in named_children(root).filter(|n| n.kind() == "import_from_statement") {
        let module = statement
            .child_by_field_name("module_name")
            .and_then(|m| source.get(m.byte_range()));
        if module != Some("os") {
            continue;
        }
        let mut cursor = statement.walk();
        for name in statement.children_by_field_name("name", &mut cursor) {
            if name.kind() == "dotted_name"
                && let Some(text) = source.get(name.byte_range())
            {
                names.insert(text);
            }
        }
    }
    names
}

/// A call's arguments by position and keyword.
struct Arguments<'t, 's> {
    positional: Vec<Node<'t>>,
    keywords: Vec<(&'s str, Node<'t>)>,
}

impl<'t, 's> Arguments<'t, 's> {
    fn of(list: Node<'t>, source: &'s str) -> Self {
        let mut out = Arguments {
            positional: Vec::new(),
            keywords: Vec::new(),
        };
        for argument in named_children(list) {
            match argument.kind() {
                "keyword_argument" => {
                    let name = argument
                        .child_by_field_name("name")
                        .and_then(|n| source.get(n.byte_range()));
                    if let (Some(name), Some(value)) = (name, argument.child_by_field_name("value"))
                    {
                        out.keywords.push((name, value));
                    }
                }
                "comment" => {}
                _ => out.positional.push(argument),
            }
        }
        out
    }

    /// The argument at `position`, else the one passed as `keyword`.
    fn get(&self, position: usize, keyword: &str) -> Option<Node<'t>> {
        self.positional
            .get(position)
            .copied()
            .or_else(|| self.keyword(keyword))
    }

    fn keyword(&self, keyword: &str) -> Option<Node<'t>> {
        self.keywords
            .iter()
            .find(|(name, _)| *name == keyword)
            .map(|(_, node)| *node)
    }
}

/// What a default expression gives the program.
fn value(node: Node<'_>, source: &str) -> Value {
    Value {
        range: node.byte_range(),
        kind: value_kind(node, source),
    }
}

fn value_kind(node: Node<'_>, source: &str) -> ValueKind {
    let string = |n: Node<'_>| literal::python(n, source).map(|l| l.value);
    match node.kind() {
        "string" | "concatenated_string" | "parenthesized_expression" => {
            string(node).map_or(ValueKind::Unknown, ValueKind::Str)
        }
        "none" => ValueKind::None,
        "integer" | "float" => ValueKind::NotStr("a number"),
        "unary_operator" => match node.child_by_field_name("argument").map(|n| n.kind()) {
            Some("integer" | "float") => ValueKind::NotStr("a number"),
            _ => ValueKind::Unknown,
        },
        "true" | "false" => ValueKind::NotStr("a bool"),
        "list" | "list_comprehension" => ValueKind::NotStr("a list"),
        "dictionary" | "dictionary_comprehension" => ValueKind::NotStr("a dict"),
        "tuple" => ValueKind::NotStr("a tuple"),
        "set" | "set_comprehension" => ValueKind::NotStr("a set"),
        "call" => {
            let Some(callee) = node
                .child_by_field_name("function")
                .and_then(|f| source.get(f.byte_range()))
            else {
                return ValueKind::Unknown;
            };
            let first = || {
                node.child_by_field_name("arguments")
                    .map(|a| Arguments::of(a, source))
                    .and_then(|a| a.get(0, "secret_value"))
            };
            match callee.rsplit('.').next().unwrap_or(callee) {
                "Path" | "PurePath" | "PosixPath" => ValueKind::NotStr("a Path"),
                "int" | "float" | "Decimal" => ValueKind::NotStr("a number"),
                "bool" => ValueKind::NotStr("a bool"),
                "SecretStr" => first()
                    .and_then(string)
                    .map_or(ValueKind::Unknown, ValueKind::SecretStr),
                _ => ValueKind::Unknown,
            }
        }
        _ => ValueKind::Unknown,
    }
}

/// A class as the settings model needs it.
fn class(class: Node<'_>, source: &str) -> Option<ClassDecl> {
    let name = class.child_by_field_name("name")?;
    let body = class.child_by_field_name("body")?;
    let bases = class
        .child_by_field_name("superclasses")
        .into_iter()
        .flat_map(named_children)
        .filter(|b| b.kind() != "keyword_argument")
        .filter_map(|b| source.get(b.byte_range()))
        .map(|b| b.rsplit('.').next().unwrap_or(b).trim().to_string())
        .collect();
    // The columns before the body's first statement (tree-sitter counts bytes).
    let column = body.start_position().column;
    let indent = source
        .get(body.start_byte().saturating_sub(column)..body.start_byte())
        .filter(|i| i.trim().is_empty())
        .unwrap_or("    ")
        .to_string();
    let mut decl = ClassDecl {
        name: source.get(name.byte_range())?.to_string(),
        name_range: name.byte_range(),
        bases,
        fields: Vec::new(),
        config: SettingsConfig::default(),
        append_at: body.end_byte(),
        indent,
    };
    let mut last_field = None;
    for statement in named_children(body) {
        match statement.kind() {
            "expression_statement" => {
                let Some(assignment) = statement
                    .named_child(0)
                    .filter(|a| a.kind() == "assignment")
                else {
                    continue;
                };
                if let Some(field) = field(assignment, source, &mut decl.config) {
                    decl.fields.push(field);
                    last_field = Some(statement.end_byte());
                }
            }
            "class_definition"
                if statement
                    .child_by_field_name("name")
                    .and_then(|n| source.get(n.byte_range()))
                    == Some("Config") =>
            {
                old_config(statement, source, &mut decl.config);
            }
            _ => {}
        }
    }
    decl.append_at = last_field.unwrap_or(decl.append_at);
    Some(decl)
}

/// A field from `name: type [= default]`, or the configuration from
/// `model_config = SettingsConfigDict(...)`; `None` for anything else.
fn field(assignment: Node<'_>, source: &str, config: &mut SettingsConfig) -> Option<Field> {
    let left = assignment.child_by_field_name("left")?;
    let name = source.get(left.byte_range())?;
    let right = assignment.child_by_field_name("right");
    if left.kind() != "identifier" {
        return None;
    }
    if name == "model_config" {
        if let Some(call) = right.filter(|r| r.kind() == "call")
            && let Some(arguments) = call.child_by_field_name("arguments")
        {
            let arguments = Arguments::of(arguments, source);
            for (key, value) in arguments.keywords {
                configure(config, key, value, source);
            }
        }
        return None;
    }
    let annotation = source.get(assignment.child_by_field_name("type")?.byte_range())?;
    if name.starts_with('_') || annotation.contains("ClassVar") {
        return None;
    }
    let compact_annotation = compact(annotation);
    let optional = compact_annotation.starts_with("Optional[")
        || compact_annotation.contains("|None")
        || compact_annotation.starts_with("None|");
    let declared = match right {
        None => Declared {
            default: FieldDefault::Required,
            aliases: Vec::new(),
            description: None,
        },
        Some(right) => field_default(right, source),
    };
    Some(Field {
        name: name.to_string(),
        name_range: left.byte_range(),
        line: left.start_position().row as u32,
        annotation: annotation.to_string(),
        optional,
        default: declared.default,
        aliases: declared.aliases,
        description: declared.description,
        env_names: Vec::new(),
        nested: None,
        client: false,
        validator: None,
    })
}

/// What a field's right-hand side declares.
struct Declared {
    default: FieldDefault,
    aliases: Vec<String>,
    description: Option<String>,
}

/// The default, aliases and description a field's right-hand side gives it:
/// a plain value, or `Field(default, default=..., default_factory=...,
/// alias=..., validation_alias=AliasChoices(...), description=...)`.
fn field_default(right: Node<'_>, source: &str) -> Declared {
    let arguments = right
        .child_by_field_name("arguments")
        .map(|a| Arguments::of(a, source));
    let (Some(arguments), true) = (arguments, callee_is(right, source, "Field")) else {
        return Declared {
            default: FieldDefault::Value(value(right, source)),
            aliases: Vec::new(),
            description: None,
        };
    };
    let string = |n: Node<'_>| literal::python(n, source).map(|l| l.value);
    let aliases = match arguments
        .keyword("validation_alias")
        .or_else(|| arguments.keyword("alias"))
    {
        Some(choices) if callee_is(choices, source, "AliasChoices") => choices
            .child_by_field_name("arguments")
            .into_iter()
            .flat_map(named_children)
            .filter_map(string)
            .collect(),
        Some(alias) => string(alias).into_iter().collect(),
        None => Vec::new(),
    };
    let default = match arguments.get(0, "default") {
        // `Field(...)`: pydantic's marker for a required field.
        Some(d) if d.kind() == "ellipsis" => FieldDefault::Required,
        Some(d) => FieldDefault::Value(value(d, source)),
        None if arguments.keyword("default_factory").is_some() => FieldDefault::Factory,
        None => FieldDefault::Required,
    };
    Declared {
        default,
        aliases,
        description: arguments.keyword("description").and_then(string),
    }
}

/// Whether `node` is a call of `name` (`Field(...)`, `pydantic.Field(...)`).
fn callee_is(node: Node<'_>, source: &str, name: &str) -> bool {
    node.kind() == "call"
        && node
            .child_by_field_name("function")
            .and_then(|f| source.get(f.byte_range()))
            .is_some_and(|c| c.rsplit('.').next() == Some(name))
}

/// The older `class Config: env_prefix = "APP_"`.
fn old_config(class: Node<'_>, source: &str, config: &mut SettingsConfig) {
    let Some(body) = class.child_by_field_name("body") else {
        return;
    };
    for statement in named_children(body) {
        let Some(assignment) = statement
            .named_child(0)
            .filter(|a| a.kind() == "assignment")
        else {
            continue;
        };
        let key = assignment
            .child_by_field_name("left")
            .and_then(|l| source.get(l.byte_range()));
        if let (Some(key), Some(value)) = (key, assignment.child_by_field_name("right")) {
            configure(config, key, value, source);
        }
    }
}

fn configure(config: &mut SettingsConfig, key: &str, value: Node<'_>, source: &str) {
    let string = || literal::python(value, source).map(|l| l.value);
    match key {
        "env_prefix" => config.env_prefix = string(),
        "case_sensitive" => config.case_sensitive = Some(value.kind() == "true"),
        "env_nested_delimiter" => config.env_nested_delimiter = string(),
        "env_file" => {
            config.env_file = Some(match value.kind() {
                "tuple" | "list" => named_children(value)
                    .filter_map(|v| literal::python(v, source).map(|l| l.value))
                    .collect(),
                _ => string().into_iter().collect(),
            });
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests;
