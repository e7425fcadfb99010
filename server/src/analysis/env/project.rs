//! The env model across files: what each file contributes (its [`EnvFacts`])
//! and the project view rules and hovers consult ([`Project`]). Python
//! settings classes are resolved here, because a class's fields become
//! settings fields only once some class in some file derives it from
//! `BaseSettings`, and their variable names come from that class's
//! configuration.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{ClassDecl, EnvFile, Field, FieldDefault, Instance, Schema, SettingsConfig};

/// What one file tells the rest of the project about environment variables.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EnvFacts {
    /// Python classes, unresolved.
    pub classes: Vec<ClassDecl>,
    /// Schemas a front end resolved itself (TypeScript env modules).
    pub schemas: Vec<Schema>,
    /// Variables the file's code reads by a literal name.
    pub reads: Vec<Mention>,
    /// Keys an env example file documents (a commented `# KEY=` too).
    pub documented: Vec<Mention>,
    /// Variables a deploy sets: a workflow's `env:`, a container's `env`, a
    /// compose service's `environment:`.
    pub provided: Vec<Mention>,
    /// Whether the file is a settings module: it defines a settings class or
    /// validates the environment (`cleanEnv`, `createEnv`).
    pub settings_module: bool,
    /// Classes the module calls at import (`settings = Settings()`,
    /// `app = create_app(Settings())`), which may be settings classes.
    pub built_at_import: Vec<String>,
    /// Module-level objects of a (possibly) settings class.
    pub instances: Vec<Instance>,

    /// Set for an env example file: where a line is appended to it.
    pub example: Option<Append>,
}

/// Where a fix appends a line to a file: its end, and whether the last line
/// must be ended first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Append {
    pub at: usize,
    pub newline: bool,
}

impl EnvFacts {
    pub fn is_empty(&self) -> bool {
        self == &EnvFacts::default()
    }

    /// Whether the two tell other files the same, lines aside.
    pub fn same_names(&self, other: &EnvFacts) -> bool {
        fn names(m: &[Mention]) -> impl Iterator<Item = &str> {
            m.iter().map(|m| m.name.as_str())
        }
        // What resolution reads from a class; defaults only as "has one".
        fn shape(classes: &[ClassDecl]) -> Vec<ClassShape<'_>> {
            classes
                .iter()
                .map(|c| {
                    let fields = c
                        .fields
                        .iter()
                        .map(|f| {
                            (
                                f.name.as_str(),
                                f.annotation.as_str(),
                                f.optional,
                                f.default == FieldDefault::Required,
                                f.aliases.as_slice(),
                            )
                        })
                        .collect();
                    (c.name.as_str(), c.bases.as_slice(), &c.config, fields)
                })
                .collect()
        }
        // An example file's end counts: a fix appending to it must see it.
        self.settings_module == other.settings_module
            && self.example == other.example
            && self.built_at_import == other.built_at_import
            && names(&self.reads).eq(names(&other.reads))
            && names(&self.documented).eq(names(&other.documented))
            && names(&self.provided).eq(names(&other.provided))
            && self.instances == other.instances
            && shape(&self.classes) == shape(&other.classes)
            && shape_schemas(&self.schemas) == shape_schemas(&other.schemas)
    }

    /// The facts of a file's env model.
    pub fn of(file: &EnvFile) -> Self {
        if let Some(dotenv) = file.dotenv.as_ref().filter(|d| d.is_example()) {
            return EnvFacts {
                documented: dotenv
                    .file
                    .entries
                    .iter()
                    .map(|e| Mention {
                        name: e.key.clone(),
                        line: e.line,
                    })
                    .collect(),
                example: Some(Append {
                    at: dotenv.len,
                    newline: dotenv.unterminated,
                }),
                ..EnvFacts::default()
            };
        }
        EnvFacts {
            classes: file.classes.clone(),
            schemas: file
                .schemas
                .iter()
                .filter(|_| file.classes.is_empty())
                .cloned()
                .collect(),
            reads: file
                .reads
                .iter()
                .filter_map(|r| {
                    Some(Mention {
                        name: r.name.clone()?,
                        line: r.line,
                    })
                })
                .collect(),
            documented: Vec::new(),
            provided: Vec::new(),
            settings_module: !file.schemas.is_empty() || !file.validations.is_empty(),
            example: None,
            built_at_import: {
                let mut eager: Vec<String> = file
                    .constructions
                    .iter()
                    .filter(|c| !c.lazy)
                    .map(|c| c.class.clone())
                    .collect();
                eager.sort();
                eager.dedup();
                eager
            },
            instances: file.instances.clone(),
        }
    }
}

