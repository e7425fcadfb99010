//! Fixes and advice in migrations written in Python and TypeScript.
//!
//! Three paths lead here. A rule's rewrite of SQL written in a literal is
//! kept as an edit of that literal (`Migration::fix` encodes it for the
//! literal's quoting). A recipe that moves a step out of its transaction,
//! or into later migrations, is placed by [`place`] in the framework's own
//! terms (an Alembic `autocommit_block()`, new revision files). And the
//! framework's operations get rewrites of their own ([`adapt`]):
//! `postgresql_concurrently=True`, `AddIndexConcurrently`, `atomic = False`.
//! Code, not SQL pasted into Python; the help says the same in the
//! framework's words.

use crate::analysis::migration::{Migration, OpAt};
use crate::analysis::orm::{Facts, Framework, OrmMigration, Unit};
use crate::finding::{Finding, Fix};

use super::transaction::Step;
use super::{alembic, django, script};

/// What a framework rewrite is built from: the finding's operation, its
/// unit, and the migration around them.
pub struct Target<'m, 'a> {
    pub m: &'m Migration<'a>,
    pub orm: &'a OrmMigration,
    pub at: OpAt<'a>,
    pub unit: &'a Unit,
}

impl<'a> Target<'_, 'a> {
    /// The unit's call as written.
    pub fn call_text(&self) -> &'a str {
        self.m.source().get(self.unit.span.clone()).unwrap_or("")
    }
}

/// Adds the framework's rewrites and advice to `findings`.
pub fn adapt(m: &Migration<'_>, orm: &OrmMigration, findings: &mut [Finding], build_fixes: bool) {
    for finding in findings.iter_mut() {
        if let Some(help) = help(orm.framework, finding.rule) {
            finding.help = Some(help.into());
        }
        if !build_fixes {
            continue;
        }
        if let Some(fix) = framework_fix(m, orm, finding) {
            // A timeout set by the framework's own statement replaces one
            // slipped into a neighbouring SQL literal.
            if matches!(
                finding.rule,
                "require-lock-timeout" | "require-statement-timeout"
            ) {
                finding.fixes.clear();
            }
            finding.fixes.insert(0, fix);
        }
    }
}

fn framework_fix(m: &Migration<'_>, orm: &OrmMigration, finding: &Finding) -> Option<Fix> {
    // The timeout rules point at the first unguarded lock; their fix goes
    // first in the migration whatever operation that is.
    if let Some((setting, value)) = timeout(finding.rule) {
        return match &orm.facts {
            Facts::Alembic(facts) => alembic::timeout(m, facts, setting, value),
            Facts::Django(facts) => django::timeout(m, orm, facts, setting, value),
            Facts::Script(facts) => script::timeout(m, orm, facts, setting, value),
        };
    }
    let at = m.ops().find(|at| at.range() == finding.range)?;
    let unit = orm.unit_of(at.index)?;
    let target = Target { m, orm, at, unit };
    match &orm.facts {
        Facts::Alembic(facts) => alembic::fix(&target, facts, finding.rule),
        Facts::Django(facts) => django::fix(&target, facts, finding.rule),
        Facts::Script(facts) => script::fix(&target, facts, finding.rule),
    }
}

/// The setting and value the timeout rules' fixes set.
fn timeout(rule: &str) -> Option<(&'static str, &'static str)> {
    match rule {
        "require-lock-timeout" => Some(("lock_timeout", "2s")),
        "require-statement-timeout" => Some(("statement_timeout", "60s")),
        _ => None,
    }
}

/// Places a recipe's `step` (see `transaction::split`) in the host file's
/// framework: `None` where the framework has no way to run it so.
pub fn place(m: &Migration<'_>, at: &OpAt<'_>, title: &str, step: Step<'_>) -> Option<Fix> {
    let orm = m.host()?;
    let unit = orm.unit_of(at.index)?;
    let target = Target {
        m,
        orm,
        at: *at,
        unit,
    };
    match &orm.facts {
        Facts::Alembic(facts) => alembic::place(&target, facts, title, step),
        Facts::Django(facts) => django::place(&target, facts, title, step),
        Facts::Script(facts) => script::place(&target, facts, title, step),
    }
}

