//! ## What it does
//! Flags a pydantic-settings field with an `alias` or `validation_alias` in
//! a class with an `env_prefix`, when the alias looks written in the belief
//! that the prefix applies to it: the alias is the field's own name
//! (`redis_url: str = Field(validation_alias="REDIS_URL")` under
//! `env_prefix="APP_"`), or an env example file in scope documents the
//! prefixed alias (`APP_REDIS_URL`) and not the alias itself. An alias that
//! names another variable on purpose (`validation_alias="DATABASE_URL"`, the
//! platform's) is left alone, and so is an alias of a settings class that
//! only a subclass gives the prefix (the class itself reads it as written).
//!
//! ## Why it matters
//! pydantic-settings applies `env_prefix` to field names only: the field
//! above is read from `REDIS_URL`, and `APP_REDIS_URL`, which the example
//! file and the deploy set, is ignored. The app starts with a default or
//! fails to start, with the variable visibly set.
//!
//! ## Example
//! ```python
//! class Settings(BaseSettings):
//!     model_config = SettingsConfigDict(env_prefix="APP_")
//!     redis_url: str = Field(validation_alias="REDIS_URL")
//! ```
//!
//! ## Safe alternative
//! Drop the alias (the field is then read from `APP_REDIS_URL`), or write
//! the full variable name in it (`validation_alias="APP_REDIS_URL"`), and
//! document the name the app reads.

use crate::analysis::env::{EnvCheck, Field};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "prefix-alias-mismatch",
    severity: Severity::Warning,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "A settings field's alias is read without the class's `env_prefix`",
    source: include_str!("prefix_alias_mismatch.rs"),
    check: Check::Env(check),
};

fn check(env: &EnvCheck<'_>, out: &mut Vec<Finding>) {
    let documented: Vec<&str> = env
        .path
        .map(|path| env.project.examples_for(path))
        .unwrap_or_default()
        .into_iter()
        .flat_map(|(_, facts)| facts.documented.iter().map(|m| m.name.as_str()))
        .collect();
    for schema in &env.file.schemas {
        let prefix = schema.env_prefix.as_str();
        if prefix.is_empty() {
            continue;
        }
        let same = |a: &str, b: &str| {
            if schema.case_sensitive {
                a == b
            } else {
                a.eq_ignore_ascii_case(b)
            }
        };
        for field in schema.fields.iter().filter(|f| !f.aliases.is_empty()) {
            // An alias of a settings class that a subclass gives a prefix
            // was written for that class, which reads it as written.
            let declared_by = env
                .file
                .classes
                .iter()
                .find(|c| c.fields.iter().any(|f| f.name_range == field.name_range));
            if declared_by.is_some_and(|c| c.name != schema.name && env.project.is_settings(c)) {
                continue;
            }
            let is_documented = |name: &str| documented.iter().any(|d| same(d, name));
            let own_name = field.aliases.iter().any(|a| same(a, &field.name));
            let prefixed_documented = field
                .aliases
                .iter()
                .find(|alias| is_documented(&format!("{prefix}{alias}")) && !is_documented(alias));
            if !own_name && prefixed_documented.is_none() {
                continue;
            }
            let message = match prefixed_documented {
                Some(alias) => format!(
                    "`{}.{}` is read from `{alias}`, but the env example documents `{prefix}{alias}`: `env_prefix` does not apply to an alias",
                    schema.name, field.name
                ),
                None => format!(
                    "`{}.{}` is read from {}, not `{prefix}{}`: `env_prefix` does not apply to an alias",
                    schema.name,
                    field.name,
                    names(field),
                    field.name.to_uppercase()
                ),
            };
            out.push(RULE.finding(field.name_range.clone(), message).with_help(
                "Drop the alias to read the prefixed name, or write the full variable name in the alias.",
            ));
        }
    }
}

fn names(field: &Field) -> String {
    field
        .env_names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(" or ")
}
