//! The environment-variable model of one source file: every place it reads a
//! variable (`os.getenv("X")`, `os.environ["X"]`) and every settings schema
//! it declares (pydantic-settings `BaseSettings` classes), with each field's
//! effective variable name. Env rules judge this model, never the syntax
//! tree: the Python front end (`os.getenv`, pydantic-settings) and the
//! TypeScript / JavaScript one (`process.env`, envalid, t3-env, zod) fill the
//! same shape.

pub mod dotenv;
pub mod platform;
pub mod project;
pub mod python;
mod secret;
pub mod typescript;

use std::ops::Range;
use std::path::Path;

use dotenv::Dotenv;
use project::Project;

use crate::text::Language;

pub use secret::{is_secret_name, real_secret};

/// What a file says about environment variables.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EnvFile {
    pub reads: Vec<EnvRead>,
    /// Python classes, settings or not (a mixin's fields are settings
    /// fields once a settings class in any file derives from it).
    pub classes: Vec<ClassDecl>,
    /// The settings schemas this file declares fields of, resolved against
    /// the project's classes.
    pub schemas: Vec<Schema>,
    /// Module-level objects of a settings class (`settings = Settings()`):
    /// what code elsewhere imports instead of reading the environment.
    pub instances: Vec<Instance>,
    /// The module's comments and statements (nested ones too, in source
    /// order): where `# preflight: ignore[...]` directives sit and what they
    /// cover.
    pub comments: Vec<Range<usize>>,
    pub statements: Vec<Range<usize>>,
    /// An env file's entries (`.env.example`, a committed `.env`).
    pub dotenv: Option<Dotenv>,
    /// Which front end wrote the model, so messages name its idioms.
    pub dialect: Dialect,
    /// Where a TypeScript module validates the environment at startup
    /// (`cleanEnv`, `createEnv`, a zod schema's `parse(process.env)`).
    pub validations: Vec<Validation>,
    /// Calls of capitalised names (Python): where a settings class may be
    /// instantiated, at import or only when a function runs.
    pub constructions: Vec<Construction>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Dialect {
    #[default]
    Python,
    /// TypeScript and JavaScript.
    JavaScript,
}

impl EnvFile {
    /// Whether the file reads, declares or documents any variable.
    pub fn is_empty(&self) -> bool {
        self.reads.is_empty()
            && self.schemas.is_empty()
            && self
                .dotenv
                .as_ref()
                .is_none_or(|d| d.file.entries.is_empty())
    }

    /// The model of an env file: its entries, and its comments and entries
    /// for suppressions.
    pub fn of_dotenv(dotenv: Dotenv) -> EnvFile {
        EnvFile {
            comments: dotenv.file.comments.clone(),
            statements: dotenv.file.statements.clone(),
            dotenv: Some(dotenv),
            ..EnvFile::default()
        }
    }
}

/// Visits a syntax tree depth-first in source order, each node with the
/// context its parent gave it (how its value is used), through an explicit
/// stack: a deeply nested file cannot overflow the call stack. `visit`
/// pushes the children to visit, with their context.
fn walk<'t, U: Copy>(
    root: tree_sitter::Node<'t>,
    context: U,
    mut visit: impl FnMut(tree_sitter::Node<'t>, U, &mut Vec<(tree_sitter::Node<'t>, U)>),
) {
    let mut stack = vec![(root, context)];
    let mut children = Vec::new();
    while let Some((node, context)) = stack.pop() {
        visit(node, context, &mut children);
        // Reversed so nodes come out in source order.
        stack.extend(children.drain(..).rev());
    }
}

/// Whether `path` is a test module or lies in a test directory: tests set
/// up their own environment on purpose. Give a path relative to the project
/// (a checkout under `/tmp/tests/` is no test).
pub fn is_test_path(path: &Path) -> bool {
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let test_file = name.starts_with("test_")
        || name.ends_with("_test.py")
        || name == "conftest.py"
        || [".test.", ".spec."].iter().any(|m| name.contains(m));
    let test_dir = path
        .parent()
        .into_iter()
        .flat_map(|p| p.components())
        .any(|c| {
            let c = c.as_os_str();
            c == "tests" || c == "test" || c == "__tests__"
        });
    test_file || test_dir
}

/// What an env rule judges: one file's model, with the project around it
/// (the file's own facts included, as currently edited).
pub struct EnvCheck<'a> {
    pub file: &'a EnvFile,
    pub path: Option<&'a Path>,
    pub project: &'a Project,
    /// The settings module that should read this file's variables, when the
    /// project has one and this file is not it.
    pub settings_module: Option<&'a Path>,
    /// `env-read-outside-settings` reports this file's reads (a settings
    /// module governs it and the rule is on): other rules about the same
    /// reads give way to it.
    pub reads_go_through_settings: bool,
    /// Whether the configuration's `env-allowlist` names a variable: set or
    /// read by something besides the project's code.
    pub allowed: &'a dyn Fn(&str) -> bool,
    /// The file's schemas at the merge-base with the base branch; `None`
    /// when that is unknown (no repository, no base branch, not asked for).
    pub base: Option<&'a BaseSchemas>,
    /// The checked text and its tree, for fix builders; `None` when no fixes
    /// are wanted (diagnostics after each keystroke).
    pub source: Option<Source<'a>>,
}

