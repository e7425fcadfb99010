//! ## What it does
//! Flags a second (third, ...) `ALTER TABLE` statement on the same existing
//! table in one migration. `info`, and off unless selected: separate
//! statements are sometimes deliberate (each can be retried on its own).
//!
//! ## Why it matters
//! Each statement queues for the table's lock again, and may scan or rewrite
//! it again; one statement with several actions takes the lock once.
//!
//! ## Example
//! ```sql
//! ALTER TABLE users ADD COLUMN nickname text;
//! ALTER TABLE users ADD COLUMN bio text;
//! ```
//!
//! ## Safe alternative
//! ```sql
//! ALTER TABLE users ADD COLUMN nickname text, ADD COLUMN bio text;
//! ```

use rustc_hash::FxHashMap as HashMap;

use crate::analysis::migration::{Migration, Name};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

use super::on_existing;

pub static RULE: Rule = Rule {
    id: "multiple-alter-table",
    severity: Severity::Info,
    class: MigrationClass::Any,
    default_enabled: false,
    summary: "Several ALTER TABLE statements on one table take its lock several times",
    source: include_str!("multiple_alter_table.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    // Table name → the table as first altered, and the line it was altered on.
    let mut first: HashMap<&str, (&Name, usize)> = HashMap::default();
    let mut last_statement = None;
    for at in on_existing(m).filter(|at| at.op.kind.is_alter_table_action()) {
        if last_statement == Some(at.index) {
            continue;
        }
        last_statement = Some(at.index);
        let Some(table) = &at.op.table else { continue };
        match first.get(table.name.as_str()) {
            Some((earlier, line)) if earlier.matches(table) => out.push(
                RULE.finding(
                    at.range(),
                    format!(
                        "`{table}` is already altered on line {line}: this statement queues for its lock a second time"
                    ),
                )
                .with_help("Merge the actions into one `ALTER TABLE ... , ...` statement."),
            ),
            Some(_) => {}
            None => {
                let line = m.line_of(at.statement.span.start);
                first.insert(&table.name, (table, line));
            }
        }
    }
}
