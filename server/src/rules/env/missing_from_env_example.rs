//! ## What it does
//! Flags a variable the code reads (`os.getenv("X")`, `os.environ["X"]`) or
//! a settings schema declares (a pydantic-settings field, by the variable
//! it is read from after `env_prefix`, `alias` and case rules) that no env
//! example file documents, when one documents the file's variables: an
//! `.env.example` (or `.env.sample`, `.env.template`, `.example.env`,
//! `env.example`) in the file's directory or an ancestor. A commented
//! `# KEY=` counts as documented. Variables the platform sets (`PATH`,
//! `HOME`, `PORT`, `CI`, `NODE_ENV`...) are not the project's to document,
//! nor one the code sets itself (`os.environ.setdefault`), nor what tests
//! read (`tests/`, `test_*.py`, `*.test.ts`), nor what the configuration's
//! `env-allowlist` names.
//! A required field (no default) or an `os.environ["X"]` read is an error:
//! without the variable the app does not start.
//!
//! ## Why it matters
//! The example file is the contract a new deployment, a new developer and
//! the deploy pipeline fill in. A variable missing from it is found when
//! the app crashes, or silently runs with a default meant for development.
//!
//! ## Example
//! ```python
//! class Settings(BaseSettings):
//!     redis_url: str = Field(description="Where the cache lives.")
//! ```
//! with an `.env.example` that has no `REDIS_URL`.
//!
//! ## Safe alternative
//! Document it (the fix appends it, with the field's description):
//! ```dotenv
//! # Where the cache lives.
//! REDIS_URL=
//! ```

use std::collections::HashSet;

use crate::analysis::env::platform::is_platform;
use crate::analysis::env::{EnvCheck, FieldDefault, ReadKind, is_test_path};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::fixes::dotenv::append_key;
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "missing-from-env-example",
    severity: Severity::Warning,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "A variable the code reads or a settings field declares is not in the env example file",
    source: include_str!("missing_from_env_example.rs"),
    check: Check::Env(check),
};

fn check(env: &EnvCheck<'_>, out: &mut Vec<Finding>) {
    let Some(path) = env.path else {
        return;
    };
    let examples = env.project.examples_for(path);
    let Some(&(nearest, facts)) = examples.first() else {
        return;
    };
    // Tests set their own variables; the example documents the application's.
    let relative = nearest
        .parent()
        .and_then(|dir| path.strip_prefix(dir).ok())
        .unwrap_or(path);
    if is_test_path(relative) {
        return;
    }
    let Some(append) = facts.example else {
        return;
    };
    let documented: Vec<&str> = examples
        .iter()
        .flat_map(|(_, f)| f.documented.iter().map(|m| m.name.as_str()))
        .collect();
    let example_name = nearest
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    // One finding per variable: its first mention, where the fix documents it.
    let mut reported: HashSet<String> = HashSet::new();
    for schema in &env.file.schemas {
        for field in &schema.fields {
            let name = field.env_name();
            if documented
                .iter()
                .any(|d| field.read_from(d, schema.case_sensitive))
                || is_platform(name)
                || (env.allowed)(name)
                || !reported.insert(name.to_string())
            {
                continue;
            }
            let required = field.default == FieldDefault::Required;
            let mut finding = RULE
                .finding(
                    field.name_range.clone(),
                    format!(
                        "`{name}` (`{}.{}`) is not documented in {example_name}",
                        schema.name, field.name
                    ),
                )
                .with_fix(Some(append_key(
                    nearest,
                    append,
                    name,
                    field.description.as_deref(),
                )));
            if required {
                finding = finding
                    .with_severity(Severity::Error)
                    .with_help("The field is required: a deployment that does not know to set it fails at startup.");
            }
            out.push(finding);
        }
    }
    // `os.environ.setdefault` gives the value itself: nothing to document.
    for read in env
        .file
        .reads
        .iter()
        .filter(|r| r.kind != ReadKind::SetDefault)
    {
        let Some(name) = read.name.as_deref() else {
            continue;
        };
        if documented.contains(&name)
            || is_platform(name)
            || (env.allowed)(name)
            || !reported.insert(name.to_string())
        {
            continue;
        }
        let mut finding = RULE
            .finding(
                read.key.clone(),
                format!("`{name}` is read here but not documented in {example_name}"),
            )
            .with_fix(Some(append_key(nearest, append, name, None)));
        if read.kind == ReadKind::Index {
            finding = finding
                .with_severity(Severity::Error)
                .with_help("`os.environ[...]` raises `KeyError` when the variable is unset.");
        }
        out.push(finding);
    }
}