type ClassShape<'c> = (
    &'c str,
    &'c [String],
    &'c SettingsConfig,
    Vec<(&'c str, &'c str, bool, bool, &'c [String])>,
);

fn shape_schemas(schemas: &[Schema]) -> Vec<Vec<(&str, &[String], bool)>> {
    schemas
        .iter()
        .map(|s| {
            s.fields
                .iter()
                .map(|f| {
                    (
                        f.name.as_str(),
                        f.env_names.as_slice(),
                        f.default == FieldDefault::Required,
                    )
                })
                .collect()
        })
        .collect()
}

/// A variable named somewhere, with the zero-based line it is named on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    pub name: String,
    pub line: u32,
}

/// A settings field as the project sees it: where it is declared and the
/// variables that set it.
#[derive(Debug, Clone)]
pub struct Declared<'p> {
    pub path: &'p Path,
    pub schema: String,
    pub case_sensitive: bool,
    pub field: Field,
}

impl Declared<'_> {
    pub fn required(&self) -> bool {
        self.field.default == FieldDefault::Required && !self.field.optional
    }
}

/// Every file's facts: the files the workspace index holds, with the file
/// being checked in its current (possibly unsaved) state.
#[derive(Debug, Clone, Default)]
pub struct Project {
    files: Vec<(PathBuf, Arc<EnvFacts>)>,
}

impl Project {
    pub fn new(files: Vec<(PathBuf, Arc<EnvFacts>)>) -> Self {
        Project { files }
    }

    pub fn files(&self) -> impl Iterator<Item = (&Path, &EnvFacts)> {
        self.files.iter().map(|(p, f)| (p.as_path(), f.as_ref()))
    }

    /// This project with `path`'s facts replaced by `facts`.
    pub fn with_file(&self, path: &Path, facts: EnvFacts) -> Project {
        let mut files: Vec<_> = self
            .files
            .iter()
            .filter(|(p, _)| p != path)
            .cloned()
            .collect();
        files.push((path.to_path_buf(), Arc::new(facts)));
        Project { files }
    }

    /// The Python classes of every file but `except`.
    pub fn classes_except(&self, except: Option<&Path>) -> Vec<&ClassDecl> {
        let mut files: Vec<(&Path, &EnvFacts)> =
            self.files().filter(|(p, _)| Some(*p) != except).collect();
        // Farthest first: where two files define a class of the same name (a
        // `Settings` per service of a monorepo), the nearest one is the one
        // `resolve` keeps.
        if let Some(near) = except {
            files.sort_by_key(|(p, _)| shared_components(p, near));
        }
        files.into_iter().flat_map(|(_, f)| &f.classes).collect()
    }

