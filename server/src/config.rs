//! `preflight.toml` and `[tool.preflight]` in `pyproject.toml`.
//!
//! STUB: being implemented (discovery, parsing, validation, editor overrides).

use std::path::Path;

use crate::finding::Severity;

/// The settings one checked file runs under.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Target server major version; gates version-dependent advice.
    pub postgres_version: u32,
    /// Overrides the runner detection: every migration runs inside a transaction
    /// (`Some(true)`) or outside one (`Some(false)`).
    pub assume_in_transaction: Option<bool>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            postgres_version: 15,
            assume_in_transaction: None,
        }
    }
}

impl Config {
    /// The severity a rule reports at, or `None` when it is turned off.
    pub fn severity_of(&self, _rule_id: &str, default: Severity, _default_enabled: bool) -> Option<Severity> {
        Some(default)
    }

    /// Whether a file walked by `preflight check` is in scope.
    pub fn includes(&self, _path: &Path) -> bool {
        true
    }
}
