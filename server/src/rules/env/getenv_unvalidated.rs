//! ## What it does
//! Flags a read of an environment variable without a default whose result
//! is never tested. Python: `os.getenv("X")` and `os.environ.get("X")`
//! (a default of `None` is the same as none) not in an `if` or `while`
//! condition, not an operand of `or` / `and` / `not` or a comparison, not
//! asserted, and not assigned to a name the module tests. TypeScript and
//! JavaScript: `process.env.X`, `process.env["X"]`, `import.meta.env.X` or
//! a destructured `const { X } = process.env` without `??` / `||`, not
//! tested or compared, not passed to a validator (`cleanEnv`, `createEnv`,
//! a zod `parse`, `assert`, `invariant`...); and every `process.env.X!`,
//! whose non-null assertion silences the compiler without checking
//! anything. In a package a settings module governs, these reads are
//! reported once, by `env-read-outside-settings`.
//!
//! ## Why it matters
//! An unset variable becomes `None` or `undefined`, which surfaces as a
//! `TypeError`, a connection to `"undefined"` or a `NaN` three stack frames
//! away from the cause, often only on the first request after a deploy
//! rather than at startup.
//!
//! ## Example
//! ```python
//! import os
//! DATABASE_URL = os.getenv("DATABASE_URL")
//! engine = create_engine(DATABASE_URL)
//! ```
//!
//! ```ts
//! const pool = new Pool({ connectionString: process.env.DATABASE_URL! });
//! ```
//!
//! ## Safe alternative
//! Read it into a typed settings field (pydantic-settings, envalid
//! `cleanEnv`, t3-env `createEnv`, a zod schema parsed at startup: each
//! fails at startup with the variable's name), use `os.environ["X"]` to
//! fail fast, or give a default (`os.getenv("X", "d")`,
//! `process.env.X ?? "d"`).

use super::shown;
use crate::analysis::env::{Dialect, EnvCheck, ReadKind, ValueKind};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "getenv-unvalidated",
    severity: Severity::Warning,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "An environment variable read without a default is used unchecked (or asserted with `!`)",
    source: include_str!("getenv_unvalidated.rs"),
    check: Check::Env(check),
};

fn check(env: &EnvCheck<'_>, out: &mut Vec<Finding>) {
    // `env-read-outside-settings` reports these reads, with the same remedy.
    if env.reads_go_through_settings {
        return;
    }
    let file = env.file;
    for read in &file.reads {
        let defaulted = read
            .default
            .as_ref()
            .is_some_and(|d| d.kind != ValueKind::None);
        let unvalidated = matches!(read.kind, ReadKind::Get | ReadKind::Asserted);
        if !unvalidated || defaulted || read.checked {
            continue;
        }
        let name = shown(read.name.as_deref());
        let (message, help) = match (file.dialect, read.kind) {
            (Dialect::Python, _) => (
                format!("{name} is `None` when unset, and nothing here checks it"),
                "Read it into a settings field, use `os.environ[...]` to fail fast, or pass a default.",
            ),
            (Dialect::JavaScript, ReadKind::Asserted) => (
                format!(
                    "{name} is asserted non-null with `!`, but nothing checks it: it is `undefined` when unset"
                ),
                JS_HELP,
            ),
            (Dialect::JavaScript, _) => (
                format!("{name} is `undefined` when unset, and nothing here checks it"),
                JS_HELP,
            ),
        };
        let mut finding = RULE.finding(read.range.clone(), message).with_help(help);
        if file.dialect == Dialect::Python {
            // The settings field first when there is one; adding a field
            // edits another file, so it comes after the local rewrite.
            let fail_fast = fixes::env::python::fail_fast(
                env.source,
                read,
                format!("Read {name} with `os.environ[...]`: fail fast when unset"),
            );
            let [setting, new_setting] = fixes::env::python::settings_fixes(env, read);
            finding = finding
                .with_fix(setting)
                .with_fix(fail_fast)
                .with_fix(new_setting);
        }
        out.push(finding);
    }
}

const JS_HELP: &str = "Declare it in the env schema (envalid `cleanEnv`, t3-env `createEnv`, a zod schema parsed at startup), check it and throw, or give a default with `??`.";
