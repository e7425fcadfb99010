//! Fixes of the env rules in Python: a read that fails fast
//! (`os.environ["X"]`), a read of the settings object instead of the
//! environment (with the field added to the settings class when it has
//! none), and the defaults of settings fields (a secret's removed, a required
//! field made optional or given a neutral value). Every one changes what the
//! program does when a variable is missing, so every one is for review.
//! A builder returns `None` when the code is not in the shape it rewrites.

use std::ops::Range;
use std::path::{Component, Path};

use tree_sitter::Node;

use crate::analysis::env::project::Project;
use crate::analysis::env::{EnvCheck, EnvRead, Field, FieldDefault, ReadKind, Source};
use crate::finding::{Applicability, Edit, Fix};
use crate::text::Language;

use crate::fixes::code::set_keyword;

/// `os.getenv("X")` / `os.environ.get("X", d)` → `os.environ["X"]`: a
/// missing variable raises a `KeyError` naming it, where it is read.
pub fn fail_fast(source: Option<Source<'_>>, read: &EnvRead, title: String) -> Option<Fix> {
    let source = python(source)?;
    if read.kind != ReadKind::Get {
        return None;
    }
    let call = node_at(&source, &read.range, "call")?;
    let callee: String = text(&source, call.child_by_field_name("function")?)
        .split_whitespace()
        .collect();
    let key = source.text.get(read.key.clone())?;
    let mut edits = Vec::new();
    let environ = if callee == "environ.get" || imported(&source, "environ").is_some() {
        "environ"
    } else {
        // `getenv` imported from `os` leaves `os` itself unbound.
        if callee == "getenv" && imported(&source, "os").is_none() {
            edits.push(add_import(&source, "import os"));
        }
        "os.environ"
    };
    edits.push(Edit::replace(
        read.range.clone(),
        format!("{environ}[{key}]"),
    ));
    Some(reviewed(title, edits))
}

/// The fixes that move a read to the settings: read the settings object
/// when a field already holds the variable, else add the field to the
/// settings class and read it; the one that does not apply is `None`.
pub fn settings_fixes(env: &EnvCheck<'_>, read: &EnvRead) -> [Option<Fix>; 2] {
    let setting = use_setting(env.source, env.project, env.path, read);
    let new_setting = match setting {
        Some(_) => None,
        None => add_setting(env.source, env.project, env.path, read),
    };
    [setting, new_setting]
}

/// `os.getenv("X")` → `settings.x`, where a settings field is read from `X`
/// and a module creates the settings object: the object is imported.
pub fn use_setting(
    source: Option<Source<'_>>,
    project: &Project,
    path: Option<&Path>,
    read: &EnvRead,
) -> Option<Fix> {
    let (source, name) = getenv_read(source, read)?;
    let declared = project.declared().into_iter().find(|d| {
        d.field
            .env_names
            .iter()
            .any(|n| same_name(n, name, d.case_sensitive))
    })?;
    let (module, instance) = project.instance_of(&declared.schema)?;
    let mut edits = import_object(&source, path?, module, &instance.name)?;
    let attribute = format!("{}.{}", instance.name, declared.field.name);
    edits.push(Edit::replace(read.range.clone(), attribute.clone()));
    Some(reviewed(
        format!("Read `{attribute}` (validated at startup) instead of `{name}`"),
        edits,
    ))
}

/// `os.getenv("X")` → `settings.x`, with `x: str` added to the settings
/// class (in its own file): the variable becomes required at startup.
pub fn add_setting(
    source: Option<Source<'_>>,
    project: &Project,
    path: Option<&Path>,
    read: &EnvRead,
) -> Option<Fix> {
    let (source, name) = getenv_read(source, read)?;
    let path = path?;
    let (module, instance, class_path, class, schema) =
        project.files().find_map(|(module, facts)| {
            facts.instances.iter().find_map(|instance| {
                let (class_path, class, schema) = project.settings_class(&instance.class)?;
                Some((module, instance, class_path, class, schema))
            })
        })?;
    if same_file(class_path, path) {
        return None;
    }
    let field = new_field_name(name, &schema.env_prefix, schema.case_sensitive, class)?;
    let taken = project
        .declared()
        .iter()
        .any(|d| d.schema == schema.name && d.field.name.eq_ignore_ascii_case(&field));
    if taken {
        return None;
    }
    let mut edits = import_object(&source, path, module, &instance.name)?;
    edits.push(Edit::replace(
        read.range.clone(),
        format!("{}.{field}", instance.name),
    ));
    edits.push(Edit {
        file: Some(class_path.to_path_buf()),
        range: class.append_at..class.append_at,
        replacement: format!("\n{}{field}: str", class.indent),
        create: false,
    });
    Some(reviewed(
        format!(
            "Add `{field}: str` to `{}` (required at startup) and read `{}.{field}`",
            schema.name, instance.name
        ),
        edits,
    ))
}

