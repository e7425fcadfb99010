//! ## What it does
//!
//! Flags a suppression comment that names a rule preflight does not have, or that
//! is not written as a directive: `-- preflight: ignore` without `[rule-id, ...]`,
//! a missing `]`, or an empty list.
//!
//! ## Why it matters
//!
//! A misspelt id suppresses nothing, so the finding the author meant to accept is
//! still reported, or, worse, the author believes a reviewed risk is recorded when
//! it is not. Rule ids are public API; a typo should fail loudly, not quietly.
//!
//! ## Example
//!
//! ```sql
//! -- preflight: ignore[drop-tabel] the table was emptied last release
//! DROP TABLE legacy_events;
//! ```
//!
//! ## How to fix
//!
//! Use the exact id from `preflight rules` (here `drop-table`), in brackets,
//! separated by commas:
//!
//! ```sql
//! -- preflight: ignore[drop-table] the table was emptied last release
//! DROP TABLE legacy_events;
//! ```

use crate::analysis::suppression::{INVALID_SUPPRESSION, INVALID_SUPPRESSION_SEVERITY};
use crate::finding::MigrationClass;
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: INVALID_SUPPRESSION,
    severity: INVALID_SUPPRESSION_SEVERITY,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "A suppression comment names an unknown rule or is malformed",
    source: include_str!("invalid_suppression.rs"),
    check: Check::Engine,
};
