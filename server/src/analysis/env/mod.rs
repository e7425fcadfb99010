//! The environment-variable model of one source file: every place it reads a
//! variable (`os.getenv("X")`, `os.environ["X"]`) and every settings schema
//! it declares (pydantic-settings `BaseSettings` classes), with each field's
//! effective variable name. Env rules judge this model, never the syntax
//! tree, so a TypeScript front end can fill the same shape later.

pub mod project;
pub mod python;
mod secret;

use std::ops::Range;
use std::path::Path;

use project::Project;

use crate::text::Language;

pub use secret::is_secret_name;

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
}

impl EnvFile {
    /// Whether the file reads or declares any variable.
    pub fn is_empty(&self) -> bool {
        self.reads.is_empty() && self.schemas.is_empty()
    }
}

/// What an env rule judges: one file's model, with the project around it
/// (the file's own facts included, as currently edited).
pub struct EnvCheck<'a> {
    pub file: &'a EnvFile,
    pub path: Option<&'a Path>,
    pub project: &'a Project,
    /// The checked text and its tree, for fix builders; `None` when no fixes
    /// are wanted (diagnostics after each keystroke).
    pub source: Option<Source<'a>>,
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
}
