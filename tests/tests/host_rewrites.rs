//! Every rewrite in a migration written in Python or TypeScript, and every
//! fix of the env rules in a Python module, applied to a project on disk: the
//! edited file and the files the fix creates or edits still parse
//! (tree-sitter finds no error), re-checking the file no longer reports the
//! rule, and the Python the fix writes compiles (`python3 -m py_compile`).

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use preflight::config::Config;
use preflight::engine::{self, Analysis, workspace::Workspace};
use preflight::finding::Fix;
use preflight::fixes::apply::apply_edits;
use preflight::syntax::trees;
use preflight::text::{Document, Language};

/// A project in a fresh temporary directory, removed on drop.
struct Project(PathBuf);

impl Project {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "preflight-host-rewrites-{}-{name}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create the project");
        Project(dir)
    }

    fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.0.join(relative);
        fs::create_dir_all(path.parent().expect("a parent")).expect("create dirs");
        fs::write(&path, text).expect("write");
        path
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// One rewrite to check.
struct Case<'a> {
    name: &'a str,
    /// The migration, relative to the project.
    path: &'a str,
    text: &'a str,
    /// Other files of the project (`env.py`, earlier migrations).
    others: &'a [(&'a str, &'a str)],
    rule: &'a str,
    /// Text the fixed migration must contain.
    contains: &'a [&'a str],
    /// Text the files the fix creates must contain, all of them together.
    created_contain: &'a [&'a str],
}

/// The fix of the first `rule` finding of the case's migration.
fn fix_of(path: &Path, text: &str, rule: &str) -> Fix {
    let findings = engine::check_text(path, text, &Config::default());
    let finding = findings
        .iter()
        .find(|f| f.rule == rule)
        .unwrap_or_else(|| panic!("no {rule} in {}: {findings:#?}", path.display()));
    finding
        .fixes
        .first()
        .unwrap_or_else(|| panic!("{rule} has no fix in {}", path.display()))
        .clone()
}

/// Applies `fix` on disk: the migration's own edits to `text`, the other
/// files' edits to what they hold (nothing, for a file it creates). The
/// files it wrote, by path.
fn apply(path: &Path, text: &str, fix: &Fix) -> BTreeMap<PathBuf, String> {
    let mut by_file: BTreeMap<PathBuf, Vec<&preflight::finding::Edit>> = BTreeMap::new();
    for edit in &fix.edits {
        let file = edit.file.clone().unwrap_or_else(|| path.to_path_buf());
        by_file.entry(file).or_default().push(edit);
    }
    let mut written = BTreeMap::new();
    for (file, mut edits) in by_file {
        let before = if file == path {
            text.to_string()
        } else if edits.iter().any(|e| e.create) {
            String::new()
        } else {
            fs::read_to_string(&file).expect("an edited file exists")
        };
        edits.sort_by_key(|e| e.range.start);
        let after = apply_edits(&before, edits);
        fs::write(&file, &after).expect("write the fixed file");
        written.insert(file, after);
    }
    written
}

fn assert_parses(path: &Path, text: &str) {
    let language = Language::from_path(path);
    let tree = trees::parse(language, text).expect("a grammar");
    assert!(
        !tree.root_node().has_error(),
        "{} does not parse after the fix:\n{text}",
        path.display()
    );
}

