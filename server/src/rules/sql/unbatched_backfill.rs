//! ## What it does
//! Flags `UPDATE` and `DELETE` on a table that existed before this migration
//! when the statement is not batched (no `LIMIT`-bounded batch, as in a keyset
//! loop, and no `BETWEEN` key range). Without any `WHERE` it is an error:
//! every row of the table.
//!
//! ## Why it matters
//! One statement over many rows is one long transaction: it locks every row it
//! touches against concurrent writes, bursts WAL (replica lag), bloats the
//! table, and cannot be interrupted without losing all its work.
//!
//! ## Example
//! ```sql
//! UPDATE users SET plan = 'free';
//! ```
//!
//! ## Safe alternative
//! A keyset-batched loop outside the schema migration, committing per batch:
//! ```sql
//! WITH batch AS (
//!     SELECT id FROM users WHERE plan IS NULL ORDER BY id LIMIT 1000 FOR NO KEY UPDATE
//! )
//! UPDATE users SET plan = 'free' FROM batch WHERE users.id = batch.id;
//! -- repeat until no row is updated, sleeping briefly between batches
//! ```

use crate::analysis::migration::{DmlKind, Migration, OpKind, OpTag};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};

use super::{existing, table_of};

pub static RULE: Rule = Rule {
    id: "unbatched-backfill",
    severity: Severity::Warning,
    class: MigrationClass::Transformative,
    default_enabled: true,
    summary: "UPDATE or DELETE over a whole table in one statement",
    source: include_str!("unbatched_backfill.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for at in existing(m, OpTag::Dml) {
        let OpKind::Dml {
            kind: kind @ (DmlKind::Update | DmlKind::Delete),
            filtered,
            batched: false,
        } = at.op.kind
        else {
            continue;
        };
        let (verb, class) = match kind {
            DmlKind::Delete => ("Deleting", MigrationClass::Destructive),
            _ => ("Updating", MigrationClass::Transformative),
        };
        let scope = if filtered {
            "the matching rows"
        } else {
            "every row"
        };
        let mut finding = RULE.finding(
            at.range(),
            format!(
                "{verb} {scope} of {} in one statement holds row locks on all of them until commit and floods WAL",
                table_of(&at)
            ),
        )
        .with_help("Backfill in keyset batches of a few thousand rows (`... ORDER BY id LIMIT 1000`), committing per batch, outside the schema migration.")
        .with_fix(m.fix(|| fixes::backfill::batched(m, &at)));
        finding.class = class;
        if !filtered {
            finding = finding.with_severity(Severity::Error);
        }
        out.push(finding);
    }
}