/// A secret's literal default removed: `x: SecretStr = SecretStr("changeme")`
/// → `x: SecretStr`, `Field("changeme", ...)` → `Field(..., ...)`,
/// `Field(default="changeme")` → `Field()`.
pub fn remove_default(source: Option<Source<'_>>, field: &Field) -> Option<Fix> {
    let source = python(source)?;
    let FieldDefault::Value(value) = &field.default else {
        return None;
    };
    let assignment = field_assignment(&source, field)?;
    let annotation = assignment.child_by_field_name("type")?;
    let right = assignment.child_by_field_name("right")?;
    let edit = if right.byte_range() == value.range {
        Edit::replace(annotation.end_byte()..right.end_byte(), "")
    } else {
        match argument_holding(right, &value.range)? {
            keyword if keyword.kind() == "keyword_argument" => {
                Edit::replace(without_argument(keyword)?, "")
            }
            // A positional default becomes pydantic's "required" marker.
            _ => Edit::replace(value.range.clone(), "..."),
        }
    };
    Some(reviewed(
        format!(
            "Remove the default of `{}`: startup fails unless `{}` is set",
            field.name,
            field.env_name()
        ),
        vec![edit],
    ))
}

/// A required field made optional: `x: str` → `x: str | None = None`
/// (`Optional[str]` where the module imports `Optional`), `Field(...)` →
/// `Field(None)`. The code reading it must then handle `None`.
pub fn make_optional(source: Option<Source<'_>>, field: &Field) -> Option<Fix> {
    let source = python(source)?;
    if field.default != FieldDefault::Required {
        return None;
    }
    let assignment = field_assignment(&source, field)?;
    let annotation = assignment.child_by_field_name("type")?;
    let written = text(&source, annotation);
    // `"Model" | None` is a `TypeError` when the class body runs.
    if written.starts_with(['"', '\'']) {
        return None;
    }
    let mut edits = Vec::new();
    let shown = if field.optional {
        written.to_string()
    } else {
        let optional = if imported(&source, "Optional").is_some() {
            format!("Optional[{written}]")
        } else {
            format!("{written} | None")
        };
        edits.push(Edit::replace(annotation.byte_range(), optional.clone()));
        optional
    };
    edits.push(set_default(&source, annotation, assignment, "None")?);
    Some(reviewed(
        format!("Make `{}` optional: `{shown} = None`", field.name),
        edits,
    ))
}

/// A required field given the value that means "nothing configured", for
/// the types that have one: `False` for a flag, an empty collection. Other
/// types have none: a port of 0 or an empty URL would hide a missing value.
pub fn neutral_default(source: Option<Source<'_>>, field: &Field) -> Option<Fix> {
    let source = python(source)?;
    if field.default != FieldDefault::Required || field.optional {
        return None;
    }
    let outer = field
        .annotation
        .split('[')
        .next()
        .unwrap_or_default()
        .trim();
    let outer = outer.rsplit('.').next().unwrap_or(outer);
    // The factory for `Field(...)`, the literal for a bare default (pydantic
    // copies a mutable default for each instance).
    let (factory, literal, what) = match outer {
        "bool" => (None, "False", "`False`"),
        "list" | "List" | "Sequence" => (Some("list"), "[]", "an empty list"),
        "dict" | "Dict" | "Mapping" => (Some("dict"), "{}", "an empty dict"),
        "set" | "Set" => (Some("set"), "set()", "an empty set"),
        _ => return None,
    };
    let assignment = field_assignment(&source, field)?;
    let annotation = assignment.child_by_field_name("type")?;
    let edit = match (factory, assignment.child_by_field_name("right")) {
        (None, _) => set_default(&source, annotation, assignment, literal)?,
        (Some(factory), None) if imported(&source, "Field").is_some() => Edit::insert(
            annotation.end_byte(),
            format!(" = Field(default_factory={factory})"),
        ),
        (Some(_), None) => Edit::insert(annotation.end_byte(), format!(" = {literal}")),
        (Some(factory), Some(call)) => match ellipsis(call) {
            Some(marker) => Edit::replace(marker, format!("default_factory={factory}")),
            None => set_keyword(source.text, call.byte_range(), "default_factory", factory)?,
        },
    };
    Some(reviewed(
        format!("Default `{}` to {what}", field.name),
        vec![edit],
    ))
}

