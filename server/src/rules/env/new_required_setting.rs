//! ## What it does
//! Flags a settings field without a default that is new relative to the
//! base branch: the same file at the merge-base of `HEAD` and the base
//! branch did not require it (the field was absent, had a default or was
//! optional there, or was read from other variables). The base branch is
//! `base-branch` in the configuration, by default the remote's default
//! branch (`origin/HEAD`), else `main`, else `master`. Fields that were
//! already required there stay `required-setting-without-default` (info);
//! a field this rule reports is not reported by that rule as well.
//!
//! Without a git repository, without git, or without the base branch the
//! rule reports nothing.
//!
//! ## Why it matters
//! Every deployment running the base branch was configured without the
//! variable. After this change ships, each of them fails at startup with
//! `ValidationError ... Field required` until someone sets it, and a
//! rolling deploy turns that into an outage.
//!
//! ## Example
//! ```python
//! class Settings(BaseSettings):
//!     database_url: str
//!     stripe_api_key: str  # added on this branch
//! ```
//!
//! ## Safe alternative
//! Give the new field a safe default (`Field(default=...)`) or make it
//! optional (`stripe_api_key: str | None = None`) and handle its absence;
//! set the variable in every environment first, and make it required in a
//! later release.

use crate::analysis::env::{EnvCheck, Field, FieldDefault, Schema};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "new-required-setting",
    severity: Severity::Error,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "A settings field without a default is new since the base branch: existing deployments lack its variable",
    source: include_str!("new_required_setting.rs"),
    check: Check::Env(check),
};

fn check(env: &EnvCheck<'_>, out: &mut Vec<Finding>) {
    let Some(base) = env.base else {
        return;
    };
    for schema in &env.file.schemas {
        for field in &schema.fields {
            if field.default != FieldDefault::Required
                || required_by(&base.schemas, field, schema.case_sensitive)
            {
                continue;
            }
            out.push(
                RULE.finding(
                    field.name_range.clone(),
                    format!(
                        "`{}.{}` is required and new since `{}`: every deployment without `{}` fails at startup",
                        schema.name,
                        field.name,
                        base.branch,
                        field.env_name()
                    ),
                )
                .with_help(
                    "Give it a default or make it optional (`= None`) until every environment sets it.",
                ),
            );
        }
    }
}

/// Whether every deployment that satisfied the base's schemas also
/// satisfies `field`: some field there was required at least as strictly
/// (not optional unless `field` is) and read from no variable `field` does
/// not read.
fn required_by(base: &[Schema], field: &Field, case_sensitive: bool) -> bool {
    let reads = |old: &Field| {
        names(old).all(|name| {
            names(field).any(|new| {
                if case_sensitive {
                    new == name
                } else {
                    new.eq_ignore_ascii_case(name)
                }
            })
        })
    };
    base.iter().flat_map(|s| &s.fields).any(|old| {
        old.default == FieldDefault::Required && (!old.optional || field.optional) && reads(old)
    })
}

/// The variables a field is read from (its name, for a schema a front end
/// left without variable names).
fn names(field: &Field) -> impl Iterator<Item = &str> {
    let fallback = field.env_names.is_empty().then_some(field.name.as_str());
    field.env_names.iter().map(String::as_str).chain(fallback)
}