/// What to do about a rule's finding in the framework's own terms, where the
/// rule's help speaks SQL.
fn help(framework: Framework, rule: &str) -> Option<&'static str> {
    Some(match (framework, rule) {
        (Framework::Alembic, "require-lock-timeout") => {
            "Set it for every revision in `env.py` (`connect_args={\"options\": \"-c lock_timeout=2s\"}`), or start `upgrade()` with `op.execute(\"SET lock_timeout = '2s'\")`; retry on timeout."
        }
        (Framework::Alembic, "require-statement-timeout") => {
            "Set it for every revision in `env.py` (`-c statement_timeout=60s`), or start `upgrade()` with `op.execute(\"SET statement_timeout = '60s'\")`."
        }
        (Framework::Alembic, "concurrently-in-transaction") => {
            "Run it inside `with op.get_context().autocommit_block():` (and set `transaction_per_migration=True` in `env.py`, since the block commits what ran before it)."
        }
        (
            Framework::Alembic,
            "require-concurrent-index-creation" | "require-concurrent-index-deletion",
        ) => {
            "Pass `postgresql_concurrently=True` and run it inside `with op.get_context().autocommit_block():`."
        }
        (Framework::Alembic, "foreign-key-missing-not-valid" | "constraint-missing-not-valid") => {
            "Pass `postgresql_not_valid=True`, then `op.execute(\"ALTER TABLE ... VALIDATE CONSTRAINT ...\")` in the next revision."
        }
        (Framework::Alembic, "missing-down-migration") => {
            "Write `downgrade()`, or make it `raise NotImplementedError(\"...\")` to mark the revision irreversible."
        }
        (Framework::Django, "require-lock-timeout") => {
            "Set it before the schema change: `migrations.RunSQL(\"SET LOCAL lock_timeout = '2s'\", migrations.RunSQL.noop)` first in `operations`, or a backend that sets it (django-pg-zero-downtime-migrations)."
        }
        (Framework::Django, "require-statement-timeout") => {
            "Set it first: `migrations.RunSQL(\"SET LOCAL statement_timeout = '60s'\", migrations.RunSQL.noop)`, or a backend that sets it."
        }
        (Framework::Django, "concurrently-in-transaction") => {
            "Set `atomic = False` on the `Migration` class."
        }
        (Framework::Django, "require-concurrent-index-creation") => {
            "Use `AddIndexConcurrently` (`django.contrib.postgres.operations`) in a migration with `atomic = False`."
        }
        (Framework::Django, "require-concurrent-index-deletion") => {
            "Use `RemoveIndexConcurrently` (`django.contrib.postgres.operations`) in a migration with `atomic = False`."
        }
        (Framework::Django, "constraint-missing-not-valid") => {
            "Use `AddConstraintNotValid`, then `ValidateConstraint` in the next migration (Django 4.0+)."
        }
        (Framework::Django, "foreign-key-missing-not-valid") => {
            "Add the field with `db_constraint=False`, then the constraint `NOT VALID` and its `VALIDATE` in later migrations (`RunSQL` in `SeparateDatabaseAndState`)."
        }
        (Framework::Django, "add-column-code-default-dropped") => {
            "Use `db_default=` (Django 5+) so the database keeps the default for the code still running."
        }
        (Framework::Django, "missing-down-migration") => {
            "Pass `reverse_sql` / `reverse_code`: `migrations.RunSQL.noop` / `migrations.RunPython.noop` when there is nothing to undo."
        }
        (Framework::TypeOrm, "require-lock-timeout") => {
            "Start `up` with `await queryRunner.query(\"SET lock_timeout = '2s'\")`; retry on timeout."
        }
        (Framework::TypeOrm, "require-statement-timeout") => {
            "Start `up` with `await queryRunner.query(\"SET statement_timeout = '60s'\")`."
        }
        (
            Framework::TypeOrm,
            "concurrently-in-transaction"
            | "require-concurrent-index-creation"
            | "require-concurrent-index-deletion",
        ) => {
            "Use CONCURRENTLY in a migration class with `transaction = false` (and `migrationsTransactionMode` `\"each\"` or `\"none\"`)."
        }
        (Framework::Knex, "require-lock-timeout") => {
            "Start `up` with `await knex.raw(\"SET lock_timeout = '2s'\")`; retry on timeout."
        }
        (Framework::Knex, "require-statement-timeout") => {
            "Start `up` with `await knex.raw(\"SET statement_timeout = '60s'\")`."
        }
        (
            Framework::Knex,
            "concurrently-in-transaction"
            | "require-concurrent-index-creation"
            | "require-concurrent-index-deletion",
        ) => {
            "Use CONCURRENTLY through `knex.raw(...)` in a migration that exports `config = { transaction: false }`."
        }
        _ => return None,
    })
}
