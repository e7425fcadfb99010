//! ## What it does
//!
//! Flags a rule id in a suppression comment that hides nothing: the rule reports
//! no finding in the statement (or file) the comment covers, or the comment is
//! attached to no statement at all.
//!
//! ## Why it matters
//!
//! Suppressions outlive the code they were written for. A stale one is noise for
//! reviewers, and it silently swallows the next real finding of that rule when the
//! statement changes again.
//!
//! ## Example
//!
//! ```sql
//! -- preflight: ignore[require-concurrent-index-creation] small table
//! CREATE INDEX CONCURRENTLY events_created_at_idx ON events (created_at);
//! ```
//!
//! The index is already built concurrently, so the suppression has nothing to do.
//!
//! ## How to fix
//!
//! Remove the id from the list, or the whole comment when it was the only one. A
//! suppression belongs on the line above the statement or at the end of one of its
//! lines; `ignore-file[...]` covers the whole file.
//!
//! ```sql
//! CREATE INDEX CONCURRENTLY events_created_at_idx ON events (created_at);
//! ```

use crate::analysis::suppression::{UNUSED_SUPPRESSION, UNUSED_SUPPRESSION_SEVERITY};
use crate::finding::MigrationClass;
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: UNUSED_SUPPRESSION,
    severity: UNUSED_SUPPRESSION_SEVERITY,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "A suppression comment hides no finding",
    source: include_str!("unused_suppression.rs"),
    check: Check::Engine,
};
