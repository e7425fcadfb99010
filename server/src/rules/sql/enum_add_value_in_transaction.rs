//! ## What it does
//! Flags `ALTER TYPE ... ADD VALUE` inside a transaction block (explicit, or
//! the one the migration runner opens).
//!
//! ## Why it matters
//! Before PostgreSQL 12 it fails outright. From 12 on it runs, but the new value
//! cannot be used until the transaction commits ("unsafe use of new value"), so
//! a later statement in the same migration that uses it fails at deploy time.
//!
//! ## Example
//! ```sql
//! BEGIN;
//! ALTER TYPE order_status ADD VALUE 'refunded';
//! UPDATE orders SET status = 'refunded' WHERE refunded_at IS NOT NULL;
//! COMMIT;
//! ```
//!
//! ## Safe alternative
//! Its own migration, outside a transaction:
//! `ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'refunded' AFTER 'paid';`

use crate::analysis::migration::{Migration, OpKind, OpTag};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "enum-add-value-in-transaction",
    severity: Severity::Warning,
    class: MigrationClass::Additive,
    default_enabled: true,
    summary: "ALTER TYPE ... ADD VALUE inside a transaction",
    source: include_str!("enum_add_value_in_transaction.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for at in m.ops_of(OpTag::AddEnumValue) {
        let OpKind::AddEnumValue { value, .. } = &at.op.kind else {
            continue;
        };
        if !at.context.in_transaction {
            continue;
        }
        let consequence = if m.settings().postgres_version < 12 {
            "fails inside a transaction block before PostgreSQL 12"
        } else {
            "cannot be used until the transaction commits"
        };
        out.push(
            RULE.finding(
                at.range(),
                format!("Enum value '{value}' is added inside a transaction: it {consequence}"),
            )
            .with_help("Add the value in its own migration that runs outside a transaction."),
        );
    }
}