/// What a file declared on the base branch (at the merge-base of `HEAD` and
/// that branch), for telling new requirements from old ones.
#[derive(Debug, Clone, PartialEq)]
pub struct BaseSchemas {
    /// The branch compared with, as named to the user (`origin/main`).
    pub branch: String,
    /// Empty when the file did not exist there.
    pub schemas: Vec<Schema>,
}

/// A document as fix builders read it.
#[derive(Clone, Copy)]
pub struct Source<'a> {
    pub text: &'a str,
    pub tree: &'a tree_sitter::Tree,
    pub language: Language,
    /// Whether a directory is a Python package (holds `__init__.py`): how
    /// an import of a settings module is named.
    pub is_package: &'a dyn Fn(&Path) -> bool,
}

/// `name = Class(...)` at module level, where `Class` may be a settings
/// class (resolved against the project).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    pub name: String,
    pub class: String,
}

/// How a read behaves when the variable is unset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadKind {
    /// `os.getenv`, `os.environ.get`: `None` or the default.
    Get,
    /// `os.environ["X"]`: `KeyError`, so it fails fast.
    Index,
    /// `os.environ.setdefault("X", d)`: sets the default for the process.
    SetDefault,
    /// `process.env.X!`: `undefined` when unset, though the compiler is told
    /// otherwise.
    Asserted,
}

/// One read of a variable.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvRead {
    pub kind: ReadKind,
    /// The variable's name when the key is a string literal.
    pub name: Option<String>,
    /// The key expression (where name findings point).
    pub key: Range<usize>,
    /// The key is a literal that is no string (`os.getenv(42)`).
    pub key_not_str: bool,
    /// The whole call or subscript.
    pub range: Range<usize>,
    /// Zero-based line of the key, for pointing at it from another file.
    pub line: u32,
    pub default: Option<Value>,
    /// The result is tested before use: a condition, an `or` operand, a
    /// comparison, or a name the file tests later.
    pub checked: bool,
}

/// A default value as written, classified by what the program gets.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    pub range: Range<usize>,
    pub kind: ValueKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueKind {
    /// A string literal with its value.
    Str(String),
    /// A secret wrapper around a string literal: `SecretStr("changeme")`.
    SecretStr(String),
    None,
    /// A literal or constructor of another type (`8000`, `True`,
    /// `Path(...)`, `[...]`), named for the message.
    NotStr(&'static str),
    /// Anything computed (a name, a call, an f-string with fields).
    Unknown,
}

/// A class of a Python module as the settings model needs it: its bases
/// (last dotted segment), its annotated fields and its settings
/// configuration. Whether it is a settings class is decided with the
/// project's other classes (a mixin in one file, `BaseSettings` in another).
#[derive(Debug, Clone, PartialEq)]
pub struct ClassDecl {
    pub name: String,
    pub name_range: Range<usize>,
    pub bases: Vec<String>,
    /// Fields as declared; their `env_names` are empty until resolved.
    pub fields: Vec<Field>,
    pub config: SettingsConfig,
    /// Where a new field goes: the end of the last field's statement (else
    /// of the body's last statement).
    pub append_at: usize,
    /// The body's indentation, for a new field.
    pub indent: String,
}

/// `model_config = SettingsConfigDict(...)` or `class Config:` as written;
/// `None` where the class leaves the setting to its bases.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SettingsConfig {
    pub env_prefix: Option<String>,
    pub case_sensitive: Option<bool>,
    pub env_nested_delimiter: Option<String>,
    pub env_file: Option<Vec<String>>,
}

impl SettingsConfig {
    /// This configuration with `over`'s explicit settings on top (a subclass
    /// overrides what its bases configure).
    fn merged(&self, over: &SettingsConfig) -> SettingsConfig {
        SettingsConfig {
            env_prefix: over.env_prefix.clone().or_else(|| self.env_prefix.clone()),
            case_sensitive: over.case_sensitive.or(self.case_sensitive),
            env_nested_delimiter: over
                .env_nested_delimiter
                .clone()
                .or_else(|| self.env_nested_delimiter.clone()),
            env_file: over.env_file.clone().or_else(|| self.env_file.clone()),
        }
    }
}

/// A settings schema: a settings class (Python) or an env module's
/// validators (TypeScript), with the fields this file declares.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    /// The settings class (possibly in another file, when this file holds
    /// one of its mixins) or the env object.
    pub name: String,
    pub env_prefix: String,
    pub case_sensitive: bool,
    /// `env_file=` of the configuration, as written.
    pub env_files: Vec<String>,
    pub fields: Vec<Field>,
}

