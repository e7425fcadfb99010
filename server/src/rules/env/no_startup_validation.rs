//! ## What it does
//! Flags configuration that is validated late or not at all:
//! - a TypeScript / JavaScript project that reads `process.env` (or
//!   `import.meta.env`) but validates the environment nowhere: no envalid
//!   `cleanEnv`, t3-env `createEnv` or zod `parse(process.env)` in any of
//!   its files (reported once per file, at its first read);
//! - t3-env `skipValidation: true`, written as a constant;
//! - an envalid `reporter` that neither throws nor exits;
//! - a pydantic-settings class that is only ever instantiated inside a
//!   function (`def get_settings(): return Settings()`), never at import.
//!
//! ## Why it matters
//! A missing or malformed variable should stop the deploy when the new
//! version boots, while the old one still serves traffic. Validated late,
//! it surfaces on the first request that needs it, after the rollout has
//! replaced every healthy instance.
//!
//! ## Example
//! ```js
//! export const env = createEnv({
//!   server: { DATABASE_URL: z.string().url() },
//!   runtimeEnv: process.env,
//!   skipValidation: true,
//! });
//! ```
//!
//! ## Safe alternative
//! One env module validated at import (`export const env = cleanEnv(...)`,
//! `createEnv(...)`, `schema.parse(process.env)`, or a module-level
//! `settings = Settings()`), imported by the entrypoint; skip validation
//! only on request (`skipValidation: !!process.env.SKIP_ENV_VALIDATION`);
//! an envalid reporter that ends with `process.exit(1)` or `throw`.

use std::collections::HashSet;
use std::path::Path;

use crate::analysis::env::{Dialect, EnvCheck};
use crate::finding::{Edit, Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule, reviewed_fix};
use crate::text::Language;

pub static RULE: Rule = Rule {
    id: "no-startup-validation",
    severity: Severity::Warning,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "The environment is not validated at startup",
    source: include_str!("no_startup_validation.rs"),
    check: Check::Env(check),
};

fn check(env: &EnvCheck<'_>, out: &mut Vec<Finding>) {
    let file = env.file;
    for validation in &file.validations {
        if let Some(entry) = &validation.skipped {
            out.push(
                RULE.finding(
                    entry.clone(),
                    "`skipValidation: true` turns t3-env's validation off everywhere: a missing variable surfaces at first use",
                )
                .with_help("Skip only on request, e.g. for a Docker build: `skipValidation: !!process.env.SKIP_ENV_VALIDATION`.")
                .with_fix(reviewed_fix(
                    "Skip only when `SKIP_ENV_VALIDATION` is set",
                    Some(vec![Edit::replace(
                        entry.clone(),
                        "skipValidation: !!process.env.SKIP_ENV_VALIDATION",
                    )]),
                )),
            );
        }
        if let Some(entry) = &validation.lenient_reporter {
            out.push(
                RULE.finding(
                    entry.clone(),
                    "This envalid `reporter` neither throws nor exits: startup goes on with missing or invalid variables",
                )
                .with_help("End the reporter with `process.exit(1)` or `throw` once it has logged, or drop it for envalid's default."),
            );
        }
    }
    if file.dialect == Dialect::JavaScript && file.validations.is_empty() {
        unvalidated_project(env, out);
    }
    let lazy: Vec<_> = file.constructions.iter().filter(|c| c.lazy).collect();
    if lazy.is_empty() {
        return;
    }
    // Resolved once: most capitalised calls are no settings classes.
    let settings: HashSet<String> = env
        .project
        .declared()
        .into_iter()
        .map(|d| d.schema)
        .chain(file.schemas.iter().map(|s| s.name.clone()))
        .collect();
    for construction in lazy {
        let class = construction.class.as_str();
        if settings.contains(class) && !env.project.instantiated(class) {
            out.push(
                RULE.finding(
                    construction.range.clone(),
                    format!("`{class}` is only built inside a function: its variables are validated at the first call, not at startup"),
                )
                .with_help(format!("Build it at import, `settings = {class}()`, and use that instance (or call the function once at startup).")),
            );
        }
    }
}

/// The first read of a file in a project with no env validation at all.
fn unvalidated_project(env: &EnvCheck<'_>, out: &mut Vec<Finding>) {
    let mut files = env.project.files().peekable();
    // Without a project (a lone document) nothing is known of other files.
    if files.peek().is_none() {
        return;
    }
    let is_js = |path: &Path| {
        matches!(
            Language::from_path(path),
            Language::TypeScript | Language::JavaScript
        )
    };
    if files.any(|(path, facts)| facts.settings_module && is_js(path)) {
        return;
    }
    let Some(first) = env.file.reads.first() else {
        return;
    };
    out.push(
        RULE.finding(
            first.range.clone(),
            "This project reads `process.env` but validates it nowhere: a missing variable surfaces at first use, not at startup",
        )
        .with_help("Declare the variables in one env module validated at import (envalid `cleanEnv`, t3-env `createEnv`, or a zod schema's `parse(process.env)`) and read `env.X` from it."),
    );
}
