//! ## What it does
//! Flags a default of `os.getenv` / `os.environ.get` /
//! `os.environ.setdefault` that is not a string or `None`
//! (`os.getenv("PORT", 8000)`, `os.getenv("DATA_DIR", Path("/data"))`),
//! and a key that is a literal of another type (`os.getenv(8000)`).
//!
//! ## Why it matters
//! The call returns a `str` when the variable is set and the default's type
//! when it is not: `port + 1` works on a laptop and fails in production,
//! where `PORT` is set. `os.environ.setdefault` with a non-string raises
//! `TypeError`.
//!
//! ## Example
//! ```python
//! PORT = os.getenv("PORT", 8000)
//! ```
//!
//! ## Safe alternative
//! Quote the default and convert once: `int(os.getenv("PORT", "8000"))`, or
//! declare a typed settings field: `port: int = 8000`.
//!
//! TypeScript's `process.env.PORT ?? 3000` is not flagged: its type says
//! `string | number`, and `Number(process.env.PORT ?? 3000)` is the usual,
//! correct conversion.

use super::shown;
use crate::analysis::env::{Dialect, EnvCheck, ValueKind};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "envvar-default-type",
    severity: Severity::Warning,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "An environment variable's default or key is not a string",
    source: include_str!("envvar_default_type.rs"),
    check: Check::Env(check),
};

fn check(env: &EnvCheck<'_>, out: &mut Vec<Finding>) {
    let file = env.file;
    if file.dialect != Dialect::Python {
        return;
    }
    for read in &file.reads {
        if read.key_not_str {
            out.push(RULE.finding(
                read.key.clone(),
                "Environment variable names are strings; this key is not",
            ));
        }
        let Some(default) = &read.default else {
            continue;
        };
        if let ValueKind::NotStr(what) = default.kind {
            out.push(RULE.finding(
                default.range.clone(),
                format!(
                    "The default of {} is {what}, but the variable is a `str` when set",
                    shown(read.name.as_deref())
                ),
            ).with_help("Quote the default and convert the result once, or declare a typed settings field."));
        }
    }
}
