//! ## What it does
//! Flags `ALTER TYPE ... ADD VALUE` without `BEFORE` or `AFTER`. `info`, off
//! unless selected (hygiene).
//!
//! ## Why it matters
//! Enum values sort in declaration order; appending changes what `<`, `ORDER BY`
//! and range queries return for the new value, which is rarely what was meant.
//!
//! ## Example
//! ```sql
//! ALTER TYPE order_status ADD VALUE 'refunded';
//! ```
//!
//! ## Safe alternative
//! ```sql
//! ALTER TYPE order_status ADD VALUE 'refunded' AFTER 'paid';
//! ```

use crate::analysis::migration::{Migration, OpKind, OpTag};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "enum-value-ordering",
    severity: Severity::Info,
    class: MigrationClass::Additive,
    default_enabled: false,
    summary: "ADD VALUE without BEFORE or AFTER appends to the enum order",
    source: include_str!("enum_value_ordering.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for at in m.ops_of(OpTag::AddEnumValue) {
        let OpKind::AddEnumValue {
            value,
            positioned: false,
        } = &at.op.kind
        else {
            continue;
        };
        out.push(
            RULE.finding(
                at.range(),
                format!("'{value}' is appended at the end of the enum's sort order"),
            )
            .with_help("Say where it belongs with BEFORE or AFTER."),
        );
    }
}
