//! ## What it does
//! Flags `os.getenv("X")` and `os.environ.get("X")` without a default (or
//! with the default `None`, which is the same) whose result is never
//! tested: not an `if` or `while` condition, not an operand of `or` / `and`
//! / `not` or a comparison, not asserted, and not assigned to a name the
//! module tests.
//!
//! ## Why it matters
//! An unset variable becomes `None`, which surfaces as a `TypeError` or a
//! connection to `None` three stack frames away from the cause, often only
//! on the first request after a deploy rather than at startup.
//!
//! ## Example
//! ```python
//! import os
//! DATABASE_URL = os.getenv("DATABASE_URL")
//! engine = create_engine(DATABASE_URL)
//! ```
//!
//! ## Safe alternative
//! Read it into a typed settings field (pydantic-settings fails at startup
//! with the variable's name), use `os.environ["DATABASE_URL"]` to fail fast,
//! or give a default.

use super::shown;
use crate::analysis::env::{EnvCheck, ReadKind, ValueKind};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "getenv-unvalidated",
    severity: Severity::Warning,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "An environment variable read without a default is used unchecked",
    source: include_str!("getenv_unvalidated.rs"),
    check: Check::Env(check),
};

fn check(env: &EnvCheck<'_>, out: &mut Vec<Finding>) {
    let file = env.file;
    for read in &file.reads {
        let defaulted = read
            .default
            .as_ref()
            .is_some_and(|d| d.kind != ValueKind::None);
        if read.kind != ReadKind::Get || defaulted || read.checked {
            continue;
        }
        let name = shown(read.name.as_deref());
        // The settings field first when there is one; adding a field edits
        // another file, so it comes after the local fail-fast rewrite.
        let setting = fixes::env::use_setting(env.source, env.project, env.path, read);
        let fail_fast = fixes::env::fail_fast(
            env.source,
            read,
            format!("Read {name} with `os.environ[...]`: fail fast when unset"),
        );
        let new_setting = match setting {
            Some(_) => None,
            None => fixes::env::add_setting(env.source, env.project, env.path, read),
        };
        out.push(
            RULE.finding(
                read.range.clone(),
                format!("{name} is `None` when unset, and nothing here checks it"),
            )
            .with_help(
                "Read it into a settings field, use `os.environ[...]` to fail fast, or pass a default.",
            )
            .with_fix(setting)
            .with_fix(fail_fast)
            .with_fix(new_setting),
        );
    }
}