fn reviewed(title: String, edits: Vec<Edit>) -> Fix {
    Fix {
        title: title.into(),
        applicability: Applicability::Unsafe,
        edits,
    }
}

/// A Python module and the variable a `getenv`-style read names: the
/// reads the settings fixes rewrite.
fn getenv_read<'s, 'r>(
    source: Option<Source<'s>>,
    read: &'r EnvRead,
) -> Option<(Source<'s>, &'r str)> {
    let name = read
        .name
        .as_deref()
        .filter(|_| read.kind == ReadKind::Get)?;
    Some((python(source)?, name))
}

fn python(source: Option<Source<'_>>) -> Option<Source<'_>> {
    source.filter(|s| s.language == Language::Python)
}

fn text<'a>(source: &Source<'a>, node: Node<'_>) -> &'a str {
    source.text.get(node.byte_range()).unwrap_or_default()
}

/// The node of `kind` spanning exactly `range`.
fn node_at<'t>(source: &Source<'t>, range: &Range<usize>, kind: &str) -> Option<Node<'t>> {
    let smallest = source
        .tree
        .root_node()
        .descendant_for_byte_range(range.start, range.end);
    let mut node = smallest;
    while let Some(n) = node.filter(|n| n.byte_range() == *range) {
        if n.kind() == kind {
            return Some(n);
        }
        node = n.parent();
    }
    None
}

/// The `name: type [= value]` assignment declaring `field`.
fn field_assignment<'t>(source: &Source<'t>, field: &Field) -> Option<Node<'t>> {
    let name = node_at(source, &field.name_range, "identifier")?;
    let assignment = name.parent().filter(|a| a.kind() == "assignment")?;
    (assignment.child_by_field_name("left")?.id() == name.id()).then_some(assignment)
}

/// The edit that gives the field of `assignment` the default `value`:
/// ` = value` after the annotation, or inside its `Field(...)` call.
fn set_default(
    source: &Source<'_>,
    annotation: Node<'_>,
    assignment: Node<'_>,
    value: &str,
) -> Option<Edit> {
    match assignment.child_by_field_name("right") {
        None => Some(Edit::insert(annotation.end_byte(), format!(" = {value}"))),
        Some(call) => match ellipsis(call) {
            Some(marker) => Some(Edit::replace(marker, value)),
            None => set_keyword(source.text, call.byte_range(), "default", value),
        },
    }
}

/// The arguments of a call, comments aside.
fn arguments(call: Node<'_>) -> Vec<Node<'_>> {
    let Some(list) = call.child_by_field_name("arguments") else {
        return Vec::new();
    };
    (0..list.named_child_count())
        .filter_map(|i| list.named_child(i as u32))
        .filter(|a| a.kind() != "comment")
        .collect()
}

/// The `...` passed first to `Field(...)`.
fn ellipsis(call: Node<'_>) -> Option<Range<usize>> {
    arguments(call)
        .first()
        .filter(|a| a.kind() == "ellipsis")
        .map(Node::byte_range)
}

/// The argument of `call` that is, or whose keyword value is, `range`.
fn argument_holding<'t>(call: Node<'t>, range: &Range<usize>) -> Option<Node<'t>> {
    arguments(call).into_iter().find(|a| {
        a.byte_range() == *range
            || (a.kind() == "keyword_argument"
                && a.child_by_field_name("value")
                    .is_some_and(|v| v.byte_range() == *range))
    })
}