    /// Every settings field of the project, resolved.
    pub fn declared(&self) -> Vec<Declared<'_>> {
        let mut out = Vec::new();
        for (path, facts) in self.files() {
            let schemas = if facts.classes.is_empty() {
                facts.schemas.clone()
            } else {
                resolve(&facts.classes, &self.classes_except(Some(path)))
            };
            for schema in schemas {
                for field in schema.fields {
                    out.push(Declared {
                        path,
                        schema: schema.name.clone(),
                        case_sensitive: schema.case_sensitive,
                        field,
                    });
                }
            }
        }
        out
    }

    /// The settings module governing `path`: the first of `modules` (each
    /// with the directory it governs) of the same language family whose
    /// directory holds `path`. `None` when `path` is one of them.
    pub fn governing<'m>(path: &Path, modules: &'m [(&Path, PathBuf)]) -> Option<&'m Path> {
        if modules.iter().any(|(module, _)| *module == path) {
            return None;
        }
        let python = |p: &Path| p.extension().is_some_and(|e| e == "py" || e == "pyi");
        modules
            .iter()
            .find(|(module, root)| python(module) == python(path) && path.starts_with(root))
            .map(|(module, _)| *module)
    }

    /// The settings class `name`: its file, its declaration and its schema
    /// as resolved there (prefix, case). `None` unless it is a settings class
    /// no other settings class extends.
    pub fn settings_class(&self, name: &str) -> Option<(&Path, &ClassDecl, Schema)> {
        self.files().find_map(|(path, facts)| {
            let class = facts.classes.iter().find(|c| c.name == name)?;
            let schema = resolve(&facts.classes, &self.classes_except(Some(path)))
                .into_iter()
                .find(|s| s.name == name)?;
            Some((path, class, schema))
        })
    }

    /// A module-level object of the class `class` (`settings = Settings()`)
    /// and the file that creates it.
    pub fn instance_of(&self, class: &str) -> Option<(&Path, &Instance)> {
        self.files()
            .find_map(|(path, f)| Some((path, f.instances.iter().find(|i| i.class == class)?)))
    }

    /// Whether any file instantiates `class` at import.
    pub fn instantiated(&self, class: &str) -> bool {
        self.files()
            .any(|(_, f)| f.built_at_import.iter().any(|c| c == class))
    }

    /// The files that declare a settings schema.
    pub fn settings_modules(&self) -> Vec<&Path> {
        self.files()
            .filter(|(_, f)| f.settings_module)
            .map(|(p, _)| p)
            .collect()
    }

    /// Whether `class` derives from `BaseSettings` through the project's
    /// classes.
    pub fn is_settings(&self, class: &ClassDecl) -> bool {
        let graph = Graph {
            by_name: self
                .classes_except(None)
                .into_iter()
                .map(|c| (c.name.as_str(), c))
                .collect(),
        };
        graph.is_settings(class)
    }

    /// The env example files that document variables for `path`: those in
    /// its directory or an ancestor, nearest first.
    pub fn examples_for(&self, path: &Path) -> Vec<(&Path, &EnvFacts)> {
        let mut found: Vec<(&Path, &EnvFacts)> = self
            .files()
            .filter(|(example, facts)| facts.example.is_some() && covers(example, path))
            .collect();
        found.sort_by_key(|(example, _)| std::cmp::Reverse(example.components().count()));
        found
    }
}

/// How many leading path components `a` and `b` share.
fn shared_components(a: &Path, b: &Path) -> usize {
    a.components()
        .zip(b.components())
        .take_while(|(x, y)| x == y)
        .count()
}

/// Whether the env example file at `example` documents variables for the
/// file at `path`: it sits in `path`'s directory or an ancestor.
pub fn covers(example: &Path, path: &Path) -> bool {
    example.parent().is_some_and(|dir| path.starts_with(dir))
}

