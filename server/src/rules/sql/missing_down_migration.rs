//! ## What it does
//! Flags a migration whose runner supports a down (rollback) migration when
//! that down migration is missing or empty: golang-migrate and sqlx
//! `N_name.up.sql` without `N_name.down.sql`, a diesel directory without a
//! non-empty `down.sql`, goose without a `-- +goose Down` section, dbmate with
//! an empty `-- migrate:down` section; an Alembic revision whose
//! `downgrade()` is missing or does nothing (`pass`, a docstring), a
//! TypeORM or Knex migration whose `down` is missing or empty, and each
//! Django `RunSQL` without `reverse_sql` or `RunPython` without
//! `reverse_code` (`RunSQL.noop` and `RunPython.noop` are explicit
//! "irreversible" markers, as is a down function that raises).
//! `info`. Runners without down migrations (Prisma, Drizzle, Atlas, Flyway's community edition, sqlx simple
//! migrations) are not flagged.
//!
//! ## Why it matters
//! When a deploy goes wrong, the rollback path is what gets you back quickly;
//! discovering during the incident that there is none costs the time you
//! need most.
//!
//! ## Example
//! `migrations/000042_add_plan.up.sql` with no `000042_add_plan.down.sql`.
//!
//! ## Safe alternative
//! Write the inverse (CREATE → DROP, ADD → DROP, RENAME → RENAME back), or make
//! the down migration an explicit, commented "irreversible" marker so the gap
//! is a decision rather than an accident.

use crate::analysis::migration::Migration;
use crate::analysis::runner::{Down, DownProblem};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "missing-down-migration",
    severity: Severity::Info,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "Migration has no (or an empty) down migration",
    source: include_str!("missing_down_migration.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    let runner = m.runner();
    let Some(problem) = &runner.down_missing else {
        return;
    };
    let name = runner.runner.name();
    // Each operation without an inverse is its own finding, where it is written.
    if let DownProblem::Irreversible(operations) = problem {
        for operation in operations {
            out.push(
                RULE.finding(
                    operation.range.clone(),
                    format!(
                        "This {name} operation has no way back: `{}` without `{}` cannot be rolled back",
                        operation.operation, operation.missing
                    ),
                )
                .with_help(HELP),
            );
        }
        return;
    }
    let range = match (&runner.down, m.statements().first()) {
        (Down::Code(range), _) => range.clone(),
        (_, Some(first)) => first.span.clone(),
        (_, None) => return,
    };
    out.push(
        RULE.finding(
            range,
            format!("This {name} migration has no way back: {problem}"),
        )
        .with_help(HELP),
    );
}

const HELP: &str =
    "Write the inverse migration, or an explicit irreversible marker, before deploying.";
