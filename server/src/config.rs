//! `preflight.toml` and `[tool.preflight]` in `pyproject.toml`: finding the file
//! that governs a checked file, reading it strictly, and layering the editor's
//! settings on top.
//!
//! Every problem in a config file is a [`ConfigError`] that names the file, the
//! 1-based line and column, and the key, so both faces can point at it; a broken
//! config is never a crash and never silently half-applied.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::finding::Severity;

/// The dedicated config file; beats `pyproject.toml` in the same directory.
pub const CONFIG_FILE: &str = "preflight.toml";
/// Read only when it has a `[tool.preflight]` table.
pub const PYPROJECT_FILE: &str = "pyproject.toml";

const POSTGRES_VERSIONS: std::ops::RangeInclusive<i64> = 10..=19;
const LEVELS: &str = r#""error", "warning", "info", "hint", "off""#;
const KEYS: &[&str] = &[
    "postgres-version",
    "select",
    "ignore",
    "severity",
    "include",
    "exclude",
    "assume-in-transaction",
    "settings-modules",
    "env-allowlist",
    "base-branch",
];

/// The settings one checked file runs under.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Target server major version; gates version-dependent advice.
    pub postgres_version: u32,
    /// Overrides the runner detection: every migration runs inside a transaction
    /// (`Some(true)`) or outside one (`Some(false)`).
    pub assume_in_transaction: Option<bool>,
    /// When set, only these rules run (default-off ones included).
    pub select: Option<Vec<String>>,
    /// Rules turned off; beats `select` and `severity`.
    pub ignore: Vec<String>,
    /// Per-rule level; `None` is "off". A level turns on a default-off rule
    /// unless `select` is set and leaves the rule out.
    pub severity: BTreeMap<String, Option<Severity>>,
    /// The branch `new-required-setting` compares with (at the merge-base);
    /// `None`: the remote's default branch, else `main`, else `master`.
    pub base_branch: Option<String>,
    files: FileScope,
    /// Globs naming the modules allowed to read the environment directly;
    /// empty: the modules that declare a settings schema.
    settings_modules: Globs,
    /// Variables something besides the project's code sets or reads (`MY_PAAS_*`):
    /// no env example file needs to document them, nor code to read them.
    env_allowlist: Globs,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            postgres_version: 15,
            assume_in_transaction: None,
            select: None,
            ignore: Vec::new(),
            severity: BTreeMap::new(),
            base_branch: None,
            files: FileScope::default(),
            settings_modules: Globs::default(),
            env_allowlist: Globs::default(),
        }
    }
}

impl Config {
    /// The severity a rule reports at, or `None` when it is turned off.
    pub fn severity_of(
        &self,
        rule_id: &str,
        default: Severity,
        default_enabled: bool,
    ) -> Option<Severity> {
        if self.ignore.iter().any(|id| id == rule_id) {
            return None;
        }
        let configured = self.severity.get(rule_id).copied();
        let enabled = match &self.select {
            Some(selected) => selected.iter().any(|id| id == rule_id),
            None => default_enabled || matches!(configured, Some(Some(_))),
        };
        if !enabled {
            return None;
        }
        configured.unwrap_or(Some(default))
    }

    /// Whether a file walked by `preflight check` is in scope.
    pub fn includes(&self, path: &Path) -> bool {
        self.files.includes(path)
    }

    /// Whether `env-allowlist` names the variable `name`.
    pub fn env_allowed(&self, name: &str) -> bool {
        self.env_allowlist.set.is_match(name)
    }

    /// Whether `settings-modules` names `path`; `None` when the key is unset.
    pub fn is_settings_module(&self, path: &Path) -> Option<bool> {
        let globs = &self.settings_modules;
        if globs.patterns.is_empty() {
            return None;
        }
        let path = absolute(path);
        let relative = path.strip_prefix(&self.files.base).unwrap_or(&path);
        Some(globs.set.is_match(relative))
    }

    /// This configuration with the editor's settings layered on top; settings win.
    /// Lists replace the file's lists, severities are merged entry by entry.
    pub fn with_overrides(&self, overrides: &Overrides) -> Result<Config, String> {
        let mut config = self.clone();
        if let Some(version) = overrides.postgres_version {
            config.postgres_version = postgres_version(version).ok_or_else(|| {
                format!(
                    "invalid setting `postgresVersion`: {}",
                    version_expectation(version)
                )
            })?;
        }
        if let Some(assume) = overrides.assume_in_transaction {
            config.assume_in_transaction = Some(assume);
        }
        if let Some(select) = &overrides.select {
            config.select = Some(select.clone());
        }
        if let Some(ignore) = &overrides.ignore {
            config.ignore = ignore.clone();
        }
        for (id, level) in overrides.severity.iter().flatten() {
            let level = parse_level(level).ok_or_else(|| {
                format!(
                    "invalid setting `severity.{id}`: expected one of {LEVELS}, found \"{level}\""
                )
            })?;
            config.severity.insert(id.clone(), level);
        }
        Ok(config)
    }
}

/// The editor's settings (the LSP settings object); every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Overrides {
    pub postgres_version: Option<i64>,
    pub select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    pub severity: Option<BTreeMap<String, String>>,
    pub assume_in_transaction: Option<bool>,
    /// How much the language server logs; no part of the configuration.
    pub trace: Option<Trace>,
}

/// The editor's trace level (LSP's `TraceValue`), for the server's log on
/// stderr: `off` logs warnings and errors, `messages` adds what the server
/// does (`info`), `verbose` every step (`debug`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Trace {
    Off,
    Messages,
    Verbose,
}

/// Include/exclude globs, relative to the config file's directory.
#[derive(Debug, Clone, Default)]
struct FileScope {
    base: PathBuf,
    include: Vec<String>,
    exclude: Vec<String>,
    include_set: GlobSet,
    exclude_set: GlobSet,
}

/// Glob patterns as written and compiled.
#[derive(Debug, Clone, Default)]
struct Globs {
    patterns: Vec<String>,
    set: GlobSet,
}