/// The settings schemas whose fields `local` declares: for every settings
/// class of the project (this file's first, in source order), its fields
/// (own and inherited, subclass winning) named with its configuration,
/// keeping those a class of `local` declares and no earlier schema took. So
/// a base settings class names its own fields, and a mixin's fields are
/// named by the first settings class that includes it.
pub fn resolve(local: &[ClassDecl], others: &[&ClassDecl]) -> Vec<Schema> {
    let mut by_name: HashMap<&str, &ClassDecl> = HashMap::new();
    for class in others.iter().copied().chain(local) {
        // Local classes win a name clash: they are what this file refers to.
        by_name.insert(class.name.as_str(), class);
    }
    let graph = Graph { by_name };
    let settings: Vec<&ClassDecl> = local
        .iter()
        .chain(others.iter().copied())
        .filter(|c| graph.is_settings(c))
        .collect();
    let is_local = |c: &ClassDecl| local.iter().any(|l| std::ptr::eq(l, c));
    let mut seen: HashSet<(usize, usize)> = HashSet::new();
    let mut schemas = Vec::new();
    for settings_class in settings {
        let order = graph.linearize(settings_class);
        let config = order
            .iter()
            .rev()
            .fold(SettingsConfig::default(), |acc, c| acc.merged(&c.config));
        let mut fields: Vec<(&ClassDecl, &Field)> = Vec::new();
        for class in order.iter().rev() {
            for field in &class.fields {
                fields.retain(|(_, f)| f.name != field.name);
                fields.push((class, field));
            }
        }
        let mut schema = Schema {
            name: settings_class.name.clone(),
            env_prefix: config.env_prefix.clone().unwrap_or_default(),
            case_sensitive: config.case_sensitive.unwrap_or(false),
            env_files: config.env_file.clone().unwrap_or_default(),
            fields: Vec::new(),
        };
        for (class, field) in fields {
            let key = (field.name_range.start, field.name_range.end);
            if !is_local(class) || !seen.insert(key) {
                continue;
            }
            let mut field = field.clone();
            name_field(&mut field, &schema, &config, &graph);
            schema.fields.push(field);
        }
        if is_local(settings_class) || !schema.fields.is_empty() {
            schemas.push(schema);
        }
    }
    schemas
}

/// Sets the variables a field is read from: its aliases as written (the
/// prefix applies to field names only), else the prefixed field name; and,
/// for a nested model with a delimiter, the prefix of its sub-variables.
fn name_field(field: &mut Field, schema: &Schema, config: &SettingsConfig, graph: &Graph<'_>) {
    let display = |name: String| {
        if schema.case_sensitive {
            name
        } else {
            name.to_uppercase()
        }
    };
    let own = format!("{}{}", schema.env_prefix, field.name);
    field.env_names = if field.aliases.is_empty() {
        vec![display(own.clone())]
    } else {
        field.aliases.iter().cloned().map(display).collect()
    };
    let model = field
        .annotation
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .filter_map(|word| word.rsplit('.').next())
        .find(|word| graph.by_name.contains_key(word));
    if let (Some(delimiter), Some(_)) = (&config.env_nested_delimiter, model) {
        field.nested = Some(display(format!("{own}{delimiter}")));
    }
}

struct Graph<'c> {
    by_name: HashMap<&'c str, &'c ClassDecl>,
}

/// How deep a chain of bases is followed (a cycle or a generated hierarchy
/// must not loop).
const MAX_DEPTH: usize = 32;

impl<'c> Graph<'c> {
    fn is_settings(&self, class: &ClassDecl) -> bool {
        self.reaches_base_settings(class, 0)
    }

    fn reaches_base_settings(&self, class: &ClassDecl, depth: usize) -> bool {
        depth < MAX_DEPTH
            && class.bases.iter().any(|base| {
                base == "BaseSettings"
                    || self
                        .by_name
                        .get(base.as_str())
                        .is_some_and(|b| self.reaches_base_settings(b, depth + 1))
            })
    }

    /// The class and its known bases, most derived first, each once
    /// (depth-first, left to right: Python's order for the hierarchies
    /// settings use, where mixins do not share bases with fields).
    fn linearize(&self, class: &'c ClassDecl) -> Vec<&'c ClassDecl> {
        let mut order: Vec<&ClassDecl> = Vec::new();
        let mut stack = vec![(class, 0)];
        while let Some((class, depth)) = stack.pop() {
            if depth > MAX_DEPTH || order.iter().any(|c| std::ptr::eq(*c, class)) {
                continue;
            }
            order.push(class);
            for base in class.bases.iter().rev() {
                if let Some(b) = self.by_name.get(base.as_str()) {
                    stack.push((b, depth + 1));
                }
            }
        }
        order
    }
}

#[cfg(test)]
mod tests;
