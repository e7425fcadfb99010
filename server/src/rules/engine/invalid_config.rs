//! ## What it does
//!
//! Reports a `preflight.toml` (or the `[tool.preflight]` table of a
//! `pyproject.toml`) that cannot be used: invalid TOML, an unknown key, a value of
//! the wrong type, an unknown rule id, a bad glob, or a PostgreSQL version outside
//! 10 to 19. The diagnostic sits on the offending key in the config file.
//!
//! ## Why it matters
//!
//! A configuration that is half understood is worse than none: a misspelt
//! `ignore` or `severity` entry would silently run rules the team turned off, or
//! skip rules it meant to enforce, and a wrong `postgres-version` changes which
//! advice applies. preflight therefore refuses the whole file and says why.
//!
//! ## Example
//!
//! ```toml
//! postgres-version = 8
//!
//! [severity]
//! drop-tabel = "error"
//! ```
//!
//! ## How to fix
//!
//! Follow the message: use a supported version and the exact rule ids from
//! `preflight rules`.
//!
//! ```toml
//! postgres-version = 15
//!
//! [severity]
//! drop-table = "error"
//! ```

use crate::finding::{MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "invalid-config",
    severity: Severity::Error,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "The preflight configuration file cannot be used",
    source: include_str!("invalid_config.rs"),
    check: Check::Engine,
};