// The compiled set is a function of the patterns.
impl PartialEq for Globs {
    fn eq(&self, other: &Self) -> bool {
        self.patterns == other.patterns
    }
}

// The compiled sets are a function of the patterns, so they take no part.
impl PartialEq for FileScope {
    fn eq(&self, other: &Self) -> bool {
        self.base == other.base && self.include == other.include && self.exclude == other.exclude
    }
}

impl FileScope {
    fn includes(&self, path: &Path) -> bool {
        let path = absolute(path);
        let relative = path.strip_prefix(&self.base).unwrap_or(&path);
        let included =
            self.include.is_empty() || matches_path_or_parent(&self.include_set, relative);
        included && !matches_path_or_parent(&self.exclude_set, relative)
    }
}

// `exclude = ["vendor"]` must also exclude `vendor/a.sql`, as in `.gitignore`.
fn matches_path_or_parent(set: &GlobSet, path: &Path) -> bool {
    path.ancestors()
        .filter(|p| !p.as_os_str().is_empty())
        .any(|p| set.is_match(p))
}

/// What went wrong in which config file, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigErrorKind {
    /// The file exists but could not be read.
    Io,
    /// Not valid TOML.
    Syntax,
    UnknownKey,
    /// A value of the wrong TOML type.
    WrongType,
    /// The right type, but out of range or not one of the allowed words.
    InvalidValue,
    UnknownRule,
    InvalidGlob,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// Byte range in the config file, for an editor diagnostic.
    pub range: Range<usize>,
    /// The offending key relative to the preflight table, e.g. `severity.drop-table`;
    /// `None` for I/O and syntax errors.
    pub key: Option<String>,
    pub kind: ConfigErrorKind,
    /// The whole explanation, key included, without the location.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

impl std::error::Error for ConfigError {}

/// Reads a config file's text. For `pyproject.toml` only `[tool.preflight]`
/// counts; without it the result is the default configuration. `path` names the
/// file in errors and its directory is the base of the include/exclude globs.
pub fn parse(
    path: &Path,
    text: &str,
    is_known_rule: &dyn Fn(&str) -> bool,
) -> Result<Config, ConfigError> {
    parse_if_present(path, text, is_known_rule).map(Option::unwrap_or_default)
}

/// The config governing files in `start_dir`: the nearest directory, walking up,
/// with a `preflight.toml` or a `pyproject.toml` that has `[tool.preflight]`.
pub fn discover(
    start_dir: &Path,
    is_known_rule: &dyn Fn(&str) -> bool,
) -> Result<Option<(PathBuf, Config)>, ConfigError> {
    for dir in absolute(start_dir).ancestors() {
        if let Some(found) = load_dir(dir, is_known_rule)? {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// What [`ConfigCache::lookup`] answers: the governing config file and its
/// settings, none, or the error that file has.
pub type Lookup = Result<Option<Arc<(PathBuf, Config)>>, ConfigError>;

/// [`discover`] with memory, for the CLI: each directory is looked at once, however
/// many files it holds.
#[derive(Debug, Default)]
pub struct ConfigCache {
    by_dir: HashMap<PathBuf, Lookup>,
    /// Directories the walk up never leaves (the editor's workspace roots);
    /// empty: no limit, as on the command line.
    roots: Vec<PathBuf>,
}

impl ConfigCache {
    pub fn new() -> Self {
        ConfigCache::default()
    }

    /// A cache whose lookups read only inside `roots`: a file outside every
    /// root gets no config file at all.
    pub fn within(roots: Vec<PathBuf>) -> Self {
        ConfigCache {
            by_dir: HashMap::new(),
            roots: roots.iter().map(|r| absolute(r)).collect(),
        }
    }

    pub fn lookup(&mut self, start_dir: &Path, is_known_rule: &dyn Fn(&str) -> bool) -> Lookup {
        let start = absolute(start_dir);
        let root = self
            .roots
            .iter()
            .filter(|root| start.starts_with(root))
            .max_by_key(|root| root.as_os_str().len());
        if root.is_none() && !self.roots.is_empty() {
            return Ok(None);
        }
        let inside = |dir: &Path| root.is_none_or(|root| dir.starts_with(root));
        let mut walked = Vec::new();
        let mut answer = Ok(None);
        for dir in start.ancestors().take_while(|dir| inside(dir)) {
            if let Some(cached) = self.by_dir.get(dir) {
                answer = cached.clone();
                break;
            }
            walked.push(dir.to_path_buf());
            let found = load_dir(dir, is_known_rule);
            if !matches!(found, Ok(None)) {
                answer = found.map(|found| found.map(Arc::new));
                break;
            }
        }
        for dir in walked {
            self.by_dir.insert(dir, answer.clone());
        }
        answer
    }
}

fn load_dir(
    dir: &Path,
    is_known_rule: &dyn Fn(&str) -> bool,
) -> Result<Option<(PathBuf, Config)>, ConfigError> {
    for name in [CONFIG_FILE, PYPROJECT_FILE] {
        let path = dir.join(name);
        let Some(text) = read_if_file(&path)? else {
            continue;
        };
        if let Some(config) = parse_if_present(&path, &text, is_known_rule)? {
            return Ok(Some((path, config)));
        }
    }
    Ok(None)
}

fn read_if_file(path: &Path) -> Result<Option<String>, ConfigError> {
    if !path.is_file() {
        return Ok(None);
    }
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(ConfigError {
            path: path.to_path_buf(),
            line: 1,
            column: 1,
            range: 0..0,
            key: None,
            kind: ConfigErrorKind::Io,
            message: format!("cannot read the file: {error}"),
        }),
    }
}

/// `None` for a `pyproject.toml` without `[tool.preflight]`.
fn parse_if_present(
    path: &Path,
    text: &str,
    is_known_rule: &dyn Fn(&str) -> bool,
) -> Result<Option<Config>, ConfigError> {
    let source = Source { path, text };
    let is_pyproject = path.file_name().is_some_and(|name| name == PYPROJECT_FILE);
    let document = match DeTable::parse(text) {
        Ok(document) => document,
        // A broken pyproject.toml that never mentions us belongs to other tools.
        Err(_) if is_pyproject && !text.contains("preflight") => return Ok(None),
        Err(error) => return Err(source.syntax_error(&error)),
    };
    let table = if is_pyproject {
        match source.preflight_table(document.get_ref())? {
            Some(table) => table,
            None => return Ok(None),
        }
    } else {
        document.get_ref()
    };
    let reader = Reader {
        source,
        is_known_rule,
    };
    reader.config(table).map(Some)
}

/// The config file being read: turns byte spans into located errors.
struct Source<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Source<'_> {
    fn error(
        &self,
        kind: ConfigErrorKind,
        key: Option<&str>,
        range: Range<usize>,
        message: String,
    ) -> ConfigError {
        let (line, column) = line_column(self.text, range.start);
        ConfigError {
            path: self.path.to_path_buf(),
            line,
            column,
            range,
            key: key.map(str::to_string),
            kind,
            message,
        }
    }

    fn syntax_error(&self, error: &toml::de::Error) -> ConfigError {
        let range = error.span().unwrap_or(0..0);
        let message = format!("invalid TOML: {}", error.message().trim_end());
        self.error(ConfigErrorKind::Syntax, None, range, message)
    }

    fn wrong_type(&self, key: &str, value: &Spanned<DeValue<'_>>, expected: &str) -> ConfigError {
        let found = value.get_ref().type_str();
        let message = format!(
            "invalid type for `{key}`: expected {expected}, found {}",
            article(found)
        );
        self.error(ConfigErrorKind::WrongType, Some(key), value.span(), message)
    }

    fn preflight_table<'t, 'i>(
        &self,
        document: &'t DeTable<'i>,
    ) -> Result<Option<&'t DeTable<'i>>, ConfigError> {
        let Some(tool) = document.get("tool") else {
            return Ok(None);
        };
        let Some(tool) = tool.get_ref().as_table() else {
            return Ok(None);
        };
        let Some(preflight) = tool.get("preflight") else {
            return Ok(None);
        };
        match preflight.get_ref().as_table() {
            Some(table) => Ok(Some(table)),
            None => Err(self.wrong_type("tool.preflight", preflight, "a table")),
        }
    }
}

/// Reads the preflight table key by key, in file order, so the first error
/// reported is the first one in the file.
struct Reader<'a> {
    source: Source<'a>,
    is_known_rule: &'a dyn Fn(&str) -> bool,
}

