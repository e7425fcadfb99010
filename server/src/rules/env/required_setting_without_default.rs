//! ## What it does
//! Lists every field of a settings schema without a default, with the
//! environment variable it is read from: a pydantic-settings `BaseSettings`
//! field (after `env_prefix`, `alias` / `validation_alias` and case rules:
//! `database_url: str`, `Field(...)`, `Field()` without `default` or
//! `default_factory`; `Optional[str]` and `str | None` are required too
//! unless they are given `= None`), an envalid validator with neither
//! `default` nor `devDefault` (`DATABASE_URL: url()`), a t3-env or zod key
//! without `.default(...)` or `.optional()`.
//!
//! ## Why it matters
//! Every environment that lacks the variable fails at startup
//! (`ValidationError ... Field required`, envalid's `Missing environment
//! variables`, t3-env's `Invalid environment variables`). That is the right
//! failure for a real requirement, and the list is what a deploy must
//! provide; a field added without a default is the common cause of a
//! deploy that crashes.
//!
//! ## Example
//! ```python
//! class Settings(BaseSettings):
//!     database_url: str
//! ```
//!
//! ```ts
//! export const env = cleanEnv(process.env, { DATABASE_URL: url() });
//! ```
//!
//! ## Safe alternative
//! Keep it required when every environment must set it (and set it in each
//! deploy's environment first), or give it a safe default:
//! `Field(default=...)` or `str | None = None`; envalid `default:` (or
//! `devDefault:`, which production still requires); zod `.default(...)` or
//! `.optional()`. The code actions add these for TypeScript schemas.

use crate::analysis::env::{Dialect, EnvCheck, FieldDefault, Validator, is_secret_name};
use crate::finding::{Edit, Finding, Fix, MigrationClass, Severity};
use crate::fixes::env::{python, typescript};
use crate::rules::{Check, Rule, reviewed_fix};

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
            let hint = match (&field.validator, field.optional) {
                (Some(Validator::Envalid { .. }), _) => {
                    "Set it in every deploy's environment, or give it `default:` (or `devDefault:`, for development only)."
                }
                (Some(Validator::Zod { .. }), _) => {
                    "Set it in every deploy's environment, or add `.default(...)` or `.optional()`."
                }
                (None, true) => "Add `= None` if it may be absent.",
                (None, false) => {
                    "Set it in every deploy's environment, or add `Field(default=...)`."
                }
            };
            let mut finding = RULE
                .finding(
                    field.name_range.clone(),
                    format!(
                        "`{}.{}` is required: startup fails unless `{}` is set",
                        schema.name,
                        field.name,
                        field.env_name()
                    ),
                )
                .with_help(hint);
            match &field.validator {
                Some(validator) => {
                    finding.fixes = schema_fixes(validator, is_secret_name(field.env_name()));
                }
                None if file.dialect == Dialect::Python => {
                    finding = finding
                        .with_fix(python::make_optional(env.source, field))
                        .with_fix(python::neutral_default(env.source, field));
                }
                None => {}
            }
            out.push(finding);
        }
    }
}

/// Defaults of the validator's type: envalid `default:` and `devDefault:`,
/// zod `.default(...)` and `.optional()`. A secret gets no production
/// default: that is `secret-with-default`.
fn schema_fixes(validator: &Validator, secret: bool) -> Vec<Fix> {
    let value = typescript::empty_value(validator);
    let mut out = Vec::new();
    let mut offer = |title: String, edit: Option<Edit>| {
        out.extend(reviewed_fix(title, edit.map(|e| vec![e])));
    };
    match validator {
        Validator::Envalid { .. } => {
            if let Some(value) = value {
                if !secret {
                    let edit = typescript::envalid_option(validator, "default", &value);
                    offer(format!("Add `default: {value}`"), edit);
                }
                let edit = typescript::envalid_option(validator, "devDefault", &value);
                offer(
                    format!("Add `devDefault: {value}` (development only)"),
                    edit,
                );
            }
        }
        Validator::Zod { .. } => {
            if let Some(value) = value.filter(|_| !secret) {
                let edit = typescript::zod_method(validator, &format!("default({value})"));
                offer(format!("Add `.default({value})`"), edit);
            }
            offer(
                "Make it optional: `.optional()`".to_string(),
                typescript::zod_method(validator, "optional()"),
            );
        }
    }
    out
}
