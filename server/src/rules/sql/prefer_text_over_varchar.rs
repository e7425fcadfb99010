//! ## What it does
//! Flags `varchar(n)` / `character varying(n)` columns. `info`, off unless
//! selected (design).
//!
//! ## Why it matters
//! Shrinking `n` later rewrites the table under ACCESS EXCLUSIVE; a length
//! CHECK on `text` can be changed with `NOT VALID` + `VALIDATE` instead.
//!
//! ## Example
//! ```sql
//! CREATE TABLE users (email varchar(255));
//! ```
//!
//! ## Safe alternative
//! `email text CHECK (char_length(email) <= 255)`.

use crate::analysis::migration::Migration;

use super::{is_any_of, new_columns};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "prefer-text-over-varchar",
    severity: Severity::Info,
    class: MigrationClass::Additive,
    default_enabled: false,
    summary: "varchar(n): a CHECK on text is easier to change",
    source: include_str!("prefer_text_over_varchar.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for column in new_columns(m) {
        let base = column.base_type;
        if !(is_any_of(base, &["varchar", "character varying"]) && column.data_type.contains('(')) {
            continue;
        }
        out.push(
            RULE.finding(
                column.at.range(),
                format!("`{}` is `{}`: changing the limit later rewrites the table; a CHECK on `text` can change without one", column.name, column.data_type),
            )
            .with_help("Use `text` with `CHECK (char_length(col) <= n)`."),
        );
    }
}