type Entry<'t, 'i> = (
    &'t Spanned<std::borrow::Cow<'i, str>>,
    &'t Spanned<DeValue<'i>>,
);

impl Reader<'_> {
    fn config(&self, table: &DeTable<'_>) -> Result<Config, ConfigError> {
        let mut config = Config::default();
        config.files.base = absolute(self.source.path.parent().unwrap_or(Path::new("")));
        for (key, value) in in_file_order(table) {
            self.apply(&mut config, (key, value))?;
        }
        Ok(config)
    }

    fn apply(&self, config: &mut Config, (key, value): Entry<'_, '_>) -> Result<(), ConfigError> {
        let name = key.get_ref().as_ref();
        match name {
            "postgres-version" => config.postgres_version = self.postgres_version(key, value)?,
            "assume-in-transaction" => match value.get_ref().as_bool() {
                Some(assume) => config.assume_in_transaction = Some(assume),
                None => return Err(self.source.wrong_type(name, value, "a boolean")),
            },
            "select" => config.select = Some(self.rule_ids(name, value)?),
            "ignore" => config.ignore = self.rule_ids(name, value)?,
            "severity" => config.severity = self.severities(value)?,
            "base-branch" => config.base_branch = Some(self.branch(key, value)?),
            "include" => {
                (config.files.include, config.files.include_set) = self.globs(name, value)?
            }
            "exclude" => {
                (config.files.exclude, config.files.exclude_set) = self.globs(name, value)?
            }
            "settings-modules" => {
                let (patterns, set) = self.globs(name, value)?;
                config.settings_modules = Globs { patterns, set };
            }
            "env-allowlist" => {
                let (patterns, set) = self.globs(name, value)?;
                config.env_allowlist = Globs { patterns, set };
            }
            _ => return Err(self.unknown_key(key)),
        }
        Ok(())
    }

    fn unknown_key(&self, key: &Spanned<std::borrow::Cow<'_, str>>) -> ConfigError {
        let name = key.get_ref().as_ref();
        let known = KEYS
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let message = format!("unknown key `{name}`; expected one of {known}");
        self.source
            .error(ConfigErrorKind::UnknownKey, Some(name), key.span(), message)
    }

    fn postgres_version(
        &self,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        value: &Spanned<DeValue<'_>>,
    ) -> Result<u32, ConfigError> {
        let name = "postgres-version";
        let Some(integer) = value.get_ref().as_integer() else {
            return Err(self.source.wrong_type(name, value, "an integer"));
        };
        let parsed = i64::from_str_radix(integer.as_str(), integer.radix()).ok();
        parsed.and_then(postgres_version).ok_or_else(|| {
            let found = parsed.map_or_else(|| integer.to_string(), |n| n.to_string());
            let message = format!("invalid value for `{name}`: {}", version_expectation(found));
            self.source.error(
                ConfigErrorKind::InvalidValue,
                Some(name),
                entry_span(key, value),
                message,
            )
        })
    }

    /// A branch name git takes as a revision and never as an option: no
    /// leading `-`, none of the characters revision syntax gives a meaning.
    fn branch(
        &self,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        value: &Spanned<DeValue<'_>>,
    ) -> Result<String, ConfigError> {
        let name = "base-branch";
        let Some(branch) = value.get_ref().as_str() else {
            return Err(self.source.wrong_type(name, value, "a string"));
        };
        let special = |c: char| c.is_whitespace() || c.is_control() || "~^:?*[\\".contains(c);
        if branch.is_empty()
            || branch.starts_with('-')
            || branch.contains("..")
            || branch.contains(special)
        {
            let message = format!(
                "invalid value for `{name}`: expected a branch name such as \"main\" or \"origin/main\", found \"{branch}\""
            );
            return Err(self.source.error(
                ConfigErrorKind::InvalidValue,
                Some(name),
                entry_span(key, value),
                message,
            ));
        }
        Ok(branch.to_string())
    }

    fn rule_ids(
        &self,
        name: &str,
        value: &Spanned<DeValue<'_>>,
    ) -> Result<Vec<String>, ConfigError> {
        self.strings(name, value)?
            .into_iter()
            .map(|(id, span)| {
                self.check_rule(name, id, span)?;
                Ok(id.to_string())
            })
            .collect()
    }

    fn check_rule(&self, key: &str, id: &str, span: Range<usize>) -> Result<(), ConfigError> {
        if (self.is_known_rule)(id) {
            return Ok(());
        }
        let message = format!("unknown rule `{id}` in `{key}`");
        Err(self
            .source
            .error(ConfigErrorKind::UnknownRule, Some(key), span, message))
    }

    fn severities(
        &self,
        value: &Spanned<DeValue<'_>>,
    ) -> Result<BTreeMap<String, Option<Severity>>, ConfigError> {
        let Some(table) = value.get_ref().as_table() else {
            return Err(self
                .source
                .wrong_type("severity", value, "a table of rule ids to levels"));
        };
        let mut levels = BTreeMap::new();
        for (id, level) in in_file_order(table) {
            let id_text = id.get_ref().as_ref();
            let key = format!("severity.{id_text}");
            if !(self.is_known_rule)(id_text) {
                let message = format!("unknown rule `{id_text}` in `severity`");
                return Err(self.source.error(
                    ConfigErrorKind::UnknownRule,
                    Some(&key),
                    id.span(),
                    message,
                ));
            }
            let Some(word) = level.get_ref().as_str() else {
                return Err(self
                    .source
                    .wrong_type(&key, level, &format!("one of {LEVELS}")));
            };
            let Some(parsed) = parse_level(word) else {
                let message = format!(
                    "invalid value for `{key}`: expected one of {LEVELS}, found \"{word}\""
                );
                let span = entry_span(id, level);
                return Err(self.source.error(
                    ConfigErrorKind::InvalidValue,
                    Some(&key),
                    span,
                    message,
                ));
            };
            levels.insert(id_text.to_string(), parsed);
        }
        Ok(levels)
    }

    fn globs(
        &self,
        name: &str,
        value: &Spanned<DeValue<'_>>,
    ) -> Result<(Vec<String>, GlobSet), ConfigError> {
        let mut patterns = Vec::new();
        let mut set = GlobSetBuilder::new();
        for (pattern, span) in self.strings(name, value)? {
            let glob = GlobBuilder::new(&normalize_glob(pattern))
                .literal_separator(true)
                .build()
                .map_err(|error| {
                    let message = format!("invalid glob `{pattern}` in `{name}`: {}", error.kind());
                    self.source
                        .error(ConfigErrorKind::InvalidGlob, Some(name), span, message)
                })?;
            set.add(glob);
            patterns.push(pattern.to_string());
        }
        let set = set.build().map_err(|error| {
            let message = format!("invalid globs in `{name}`: {}", error.kind());
            self.source.error(
                ConfigErrorKind::InvalidGlob,
                Some(name),
                value.span(),
                message,
            )
        })?;
        Ok((patterns, set))
    }

    /// An array of strings, each with its span.
    fn strings<'v>(
        &self,
        name: &str,
        value: &'v Spanned<DeValue<'_>>,
    ) -> Result<Vec<(&'v str, Range<usize>)>, ConfigError> {
        let expected = "an array of strings";
        let Some(items) = value.get_ref().as_array() else {
            return Err(self.source.wrong_type(name, value, expected));
        };
        items
            .iter()
            .map(|item| match item.get_ref().as_str() {
                Some(text) => Ok((text, item.span())),
                None => Err(self.source.wrong_type(name, item, expected)),
            })
            .collect()
    }
}

