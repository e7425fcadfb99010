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

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use crate::analysis::migration::{Location, Migration, OpAt};
use crate::analysis::orm::{Facts, Framework, OrmMigration, Unit};
use crate::finding::{Edit, Finding, Fix};

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
    // Findings point at operations: one lookup table, not a scan of every
    // operation per finding (a long revision has thousands of both).
    let mut op_at: HashMap<(usize, usize), usize> = HashMap::new();
    for at in m.ops() {
        let range = at.range();
        // The first operation at a range, as a scan would find it.
        op_at.entry((range.start, range.end)).or_insert(at.index);
    }
    for finding in findings.iter_mut() {
        // SQL written in a literal keeps the SQL advice, but for how the
        // framework runs it; an operation of the framework gets its own.
        let raw_sql = op_at
            .get(&(finding.range.start, finding.range.end))
            .and_then(|&index| orm.origins.get(index))
            .is_some_and(|origin| origin.literal().is_some());
        if let Some(help) = help(orm.framework, finding.rule, raw_sql) {
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
/// rule's help speaks SQL: for a framework operation, the framework's
/// idiom; for SQL in a literal (`raw_sql`), the SQL with how the framework
/// runs it outside a transaction or in a later migration.
fn help(framework: Framework, rule: &str, raw_sql: bool) -> Option<&'static str> {
    use Framework::{Alembic, Django, Knex, TypeOrm};
    Some(match (framework, rule, raw_sql) {
        (Alembic, "require-lock-timeout", _) => {
            "Set it for every revision in `env.py` (`connect_args={\"options\": \"-c lock_timeout=2s\"}`), or start `upgrade()` with `op.execute(\"SET lock_timeout = '2s'\")`; retry on timeout."
        }
        (Alembic, "require-statement-timeout", _) => {
            "Set it for every revision in `env.py` (`-c statement_timeout=60s`), or start `upgrade()` with `op.execute(\"SET statement_timeout = '60s'\")`."
        }
        (Alembic, "concurrently-in-transaction" | "enum-add-value-in-transaction", _) => {
            "Run it inside `with op.get_context().autocommit_block():` (and set `transaction_per_migration=True` in `env.py`, since the block commits what ran before it)."
        }
        (Alembic, "require-concurrent-index-creation", false) => {
            "Pass `postgresql_concurrently=True` and run it inside `with op.get_context().autocommit_block():`."
        }
        (Alembic, "require-concurrent-index-creation", true) => {
            "Write `CREATE INDEX CONCURRENTLY` and run it inside `with op.get_context().autocommit_block():`."
        }
        (Alembic, "require-concurrent-index-deletion", false) => {
            "Pass `postgresql_concurrently=True` to `op.drop_index` and run it inside `with op.get_context().autocommit_block():`."
        }
        (Alembic, "require-concurrent-index-deletion", true) => {
            "Write `DROP INDEX CONCURRENTLY IF EXISTS` and run it inside `with op.get_context().autocommit_block():`."
        }
        (Alembic, "foreign-key-missing-not-valid" | "constraint-missing-not-valid", false) => {
            "Pass `postgresql_not_valid=True`, then `op.execute(\"ALTER TABLE ... VALIDATE CONSTRAINT ...\")` in the next revision."
        }
        (Alembic, "foreign-key-missing-not-valid" | "constraint-missing-not-valid", true) => {
            "Add it with `NOT VALID`, then `op.execute(\"ALTER TABLE ... VALIDATE CONSTRAINT ...\")` in the next revision (inside `autocommit_block()` unless `env.py` sets `transaction_per_migration=True`)."
        }
        (Alembic, "add-unique-constraint", false) => {
            "Build the index with `op.create_index(..., unique=True, postgresql_concurrently=True)` inside `autocommit_block()`, then `op.execute(\"ALTER TABLE ... ADD CONSTRAINT ... UNIQUE USING INDEX ...\")`."
        }
        (Alembic, "foreign-key-without-index", _) => {
            "Add `op.create_index(..., postgresql_concurrently=True)` on the referencing columns inside `with op.get_context().autocommit_block():`."
        }
        (Alembic, "set-not-null-requires-scan", false) => {
            "Add `op.create_check_constraint(..., \"<column> IS NOT NULL\", postgresql_not_valid=True)`, validate it in the next revision, then `op.alter_column(..., nullable=False)` and drop the check."
        }
        (Alembic, "mixed-schema-and-data", _) => {
            "Move the data change to a revision of its own, batched, and set `transaction_per_migration=True` in `env.py` so it commits apart from the schema change."
        }
        (Alembic, "missing-down-migration", _) => {
            "Write `downgrade()`, or make it `raise NotImplementedError(\"...\")` to mark the revision irreversible."
        }
        (Django, "require-lock-timeout", _) => {
            "Set it before the schema change: `migrations.RunSQL(\"SET LOCAL lock_timeout = '2s'\", migrations.RunSQL.noop)` first in `operations`, or a backend that sets it (django-pg-zero-downtime-migrations)."
        }
        (Django, "require-statement-timeout", _) => {
            "Set it first: `migrations.RunSQL(\"SET LOCAL statement_timeout = '60s'\", migrations.RunSQL.noop)`, or a backend that sets it."
        }
        (Django, "concurrently-in-transaction" | "enum-add-value-in-transaction", _) => {
            "Set `atomic = False` on the `Migration` class."
        }
        (Django, "require-concurrent-index-creation", false) => {
            "Use `AddIndexConcurrently` (`django.contrib.postgres.operations`) in a migration with `atomic = False`."
        }
        (Django, "require-concurrent-index-deletion", false) => {
            "Use `RemoveIndexConcurrently` (`django.contrib.postgres.operations`) in a migration with `atomic = False`."
        }
        (
            Django,
            "require-concurrent-index-creation" | "require-concurrent-index-deletion",
            true,
        ) => "Write it with `CONCURRENTLY` in a `RunSQL` of a migration with `atomic = False`.",
        (Django, "constraint-missing-not-valid", false) => {
            "Use `AddConstraintNotValid`, then `ValidateConstraint` in the next migration (Django 4.0+)."
        }
        (Django, "foreign-key-missing-not-valid", false) => {
            "Add the field with `db_constraint=False`, then the constraint `NOT VALID` and its `VALIDATE` in later migrations (`RunSQL` in `SeparateDatabaseAndState`)."
        }
        (Django, "foreign-key-missing-not-valid" | "constraint-missing-not-valid", true) => {
            "Add it with `NOT VALID`, then `VALIDATE CONSTRAINT` in a `RunSQL` of the next migration."
        }
        (Django, "add-unique-constraint", false) => {
            "Use `SeparateDatabaseAndState`: as database operations, `RunSQL` of `CREATE UNIQUE INDEX CONCURRENTLY` (in a migration with `atomic = False`), then `ADD CONSTRAINT ... UNIQUE USING INDEX`; the operation as the state operation."
        }
        (Django, "set-not-null-requires-scan", false) => {
            "First `AddConstraintNotValid` a `CheckConstraint(condition=Q(<field>__isnull=False))`, `ValidateConstraint` it in the next migration, then the `AlterField` and `RemoveConstraint`."
        }
        (Django, "mixed-schema-and-data", _) => {
            "Move the data change (`RunPython`, `RunSQL`) to a migration of its own, batched; with `atomic = False` it commits per batch."
        }
        (Django, "rename-column", false) => {
            "Rename only in the model: keep the column with `db_column='<old name>'` on the renamed field; or add a field, sync and backfill it, and remove the old one in a later deploy."
        }
        (Django, "rename-table", false) => {
            "Rename only the model: keep the table with `db_table = '<old name>'` in its `Meta`; or add a view with the old name."
        }
        (Django, "add-column-code-default-dropped", _) => {
            "Use `db_default=` (Django 5+) so the database keeps the default for the code still running."
        }
        (Django, "missing-down-migration", _) => {
            "Pass `reverse_sql` / `reverse_code`: `migrations.RunSQL.noop` / `migrations.RunPython.noop` when there is nothing to undo."
        }
        (TypeOrm, "require-lock-timeout", _) => {
            "Start `up` with `await queryRunner.query(\"SET lock_timeout = '2s'\")`; retry on timeout."
        }
        (TypeOrm, "require-statement-timeout", _) => {
            "Start `up` with `await queryRunner.query(\"SET statement_timeout = '60s'\")`."
        }
        (
            TypeOrm,
            "concurrently-in-transaction"
            | "require-concurrent-index-creation"
            | "require-concurrent-index-deletion",
            _,
        ) => {
            "Use CONCURRENTLY in a migration class with `transaction = false` (and `migrationsTransactionMode` `\"each\"` or `\"none\"`)."
        }
        (TypeOrm, "enum-add-value-in-transaction", _) => {
            "Run it in a migration class with `transaction = false` (and `migrationsTransactionMode` `\"each\"` or `\"none\"`)."
        }
        (TypeOrm, "foreign-key-missing-not-valid" | "constraint-missing-not-valid", _) => {
            "Add it with `NOT VALID` in `queryRunner.query(...)`, then `VALIDATE CONSTRAINT` in the next migration class (with `migrationsTransactionMode` `\"each\"`, so the first commits before)."
        }
        (Knex, "require-lock-timeout", _) => {
            "Start `up` with `await knex.raw(\"SET lock_timeout = '2s'\")`; retry on timeout."
        }
        (Knex, "require-statement-timeout", _) => {
            "Start `up` with `await knex.raw(\"SET statement_timeout = '60s'\")`."
        }
        (
            Knex,
            "concurrently-in-transaction"
            | "require-concurrent-index-creation"
            | "require-concurrent-index-deletion",
            _,
        ) => {
            "Use CONCURRENTLY through `knex.raw(...)` in a migration that exports `config = { transaction: false }`."
        }
        (Knex, "enum-add-value-in-transaction", _) => {
            "Run it in a migration that exports `config = { transaction: false }`."
        }
        (Knex, "foreign-key-missing-not-valid" | "constraint-missing-not-valid", _) => {
            "The schema builder cannot add it NOT VALID: `knex.raw('ALTER TABLE ... ADD CONSTRAINT ... NOT VALID')`, then `VALIDATE CONSTRAINT` in the next migration file."
        }
        _ => return None,
    })
}

/// Keeps one chain of migrations: the edits that make each other Python
/// migration of `dir` that follows this one (`follows` finds where its text
/// names this one) follow `parent` instead.
pub(super) fn repoint_followers(
    location: &Location<'_>,
    dir: &Path,
    names: &[String],
    follows: impl Fn(&str) -> Option<Range<usize>>,
    parent: &str,
) -> Vec<Edit> {
    let mut edits = Vec::new();
    for name in names.iter().filter(|n| n.ends_with(".py")) {
        let path = dir.join(name);
        if path == location.path {
            continue;
        }
        if let Some(range) = (location.read_file)(&path).and_then(|text| follows(&text)) {
            edits.push(Edit {
                file: Some(path),
                range,
                replacement: parent.to_string(),
                create: false,
            });
        }
    }
    edits
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use crate::config::Config;
    use crate::engine::Analysis;
    use crate::text::{Document, Language};

    /// The help of the first `rule` finding of `text` at `path`.
    fn help_of(path: &str, text: &str, rule: &str) -> String {
        let path = PathBuf::from(path);
        let document = Document::new(text, 0, Language::from_path(&path));
        let findings = Analysis::new(Some(path), document).findings(&Config::default());
        let finding = findings
            .iter()
            .find(|f| f.rule == rule)
            .unwrap_or_else(|| panic!("no {rule}: {findings:#?}"));
        finding.help.as_deref().unwrap_or_default().to_string()
    }

    #[test]
    fn help_names_the_framework_idiom_for_calls_and_sql_for_literals() {
        let alembic = |body: &str| {
            format!(
                "revision = 'a1'\ndown_revision = None\n\n\ndef upgrade():\n{body}\n\n\ndef downgrade():\n    pass\n"
            )
        };
        let path = "alembic/versions/a1_x.py";
        let rule = "require-concurrent-index-creation";
        let call = help_of(path, &alembic("    op.create_index('i', 't', ['c'])"), rule);
        assert!(call.contains("postgresql_concurrently=True"), "{call}");
        let sql = help_of(
            path,
            &alembic("    op.execute('CREATE INDEX i ON t (c)')"),
            rule,
        );
        assert!(
            sql.contains("CREATE INDEX CONCURRENTLY") && sql.contains("autocommit_block()"),
            "{sql}"
        );
        let unique = help_of(
            path,
            &alembic("    op.create_unique_constraint('u', 't', ['c'])"),
            "add-unique-constraint",
        );
        assert!(
            unique.contains("op.create_index(") && unique.contains("USING INDEX"),
            "{unique}"
        );

        let django = "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n\n    dependencies = [('shop', '0001_initial')]\n\n    operations = [\n        migrations.RenameField(model_name='order', old_name='total', new_name='amount'),\n    ]\n";
        let rename = help_of("shop/migrations/0002_x.py", django, "rename-column");
        assert!(rename.contains("db_column="), "{rename}");

        let knex = "exports.up = async function (knex) {\n  await knex.raw(\"ALTER TYPE mood ADD VALUE 'meh'\");\n};\n\nexports.down = async function () {};\n";
        let enum_help = help_of(
            "migrations/20240101000000_x.js",
            knex,
            "enum-add-value-in-transaction",
        );
        assert!(enum_help.contains("transaction: false"), "{enum_help}");
    }
}
