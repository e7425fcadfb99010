//! Fixes and advice in migrations written in Python and TypeScript. The
//! rules build their SQL rewrites over the host file as they do over a
//! `.sql` file; here those rewrites are kept only where they are edits of
//! SQL inside a literal (re-encoded for its quoting), the framework's own
//! rewrites (`fixes::alembic`, ...) are added, code rather than SQL pasted
//! into Python, and the help says what to do in the framework's terms.

use std::sync::Arc;

use crate::analysis::orm::{Framework, OrmMigration};
use crate::finding::{Edit, Finding, Fix};
use crate::syntax::literal::Literal;

/// Rewrites each finding's fixes for the host file `orm` was read from.
pub fn adapt(orm: &OrmMigration, findings: &mut [Finding]) {
    let literals = literals(orm);
    for finding in findings.iter_mut() {
        // Only the finding's own SQL is rewritten in place: an edit of
        // another literal (a timeout slipped into an earlier `SET`) is the
        // framework's business.
        let own = literals
            .iter()
            .copied()
            .find(|l| l.source_span().contains(&finding.range.start));
        finding
            .fixes
            .retain_mut(|fix| own.is_some_and(|literal| inside_literal(fix, literal)));
        if let Some(help) = help(orm.framework, finding.rule) {
            finding.help = Some(help.into());
        }
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
            "Set it before the schema change: `migrations.RunSQL(\"SET lock_timeout = '2s'\", migrations.RunSQL.noop)` first in `operations`, or a backend that sets it (django-pg-zero-downtime-migrations)."
        }
        (Framework::Django, "require-statement-timeout") => {
            "Set it first: `migrations.RunSQL(\"SET statement_timeout = '60s'\", migrations.RunSQL.noop)`, or a backend that sets it."
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

/// Each literal holding SQL, once.
fn literals(orm: &OrmMigration) -> Vec<&Arc<Literal>> {
    let mut out: Vec<&Arc<Literal>> = Vec::new();
    for literal in orm.origins.iter().filter_map(|o| o.sql.as_ref()) {
        if !out.iter().any(|known| Arc::ptr_eq(known, literal)) {
            out.push(literal);
        }
    }
    out
}

/// Whether every edit of `fix` changes SQL written verbatim inside
/// `literal`; if so, each replacement is encoded for its quoting.
fn inside_literal(fix: &mut Fix, literal: &Literal) -> bool {
    let mut encoded = Vec::with_capacity(fix.edits.len());
    for edit in &fix.edits {
        if edit.file.is_some() || edit.create || literal.value_range(edit.range.clone()).is_none() {
            return false;
        }
        let Some(text) = literal.encode(&edit.replacement) else {
            return false;
        };
        encoded.push(Edit::replace(edit.range.clone(), text));
    }
    fix.edits = encoded;
    !fix.edits.is_empty()
}