/// What to delete to drop `argument` from its call: with the comma that
/// joins it to the next argument, or to the previous one when it is last.
fn without_argument(argument: Node<'_>) -> Option<Range<usize>> {
    let siblings = arguments(argument.parent()?.parent()?);
    let at = siblings.iter().position(|a| a.id() == argument.id())?;
    Some(
        match (at.checked_sub(1).map(|i| siblings[i]), siblings.get(at + 1)) {
            (_, Some(next)) => argument.start_byte()..next.start_byte(),
            (Some(previous), None) => previous.end_byte()..argument.end_byte(),
            (None, None) => argument.byte_range(),
        },
    )
}

/// The top-level import statement that binds `name`, if any.
fn imported<'t>(source: &Source<'t>, name: &str) -> Option<Node<'t>> {
    let root = source.tree.root_node();
    (0..root.named_child_count())
        .filter_map(|i| root.named_child(i as u32))
        .filter(|s| matches!(s.kind(), "import_statement" | "import_from_statement"))
        .find(|statement| {
            let mut cursor = statement.walk();
            statement
                .children_by_field_name("name", &mut cursor)
                .any(|bound| {
                    let bound = match bound.kind() {
                        "aliased_import" => bound.child_by_field_name("alias"),
                        _ => Some(bound),
                    };
                    bound.is_some_and(|b| text(source, b) == name)
                })
        })
}

/// `statement` on a line of its own after the module's leading docstring,
/// comments and imports (so after `from __future__` too).
fn add_import(source: &Source<'_>, statement: &str) -> Edit {
    let root = source.tree.root_node();
    let mut after = None;
    for node in (0..root.named_child_count()).filter_map(|i| root.named_child(i as u32)) {
        let docstring = node.kind() == "expression_statement"
            && node.named_child(0).is_some_and(|s| s.kind() == "string")
            && after.is_none();
        match node.kind() {
            "import_statement" | "import_from_statement" | "future_import_statement" => {
                after = Some(node.end_byte())
            }
            "comment" => {}
            _ if docstring => after = Some(node.end_byte()),
            _ => break,
        }
    }
    match after {
        Some(end) => Edit::insert(end, format!("\n{statement}")),
        None => Edit::insert(0, format!("{statement}\n")),
    }
}

/// The edits that make `name`, created at the top of the module `module`,
/// usable in the document at `path`: an import, or none when it is imported
/// already. `None` when the document is that module or binds the name to
/// something else.
fn import_object(source: &Source<'_>, path: &Path, module: &Path, name: &str) -> Option<Vec<Edit>> {
    if same_file(module, path) {
        return None;
    }
    let dotted = module_name(source.is_package, module, path)?;
    match imported(source, name) {
        Some(statement)
            if statement.kind() == "import_from_statement"
                && statement
                    .child_by_field_name("module_name")
                    .is_some_and(|m| text(source, m) == dotted) =>
        {
            Some(Vec::new())
        }
        Some(_) => None,
        None => Some(vec![add_import(
            source,
            &format!("from {dotted} import {name}"),
        )]),
    }
}

/// The dotted name `reader` imports the module at `file` by: its packages
/// (directories with `__init__.py`) above it; without any, its path from the
/// directory the two files share.
fn module_name(is_package: &dyn Fn(&Path) -> bool, file: &Path, reader: &Path) -> Option<String> {
    let file = std::path::absolute(file).ok()?;
    let reader = std::path::absolute(reader).ok()?;
    let mut parts: Vec<String> = vec![file.file_stem()?.to_str()?.to_string()];
    let mut dir = file.parent()?;
    while is_package(dir) {
        parts.push(dir.file_name()?.to_str()?.to_string());
        dir = dir.parent()?;
    }
    if parts.len() == 1 {
        let shared = shared_dir(dir, reader.parent()?);
        let below = dir.strip_prefix(shared).ok()?;
        for part in below.components().rev() {
            let Component::Normal(part) = part else {
                return None;
            };
            parts.push(part.to_str()?.to_string());
        }
    }
    parts.reverse();
    parts
        .iter()
        .all(|p| is_identifier(p))
        .then(|| parts.join("."))
}

fn shared_dir<'p>(a: &'p Path, b: &Path) -> &'p Path {
    a.ancestors()
        .find(|ancestor| b.starts_with(ancestor))
        .unwrap_or(a)
}