/// One field of a settings schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub name_range: Range<usize>,
    /// Zero-based line of the name, for pointing at it from another file.
    pub line: u32,
    /// The annotation as written (`str`, `Optional[int]`).
    pub annotation: String,
    /// `Optional[...]` or `... | None`: `None` is a valid value.
    pub optional: bool,
    pub default: FieldDefault,
    /// `alias=` / `validation_alias=` (a string or `AliasChoices(...)`):
    /// the names read, without prefix.
    pub aliases: Vec<String>,
    /// `Field(description=...)`.
    pub description: Option<String>,
    /// The variables the field is read from, the first being the one to
    /// document; empty until the schema is resolved.
    pub env_names: Vec<String>,
    /// With `env_nested_delimiter`, the prefix of the variables that set the
    /// field's sub-fields (`APP_DB__`).
    pub nested: Option<String>,
    /// Declared for the browser bundle (t3-env `client:`).
    pub client: bool,
    /// How a TypeScript schema writes the field, for rewrites.
    pub validator: Option<Validator>,
}

impl Field {
    /// The variable to name in messages and to document.
    pub fn env_name(&self) -> &str {
        self.env_names
            .first()
            .map_or(self.name.as_str(), String::as_str)
    }

    /// Whether setting `name` sets this field (case-insensitively unless the
    /// schema is case-sensitive, as pydantic-settings matches).
    pub fn read_from(&self, name: &str, case_sensitive: bool) -> bool {
        let same = |a: &str, b: &str| {
            if case_sensitive {
                a == b
            } else {
                a.eq_ignore_ascii_case(b)
            }
        };
        self.env_names.iter().any(|n| same(n, name))
            || self.nested.as_deref().is_some_and(|prefix| {
                name.len() > prefix.len()
                    && name.is_char_boundary(prefix.len())
                    && same(&name[..prefix.len()], prefix)
            })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum FieldDefault {
    /// No default: the settings object cannot be built without the variable.
    Required,
    Value(Value),
    /// `Field(default_factory=...)`.
    Factory,
    /// envalid `devDefault`: used outside production only, so production
    /// still requires the variable.
    Development(Value),
}

/// How a TypeScript schema writes a field's validator: what a rewrite
/// needs to add an option or method, or take a default out.
#[derive(Debug, Clone, PartialEq)]
pub enum Validator {
    /// envalid `str({ desc: "..." })`.
    Envalid {
        /// The validator function: `str`, `num`, `port`...
        name: String,
        /// The argument list, parentheses included.
        arguments: Range<usize>,
        /// The options object literal, when one is passed.
        options: Option<Range<usize>>,
        /// The first entry of the options object.
        first_option: Option<Range<usize>>,
        /// The `default` key, and whether `devDefault` is set too.
        default_key: Option<Range<usize>>,
        dev_default: bool,
    },
    /// zod `z.string().url().default("x")`.
    Zod {
        /// The base type: `string`, `number`, `coerce.number`, `enum`...
        base: String,
        /// The methods called on it, in order (`url`, `min`, `default`).
        methods: Vec<String>,
        /// `z.enum([...])`'s first choice as written.
        first_choice: Option<String>,
        /// Where the chain ends: methods are appended here.
        end: usize,
        /// `.default(...)`, from its dot to its closing parenthesis.
        default_call: Option<Range<usize>>,
    },
}

/// Which library validates the environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Library {
    Envalid,
    T3,
    Zod,
}

/// One startup validation of the environment in a TypeScript module.
#[derive(Debug, Clone, PartialEq)]
pub struct Validation {
    pub library: Library,
    /// The call's callee (`cleanEnv`, `createEnv`, `parse`).
    pub callee: Range<usize>,
    /// Index of the schema it declares in [`EnvFile::schemas`].
    pub schema: Option<usize>,
    /// t3 `skipValidation: true` as a constant: the entry.
    pub skipped: Option<Range<usize>>,
    /// An envalid `reporter` that neither throws nor exits: the entry.
    pub lenient_reporter: Option<Range<usize>>,
    /// t3 `runtimeEnv` (or `runtimeEnvStrict`, `experimental__runtimeEnv`)
    /// written as an object literal.
    pub runtime_env: Option<RuntimeEnv>,
}

/// The object t3-env takes the variables' values from.
#[derive(Debug, Clone, PartialEq)]
pub struct RuntimeEnv {
    /// `runtimeEnvStrict`: completeness is the type checker's job.
    pub strict: bool,
    /// `experimental__runtimeEnv`: only client variables are listed.
    pub client_only: bool,
    pub entries: Vec<RuntimeEntry>,
}

/// `KEY: process.env.NAME` in a t3 `runtimeEnv`.
#[derive(Debug, Clone, PartialEq)]
pub struct RuntimeEntry {
    pub key: String,
    /// The variable the value reads, when it is a `process.env` read.
    pub reads: Option<String>,
    pub value: Range<usize>,
}

/// A call of a capitalised name: `Settings()`, perhaps a settings class.
#[derive(Debug, Clone, PartialEq)]
pub struct Construction {
    pub class: String,
    pub range: Range<usize>,
    /// Inside a function (`get_settings()` returning `Settings()`): it
    /// runs at the first call, not at import.
    pub lazy: bool,
}
