//! ## What it does
//! Flags `ALTER TABLE ... ADD COLUMN ... DEFAULT <volatile>` (`gen_random_uuid()`,
//! `uuid_generate_v4()`, `clock_timestamp()`, `random()`, `nextval(...)`) on an
//! existing table; before PostgreSQL 11, any `DEFAULT`.
//!
//! ## Why it matters
//! Every row needs its own value, so PostgreSQL rewrites the table and all its
//! indexes while holding ACCESS EXCLUSIVE. Constant and stable defaults (`0`,
//! `'{}'::jsonb`, `now()`) are stored once and cost nothing on PostgreSQL 11+.
//!
//! ## Example
//! ```sql
//! ALTER TABLE users ADD COLUMN public_id uuid DEFAULT gen_random_uuid();
//! ```
//!
//! ## Safe alternative
//! ```sql
//! ALTER TABLE users ADD COLUMN public_id uuid;                       -- metadata only
//! ALTER TABLE users ALTER COLUMN public_id SET DEFAULT gen_random_uuid(); -- new rows
//! -- then backfill existing rows in batches, and set NOT NULL safely
//! ```

use crate::analysis::migration::{Migration, OpKind, OpTag};

use super::{existing, table_of};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "add-column-volatile-default",
    severity: Severity::Error,
    class: MigrationClass::Transformative,
    default_enabled: true,
    summary: "ADD COLUMN with a volatile DEFAULT rewrites the table under ACCESS EXCLUSIVE",
    source: include_str!("add_column_volatile_default.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    let old_server = m.settings().postgres_version < 11;
    for at in existing(m, OpTag::AddColumn) {
        let OpKind::AddColumn(column) = &at.op.kind else {
            continue;
        };
        let Some(default) = &column.default else {
            continue;
        };
        if !(column.volatile_default() || old_server) {
            continue;
        }
        let why = if column.volatile_default() {
            "a volatile default gives every row its own value"
        } else {
            "before PostgreSQL 11 any default is written to every row"
        };
        out.push(
            RULE.finding(
                at.range(),
                format!(
                    "Adding `{}` with DEFAULT {default} rewrites {} and its indexes under ACCESS EXCLUSIVE: {why}",
                    column.column,
                    table_of(&at)
                ),
            )
            .with_help("Add the column without a default, SET DEFAULT for new rows, then backfill existing rows in batches.")
            .with_fix(m.fix(|| fixes::column::volatile_default(m, &at))),
        );
    }
}