/// `python3 -m py_compile` on every Python file written.
fn assert_compiles(files: &[&Path]) {
    let python: Vec<&Path> = files
        .iter()
        .copied()
        .filter(|f| f.extension().is_some_and(|e| e == "py"))
        .collect();
    if python.is_empty() {
        return;
    }
    let output = Command::new("python3")
        .arg("-m")
        .arg("py_compile")
        .args(&python)
        .output()
        .expect("python3 runs (it is needed for these tests)");
    assert!(
        output.status.success(),
        "py_compile failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn check(case: &Case<'_>) {
    let project = Project::new(case.name);
    for (path, text) in case.others {
        project.write(path, text);
    }
    let path = project.write(case.path, case.text);
    let fix = fix_of(&path, case.text, case.rule);
    let written = apply(&path, case.text, &fix);
    let fixed = written
        .get(&path)
        .cloned()
        .unwrap_or_else(|| case.text.to_string());
    for (file, text) in &written {
        assert_parses(file, text);
    }
    let files: Vec<&Path> = written.keys().map(PathBuf::as_path).collect();
    assert_compiles(&files);
    for needle in case.contains {
        assert!(
            fixed.contains(needle),
            "{}: `{needle}` not in the fixed migration:\n{fixed}",
            case.name
        );
    }
    let created: String = written
        .iter()
        .filter(|(file, _)| {
            **file != path && !case.others.iter().any(|(o, _)| project.0.join(o) == **file)
        })
        .map(|(_, text)| text.as_str())
        .collect();
    for needle in case.created_contain {
        assert!(
            created.contains(needle),
            "{}: `{needle}` not in the created files:\n{created}",
            case.name
        );
    }
    let again = engine::check_text(&path, &fixed, &Config::default());
    assert!(
        again.iter().all(|f| f.rule != case.rule),
        "{}: {} still reported after {:?}:\n{fixed}\n{again:#?}",
        case.name,
        case.rule,
        fix.title
    );
}

const REVISION_HEAD: &str = "\"\"\"a revision\n\nRevision ID: a1b2c3d4e5f6\nRevises: 0f0f0f0f0f0f\n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = 'a1b2c3d4e5f6'\ndown_revision = '0f0f0f0f0f0f'\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    \"\"\"Upgrade.\"\"\"\n";
const REVISION_TAIL: &str = "\n\ndef downgrade():\n    raise NotImplementedError()\n";
const NEXT_REVISION: &str = "from alembic import op\n\nrevision = 'ffff00000001'\ndown_revision = 'a1b2c3d4e5f6'\n\n\ndef upgrade():\n    op.drop_table('tmp')\n\n\ndef downgrade():\n    raise NotImplementedError()\n";

fn revision(body: &str) -> String {
    format!("{REVISION_HEAD}{body}{REVISION_TAIL}")
}

#[test]
fn alembic_rewrites() {
    let cases: Vec<(String, &str, &[&str], &[&str])> = vec![
        (
            revision(
                "    op.create_index(op.f('ix_users_email'), 'users', ['email'], unique=False)",
            ),
            "require-concurrent-index-creation",
            &[
                "    with op.get_context().autocommit_block():\n        op.create_index(op.f('ix_users_email'), 'users', ['email'], unique=False, postgresql_concurrently=True)",
            ],
            &[],
        ),
        (
            revision(
                "    op.drop_index(\n        'ix_users_old',\n        table_name='users',\n    )",
            ),
            "require-concurrent-index-deletion",
            &[
                "        postgresql_concurrently=True,\n",
                "with op.get_context().autocommit_block():",
            ],
            &[],
        ),
        (
            revision("    op.create_index('ix_a', 'users', ['a'], postgresql_concurrently=True)"),
            "concurrently-in-transaction",
            &["with op.get_context().autocommit_block():"],
            &[],
        ),
        (
            revision(
                "    op.create_foreign_key('orders_user_fkey', 'orders', 'users', ['user_id'], ['id'])",
            ),
            "foreign-key-missing-not-valid",
            &["['id'], postgresql_not_valid=True)"],
            &[
                "op.execute(\"ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fkey\")",
                "down_revision = 'a1b2c3d4e5f6'",
            ],
        ),
        (
            revision(
                "    op.create_check_constraint('orders_total_positive', 'orders', 'total > 0')",
            ),
            "constraint-missing-not-valid",
            &["postgresql_not_valid=True"],
            &["VALIDATE CONSTRAINT orders_total_positive"],
        ),
        (
            revision("    op.add_column('users', sa.Column('plan', sa.Text(), nullable=True))"),
            "require-lock-timeout",
            &[
                "    \"\"\"Upgrade.\"\"\"\n    op.execute(\"SET lock_timeout = '2s'\")\n    op.add_column",
            ],
            &[],
        ),
        (
            revision("    op.execute('CREATE INDEX users_name_idx ON users (name)')"),
            "require-concurrent-index-creation",
            &[
                "    with op.get_context().autocommit_block():\n        op.execute('CREATE INDEX CONCURRENTLY IF NOT EXISTS users_name_idx ON users (name)')",
            ],
            &[],
        ),
        (
            revision(
                "    op.execute(\"ALTER TABLE users ADD CONSTRAINT users_age_check CHECK (age > 0)\")",
            ),
            "constraint-missing-not-valid",
            &["CHECK (age > 0) NOT VALID\")"],
            &["VALIDATE CONSTRAINT users_age_check"],
        ),
        (
            revision("    op.execute('ALTER TABLE users ADD COLUMN nickname text NOT NULL')"),
            "add-column-required",
            // The quote the default adds is escaped for the literal.
            &["NOT NULL DEFAULT \\'\\'')"],
            &[],
        ),
        (
            revision("    op.execute(\"\"\"\n        UPDATE users SET plan = 'free'\n    \"\"\")"),
            "unbatched-backfill",
            &["with op.get_context().autocommit_block():", "DO $$"],
            &[],
        ),
        (
            revision("    op.alter_column('users', 'name', new_column_name='full_name')"),
            "rename-column",
            &["    op.execute(\n        \"\"\"\n"],
            &["op.execute(", "DROP COLUMN name"],
        ),
    ];
    for (i, (text, rule, contains, created)) in cases.iter().enumerate() {
        check(&Case {
            name: &format!("alembic-{i}"),
            path: "alembic/versions/a1b2c3d4e5f6_change.py",
            text,
            others: &[("alembic/versions/ffff00000001_next.py", NEXT_REVISION)],
            rule,
            contains,
            created_contain: created,
        });
    }
}

/// The revision that followed the fixed one follows the new one, so there
/// is one head.
#[test]
fn alembic_new_revision_keeps_one_head() {
    let project = Project::new("alembic-head");
    let next = project.write("versions/ffff00000001_next.py", NEXT_REVISION);
    let text = revision("    op.create_check_constraint('c', 'orders', 'total > 0')");
    let path = project.write("versions/a1b2c3d4e5f6_change.py", &text);
    let fix = fix_of(&path, &text, "constraint-missing-not-valid");
    let written = apply(&path, &text, &fix);
    let created = written
        .iter()
        .find(|(p, t)| **p != path && **p != next && t.contains("VALIDATE"))
        .expect("a new revision");
    let new_id = created
        .1
        .lines()
        .find_map(|l| l.strip_prefix("revision = '"))
        .and_then(|l| l.strip_suffix('\''))
        .expect("the new revision's id");
    let next_text = &written[&next];
    assert!(
        next_text.contains(&format!("down_revision = '{new_id}'")),
        "{next_text}"
    );
}

const DJANGO_INITIAL: &str = "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n\n    initial = True\n\n    dependencies = []\n\n    operations = [\n        migrations.CreateModel(\n            name='Order',\n            fields=[\n                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),\n                ('total', models.IntegerField()),\n            ],\n        ),\n    ]\n";
const DJANGO_NEXT: &str = "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n\n    dependencies = [\n        ('shop', '0002_change'),\n    ]\n\n    operations = []\n";

fn django(operations: &str, atomic: &str) -> String {
    format!(
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n{atomic}\n    dependencies = [\n        ('shop', '0001_initial'),\n    ]\n\n    operations = [\n{operations}\n    ]\n"
    )
}

#[test]
fn django_rewrites() {
    let cases: Vec<(String, &str, &[&str], &[&str])> = vec![
        (
            django(
                "        migrations.AddIndex(\n            model_name='order',\n            index=models.Index(fields=['total'], name='order_total_idx'),\n        ),",
                "",
            ),
            "require-concurrent-index-creation",
            &[
                "AddIndexConcurrently(\n",
                "    atomic = False\n",
                "from django.contrib.postgres.operations import AddIndexConcurrently\n",
            ],
            &[],
        ),
        (
            django(
                "        migrations.RemoveIndex(model_name='order', name='order_old_idx'),",
                "",
            ),
            "require-concurrent-index-deletion",
            &[
                "RemoveIndexConcurrently(model_name='order'",
                "atomic = False",
            ],
            &[],
        ),
        (
            django(
                "        AddIndexConcurrently('order', models.Index(fields=['total'], name='order_total_idx')),",
                "    atomic = True\n",
            ),
            "concurrently-in-transaction",
            &["    atomic = False\n"],
            &[],
        ),
        (
            django(
                "        migrations.AddConstraint(\n            model_name='order',\n            constraint=models.CheckConstraint(condition=models.Q(total__gte=0), name='order_total_gte_0'),\n        ),",
                "",
            ),
            "constraint-missing-not-valid",
            &["AddConstraintNotValid(\n"],
            &[
                "ValidateConstraint(",
                "name=\"order_total_gte_0\"",
                "(\"shop\", \"0002_change\")",
            ],
        ),
        (
            django(
                "        migrations.RemoveField(model_name='order', name='total'),",
                "",
            ),
            "require-lock-timeout",
            &[
                "        migrations.RunSQL(\"SET LOCAL lock_timeout = '2s'\", migrations.RunSQL.noop),\n        migrations.RemoveField",
            ],
            &[],
        ),
        (
            django(
                "        migrations.RunSQL(\"CREATE INDEX order_total_idx ON shop_order (total)\", reverse_sql=\"DROP INDEX order_total_idx\"),",
                "",
            ),
            "require-concurrent-index-creation",
            &["migrations.RunSQL(\"\", reverse_sql"],
            &[
                "atomic = False",
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS order_total_idx",
            ],
        ),
        (
            django(
                "        migrations.RenameField(model_name='order', old_name='total', new_name='amount'),",
                "",
            ),
            "rename-column",
            &[
                "migrations.SeparateDatabaseAndState(",
                "state_operations=[\n                migrations.RenameField(",
            ],
            &["DROP COLUMN total"],
        ),
    ];
    for (i, (text, rule, contains, created)) in cases.iter().enumerate() {
        check(&Case {
            name: &format!("django-{i}"),
            path: "shop/migrations/0002_change.py",
            text,
            others: &[
                ("shop/migrations/0001_initial.py", DJANGO_INITIAL),
                ("shop/migrations/0003_next.py", DJANGO_NEXT),
            ],
            rule,
            contains,
            created_contain: created,
        });
    }
}

#[test]
fn typeorm_and_knex_rewrites() {
    let typeorm = |body: &str| {
        format!(
            "import {{ MigrationInterface, QueryRunner }} from \"typeorm\";\n\nexport class Change1700000000000 implements MigrationInterface {{\n    name = 'Change1700000000000'\n\n    public async up(queryRunner: QueryRunner): Promise<void> {{\n{body}\n    }}\n\n    public async down(queryRunner: QueryRunner): Promise<void> {{\n        await queryRunner.query(`DROP INDEX \"IDX_a\"`);\n    }}\n}}\n"
        )
    };
    let knex = |body: &str| {
        format!(
            "exports.up = async function (knex) {{\n{body}\n}};\n\nexports.down = async function (knex) {{\n  await knex.raw('DROP INDEX IF EXISTS users_email_index');\n}};\n"
        )
    };
    let cases: Vec<(&str, String, &str, &[&str])> = vec![
        (
            "src/migration/1700000000000-Change.ts",
            typeorm(
                "        await queryRunner.query(`CREATE INDEX \"IDX_a\" ON \"user\" (\"a\")`);",
            ),
            "require-concurrent-index-creation",
            &[
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS \"IDX_a\"",
                "    transaction = false\n",
            ],
        ),
        (
            "src/migration/1700000000000-Change.ts",
            typeorm(
                "        await queryRunner.query(`CREATE INDEX CONCURRENTLY \"IDX_a\" ON \"user\" (\"a\")`);",
            ),
            "concurrently-in-transaction",
            &["    transaction = false\n"],
        ),
        (
            "src/migration/1700000000000-Change.ts",
            typeorm("        await queryRunner.query(`ALTER TABLE \"user\" DROP COLUMN \"fax\"`);"),
            "require-lock-timeout",
            &[
                "        await queryRunner.query(\"SET LOCAL lock_timeout = '2s'\");\n        await queryRunner.query(`ALTER",
            ],
        ),
        (
            "migrations/20240101000000_change.js",
            knex("  await knex.raw('CREATE INDEX users_email_index ON users (email)');"),
            "require-concurrent-index-creation",
            &[
                "exports.config = { transaction: false };\n\nexports.up",
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_index",
            ],
        ),
        (
            "migrations/20240101000000_change.js",
            knex(
                "  await knex.schema.alterTable('users', (t) => {\n    t.dropColumn('fax');\n  });",
            ),
            "require-lock-timeout",
            &["  await knex.raw(\"SET LOCAL lock_timeout = '2s'\");\n  await knex.schema"],
        ),
    ];
    for (i, (path, text, rule, contains)) in cases.iter().enumerate() {
        check(&Case {
            name: &format!("script-{i}"),
            path,
            text,
            others: &[],
            rule,
            contains,
            created_contain: &[],
        });
    }
}

/// A script migration's path and text, the rule, what the fixed migration
/// and the created files must contain.
type ScriptCase<'a> = (&'a str, String, &'a str, &'a [&'a str], &'a [&'a str]);

/// Rewrites that need a following migration: TypeORM gets a new migration
/// class file named by timestamp, Knex a new migration file named as the
/// current one is, both sorting after it.
#[test]
fn typeorm_and_knex_following_migrations() {
    let typeorm = |body: &str| {
        format!(
            "import {{ MigrationInterface, QueryRunner }} from \"typeorm\";\n\nexport class Change1700000000000 implements MigrationInterface {{\n    name = 'Change1700000000000'\n\n    public async up(queryRunner: QueryRunner): Promise<void> {{\n        await queryRunner.query(`SET LOCAL lock_timeout = '2s'`);\n        await queryRunner.query(`SET LOCAL statement_timeout = '60s'`);\n{body}\n    }}\n\n    public async down(queryRunner: QueryRunner): Promise<void> {{\n    }}\n}}\n"
        )
    };
    let knex = |body: &str| {
        format!(
            "exports.up = async function (knex) {{\n  await knex.raw(\"SET LOCAL lock_timeout = '2s'\");\n  await knex.raw(\"SET LOCAL statement_timeout = '60s'\");\n{body}\n}};\n\nexports.down = async function (knex) {{\n}};\n"
        )
    };
    let knex_module = |body: &str| {
        format!(
            "import type {{ Knex }} from \"knex\";\n\nexport async function up(knex: Knex): Promise<void> {{\n  await knex.raw(\"SET LOCAL lock_timeout = '2s'\");\n{body}\n}}\n\nexport async function down(knex: Knex): Promise<void> {{}}\n"
        )
    };
    let cases: Vec<ScriptCase<'_>> = vec![
        (
            "src/migration/1700000000000-Change.ts",
            typeorm(
                "        await queryRunner.query(`ALTER TABLE \"order\" ADD CONSTRAINT \"FK_order_user\" FOREIGN KEY (\"userId\") REFERENCES \"user\"(\"id\")`);",
            ),
            "foreign-key-missing-not-valid",
            &["REFERENCES \"user\"(\"id\") NOT VALID`"],
            &[
                "export class ValidateChange1700000000001 implements MigrationInterface {",
                "name = 'ValidateChange1700000000001'",
                "await queryRunner.query(`ALTER TABLE \"order\" VALIDATE CONSTRAINT \"FK_order_user\";`);",
                "public async down(queryRunner: QueryRunner): Promise<void> {",
            ],
        ),
        (
            "src/migration/1700000000000-Change.ts",
            typeorm(
                "        await queryRunner.query(`ALTER TABLE \"user\" RENAME COLUMN \"name\" TO \"fullName\"`);",
            ),
            "rename-column",
            &["ADD COLUMN"],
            &[
                "export class BackfillChange1700000000001",
                "    transaction = false\n",
                "export class ContractChange1700000000002",
                "DROP COLUMN",
            ],
        ),
        (
            "migrations/20240101000000_change.js",
            knex(
                "  await knex.raw('ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total > 0)');",
            ),
            "constraint-missing-not-valid",
            &["CHECK (total > 0) NOT VALID')"],
            &[
                "exports.up = async function (knex) {\n  await knex.raw(\"ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;\");\n};",
                "exports.down = async function (knex) {",
            ],
        ),
        (
            "migrations/20240101000000_change.js",
            knex("  await knex.raw('ALTER TABLE users ALTER COLUMN age TYPE bigint');"),
            "change-column-type",
            &["ADD COLUMN"],
            &["exports.up", "DROP COLUMN age"],
        ),
        (
            "migrations/20240101000000_change.ts",
            knex_module(
                "  await knex.raw(`ALTER TABLE users ADD CONSTRAINT users_age_check CHECK (age >= 0)`);",
            ),
            "constraint-missing-not-valid",
            &["CHECK (age >= 0) NOT VALID`"],
            &[
                "export async function up(knex: Knex): Promise<void> {\n  await knex.raw(\"ALTER TABLE users VALIDATE CONSTRAINT users_age_check;\");\n}",
            ],
        ),
    ];
    for (i, (path, text, rule, contains, created)) in cases.iter().enumerate() {
        check(&Case {
            name: &format!("script-next-{i}"),
            path,
            text,
            others: &[],
            rule,
            contains,
            created_contain: created,
        });
    }
}

/// The new files sort after the current one and after every migration already
/// in the directory.
#[test]
fn following_migrations_sort_after_the_directory() {
    let project = Project::new("script-sorting");
    project.write(
        "migrations/20240101000005_later.js",
        "exports.up = async function () {};\nexports.down = async function () {};\n",
    );
    let text = "exports.up = async function (knex) {\n  await knex.raw('ALTER TABLE orders ADD CONSTRAINT c CHECK (total > 0)');\n};\n\nexports.down = async function (knex) {};\n";
    let path = project.write("migrations/20240101000000_change.js", text);
    let fix = fix_of(&path, text, "constraint-missing-not-valid");
    let created: Vec<String> = fix
        .edits
        .iter()
        .filter(|e| e.create)
        .filter_map(|e| Some(e.file.as_ref()?.file_name()?.to_str()?.to_string()))
        .collect();
    assert_eq!(created, ["20240101000006_change_validate.js"]);
}

/// SQL rewritten inside literals with escape sequences and across
/// concatenated strings: the edits go through the literal's map, in each
/// string's quoting, so the file still compiles and the rule is gone.
#[test]
fn rewrites_inside_escaped_and_concatenated_literals() {
    let alembic: Vec<(String, &str, &[&str])> = vec![
        (
            revision("    op.execute(\"CREATE INDEX \\\"users_name_idx\\\" ON users (name)\")"),
            "require-concurrent-index-creation",
            &[
                "op.execute(\"CREATE INDEX CONCURRENTLY IF NOT EXISTS \\\"users_name_idx\\\" ON users (name)\")",
            ],
        ),
        (
            revision(
                "    op.execute(\"ALTER TABLE users \"\n               'ADD CONSTRAINT users_age_check CHECK (age > 0)')",
            ),
            "constraint-missing-not-valid",
            &["'ADD CONSTRAINT users_age_check CHECK (age > 0) NOT VALID')"],
        ),
        (
            revision("    op.execute(\"ALTER TABLE \\\"users\\\" ADD COLUMN nick text NOT NULL\")"),
            "add-column-required",
            &["NOT NULL DEFAULT ''\")"],
        ),
        (
            revision(
                "    op.execute('ALTER TABLE users '\n               \"ADD COLUMN nick text \"\n               'NOT NULL')",
            ),
            "add-column-required",
            &["'NOT NULL DEFAULT \\'\\'')"],
        ),
        (
            revision(
                "    op.execute(\"ALTER TABLE users \" +\n               'ADD CONSTRAINT users_age_check CHECK (age > 0)')",
            ),
            "constraint-missing-not-valid",
            &["+\n               'ADD CONSTRAINT users_age_check CHECK (age > 0) NOT VALID')"],
        ),
    ];
    for (i, (text, rule, contains)) in alembic.iter().enumerate() {
        check(&Case {
            name: &format!("escaped-alembic-{i}"),
            path: "alembic/versions/a1b2c3d4e5f6_change.py",
            text,
            others: &[("alembic/versions/ffff00000001_next.py", NEXT_REVISION)],
            rule,
            contains,
            created_contain: &[],
        });
    }
    check(&Case {
        name: "escaped-django",
        path: "shop/migrations/0002_change.py",
        text: &django(
            "        migrations.RunSQL(\n            \"CREATE INDEX order_total_idx \"\n            'ON shop_order (total)',\n            reverse_sql='DROP INDEX order_total_idx',\n        ),",
            "",
        ),
        others: &[
            ("shop/migrations/0001_initial.py", DJANGO_INITIAL),
            ("shop/migrations/0003_next.py", DJANGO_NEXT),
        ],
        rule: "require-concurrent-index-creation",
        contains: &["            \"\"\n            '',\n"],
        created_contain: &["CREATE INDEX CONCURRENTLY IF NOT EXISTS order_total_idx"],
    });
    check(&Case {
        name: "escaped-knex",
        path: "migrations/20240101000000_change.js",
        text: "exports.up = async function (knex) {\n  await knex.raw('CREATE INDEX users_email_index ' +\n    \"ON \\\"users\\\" (email)\");\n};\n\nexports.down = async function (knex) {\n  await knex.raw('DROP INDEX IF EXISTS users_email_index');\n};\n",
        others: &[],
        rule: "require-concurrent-index-creation",
        contains: &["'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_index ' +"],
        created_contain: &[],
    });
    check(&Case {
        name: "escaped-typeorm",
        path: "src/migration/1700000000000-Change.ts",
        text: "import { MigrationInterface, QueryRunner } from \"typeorm\";\n\nexport class Change1700000000000 implements MigrationInterface {\n    public async up(queryRunner: QueryRunner): Promise<void> {\n        await queryRunner.query(\"SET LOCAL lock_timeout = '2s'\");\n        await queryRunner.query(\"ALTER TABLE \\\"order\\\" ADD CONSTRAINT \\\"FK_o\\\" \" +\n            \"FOREIGN KEY (\\\"userId\\\") REFERENCES \\\"user\\\"(\\\"id\\\")\");\n    }\n\n    public async down(queryRunner: QueryRunner): Promise<void> {\n    }\n}\n",
        others: &[],
        rule: "foreign-key-missing-not-valid",
        contains: &["REFERENCES \\\"user\\\"(\\\"id\\\") NOT VALID\");"],
        created_contain: &["VALIDATE CONSTRAINT \"FK_o\""],
    });
}

/// One fix of an env rule: the project's files, the module checked, the fix
/// (by a part of its title) and what the files it edits must then hold.
struct EnvCase<'a> {
    files: &'a [(&'a str, &'a str)],
    path: &'a str,
    rule: &'a str,
    title: &'a str,
    /// (file, text it must contain after the fix).
    contains: &'a [(&'a str, &'a str)],
}

/// The findings of `path` holding `text`, with the project on disk around it.
fn env_findings(root: &Path, path: &Path, text: &str) -> Vec<preflight::finding::Finding> {
    let workspace = Arc::new(Workspace::scan(&[root.to_path_buf()]));
    let document = Document::new(text, 0, Language::from_path(path));
    Analysis::new(Some(path.to_path_buf()), document)
        .with_workspace(workspace)
        .findings(&Config::default())
}

fn check_env(name: &str, case: &EnvCase<'_>) {
    let project = Project::new(name);
    for (path, text) in case.files {
        project.write(path, text);
    }
    let path = project.0.join(case.path);
    let text = fs::read_to_string(&path).expect("the module is among the files");
    let findings = env_findings(&project.0, &path, &text);
    let fixes: Vec<&Fix> = findings
        .iter()
        .filter(|f| f.rule == case.rule)
        .flat_map(|f| &f.fixes)
        .collect();
    let fix = fixes
        .iter()
        .find(|f| f.title.contains(case.title))
        .unwrap_or_else(|| panic!("{name}: no fix titled `{}` among {fixes:#?}", case.title));
    let written = apply(&path, &text, fix);
    for (file, text) in &written {
        assert_parses(file, text);
    }
    let files: Vec<&Path> = written.keys().map(PathBuf::as_path).collect();
    assert_compiles(&files);
    for (file, needle) in case.contains {
        let after = &written[&project.0.join(file)];
        assert!(
            after.contains(needle),
            "{name}: `{needle}` not in {file}:\n{after}"
        );
    }
    let fixed = written.get(&path).cloned().unwrap_or(text);
    let again = env_findings(&project.0, &path, &fixed);
    assert!(
        again.iter().all(|f| f.rule != case.rule),
        "{name}: {} still reported after {:?}:\n{fixed}\n{again:#?}",
        case.rule,
        fix.title
    );
}

const SETTINGS: &str = "from pydantic_settings import BaseSettings\n\n\nclass Settings(BaseSettings):\n    PROJECT_NAME: str = \"app\"\n    DATABASE_URL: str = \"sqlite://\"\n\n    def dsn(self) -> str:\n        return self.DATABASE_URL\n\n\nsettings = Settings()\n";

#[test]
fn getenv_rewrites() {
    let package: &[(&str, &str)] = &[
        ("app/__init__.py", ""),
        ("app/core/__init__.py", ""),
        ("app/core/config.py", SETTINGS),
    ];
    // In the package `app/core/config.py` governs, reads are
    // `env-read-outside-settings` and move to the settings; a script outside
    // it keeps `getenv-unvalidated`, whose simple fix fails fast.
    const INSIDE: (&str, &str) = ("app/db.py", "env-read-outside-settings");
    const OUTSIDE: (&str, &str) = ("scripts/db.py", "getenv-unvalidated");
    let with = |(path, _): (&'static str, &'static str), module: &'static str| {
        let mut files = package.to_vec();
        files.push((path, module));
        files
    };
    let db =
        "\"\"\"The database.\"\"\"\nimport os\n\nengine = create(os.getenv(\"DATABASE_URL\"))\n";
    let redis = "import os\n\nredis = connect(os.environ.get(\"REDIS_URL\"))\n";
    let imported = "from os import getenv\n\nredis = connect(getenv(\"REDIS_URL\"))\n";
    let cases = [
        (
            INSIDE,
            with(INSIDE, db),
            "settings.DATABASE_URL",
            &[
                (
                    "app/db.py",
                    "import os\nfrom app.core.config import settings\n",
                ),
                ("app/db.py", "create(settings.DATABASE_URL)"),
            ][..],
        ),
        (
            OUTSIDE,
            with(OUTSIDE, db),
            "fail fast",
            &[("scripts/db.py", "create(os.environ[\"DATABASE_URL\"])")][..],
        ),
        (
            INSIDE,
            with(INSIDE, redis),
            "Add `REDIS_URL: str` to `Settings`",
            &[
                ("app/db.py", "from app.core.config import settings\n"),
                ("app/db.py", "connect(settings.REDIS_URL)"),
                (
                    "app/core/config.py",
                    "    DATABASE_URL: str = \"sqlite://\"\n    REDIS_URL: str\n\n    def dsn",
                ),
            ][..],
        ),
        (
            OUTSIDE,
            with(OUTSIDE, imported),
            "fail fast",
            &[(
                "scripts/db.py",
                "from os import getenv\nimport os\n\nredis = connect(os.environ[\"REDIS_URL\"])",
            )][..],
        ),
    ];
    for (i, ((path, rule), files, title, contains)) in cases.iter().enumerate() {
        check_env(
            &format!("getenv-{i}"),
            &EnvCase {
                files,
                path,
                rule,
                title,
                contains,
            },
        );
    }
    // Without packages, a prefixed class with lower-case fields: the field
    // drops the prefix and follows the fields' case. `config.py` governs its
    // directory, `main.py` with it.
    let config = "from pydantic_settings import BaseSettings, SettingsConfigDict\n\n\nclass Config(BaseSettings):\n    model_config = SettingsConfigDict(env_prefix=\"APP_\")\n    name: str = \"x\"\n\n\nconfig = Config()\n";
    check_env(
        "getenv-prefixed",
        &EnvCase {
            files: &[
                ("config.py", config),
                (
                    "main.py",
                    "import os\n\nprint(os.getenv(\"APP_DEBUG\").lower())\n",
                ),
            ],
            path: "main.py",
            rule: "env-read-outside-settings",
            title: "Add `debug: str` to `Config`",
            contains: &[
                (
                    "main.py",
                    "from config import config\n\nprint(config.debug.lower())",
                ),
                ("config.py", "    name: str = \"x\"\n    debug: str\n"),
            ],
        },
    );
}

