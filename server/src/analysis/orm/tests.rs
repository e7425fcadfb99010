//! The lowering of each framework's operations, checked on the operations
//! it produces (the rules' behaviour on them is the fixtures' business).

use super::*;
use crate::analysis::migration::{ConstraintKind, DmlKind};
use crate::analysis::runner::{Down, DownProblem, Runner};
use crate::syntax::trees;

fn lowered_with(language: Language, source: &str, project: &Project<'_>) -> Option<OrmMigration> {
    let tree = trees::parse(language, source).expect("parses");
    lower(language, &tree, source, project, &mut Cache::default())
}

fn lowered(language: Language, source: &str) -> OrmMigration {
    lowered_with(language, source, &Project::default()).expect("a migration")
}

/// Each statement's operation kinds with the text each operation spans.
fn ops(m: &OrmMigration, source: &str) -> Vec<(OpKind, String)> {
    m.statements
        .iter()
        .flat_map(|s| {
            s.ops.iter().map(move |op| {
                let range = s.span.start + op.span.start..s.span.start + op.span.end;
                (op.kind.clone(), source[range].to_string())
            })
        })
        .collect()
}

fn alembic(upgrade: &str) -> String {
    format!(
        "from alembic import op\nimport sqlalchemy as sa\n\nrevision = 'a1b2c3d4e5f6'\ndown_revision = None\n\nusers = sa.table('users', sa.column('id'))\n\n\ndef upgrade():\n{upgrade}\n\ndef downgrade():\n    raise NotImplementedError()\n"
    )
}

#[test]
fn alembic_indexes_columns_and_constraints() {
    let source = alembic(
        "    op.create_index(op.f('ix_users_email'), 'users', ['email'], unique=True, schema='app')
    op.drop_index('ix_old', table_name='users', postgresql_concurrently=True)
    op.add_column('users', sa.Column('plan', sa.String(20), nullable=False, server_default='free'))
    op.add_column('users', sa.Column('org_id', sa.BigInteger(), sa.ForeignKey('orgs.id'), index=True))
    op.create_foreign_key('users_org_fk', 'users', 'orgs', ['org_id'], ['id'], postgresql_not_valid=True)
    op.create_check_constraint('users_plan_nn', 'users', 'plan IS NOT NULL')
    op.create_unique_constraint('users_email_key', 'users', ['email'])
    op.drop_constraint('fk_users_orgs', 'users', type_='foreignkey')",
    );
    let m = lowered(Language::Python, &source);
    assert_eq!(m.runner.runner, Runner::Alembic);
    assert_eq!(m.runner.in_transaction, Some(true));
    assert_eq!(m.runner.down_missing, None);
    let ops = ops(&m, &source);
    let kinds: Vec<&OpKind> = ops.iter().map(|(k, _)| k).collect();
    assert!(matches!(
        kinds[0],
        OpKind::CreateIndex { name: Some(n), unique: true, concurrently: false, .. } if n == "ix_users_email"
    ));
    assert_eq!(
        m.statements[0].ops[0].table,
        Some(name(Some("app"), "users"))
    );
    assert_eq!(m.statements[0].ops[0].columns, ["email"]);
    assert!(ops[0].1.starts_with("op.create_index("));
    assert!(matches!(
        kinds[1],
        OpKind::DropIndex { concurrently: true, names, .. } if names[0].name == "ix_old"
    ));
    let OpKind::AddColumn(plan) = kinds[2] else {
        panic!("{:?}", kinds[2])
    };
    assert_eq!(
        (
            plan.data_type.as_str(),
            plan.not_null,
            plan.default.as_deref()
        ),
        ("varchar(20)", true, Some("'free'"))
    );
    // The column, its foreign key, its index.
    assert!(matches!(kinds[3], OpKind::AddColumn(c) if c.data_type == "bigint" && !c.not_null));
    assert!(matches!(
        kinds[4],
        OpKind::AddConstraint { kind: ConstraintKind::ForeignKey { references }, not_valid: false, .. } if references.name == "orgs"
    ));
    assert!(
        matches!(kinds[5], OpKind::CreateIndex { name: Some(n), .. } if n == "ix_users_org_id")
    );
    assert!(matches!(
        kinds[6],
        OpKind::AddConstraint {
            not_valid: true,
            ..
        }
    ));
    assert!(matches!(
        kinds[7],
        OpKind::AddConstraint { kind: ConstraintKind::Check { not_null_columns }, .. } if not_null_columns == &["plan"]
    ));
    assert!(matches!(
        kinds[8],
        OpKind::AddConstraint {
            kind: ConstraintKind::Unique { using_index: false },
            ..
        }
    ));
    assert!(matches!(
        kinds[9],
        OpKind::DropConstraint {
            foreign_key: true,
            ..
        }
    ));
}

