//! ## What it does
//! Flags a direct read of the environment (`os.getenv`, `os.environ[...]`,
//! `process.env.X`) in a module of a project that has a settings module: a
//! file declaring a settings schema (a pydantic-settings class, an envalid
//! `cleanEnv` or t3-env `createEnv` module), or one of the files the
//! `settings-modules` configuration names. A settings module governs its
//! top-level package (`app/core/config.py` governs `app/` when `app/` and
//! `app/core/` hold an `__init__.py`), a TypeScript env module its npm
//! package (the directory with the nearest `package.json`), else the
//! module's directory. Tests are not flagged.
//!
//! ## Why it matters
//! The settings module is where variables are typed, validated at startup
//! and documented. A read beside it is invisible to all three: it fails at
//! first use instead of at boot, and no example file or review of the
//! schema shows that production needs it.
//!
//! ## Example
//! ```python
//! # app/api/billing.py, with app/core/config.py defining Settings
//! import os
//! STRIPE_KEY = os.environ["STRIPE_KEY"]
//! ```
//!
//! ## Safe alternative
//! Declare the variable as a field of the settings class and use it through
//! the settings object: `settings.stripe_key`.

use super::shown;
use crate::analysis::env::{Dialect, EnvCheck, ReadKind};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "env-read-outside-settings",
    severity: Severity::Warning,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "The environment is read outside the project's settings module",
    source: include_str!("env_read_outside_settings.rs"),
    check: Check::Env(check),
};

fn check(env: &EnvCheck<'_>, out: &mut Vec<Finding>) {
    let Some(module) = env.settings_module else {
        return;
    };
    let module_name = module
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    for read in &env.file.reads {
        // `setdefault` configures the process (`DJANGO_SETTINGS_MODULE`).
        if read.kind == ReadKind::SetDefault {
            continue;
        }
        let mut finding = RULE
            .finding(
                read.range.clone(),
                format!(
                    "{} is read here, not through the settings in `{module_name}`",
                    shown(read.name.as_deref())
                ),
            )
            .with_help(format!(
                "Declare it in `{}` and use the settings object, so it is validated at startup and documented.",
                module.display()
            ));
        if env.file.dialect == Dialect::Python {
            for fix in fixes::env::python::settings_fixes(env, read) {
                finding = finding.with_fix(fix);
            }
        }
        out.push(finding);
    }
}