#[test]
fn secret_default_rewrites() {
    let settings = |field: &str| {
        format!(
            "from pydantic import Field, SecretStr\nfrom pydantic_settings import BaseSettings\n\n\nclass Settings(BaseSettings):\n{field}\n"
        )
    };
    let cases = [
        (
            settings("    SECRET_KEY: str = \"changeme\""),
            "    SECRET_KEY: str\n",
        ),
        (
            settings("    api_key: SecretStr = SecretStr(\"sk_test_123\")"),
            "    api_key: SecretStr\n",
        ),
        (
            settings("    token: str = Field(\"changeme\", description=\"the token\")"),
            "Field(..., description=\"the token\")",
        ),
        (
            settings("    token: str = Field(default=\"changeme\", description=\"the token\")"),
            "Field(description=\"the token\")",
        ),
        (
            settings("    token: str = Field(description=\"the token\", default=\"changeme\")"),
            "Field(description=\"the token\")",
        ),
        (
            "import os\nSECRET_KEY = os.environ.get(\"SECRET_KEY\", \"changeme\")\n".to_string(),
            "SECRET_KEY = os.environ[\"SECRET_KEY\"]\n",
        ),
        (
            "from os import environ\nSECRET_KEY = environ.get(\"SECRET_KEY\", \"changeme\")\n"
                .to_string(),
            "SECRET_KEY = environ[\"SECRET_KEY\"]\n",
        ),
    ];
    for (i, (text, expected)) in cases.iter().enumerate() {
        check_env(
            &format!("secret-{i}"),
            &EnvCase {
                files: &[("settings.py", text)],
                path: "settings.py",
                rule: "secret-with-default",
                title: "Remove the default",
                contains: &[("settings.py", expected)],
            },
        );
    }
}