#[test]
fn alembic_alter_column_emits_each_change() {
    let source = alembic(
        "    op.alter_column('users', 'email', existing_type=sa.String(), nullable=False, server_default=None, type_=sa.Text(), new_column_name='mail')
    op.alter_column('users', 'name', nullable=True, server_default=False)
    op.drop_column('users', 'legacy')
    op.rename_table('users', 'members')
    op.drop_table('sessions')",
    );
    let m = lowered(Language::Python, &source);
    let kinds: Vec<OpKind> = ops(&m, &source).into_iter().map(|(k, _)| k).collect();
    assert_eq!(
        kinds,
        [
            OpKind::SetNotNull {
                column: "email".into()
            },
            OpKind::DropDefault {
                column: "email".into()
            },
            OpKind::ChangeColumnType {
                column: "email".into(),
                data_type: "text".into()
            },
            OpKind::RenameColumn {
                from: "email".into(),
                to: "mail".into()
            },
            OpKind::DropNotNull {
                column: "name".into()
            },
            OpKind::DropColumn {
                column: "legacy".into(),
                if_exists: false
            },
            OpKind::RenameTable {
                to: "members".into()
            },
            OpKind::DropTable { if_exists: false },
        ]
    );
    // One statement per change, each spanning the call.
    assert_eq!(m.statements.len(), 8);
    assert_eq!(m.units.len(), 5);
}

