//! The environment-variable model of one source file: every place it reads a
//! variable (`os.getenv("X")`, `os.environ["X"]`) and every settings schema
//! it declares (pydantic-settings `BaseSettings` classes), with each field's
//! effective variable name. Env rules judge this model, never the syntax
//! tree, so a TypeScript front end can fill the same shape later.

pub mod python;
mod secret;

use std::ops::Range;

pub use secret::is_secret_name;

/// What a file says about environment variables.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EnvFile {
    pub reads: Vec<EnvRead>,
    pub schemas: Vec<Schema>,
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

/// A settings class and its fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    pub name: String,
    pub name_range: Range<usize>,
    pub env_prefix: String,
    pub case_sensitive: bool,
    pub fields: Vec<Field>,
}

/// One field of a settings schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub name_range: Range<usize>,
    /// The annotation as written (`str`, `Optional[int]`).
    pub annotation: String,
    /// `Optional[...]` or `... | None`: `None` is a valid value.
    pub optional: bool,
    pub default: FieldDefault,
    /// `alias=` / `validation_alias=` string: the name read, without prefix.
    pub alias: Option<String>,
    /// The variable the field is read from.
    pub env_name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FieldDefault {
    /// No default: the settings object cannot be built without the variable.
    Required,
    Value(Value),
    /// `Field(default_factory=...)`.
    Factory,
}

impl Schema {
    /// The name a field is read from: the alias as written, else the prefix
    /// and the field name (pydantic-settings applies `env_prefix` only to
    /// field names); upper-cased for display when matching ignores case.
    pub fn env_name(&self, field: &str, alias: Option<&str>) -> String {
        let name = match alias {
            Some(alias) => alias.to_string(),
            None => format!("{}{}", self.env_prefix, field),
        };
        if self.case_sensitive {
            name
        } else {
            name.to_uppercase()
        }
    }
}