#[test]
fn required_setting_rewrites() {
    let settings = |imports: &str, field: &str| {
        format!(
            "from typing import {imports}\n\nfrom pydantic import Field\nfrom pydantic_settings import BaseSettings\n\n\nclass Settings(BaseSettings):\n{field}\n"
        )
    };
    let cases = [
        (settings("Any", "    database_url: str"), "optional", "    database_url: str | None = None\n"),
        (
            settings("Optional", "    database_url: str"),
            "optional",
            "    database_url: Optional[str] = None\n",
        ),
        (
            settings("Optional", "    workers: Optional[int]"),
            "optional",
            "    workers: Optional[int] = None\n",
        ),
        (
            settings("Any", "    redis_url: str = Field(..., validation_alias=\"REDIS_URL\")"),
            "optional",
            "    redis_url: str | None = Field(None, validation_alias=\"REDIS_URL\")\n",
        ),
        (
            settings("Any", "    redis_url: str = Field(validation_alias=\"REDIS_URL\")"),
            "optional",
            "    redis_url: str | None = Field(validation_alias=\"REDIS_URL\", default=None)\n",
        ),
        (settings("Any", "    debug: bool"), "`False`", "    debug: bool = False\n"),
        (
            settings("Any", "    debug: bool = Field(..., alias=\"DEBUG\")"),
            "`False`",
            "    debug: bool = Field(False, alias=\"DEBUG\")\n",
        ),
        (
            settings("List", "    hosts: List[str]"),
            "empty list",
            "    hosts: List[str] = Field(default_factory=list)\n",
        ),
        (
            settings("Any", "    hosts: list[str] = Field(...)"),
            "empty list",
            "    hosts: list[str] = Field(default_factory=list)\n",
        ),
        (
            "from pydantic_settings import BaseSettings\n\n\nclass Settings(BaseSettings):\n    labels: dict[str, str]\n".to_string(),
            "empty dict",
            "    labels: dict[str, str] = {}\n",
        ),
    ];
    for (i, (text, title, expected)) in cases.iter().enumerate() {
        check_env(
            &format!("required-{i}"),
            &EnvCase {
                files: &[("settings.py", text)],
                path: "settings.py",
                rule: "required-setting-without-default",
                title,
                contains: &[("settings.py", expected)],
            },
        );
    }
}
