//! ## What it does
//! Flags columns declared `char(n)` / `character(n)`.
//!
//! ## Why it matters
//! Values are blank-padded to `n`, comparisons and lengths behave surprisingly,
//! and it is no faster than `text` or `varchar`.
//!
//! ## Example
//! ```sql
//! CREATE TABLE countries (code char(2));
//! ```
//!
//! ## Safe alternative
//! `text` (with a `CHECK (char_length(code) = 2)` if the length matters).

use crate::analysis::migration::Migration;

use super::{is_any_of, new_columns};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "ban-char-field",
    severity: Severity::Warning,
    class: MigrationClass::Additive,
    default_enabled: true,
    summary: "char(n) pads with blanks",
    source: include_str!("ban_char_field.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for column in new_columns(m) {
        let base = column.base_type;
        if !is_any_of(base, &["char", "character", "bpchar"]) {
            continue;
        }
        out.push(
            RULE.finding(
                column.at.range(),
                format!(
                    "`{}` is `{}`: blank-padded and no faster than `text`",
                    column.name, column.data_type
                ),
            )
            .with_help("Use `text`, with a CHECK on the length if it matters."),
        );
    }
}