fn in_file_order<'t, 'i>(table: &'t DeTable<'i>) -> Vec<Entry<'t, 'i>> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    entries
}

/// From the key through the value: where `key = value` as a whole is wrong.
fn entry_span<K, V>(key: &Spanned<K>, value: &Spanned<V>) -> Range<usize> {
    key.span().start..value.span().end.max(key.span().end)
}

fn postgres_version(version: i64) -> Option<u32> {
    if POSTGRES_VERSIONS.contains(&version) {
        u32::try_from(version).ok()
    } else {
        None
    }
}

fn version_expectation(found: impl fmt::Display) -> String {
    format!(
        "expected an integer from {} to {}, found {found}",
        POSTGRES_VERSIONS.start(),
        POSTGRES_VERSIONS.end()
    )
}

/// `Some(None)` is "off".
fn parse_level(word: &str) -> Option<Option<Severity>> {
    match word {
        "off" => Some(None),
        _ => Severity::parse(word).map(Some),
    }
}

fn article(type_name: &str) -> String {
    let an = matches!(
        type_name.as_bytes().first(),
        Some(b'a' | b'e' | b'i' | b'o' | b'u')
    );
    format!("{} {type_name}", if an { "an" } else { "a" })
}

/// As in `.gitignore`: a pattern without a slash matches at any depth; a leading
/// slash anchors it to the config's directory; a trailing slash is dropped.
fn normalize_glob(pattern: &str) -> String {
    let trimmed = pattern.trim_start_matches("./").trim_end_matches('/');
    match trimmed.strip_prefix('/') {
        Some(anchored) => anchored.to_string(),
        None if trimmed.contains('/') => trimmed.to_string(),
        None => format!("**/{trimmed}"),
    }
}