fn same_file(a: &Path, b: &Path) -> bool {
    std::path::absolute(a).ok() == std::path::absolute(b).ok()
}

fn same_name(a: &str, b: &str, case_sensitive: bool) -> bool {
    if case_sensitive {
        a == b
    } else {
        a.eq_ignore_ascii_case(b)
    }
}

fn is_identifier(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// The field that reads `name` in a class with `prefix`: the name without
/// the prefix, in the case the class's fields are written in (pydantic
/// matches case-insensitively unless told otherwise).
fn new_field_name(
    name: &str,
    prefix: &str,
    case_sensitive: bool,
    class: &crate::analysis::env::ClassDecl,
) -> Option<String> {
    let head = name.get(..prefix.len())?;
    if !same_name(head, prefix, case_sensitive) {
        return None;
    }
    let rest = &name[prefix.len()..];
    let upper = class.fields.iter().any(|f| f.name == f.name.to_uppercase());
    let field = if case_sensitive || upper {
        rest.to_string()
    } else {
        rest.to_lowercase()
    };
    is_identifier(&field).then_some(field)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::engine::Analysis;
    use crate::text::Document;

    #[test]
    fn modules_are_named_by_their_packages_else_from_the_shared_directory() {
        let packages = |dir: &Path| dir.ends_with("app") || dir.ends_with("app/core");
        let name =
            |file: &str, reader: &str| module_name(&packages, Path::new(file), Path::new(reader));
        assert_eq!(
            name("/r/backend/app/core/config.py", "/r/backend/app/db.py").as_deref(),
            Some("app.core.config")
        );
        assert_eq!(
            name("/r/src/settings.py", "/r/src/main.py").as_deref(),
            Some("settings")
        );
        assert_eq!(
            name("/r/conf/settings.py", "/r/main.py").as_deref(),
            Some("conf.settings")
        );
        assert_eq!(name("/r/my-conf/settings.py", "/r/main.py"), None);
    }

    #[test]
    fn field_names_follow_the_prefix_and_the_class_case() {
        let mut class = crate::analysis::env::ClassDecl {
            name: "Settings".into(),
            name_range: 0..0,
            bases: Vec::new(),
            fields: Vec::new(),
            config: Default::default(),
            append_at: 0,
            indent: "    ".into(),
        };
        assert_eq!(
            new_field_name("APP_DEBUG", "APP_", false, &class).as_deref(),
            Some("debug")
        );
        assert_eq!(new_field_name("OTHER", "APP_", false, &class), None);
        assert_eq!(new_field_name("APP_DEBUG", "app_", true, &class), None);
        assert_eq!(new_field_name("X-Y", "", false, &class), None);
        let upper = Field {
            name: "PROJECT_NAME".into(),
            name_range: 0..0,
            line: 0,
            annotation: "str".into(),
            optional: false,
            default: FieldDefault::Required,
            aliases: Vec::new(),
            description: None,
            env_names: Vec::new(),
            nested: None,
            client: false,
            validator: None,
        };
        class.fields.push(upper);
        assert_eq!(
            new_field_name("REDIS_URL", "", false, &class).as_deref(),
            Some("REDIS_URL")
        );
    }

    #[test]
    fn fixes_are_built_only_when_asked_for() {
        let text = "import os\nfrom os import getenv\nurl = getenv('URL')\n";
        let document = || Document::new(text, 0, Language::Python);
        let mut analysis = Analysis::new(Some("app/x.py".into()), document());
        assert!(
            analysis
                .diagnose(&Config::default())
                .iter()
                .all(|f| f.fixes.is_empty())
        );
        let findings = analysis.findings(&Config::default());
        let titles: Vec<&str> = findings
            .iter()
            .flat_map(|f| &f.fixes)
            .map(|f| f.title.as_ref())
            .collect();
        // `os` is imported: no second `import os`.
        assert_eq!(
            titles,
            ["Read `URL` with `os.environ[...]`: fail fast when unset"]
        );
        let edits = &findings[0].fixes[0].edits;
        assert_eq!(edits.len(), 1);
        assert_eq!(edits[0].replacement, "os.environ['URL']");
    }
}