#[test]
fn alembic_types_identity_and_defaults() {
    let source = alembic(
        "    op.add_column('t', sa.Column('a', sa.DateTime(timezone=True), server_default=sa.text('now()')))
    op.add_column('t', sa.Column('b', postgresql.JSONB(astext_type=sa.Text())))
    op.add_column('t', sa.Column('c', sa.BigInteger(), sa.Identity(always=False)))
    op.add_column('t', sa.Column('d', sa.Integer(), autoincrement=True))
    op.add_column('t', sa.Column('e', sa.UUID(), server_default=sa.func.gen_random_uuid()))
    op.add_column('t', sa.Column('f', sa.Numeric(10, 2), sa.Computed('a * 2')))
    op.add_column('t', sa.Column('g', sa.ARRAY(sa.String(length=5))))",
    );
    let m = lowered(Language::Python, &source);
    let columns: Vec<AddColumnFacts> = m
        .statements
        .iter()
        .flat_map(|s| s.ops.iter())
        .filter_map(|op| match &op.kind {
            OpKind::AddColumn(c) => Some((
                c.data_type.clone(),
                c.default.clone(),
                c.auto_increment,
                c.stored_generated,
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        columns,
        [
            ("timestamptz".into(), Some("now()".into()), false, false),
            ("jsonb".into(), None, false, false),
            (
                "bigint GENERATED BY DEFAULT AS IDENTITY".into(),
                None,
                true,
                false
            ),
            ("serial".into(), None, true, false),
            (
                "uuid".into(),
                Some("gen_random_uuid()".into()),
                false,
                false
            ),
            ("numeric(10,2)".into(), None, false, true),
            ("varchar(5)[]".into(), None, false, false),
        ]
    );
}

type AddColumnFacts = (String, Option<String>, bool, bool);

#[test]
fn alembic_embedded_sql_maps_to_the_literal() {
    let source = alembic(
        "    op.execute(\"UPDATE users SET plan = 'free' WHERE plan IS NULL; ALTER TABLE users ALTER COLUMN plan SET NOT NULL\")
    op.execute(sa.text('''
        CREATE INDEX users_plan_idx
            ON users (plan)
    '''))
    op.execute('ALTER TABLE \"users\" '
               \"DROP COLUMN \\\"legacy\\\"\")
    conn = op.get_bind()
    conn.execute(sa.text(\"DELETE FROM sessions\"))
    op.execute(sql)
    op.execute(f\"DROP TABLE {name}\")
    op.execute(users.update().where(users.c.id == 1).values(plan='pro'))
    op.bulk_insert(users, [{'id': 1}])",
    );
    let m = lowered(Language::Python, &source);
    let ops = ops(&m, &source);
    let texts: Vec<&str> = ops.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(
        texts[0],
        "UPDATE users SET plan = 'free' WHERE plan IS NULL"
    );
    assert_eq!(texts[1], "ALTER COLUMN plan SET NOT NULL");
    assert!(matches!(ops[2].0, OpKind::CreateIndex { .. }));
    assert_eq!(
        texts[2],
        "CREATE INDEX users_plan_idx\n            ON users (plan)"
    );
    // Concatenated, with escapes: the range runs across the seam.
    assert!(matches!(&ops[3].0, OpKind::DropColumn { column, .. } if column == "legacy"));
    assert_eq!(texts[3], "DROP COLUMN \\\"legacy\\\"");
    assert!(matches!(
        ops[4].0,
        OpKind::Dml {
            kind: DmlKind::Delete,
            filtered: false,
            ..
        }
    ));
    assert_eq!(texts[5], "sql");
    assert_eq!(ops[5].0, OpKind::DynamicSql);
    assert_eq!(texts[6], "f\"DROP TABLE {name}\"");
    assert!(matches!(
        ops[7].0,
        OpKind::Dml {
            kind: DmlKind::Update,
            filtered: true,
            ..
        }
    ));
    assert_eq!(m.statements[7].ops[0].table, Some(name(None, "users")));
    assert!(matches!(
        ops[8].0,
        OpKind::Dml {
            kind: DmlKind::Insert,
            filtered: true,
            ..
        }
    ));
    assert!(m.origins[0].literal().is_some() && m.origins[7].literal().is_none());
}

#[test]
fn alembic_autocommit_and_batch_blocks() {
    let source = alembic(
        "    op.create_index('a', 't', ['x'])
    with op.get_context().autocommit_block():
        op.create_index('b', 't', ['y'], postgresql_concurrently=True)
    with op.batch_alter_table('t', schema='s') as batch_op:
        batch_op.add_column(sa.Column('z', sa.Text()))
        batch_op.create_index('c', ['z'])
        batch_op.drop_column('w')
    with op.batch_alter_table('u', recreate='always') as batch_op:
        batch_op.drop_column('v')",
    );
    let m = lowered(Language::Python, &source);
    let kinds: Vec<OpKind> = ops(&m, &source).into_iter().map(|(k, _)| k).collect();
    assert!(matches!(
        kinds[1],
        OpKind::RunnerTransaction { open: false }
    ));
    assert!(matches!(
        kinds[2],
        OpKind::CreateIndex {
            concurrently: true,
            ..
        }
    ));
    assert!(matches!(kinds[3], OpKind::RunnerTransaction { open: true }));
    assert!(m.units[2].outside_transaction && !m.units[0].outside_transaction);
    let batch_table = Some(name(Some("s"), "t"));
    assert_eq!(m.statements[4].ops[0].table, batch_table);
    assert!(matches!(&kinds[5], OpKind::CreateIndex { name: Some(n), .. } if n == "c"));
    assert_eq!(m.statements[5].ops[0].columns, ["z"]);
    assert!(matches!(&kinds[6], OpKind::DropColumn { column, .. } if column == "w"));
    // A recreated table is copied and swapped; the calls inside change the copy.
    assert!(matches!(kinds[7], OpKind::MoveTable { .. }));
    assert!(matches!(kinds[8], OpKind::DropTable { .. }));
    assert_eq!(kinds.len(), 9);
    let header = &source[m.statements.last().unwrap().span.clone()];
    assert_eq!(
        header,
        "with op.batch_alter_table('u', recreate='always') as batch_op"
    );
}

#[test]
fn alembic_create_table_knows_its_keys_and_references() {
    let source = alembic(
        "    op.create_table('orders',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.String(), index=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name='orders_user_fk'),
        sa.PrimaryKeyConstraint('id'),
    )",
    );
    let m = lowered(Language::Python, &source);
    let OpKind::CreateTable {
        columns,
        references,
        constraints,
        ..
    } = &m.statements[0].ops[0].kind
    else {
        panic!("{:?}", m.statements[0].ops[0].kind)
    };
    let keys: Vec<(&str, bool, bool)> = columns
        .iter()
        .map(|c| (c.name.as_str(), c.key, c.not_null))
        .collect();
    assert_eq!(
        keys,
        [
            ("id", true, true),
            ("user_id", true, false),
            ("note", false, false)
        ]
    );
    assert_eq!(references[0].name, "users");
    assert_eq!(constraints, &["orders_user_fk"]);
    assert!(
        matches!(&m.statements[1].ops[0].kind, OpKind::CreateIndex { name: Some(n), .. } if n == "ix_orders_note")
    );
}

#[test]
fn alembic_down_migration_and_recognition() {
    let empty = "revision = 'x'\n\ndef upgrade():\n    op.drop_table('t')\n\ndef downgrade():\n    \"\"\"Nothing.\"\"\"\n    # ### commands auto generated by Alembic ###\n    pass\n";
    let m = lowered(Language::Python, empty);
    assert_eq!(
        m.runner.down_missing,
        Some(DownProblem::EmptyFunction("downgrade()"))
    );
    let Down::Code(range) = &m.runner.down else {
        panic!("{:?}", m.runner.down)
    };
    assert_eq!(&empty[range.clone()], "def downgrade()");
    let missing = "revision = 'x'\n\ndef upgrade() -> None:\n    pass\n";
    let m = lowered(Language::Python, missing);
    assert_eq!(
        m.runner.down_missing,
        Some(DownProblem::MissingFunction("downgrade()"))
    );
    let Down::Code(range) = &m.runner.down else {
        panic!("{:?}", m.runner.down)
    };
    assert_eq!(&missing[range.clone()], "def upgrade() -> None");
    // Not a revision: a settings module, a script with an upgrade function.
    let project = Project::default();
    assert!(lowered_with(Language::Python, "DEBUG = True\n", &project).is_none());
    assert!(lowered_with(Language::Python, "def upgrade():\n    pass\n", &project).is_none());
}

#[test]
fn alembic_env_settings_open_the_migration() {
    let env = alembic_env::facts(
        "context.configure(connection=c, transactional_ddl=False)\nconnection.execute(text(\"SET lock_timeout = '2s'\"))\n",
    );
    let project = Project {
        alembic_env: Some(&env),
        ..Project::default()
    };
    let source = alembic("    op.drop_table('t')");
    let m = lowered_with(Language::Python, &source, &project).unwrap();
    assert_eq!(m.runner.in_transaction, Some(false));
    assert!(matches!(
        &m.statements[0].ops[0].kind,
        OpKind::Set { name, value: Some(v), local: false } if name == "lock_timeout" && v == "'2s'"
    ));
    assert_eq!(m.origins[0].unit, None);
}

fn django(operations: &str, extra: &str) -> String {
    format!(
        "from django.db import migrations, models\nimport django.db.models.deletion\n\n\ndef forwards(apps, schema_editor):\n    Invoice = apps.get_model('billing', 'Invoice')\n    Invoice.objects.filter(status=None).update(status='draft')\n\n\nclass Migration(migrations.Migration):\n{extra}\n    dependencies = [('billing', '0001_initial')]\n\n    operations = [\n{operations}\n    ]\n"
    )
}

fn django_project<'a>(path: &'a std::path::Path, history: Option<&'a History>) -> Project<'a> {
    Project {
        path: Some(path),
        django_history: history,
        ..Project::default()
    }
}

#[test]
fn django_fields_become_columns_defaults_and_deferred_constraints() {
    let source = django(
        "        migrations.AddField(
            model_name='invoice',
            name='status',
            field=models.CharField(default='draft', max_length=20),
        ),
        migrations.AddField(
            model_name='invoice',
            name='customer',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, to='crm.customer'),
        ),
        migrations.AddField(
            model_name='invoice',
            name='uid',
            field=models.UUIDField(db_default=RandomUUID()),
        ),
        migrations.RemoveField(model_name='invoice', name='legacy'),
        migrations.RenameField(model_name='invoice', old_name='total', new_name='amount'),",
        "",
    );
    let project = django_project(
        std::path::Path::new("billing/migrations/0002_status.py"),
        None,
    );
    let m = lowered_with(Language::Python, &source, &project).unwrap();
    assert_eq!(m.runner.runner, Runner::Django);
    assert_eq!(m.runner.in_transaction, Some(true));
    let kinds: Vec<OpKind> = m.statements.iter().map(|s| s.ops[0].kind.clone()).collect();
    let OpKind::AddColumn(status) = &kinds[0] else {
        panic!("{kinds:?}")
    };
    assert_eq!(
        (
            status.data_type.as_str(),
            status.not_null,
            status.default.as_deref()
        ),
        ("varchar(20)", true, Some("'draft'"))
    );
    assert_eq!(
        m.statements[0].ops[0].table,
        Some(name(None, "billing_invoice"))
    );
    // Django drops the default it filled the rows with.
    assert_eq!(
        kinds[1],
        OpKind::DropDefault {
            column: "status".into()
        }
    );
    assert!(
        matches!(&kinds[2], OpKind::AddColumn(c) if c.column == "customer_id" && c.data_type == "bigint" && !c.not_null)
    );
    assert!(
        matches!(&kinds[3], OpKind::AddColumn(c) if c.default.as_deref() == Some("gen_random_uuid()"))
    );
    assert!(matches!(&kinds[4], OpKind::DropColumn { column, .. } if column == "legacy"));
    assert!(
        matches!(&kinds[5], OpKind::RenameColumn { from, to } if from == "total" && to == "amount")
    );
    // Deferred to the end: the foreign key, then its index.
    assert!(matches!(
        &kinds[6],
        OpKind::AddConstraint { kind: ConstraintKind::ForeignKey { references }, .. } if references.name == "crm_customer"
    ));
    assert!(matches!(&kinds[7], OpKind::CreateIndex { .. }));
    assert_eq!(m.statements[7].ops[0].columns, ["customer_id"]);
    assert_eq!(kinds.len(), 8);
}

#[test]
fn django_indexes_constraints_and_transactions() {
    let source = django(
        "        AddIndexConcurrently('invoice', models.Index(fields=['-issued_at'], name='invoice_issued_idx')),
        migrations.RemoveIndex(model_name='invoice', name='invoice_old_idx'),
        migrations.AddConstraint(
            model_name='invoice',
            constraint=models.CheckConstraint(condition=models.Q(('number__isnull', False)) | models.Q(number__isnull=False), name='invoice_number_nn'),
        ),
        AddConstraintNotValid('invoice', models.CheckConstraint(check=models.Q(amount__gte=0), name='invoice_amount_positive')),
        ValidateConstraint('invoice', 'invoice_amount_positive'),
        migrations.AddConstraint('invoice', models.UniqueConstraint(fields=['number'], name='invoice_number_key')),
        migrations.AddConstraint('invoice', models.UniqueConstraint(fields=['number'], condition=models.Q(deleted=False), name='invoice_live_number_key')),
        migrations.AlterUniqueTogether(name='invoice', unique_together={('customer', 'number')}),
        migrations.RenameModel(old_name='Invoice', new_name='Bill'),
        migrations.DeleteModel(name='Draft'),",
        "    atomic = False\n",
    );
    let project = django_project(
        std::path::Path::new("billing/migrations/0003_indexes.py"),
        None,
    );
    let m = lowered_with(Language::Python, &source, &project).unwrap();
    assert_eq!(m.runner.in_transaction, Some(false));
    let kinds: Vec<OpKind> = m.statements.iter().map(|s| s.ops[0].kind.clone()).collect();
    assert!(
        matches!(&kinds[0], OpKind::CreateIndex { concurrently: true, name: Some(n), .. } if n == "invoice_issued_idx")
    );
    assert_eq!(m.statements[0].ops[0].columns, ["issued_at"]);
    assert!(matches!(
        &kinds[1],
        OpKind::DropIndex {
            concurrently: false,
            ..
        }
    ));
    assert!(matches!(
        &kinds[2],
        OpKind::AddConstraint { kind: ConstraintKind::Check { not_null_columns }, not_valid: false, .. } if not_null_columns == &["number"]
    ));
    assert!(matches!(
        &kinds[3],
        OpKind::AddConstraint {
            not_valid: true,
            ..
        }
    ));
    assert!(
        matches!(&kinds[4], OpKind::ValidateConstraint { name } if name == "invoice_amount_positive")
    );
    assert!(matches!(
        &kinds[5],
        OpKind::AddConstraint {
            kind: ConstraintKind::Unique { .. },
            ..
        }
    ));
    assert!(matches!(
        &kinds[6],
        OpKind::CreateIndex { unique: true, .. }
    ));
    assert!(matches!(
        &kinds[7],
        OpKind::AddConstraint {
            kind: ConstraintKind::Unique { .. },
            ..
        }
    ));
    assert_eq!(m.statements[7].ops[0].columns, ["customer", "number"]);
    assert!(matches!(&kinds[8], OpKind::RenameTable { to } if to == "billing_bill"));
    assert!(matches!(&kinds[9], OpKind::DropTable { .. }));
    assert_eq!(
        m.statements[9].ops[0].table,
        Some(name(None, "billing_draft"))
    );
}

#[test]
fn django_run_sql_and_run_python() {
    let source = django(
        "        migrations.RunSQL(
            sql=[\"UPDATE billing_invoice SET status = 'draft' WHERE status IS NULL\", ('DELETE FROM billing_log WHERE id = %s', [1])],
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.RunSQL(SQL),
        migrations.RunPython(forwards),
        migrations.RunPython(forwards, migrations.RunPython.noop),",
        "",
    );
    let m = lowered(Language::Python, &source);
    let ops = ops(&m, &source);
    assert!(matches!(
        ops[0].0,
        OpKind::Dml {
            kind: DmlKind::Update,
            ..
        }
    ));
    assert_eq!(
        ops[0].1,
        "UPDATE billing_invoice SET status = 'draft' WHERE status IS NULL"
    );
    assert!(matches!(
        ops[1].0,
        OpKind::Dml {
            kind: DmlKind::Delete,
            filtered: true,
            ..
        }
    ));
    assert_eq!((&ops[2].0, ops[2].1.as_str()), (&OpKind::DynamicSql, "SQL"));
    assert!(matches!(
        ops[3].0,
        OpKind::Dml {
            kind: DmlKind::Update,
            filtered: true,
            batched: false
        }
    ));
    assert_eq!(
        m.statements[3].ops[0].table,
        Some(name(None, "billing_invoice"))
    );
    let Some(DownProblem::Irreversible(irreversible)) = &m.runner.down_missing else {
        panic!("{:?}", m.runner.down_missing)
    };
    let missing: Vec<(&str, &str)> = irreversible
        .iter()
        .map(|i| (i.operation, &source[i.range.clone()]))
        .collect();
    assert_eq!(
        missing,
        [
            ("RunSQL", "migrations.RunSQL(SQL)"),
            ("RunPython", "migrations.RunPython(forwards)")
        ]
    );
}

#[test]
fn django_alter_field_is_judged_against_the_earlier_migrations() {
    let initial = "from django.db import migrations, models\n\nclass Migration(migrations.Migration):\n    initial = True\n    operations = [\n        migrations.CreateModel(\n            name='Invoice',\n            fields=[\n                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),\n                ('number', models.CharField(max_length=20, null=True)),\n                ('note', models.TextField()),\n                ('code', models.CharField(max_length=10)),\n            ],\n        ),\n    ]\n";
    let history = django_history::history("billing", &[initial.to_string()]);
    let source = django(
        "        migrations.AlterField(model_name='invoice', name='number', field=models.CharField(max_length=40, default='', unique=True)),
        migrations.AlterField(model_name='invoice', name='note', field=models.TextField(help_text='shown on the PDF')),
        migrations.AlterField(model_name='invoice', name='code', field=models.CharField(max_length=10, null=True, db_index=True)),",
        "",
    );
    let project = django_project(
        std::path::Path::new("billing/migrations/0004_alter.py"),
        Some(&history),
    );
    let m = lowered_with(Language::Python, &source, &project).unwrap();
    let kinds: Vec<OpKind> = m.statements.iter().map(|s| s.ops[0].kind.clone()).collect();
    assert_eq!(
        kinds[0],
        OpKind::ChangeColumnType {
            column: "number".into(),
            data_type: "varchar(40)".into()
        }
    );
    // null → not null with a default: fill the NULLs, then SET NOT NULL.
    assert!(matches!(&kinds[1], OpKind::AlterTableOther { what, .. } if what == "SET DEFAULT"));
    assert!(matches!(
        &kinds[2],
        OpKind::Dml {
            kind: DmlKind::Update,
            ..
        }
    ));
    assert!(matches!(&kinds[3], OpKind::SetNotNull { column } if column == "number"));
    assert!(matches!(&kinds[4], OpKind::DropDefault { .. }));
    assert!(matches!(
        &kinds[5],
        OpKind::AddConstraint {
            kind: ConstraintKind::Unique { .. },
            ..
        }
    ));
    // `note`: only its help text changed, nothing to run.
    assert!(matches!(&kinds[6], OpKind::DropNotNull { column } if column == "code"));
    assert!(matches!(&kinds[7], OpKind::CreateIndex { .. }));
    assert_eq!(kinds.len(), 8);
    assert_eq!(
        django_history::models_needing_history(
            &trees::parse(Language::Python, &source).unwrap(),
            &source
        ),
        ["invoice"]
    );
}

#[test]
fn typeorm_queries_and_the_query_runner_api() {
    let source = "import { MigrationInterface, QueryRunner, TableColumn, TableIndex, TableForeignKey } from 'typeorm';

export class AddStatus1700000000000 implements MigrationInterface {
    transaction = false

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE \"order\" ADD \"status\" varchar NOT NULL`);
        await queryRunner.query('DROP INDEX \"IDX_a\"', []);
        await queryRunner.query(`UPDATE \"order\" SET x = ${value}`);
        await queryRunner.addColumn('order', new TableColumn({ name: 'note', type: 'varchar', length: '80' }));
        await queryRunner.createIndex('order', new TableIndex({ name: 'IDX_note', columnNames: ['note'], isUnique: true }));
        await queryRunner.createForeignKey('order', new TableForeignKey({ columnNames: ['userId'], referencedTableName: 'user', referencedColumnNames: ['id'] }));
        await queryRunner.createCheckConstraint('order', new TableCheck({ name: 'CHK_note', expression: '\"note\" IS NOT NULL' }));
        await queryRunner.renameColumn('order', 'note', 'remark');
        await queryRunner.dropTable('legacy');
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        // nothing to undo
    }
}
";
    let m = lowered(Language::TypeScript, source);
    assert_eq!(m.runner.runner, Runner::TypeOrm);
    assert_eq!(m.runner.in_transaction, Some(false));
    assert_eq!(
        m.runner.down_missing,
        Some(DownProblem::EmptyFunction("down()"))
    );
    let ops = ops(&m, source);
    assert!(matches!(&ops[0].0, OpKind::AddColumn(c) if c.column == "status" && c.not_null));
    assert_eq!(ops[0].1, "ADD \"status\" varchar NOT NULL");
    assert!(matches!(ops[1].0, OpKind::DropIndex { .. }));
    assert_eq!(
        (&ops[2].0, ops[2].1.as_str()),
        (&OpKind::DynamicSql, "`UPDATE \"order\" SET x = ${value}`")
    );
    assert!(
        matches!(&ops[3].0, OpKind::AddColumn(c) if c.data_type == "varchar(80)" && c.not_null)
    );
    assert!(matches!(
        &ops[4].0,
        OpKind::CreateIndex { unique: true, .. }
    ));
    assert_eq!(m.statements[4].ops[0].columns, ["note"]);
    assert!(
        matches!(&ops[5].0, OpKind::AddConstraint { kind: ConstraintKind::ForeignKey { references }, .. } if references.name == "user")
    );
    assert!(
        matches!(&ops[6].0, OpKind::AddConstraint { kind: ConstraintKind::Check { not_null_columns }, .. } if not_null_columns == &["note"])
    );
    assert!(matches!(&ops[7].0, OpKind::RenameColumn { to, .. } if to == "remark"));
    assert!(matches!(ops[8].0, OpKind::DropTable { .. }));
    assert!(ops[8].1.starts_with("queryRunner.dropTable("));
}

#[test]
fn knex_schema_builder_raw_sql_and_query_builder() {
    let source = "exports.config = { transaction: false };

exports.up = function (knex) {
  return knex.schema
    .alterTable('users', (table) => {
      table.string('email', 100).notNullable().unique();
      table.integer('age').alter();
      table.index(['email', 'age'], 'users_email_age_index');
      table.foreign('org_id').references('orgs.id');
      table.dropColumn('legacy');
    })
    .createTable('events', (t) => {
      t.increments();
      t.timestamp('at', { useTz: false });
      t.index('at');
    })
    .raw('VACUUM users');
};

exports.down = async (knex) => {
  await knex.schema.dropTable('events');
};
";
    let m = lowered(Language::JavaScript, source);
    assert_eq!(m.runner.runner, Runner::Knex);
    assert_eq!(m.runner.in_transaction, Some(false));
    assert_eq!(m.runner.down_missing, None);
    let kinds: Vec<OpKind> = m.statements.iter().map(|s| s.ops[0].kind.clone()).collect();
    assert!(
        matches!(&kinds[0], OpKind::AddColumn(c) if c.data_type == "varchar(100)" && c.not_null && c.inline_constraint.is_none())
    );
    assert!(matches!(
        &kinds[1],
        OpKind::AddConstraint {
            kind: ConstraintKind::Unique { .. },
            ..
        }
    ));
    assert!(
        matches!(&kinds[2], OpKind::ChangeColumnType { data_type, .. } if data_type == "integer")
    );
    assert!(matches!(&kinds[3], OpKind::DropDefault { .. }));
    assert!(matches!(&kinds[4], OpKind::DropNotNull { .. }));
    assert!(
        matches!(&kinds[5], OpKind::CreateIndex { name: Some(n), .. } if n == "users_email_age_index")
    );
    assert_eq!(m.statements[5].ops[0].columns, ["email", "age"]);
    assert!(
        matches!(&kinds[6], OpKind::AddConstraint { kind: ConstraintKind::ForeignKey { references }, .. } if references.name == "orgs")
    );
    assert!(matches!(&kinds[7], OpKind::DropColumn { column, .. } if column == "legacy"));
    let OpKind::CreateTable { columns, .. } = &kinds[8] else {
        panic!("{kinds:?}")
    };
    let types: Vec<&str> = columns.iter().map(|c| c.data_type.as_str()).collect();
    assert_eq!(types, ["serial", "timestamp"]);
    assert_eq!(m.statements[8].ops[0].table, Some(name(None, "events")));
    assert!(matches!(&kinds[9], OpKind::CreateIndex { .. }));
    assert_eq!(m.statements[9].ops[0].table, Some(name(None, "events")));
    assert!(matches!(&kinds[10], OpKind::Maintenance(_)));
    assert_eq!(kinds.len(), 11);
    let table = &source[m.statements[0].span.clone()];
    assert_eq!(table, "table.string('email', 100).notNullable().unique()");
}

#[test]
fn knex_es_modules_and_missing_down() {
    let source = "import type { Knex } from 'knex';\n\nexport async function up(knex: Knex): Promise<void> {\n  await knex('users').where('id', '>', 10).update({ a: 1 });\n  await knex.raw(`ALTER TABLE users DROP COLUMN b`);\n}\n";
    let m = lowered(Language::TypeScript, source);
    assert_eq!(m.runner.in_transaction, Some(true));
    assert_eq!(
        m.runner.down_missing,
        Some(DownProblem::MissingFunction("exports.down"))
    );
    let ops = ops(&m, source);
    assert!(matches!(
        ops[0].0,
        OpKind::Dml {
            kind: DmlKind::Update,
            filtered: true,
            ..
        }
    ));
    assert_eq!(m.statements[0].ops[0].table, Some(name(None, "users")));
    assert!(matches!(ops[1].0, OpKind::DropColumn { .. }));
    assert_eq!(ops[1].1, "DROP COLUMN b");
    // Not a migration: an ordinary module.
    assert!(
        lowered_with(
            Language::TypeScript,
            "export const up = 1;\n",
            &Project::default()
        )
        .is_none()
    );
}

#[test]
fn django_index_together_rename_index_model_options_and_key_types() {
    let initial = "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n    operations = [\n        migrations.CreateModel(\n            name='Owner',\n            fields=[('id', models.UUIDField(primary_key=True, serialize=False))],\n        ),\n        migrations.CreateModel(\n            name='Invoice',\n            fields=[('id', models.BigAutoField(primary_key=True, serialize=False))],\n            options={'index_together': {('id',)}},\n        ),\n    ]\n";
    let history = django_history::history("billing", &[initial.to_string()]);
    let long = "tag_label_with_a_name_far_longer_than_postgresql_allows_for_identifiers_idx";
    let source = django(
        &format!(
            "        migrations.CreateModel(
            name='Tag',
            fields=[
                ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False)),
                ('label', models.CharField(max_length=20)),
            ],
            options={{
                'indexes': [models.Index(fields=['label'], name='{long}')],
                'constraints': [models.UniqueConstraint(fields=['label'], name='tag_label_key')],
            }},
        ),
        migrations.AddField(model_name='invoice', name='tag', field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='billing.tag')),
        migrations.AddField(model_name='invoice', name='owner', field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='billing.Owner')),
        migrations.AddField(model_name='invoice', name='payer', field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='crm.customer')),
        migrations.AlterIndexTogether(name='invoice', index_together={{('id',), ('tag', 'owner')}}),
        migrations.RenameIndex(model_name='invoice', new_name='invoice_new_idx', old_name='invoice_old_idx'),
        migrations.RenameIndex(model_name='invoice', new_name='invoice_x_idx', old_fields=('tag', 'owner')),"
        ),
        "",
    );
    let path = std::path::Path::new("billing/migrations/0002_tags.py");
    let project = django_project(path, Some(&history));
    let m = lowered_with(Language::Python, &source, &project).unwrap();
    let all: Vec<&Op> = m.statements.iter().flat_map(|s| s.ops.iter()).collect();
    // The table, with its constraint, and (deferred) its named index.
    assert!(matches!(all[0].kind, OpKind::CreateTable { .. }));
    assert!(matches!(
        &all[1].kind,
        OpKind::AddConstraint { name: Some(n), kind: ConstraintKind::Unique { .. }, .. } if n == "tag_label_key"
    ));
    let added: Vec<(&str, &str)> = all
        .iter()
        .filter_map(|op| match &op.kind {
            OpKind::AddColumn(c) => Some((c.column.as_str(), c.data_type.as_str())),
            _ => None,
        })
        .collect();
    // The referenced keys' types: an AutoField created here, a UUID key
    // from the app's history; another app's model is not known: bigint.
    assert_eq!(
        added,
        [
            ("tag_id", "integer"),
            ("owner_id", "uuid"),
            ("payer_id", "bigint")
        ]
    );
    // Only the set index_together did not list before gets an index.
    let together: Vec<&Vec<String>> = all
        .iter()
        .filter(|op| matches!(&op.kind, OpKind::CreateIndex { name: None, .. }))
        .map(|op| &op.columns)
        .collect();
    assert_eq!(
        together,
        [&vec!["tag_id".to_string(), "owner_id".to_string()]]
    );
    let renames: Vec<(String, String)> = all
        .iter()
        .filter_map(|op| match &op.kind {
            OpKind::RenameIndex { to } => Some((op.table.as_ref()?.name.clone(), to.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        renames,
        [("invoice_old_idx".to_string(), "invoice_new_idx".to_string())]
    );
    assert!(
        all.iter()
            .any(|op| matches!(&op.kind, OpKind::CreateIndex { name: Some(n), .. } if n == long))
    );
    // The model's index name reaches the rules.
    let findings = crate::engine::check_text(path, &source, &crate::config::Config::default());
    assert!(
        findings.iter().any(|f| f.rule == "identifier-too-long"),
        "{findings:#?}"
    );
}