/// 1-based line and character column of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    (line, before[line_start..].chars().count() + 1)
}

/// Walking up needs an absolute path; a file's parent may be the empty path.
fn absolute(path: &Path) -> PathBuf {
    let path = if path.as_os_str().is_empty() {
        Path::new(".")
    } else {
        path
    };
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    const RULES: &[&str] = &[
        "drop-table",
        "rename-column",
        "require-lock-timeout",
        "prefer-bigint",
    ];

    fn known(id: &str) -> bool {
        RULES.contains(&id)
    }

    fn toml(text: &str) -> Result<Config, ConfigError> {
        parse(Path::new("preflight.toml"), text, &known)
    }

    fn error(text: &str) -> ConfigError {
        toml(text).expect_err("config should be rejected")
    }

    /// A scratch directory, removed on drop; no dev-dependency needed for this.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new() -> Self {
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let dir =
                std::env::temp_dir().join(format!("preflight-config-{}-{n}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }

        fn write(&self, relative: &str, text: &str) -> PathBuf {
            let path = self.0.join(relative);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, text).unwrap();
            path
        }

        fn dir(&self, relative: &str) -> PathBuf {
            let dir = self.0.join(relative);
            fs::create_dir_all(&dir).unwrap();
            dir
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn empty_file_is_the_default() {
        let config = toml("").unwrap();
        assert_eq!(config.postgres_version, 15);
        assert_eq!(config.assume_in_transaction, None);
        assert_eq!(
            config.severity_of("drop-table", Severity::Warning, true),
            Some(Severity::Warning)
        );
        assert_eq!(
            config.severity_of("prefer-bigint", Severity::Info, false),
            None
        );
        assert!(config.includes(Path::new("anything/at/all.sql")));
    }

    #[test]
    fn postgres_version() {
        assert_eq!(toml("postgres-version = 12").unwrap().postgres_version, 12);
        assert_eq!(toml("postgres-version = 19").unwrap().postgres_version, 19);
        assert_eq!(toml("postgres-version = 10").unwrap().postgres_version, 10);
    }

    #[test]
    fn postgres_version_out_of_range() {
        let err = error("# target\n\npostgres-version = 8\n");
        assert_eq!(err.kind, ConfigErrorKind::InvalidValue);
        assert_eq!(err.key.as_deref(), Some("postgres-version"));
        assert_eq!((err.line, err.column), (3, 1));
        assert_eq!(
            err.to_string(),
            "preflight.toml:3:1: invalid value for `postgres-version`: expected an integer from 10 to 19, found 8"
        );
        assert_eq!(
            error("postgres-version = 20").message.rsplit(' ').next(),
            Some("20")
        );
        assert_eq!(
            error("postgres-version = -1").message.rsplit(' ').next(),
            Some("-1")
        );
    }

    #[test]
    fn postgres_version_wrong_type() {
        let err = error("postgres-version = \"15\"");
        assert_eq!(err.kind, ConfigErrorKind::WrongType);
        assert_eq!((err.line, err.column), (1, 20));
        assert_eq!(
            err.message,
            "invalid type for `postgres-version`: expected an integer, found a string"
        );
    }

    #[test]
    fn assume_in_transaction() {
        assert_eq!(
            toml("assume-in-transaction = true")
                .unwrap()
                .assume_in_transaction,
            Some(true)
        );
        assert_eq!(
            toml("assume-in-transaction = false")
                .unwrap()
                .assume_in_transaction,
            Some(false)
        );
        let err = error("\n  assume-in-transaction = 1");
        assert_eq!(
            (err.kind, err.line, err.column),
            (ConfigErrorKind::WrongType, 2, 27)
        );
        assert_eq!(
            err.message,
            "invalid type for `assume-in-transaction`: expected a boolean, found an integer"
        );
    }

    #[test]
    fn select_runs_only_the_selected_rules() {
        let config = toml(r#"select = ["drop-table", "prefer-bigint"]"#).unwrap();
        assert_eq!(
            config.severity_of("drop-table", Severity::Warning, true),
            Some(Severity::Warning)
        );
        assert_eq!(
            config.severity_of("prefer-bigint", Severity::Info, false),
            Some(Severity::Info)
        );
        assert_eq!(
            config.severity_of("rename-column", Severity::Error, true),
            None
        );
    }

    #[test]
    fn ignore_turns_rules_off() {
        let config = toml(
            r#"
select = ["drop-table", "rename-column"]
ignore = ["drop-table"]
[severity]
drop-table = "error"
"#,
        )
        .unwrap();
        assert_eq!(
            config.severity_of("drop-table", Severity::Warning, true),
            None
        );
        assert_eq!(
            config.severity_of("rename-column", Severity::Error, true),
            Some(Severity::Error)
        );
    }

    #[test]
    fn severity_table() {
        let config = toml(
            r#"
[severity]
drop-table = "error"
rename-column = "off"
prefer-bigint = "hint"
require-lock-timeout = "info"
"#,
        )
        .unwrap();
        assert_eq!(
            config.severity_of("drop-table", Severity::Warning, true),
            Some(Severity::Error)
        );
        assert_eq!(
            config.severity_of("rename-column", Severity::Error, true),
            None
        );
        // A level turns on a default-off rule.
        assert_eq!(
            config.severity_of("prefer-bigint", Severity::Info, false),
            Some(Severity::Hint)
        );
        assert_eq!(
            config.severity_of("require-lock-timeout", Severity::Warning, true),
            Some(Severity::Info)
        );
    }

    #[test]
    fn severity_does_not_widen_select() {
        let config =
            toml("select = [\"drop-table\"]\nseverity = { prefer-bigint = \"error\" }").unwrap();
        assert_eq!(
            config.severity_of("prefer-bigint", Severity::Info, false),
            None
        );
    }

    #[test]
    fn severity_errors() {
        let err = error("[severity]\ndrop-table = \"loud\"\n");
        assert_eq!(
            (err.kind, err.line, err.column),
            (ConfigErrorKind::InvalidValue, 2, 1)
        );
        assert_eq!(err.key.as_deref(), Some("severity.drop-table"));
        assert_eq!(
            err.message,
            r#"invalid value for `severity.drop-table`: expected one of "error", "warning", "info", "hint", "off", found "loud""#
        );

        let err = error("[severity]\ndrop-table = 3\n");
        assert_eq!(
            (err.kind, err.line, err.column),
            (ConfigErrorKind::WrongType, 2, 14)
        );

        let err = error("[severity]\n\n  drop-tabel = \"error\"\n");
        assert_eq!(
            (err.kind, err.line, err.column),
            (ConfigErrorKind::UnknownRule, 3, 3)
        );
        assert_eq!(err.key.as_deref(), Some("severity.drop-tabel"));
        assert_eq!(err.message, "unknown rule `drop-tabel` in `severity`");

        let err = error("severity = \"error\"");
        assert_eq!(
            (err.kind, err.line, err.column),
            (ConfigErrorKind::WrongType, 1, 12)
        );
    }

    #[test]
    fn rule_list_errors_point_at_the_element() {
        let err = error("select = [\n  \"drop-table\",\n  \"drop-tabel\",\n]");
        assert_eq!(
            (err.kind, err.line, err.column),
            (ConfigErrorKind::UnknownRule, 3, 3)
        );
        assert_eq!(err.key.as_deref(), Some("select"));
        assert_eq!(
            err.to_string(),
            "preflight.toml:3:3: unknown rule `drop-tabel` in `select`"
        );

        let err = error("ignore = [\"drop-table\", 7]");
        assert_eq!(
            (err.kind, err.line, err.column),
            (ConfigErrorKind::WrongType, 1, 25)
        );
        assert_eq!(
            err.message,
            "invalid type for `ignore`: expected an array of strings, found an integer"
        );

        let err = error("ignore = \"drop-table\"");
        assert_eq!(
            (err.kind, err.line, err.column),
            (ConfigErrorKind::WrongType, 1, 10)
        );
    }

    #[test]
    fn columns_count_characters() {
        let err = error("select = [\"é\", \"ü\"]");
        assert_eq!((err.line, err.column), (1, 11));
        let err = error("select = [\"drop-table\"] # é\nignore = [\"drop-table\", \"ü\"]");
        assert_eq!((err.line, err.column), (2, 25));
    }

    #[test]
    fn base_branch() {
        assert_eq!(toml("").unwrap().base_branch, None);
        let config = toml("base-branch = \"origin/develop\"").unwrap();
        assert_eq!(config.base_branch.as_deref(), Some("origin/develop"));
        // Never an option, never a revision expression.
        for bad in ["", "--output=x", "main..feature", "main^", "a b"] {
            let err = error(&format!("base-branch = {bad:?}"));
            assert_eq!(err.kind, ConfigErrorKind::InvalidValue, "{bad}");
            assert_eq!(err.key.as_deref(), Some("base-branch"));
            assert!(err.message.contains("expected a branch name"), "{err}");
        }
        let err = error("base-branch = 1");
        assert_eq!(err.kind, ConfigErrorKind::WrongType);
    }

    #[test]
    fn unknown_key() {
        let err = error("postgres-version = 14\nselekt = []\n");
        assert_eq!(
            (err.kind, err.line, err.column),
            (ConfigErrorKind::UnknownKey, 2, 1)
        );
        assert_eq!(err.key.as_deref(), Some("selekt"));
        assert!(
            err.message
                .starts_with("unknown key `selekt`; expected one of `postgres-version`, `select`")
        );
        assert_eq!(err.range, 22..28);
    }

    #[test]
    fn first_error_in_the_file_wins() {
        // Keys are stored sorted; errors must still come in file order.
        let err = error("zzz = 1\npostgres-version = 3\n");
        assert_eq!((err.kind, err.line), (ConfigErrorKind::UnknownKey, 1));
    }

    #[test]
    fn syntax_error() {
        let err = error("postgres-version = 14\nselect = [\"drop-table\"\n");
        assert_eq!(err.kind, ConfigErrorKind::Syntax);
        assert_eq!(err.key, None);
        assert_eq!((err.line, err.column), (2, 23));
        assert!(err.message.starts_with("invalid TOML: "), "{}", err.message);

        let err = error("a = 1\na = 2\n");
        assert_eq!(
            (err.kind, err.line, err.column),
            (ConfigErrorKind::Syntax, 2, 1)
        );
    }

    #[test]
    fn include_and_exclude() {
        let dir = Scratch::new();
        let path = dir.write(
            CONFIG_FILE,
            r#"
include = ["migrations/**/*.sql", "/db"]
exclude = ["migrations/legacy", "*.generated.sql"]
"#,
        );
        let config = parse(&path, &fs::read_to_string(&path).unwrap(), &known).unwrap();
        let file = |relative: &str| dir.0.join(relative);
        assert!(config.includes(&file("migrations/001.sql")));
        assert!(config.includes(&file("migrations/2024/001.sql")));
        assert!(config.includes(&file("db/schema.sql")));
        assert!(
            !config.includes(&file("src/db/schema.sql")),
            "a leading slash anchors"
        );
        assert!(!config.includes(&file("other/001.sql")));
        assert!(
            !config.includes(&file("migrations/legacy/001.sql")),
            "excluding a directory"
        );
        assert!(
            !config.includes(&file("migrations/002.generated.sql")),
            "exclude wins"
        );
        assert!(!config.includes(&file("db/deep/x.generated.sql")));
    }

    #[test]
    fn env_allowlist_names_variables_and_prefixes() {
        let config = toml("env-allowlist = [\"WEB_CONCURRENCY\", \"NEW_RELIC_*\"]").unwrap();
        assert!(config.env_allowed("WEB_CONCURRENCY"));
        assert!(config.env_allowed("NEW_RELIC_LICENSE_KEY"));
        assert!(!config.env_allowed("DATABASE_URL"));
        assert!(!Config::default().env_allowed("WEB_CONCURRENCY"));
        assert_eq!(
            error("env-allowlist = [\"BAD_[\"]").kind,
            ConfigErrorKind::InvalidGlob
        );
    }

    #[test]
    fn settings_modules() {
        let dir = Scratch::new();
        let text = "settings-modules = [\"app/settings/*.py\", \"src/env.ts\"]";
        let path = dir.write(CONFIG_FILE, text);
        let config = parse(&path, text, &known).unwrap();
        let file = |relative: &str| dir.0.join(relative);
        assert_eq!(
            config.is_settings_module(&file("app/settings/base.py")),
            Some(true)
        );
        assert_eq!(config.is_settings_module(&file("src/env.ts")), Some(true));
        assert_eq!(
            config.is_settings_module(&file("app/views.py")),
            Some(false)
        );
        assert_eq!(
            Config::default().is_settings_module(&file("app/views.py")),
            None
        );
        let err = error("settings-modules = \"app/config.py\"");
        assert_eq!(err.kind, ConfigErrorKind::WrongType);
    }

    #[test]
    fn exclude_alone_keeps_everything_else() {
        let dir = Scratch::new();
        let path = dir.write(CONFIG_FILE, "exclude = [\"vendor/\"]");
        let config = parse(&path, "exclude = [\"vendor/\"]", &known).unwrap();
        assert!(config.includes(&dir.0.join("a.sql")));
        assert!(!config.includes(&dir.0.join("vendor/a.sql")));
        assert!(!config.includes(&dir.0.join("lib/vendor/a.sql")));
    }

    #[test]
    fn invalid_glob() {
        let err = error("include = [\"ok/*.sql\", \"bad/[a.sql\"]");
        assert_eq!(
            (err.kind, err.line, err.column),
            (ConfigErrorKind::InvalidGlob, 1, 24)
        );
        assert_eq!(err.key.as_deref(), Some("include"));
        assert!(
            err.message
                .starts_with("invalid glob `bad/[a.sql` in `include`: "),
            "{}",
            err.message
        );
    }

    #[test]
    fn pyproject_reads_tool_preflight() {
        let text = r#"
[project]
name = "app"

[tool.ruff]
line-length = 100

[tool.preflight]
postgres-version = 16
select = ["drop-table"]

[tool.preflight.severity]
drop-table = "error"
"#;
        let config = parse(Path::new("pyproject.toml"), text, &known).unwrap();
        assert_eq!(config.postgres_version, 16);
        assert_eq!(
            config.severity_of("drop-table", Severity::Warning, true),
            Some(Severity::Error)
        );
        assert_eq!(
            config.severity_of("rename-column", Severity::Error, true),
            None
        );
    }

    #[test]
    fn pyproject_errors_use_keys_relative_to_the_table() {
        let text =
            "[tool.preflight]\npostgres-version = 9\n[tool.preflight.severity]\nnope = \"off\"\n";
        let err = parse(Path::new("pyproject.toml"), text, &known).unwrap_err();
        assert_eq!(
            err.to_string(),
            "pyproject.toml:2:1: invalid value for `postgres-version`: expected an integer from 10 to 19, found 9"
        );

        let err = parse(
            Path::new("pyproject.toml"),
            "[tool]\npreflight = 1\n",
            &known,
        )
        .unwrap_err();
        assert_eq!(
            (err.kind, err.line, err.column),
            (ConfigErrorKind::WrongType, 2, 13)
        );
        assert_eq!(err.key.as_deref(), Some("tool.preflight"));
    }

    #[test]
    fn pyproject_without_table_is_the_default() {
        let config = parse(
            Path::new("pyproject.toml"),
            "[project]\nname = \"x\"\n",
            &known,
        )
        .unwrap();
        assert_eq!(config.postgres_version, 15);
        // Someone else's broken pyproject is not our error.
        assert!(parse(Path::new("pyproject.toml"), "[project\n", &known).is_ok());
        assert!(parse(Path::new("pyproject.toml"), "[tool.preflight\n", &known).is_err());
    }

    #[test]
    fn discover_walks_up_to_the_nearest_config() {
        let dir = Scratch::new();
        let root = dir.write(CONFIG_FILE, "postgres-version = 12");
        let nested = dir.write("services/api/preflight.toml", "postgres-version = 17");
        let deep = dir.dir("services/api/db/migrations");

        let (path, config) = discover(&deep, &known).unwrap().unwrap();
        assert_eq!((path, config.postgres_version), (nested, 17));
        let (path, config) = discover(&dir.dir("services/web"), &known).unwrap().unwrap();
        assert_eq!((path, config.postgres_version), (root, 12));
    }

    #[test]
    fn discover_skips_pyproject_without_table() {
        let dir = Scratch::new();
        let root = dir.write(PYPROJECT_FILE, "[tool.preflight]\npostgres-version = 13\n");
        dir.write("app/pyproject.toml", "[project]\nname = \"app\"\n");
        let (path, config) = discover(&dir.dir("app/migrations"), &known)
            .unwrap()
            .unwrap();
        assert_eq!((path, config.postgres_version), (root, 13));
    }

    #[test]
    fn preflight_toml_beats_pyproject_in_the_same_directory() {
        let dir = Scratch::new();
        let own = dir.write(CONFIG_FILE, "postgres-version = 11");
        dir.write(PYPROJECT_FILE, "[tool.preflight]\npostgres-version = 13\n");
        let (path, config) = discover(&dir.0, &known).unwrap().unwrap();
        assert_eq!((path, config.postgres_version), (own, 11));
    }

    #[test]
    fn discover_reports_the_nearest_broken_config() {
        let dir = Scratch::new();
        dir.write(CONFIG_FILE, "postgres-version = 12");
        let broken = dir.write("sub/preflight.toml", "postgres-version = 1");
        let err = discover(&dir.0.join("sub"), &known).unwrap_err();
        assert_eq!(err.path, broken);
        assert_eq!(err.kind, ConfigErrorKind::InvalidValue);
    }

    #[test]
    fn discover_without_config_finds_none_below_the_start() {
        let dir = Scratch::new();
        let found = discover(&dir.dir("a/b"), &known).unwrap();
        // Directories above the scratch one are not ours to control.
        assert!(found.is_none_or(|(path, _)| !path.starts_with(&dir.0)));
    }

    #[test]
    fn cache_reads_each_directory_once() {
        let dir = Scratch::new();
        let path = dir.write(CONFIG_FILE, "postgres-version = 12");
        let mut cache = ConfigCache::new();
        let a = cache.lookup(&dir.dir("a/x"), &known).unwrap().unwrap();
        assert_eq!(a.0, path);
        // Later edits are not seen: the answer for these directories is remembered.
        fs::write(&path, "postgres-version = 13").unwrap();
        let again = cache.lookup(&dir.0.join("a/x"), &known).unwrap().unwrap();
        assert!(Arc::ptr_eq(&a, &again));
        let sibling = cache.lookup(&dir.dir("a/y"), &known).unwrap().unwrap();
        assert!(Arc::ptr_eq(&a, &sibling), "a/y stops at the cached a");
        assert_eq!(sibling.1.postgres_version, 12);
    }

    #[test]
    fn cache_within_roots_never_reads_above_them() {
        let dir = Scratch::new();
        dir.write(CONFIG_FILE, "postgres-version = 12");
        let root = dir.dir("workspace");
        let mut cache = ConfigCache::within(vec![root.clone()]);
        assert!(
            cache
                .lookup(&dir.dir("workspace/db"), &known)
                .unwrap()
                .is_none()
        );
        // Outside every root: nothing is read at all.
        assert!(
            cache
                .lookup(&dir.dir("elsewhere"), &known)
                .unwrap()
                .is_none()
        );
        let inner = dir.write("workspace/preflight.toml", "postgres-version = 16");
        let mut cache = ConfigCache::within(vec![root]);
        let found = cache
            .lookup(&dir.dir("workspace/db"), &known)
            .unwrap()
            .unwrap();
        assert_eq!((found.0.clone(), found.1.postgres_version), (inner, 16));
    }

    #[test]
    fn cache_remembers_errors() {
        let dir = Scratch::new();
        dir.write(CONFIG_FILE, "nope = 1");
        let mut cache = ConfigCache::new();
        let first = cache.lookup(&dir.dir("x"), &known).unwrap_err();
        fs::write(dir.0.join(CONFIG_FILE), "").unwrap();
        assert_eq!(cache.lookup(&dir.dir("x"), &known).unwrap_err(), first);
    }

    #[test]
    fn overrides_from_settings_json() {
        let json = serde_json::json!({
            "postgresVersion": 17,
            "select": ["drop-table", "prefer-bigint"],
            "ignore": [],
            "severity": { "drop-table": "error", "prefer-bigint": "off" },
            "assumeInTransaction": false,
            "somethingElse": true,
        });
        let overrides: Overrides = serde_json::from_value(json).unwrap();
        let base =
            toml("postgres-version = 12\nignore = [\"drop-table\"]\nassume-in-transaction = true")
                .unwrap();
        let config = base.with_overrides(&overrides).unwrap();
        assert_eq!(config.postgres_version, 17);
        assert_eq!(config.assume_in_transaction, Some(false));
        assert_eq!(
            config.severity_of("drop-table", Severity::Warning, true),
            Some(Severity::Error)
        );
        assert_eq!(
            config.severity_of("prefer-bigint", Severity::Info, false),
            None
        );
        assert_eq!(
            config.severity_of("rename-column", Severity::Error, true),
            None
        );
    }

    #[test]
    fn empty_overrides_change_nothing() {
        let base = toml("postgres-version = 12\n[severity]\ndrop-table = \"info\"").unwrap();
        let overrides: Overrides = serde_json::from_str("{}").unwrap();
        assert_eq!(base.with_overrides(&overrides).unwrap(), base);
    }

    #[test]
    fn severity_overrides_merge_with_the_file() {
        let base = toml("[severity]\ndrop-table = \"info\"\nrename-column = \"hint\"").unwrap();
        let overrides: Overrides =
            serde_json::from_str(r#"{"severity": {"drop-table": "error"}}"#).unwrap();
        let config = base.with_overrides(&overrides).unwrap();
        assert_eq!(
            config.severity_of("drop-table", Severity::Warning, true),
            Some(Severity::Error)
        );
        assert_eq!(
            config.severity_of("rename-column", Severity::Error, true),
            Some(Severity::Hint)
        );
    }

    #[test]
    fn trace_is_read_but_changes_no_configuration() {
        let overrides: Overrides = serde_json::from_str(r#"{"trace": "verbose"}"#).unwrap();
        assert_eq!(overrides.trace, Some(Trace::Verbose));
        let config = Config::default();
        assert_eq!(config.with_overrides(&overrides).unwrap(), config);
        assert!(serde_json::from_str::<Overrides>(r#"{"trace": "loud"}"#).is_err());
    }

    #[test]
    fn invalid_overrides_are_messages() {
        let config = Config::default();
        let version: Overrides = serde_json::from_str(r#"{"postgresVersion": 9}"#).unwrap();
        assert_eq!(
            config.with_overrides(&version).unwrap_err(),
            "invalid setting `postgresVersion`: expected an integer from 10 to 19, found 9"
        );
        let level: Overrides =
            serde_json::from_str(r#"{"severity": {"drop-table": "fatal"}}"#).unwrap();
        assert_eq!(
            config.with_overrides(&level).unwrap_err(),
            r#"invalid setting `severity.drop-table`: expected one of "error", "warning", "info", "hint", "off", found "fatal""#
        );
    }
}
