//! ## What it does
//! Lists every field of a settings schema (a pydantic-settings
//! `BaseSettings` class) without a default, with the environment variable
//! it is read from (after `env_prefix`, `alias` / `validation_alias` and
//! case rules): `database_url: str`, `Field(...)`, `Field()` without
//! `default` or `default_factory`. `Optional[str]` and `str | None` are
//! required too unless they are given `= None`.
//!
//! ## Why it matters
//! Every environment that lacks the variable fails at startup with
//! `ValidationError ... Field required`. That is the right failure for a
//! real requirement, and the list is what a deploy must provide; a field
//! added without a default is the common cause of a deploy that crashes.
//!
//! ## Example
//! ```python
//! class Settings(BaseSettings):
//!     database_url: str
//! ```
//!
//! ## Safe alternative
//! Keep it required when every environment must set it (and set it in each
//! deploy's environment first), or give it a safe default:
//! `Field(default=...)`, or `str | None = None` when it may be absent.

use crate::analysis::env::{EnvCheck, FieldDefault};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "required-setting-without-default",
    severity: Severity::Info,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "A settings field has no default: every environment must set its variable",
    source: include_str!("required_setting_without_default.rs"),
    check: Check::Env(check),
};

fn check(env: &EnvCheck<'_>, out: &mut Vec<Finding>) {
    let file = env.file;
    for schema in &file.schemas {
        for field in &schema.fields {
            if field.default != FieldDefault::Required {
                continue;
            }
            let hint = if field.optional {
                "Add `= None` if it may be absent."
            } else {
                "Set it in every deploy's environment, or add `Field(default=...)`."
            };
            out.push(
                RULE.finding(
                    field.name_range.clone(),
                    format!(
                        "`{}.{}` is required: startup fails unless `{}` is set",
                        schema.name,
                        field.name,
                        field.env_name()
                    ),
                )
                .with_help(hint)
                .with_fix(fixes::env::make_optional(env.source, field))
                .with_fix(fixes::env::neutral_default(env.source, field)),
            );
        }
    }
}
