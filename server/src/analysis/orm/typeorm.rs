//! TypeORM migrations: a class implementing `MigrationInterface` whose
//! `up(queryRunner)` runs SQL through `queryRunner.query(...)` (what
//! `migration:generate` writes) or the `QueryRunner` schema API
//! (`createIndex`, `addColumn`, ...). In a transaction unless the class sets
//! `transaction = false` (the reference's section 4: the default
//! `migrationsTransactionMode` is `"all"`).

use tree_sitter::{Node, Tree};

use super::call::{
    JsCall, js_bool, js_elements, js_empty_body, js_field, js_function, js_str, js_strings,
};
use super::{Builder, Cache, Facts, Framework, OrmMigration, ScriptFacts, lower_sql, on, op};
use crate::analysis::migration::{AddColumn, ColumnDef, ConstraintKind, Name, Op, OpKind};
use crate::analysis::runner::{Down, DownProblem, Runner, RunnerFacts};
use crate::syntax::literal;
use crate::syntax::queries::{self, QueryFile};
use crate::text::Language;

pub(super) fn lower(
    language: Language,
    tree: &Tree,
    source: &str,
    cache: &mut Cache,
) -> Option<OrmMigration> {
    let query = queries::query(QueryFile::TypeOrm, language)?;
    let found = queries::matches(query, tree.root_node(), source);
    // The migration class: the one with an `up` method.
    let mut up = None;
    let mut down = None;
    let mut class = None;
    let mut transaction = None;
    let mut calls = Vec::new();
    for m in &found {
        if let (Some(name), Some(method)) = (m.text("method.name", source), m.get("method")) {
            match name {
                "up" => up = Some(method),
                "down" => down = Some(method),
                _ => {}
            }
        }
        if let Some(node) = m.get("class") {
            class = class.or(Some(node));
        }
        if let (Some("transaction"), Some(value)) =
            (m.text("field.name", source), m.get("field.value"))
        {
            transaction = js_bool(value, source).map(|t| (t, value));
        }
        if let Some(call) = m.get("call") {
            calls.push(call);
        }
    }
    let up = up?;
    let class = class.filter(|c| c.byte_range().contains(&up.start_byte()))?;
    let heritage = source.get(class.byte_range()).unwrap_or("");
    let (runner_name, body) = js_function(up, source)?;
    if !heritage.contains("MigrationInterface") && runner_name != Some("queryRunner") {
        return None;
    }
    let runner_name = runner_name.unwrap_or("queryRunner");
    let mut builder = Builder::new(cache, &found);
    let inside = body.byte_range();
    calls.retain(|c| inside.start <= c.start_byte() && c.end_byte() <= inside.end);
    calls.sort_by_key(|c| c.start_byte());
    for node in calls {
        let Some(call) = JsCall::new(node, source) else {
            continue;
        };
        if call.receiver.and_then(|r| source.get(r.byte_range())) != Some(runner_name) {
            continue;
        }
        operation(&mut builder, &call, source);
    }
    let (down_range, problem) = match down {
        None => (
            header(up, source),
            Some(DownProblem::MissingFunction("down()")),
        ),
        Some(down) => {
            let empty = js_function(down, source).is_some_and(|(_, body)| js_empty_body(body));
            (
                header(down, source),
                empty.then_some(DownProblem::EmptyFunction("down()")),
            )
        }
    };
    let in_transaction = transaction.map(|(t, _)| t).unwrap_or(true);
    let runner = RunnerFacts {
        down: Down::Code(down_range),
        down_missing: problem,
        ..RunnerFacts::whole(Runner::TypeOrm, Some(in_transaction), source)
    };
    let facts = Facts::Script(ScriptFacts {
        class_body: class.child_by_field_name("body").map(|b| b.byte_range()),
        transaction: transaction.map(|(_, value)| value.byte_range()),
        ..ScriptFacts::of(up, body, runner_name, source)
    });
    Some(builder.finish(Framework::TypeOrm, runner, facts))
}

/// `public async down(queryRunner: QueryRunner): Promise<void>`.
fn header(method: Node<'_>, source: &str) -> std::ops::Range<usize> {
    let end = method
        .child_by_field_name("body")
        .map_or(method.end_byte(), |b| b.start_byte());
    let text = source.get(method.start_byte()..end).unwrap_or("");
    method.start_byte()..method.start_byte() + text.trim_end().len()
}

/// One `queryRunner.*` call.
fn operation(builder: &mut Builder<'_>, call: &JsCall<'_>, source: &str) {
    let unit = builder.unit(call.node, call.name, false);
    if call.name == "query" {
        let Some(sql) = call.arg(0) else {
            return;
        };
        match literal::javascript(sql, source) {
            Some(literal) => builder.sql(unit, literal),
            None => builder.dynamic(unit, sql.byte_range()),
        }
        return;
    }
    for ops in statements(call, source) {
        builder.statement(unit, ops);
    }
}

/// The table a `QueryRunner` method is given: a name or a `Table`.
fn table_arg(node: Option<Node<'_>>, source: &str) -> Option<Name> {
    let node = node?;
    let name = js_str(node, source)
        .or_else(|| js_field(node, "name", source).and_then(|n| js_str(n, source)))?;
    Some(match name.split_once('.') {
        Some((schema, table)) => Name::new(Some(schema.to_string()), table),
        None => Name::new(None, name),
    })
}

fn statements(call: &JsCall<'_>, source: &str) -> Vec<Vec<Op>> {
    let table = table_arg(call.arg(0), source);
    let field = |index: usize, key: &str| call.arg(index).and_then(|o| js_field(o, key, source));
    let text = |index: usize, key: &str| field(index, key).and_then(|n| js_str(n, source));
    let flag =
        |index: usize, key: &str| field(index, key).and_then(|n| js_bool(n, source)) == Some(true);
    let on_table = |kind: OpKind| table.clone().map(|t| op(Some(t), kind));
    let with_columns = |op: Option<Op>, columns: Vec<String>| {
        op.map(|mut op| {
            op.columns = columns;
            vec![op]
        })
    };
    let columns_at = |index: usize, key: &str| {
        field(index, key)
            .map(|n| js_strings(n, source))
            .unwrap_or_default()
    };
    let one = match call.name {
        "createIndex" => with_columns(
            on_table(OpKind::CreateIndex {
                name: text(1, "name"),
                unique: flag(1, "isUnique"),
                concurrently: false,
                if_not_exists: false,
                on_only: false,
            }),
            columns_at(1, "columnNames"),
        ),
        "dropIndex" => {
            let index = call.arg(1).and_then(|n| {
                js_str(n, source)
                    .or_else(|| js_field(n, "name", source).and_then(|v| js_str(v, source)))
            });
            index.and_then(|index| {
                on_table(OpKind::DropIndex {
                    names: vec![Name::new(None, index)],
                    concurrently: false,
                    if_exists: false,
                })
                .map(|op| vec![op])
            })
        }
        "addColumn" | "addColumns" => {
            let columns: Vec<Node<'_>> = match call.name {
                "addColumn" => call.arg(1).into_iter().collect(),
                _ => call.arg(1).map(js_elements).unwrap_or_default(),
            };
            return columns
                .into_iter()
                .filter_map(|c| column(c, source))
                .filter_map(|(added, _)| on_table(OpKind::AddColumn(added)).map(|op| vec![op]))
                .collect();
        }
        "dropColumn" => call
            .arg(1)
            .and_then(|n| {
                js_str(n, source)
                    .or_else(|| js_field(n, "name", source).and_then(|v| js_str(v, source)))
            })
            .and_then(|column| {
                on_table(OpKind::DropColumn {
                    column,
                    if_exists: false,
                })
                .map(|op| vec![op])
            }),
        "renameColumn" => {
            let name = |index: usize| {
                call.arg(index).and_then(|n| {
                    js_str(n, source)
                        .or_else(|| js_field(n, "name", source).and_then(|v| js_str(v, source)))
                })
            };
            match (name(1), name(2)) {
                (Some(from), Some(to)) => {
                    on_table(OpKind::RenameColumn { from, to }).map(|op| vec![op])
                }
                _ => None,
            }
        }
        "renameTable" => call
            .arg(1)
            .and_then(|n| js_str(n, source))
            .and_then(|to| on_table(OpKind::RenameTable { to }).map(|op| vec![op])),
        "dropTable" => on_table(OpKind::DropTable {
            if_exists: call.arg(1).and_then(|n| js_bool(n, source)) == Some(true),
        })
        .map(|op| vec![op]),
        "createForeignKey" => {
            let references = text(1, "referencedTableName").map(|t| Name::new(None, t));
            references.and_then(|references| {
                with_columns(
                    on_table(OpKind::AddConstraint {
                        name: text(1, "name"),
                        kind: ConstraintKind::ForeignKey { references },
                        not_valid: false,
                    }),
                    columns_at(1, "columnNames"),
                )
            })
        }
        "createUniqueConstraint" => with_columns(
            on_table(OpKind::AddConstraint {
                name: text(1, "name"),
                kind: ConstraintKind::Unique { using_index: false },
                not_valid: false,
            }),
            columns_at(1, "columnNames"),
        ),
        "createPrimaryKey" => with_columns(
            on_table(OpKind::AddConstraint {
                name: call.arg(2).and_then(|n| js_str(n, source)),
                kind: ConstraintKind::PrimaryKey { using_index: None },
                not_valid: false,
            }),
            call.arg(1)
                .map(|n| js_strings(n, source))
                .unwrap_or_default(),
        ),
        "createCheckConstraint" => {
            let expression = text(1, "expression").unwrap_or_default();
            let name = text(1, "name").unwrap_or_else(|| "check".into());
            table.as_ref().map(|t| {
                // Lowered as SQL so a check proving NOT NULL is recognised.
                let sql = format!("ALTER TABLE t ADD CONSTRAINT {name} CHECK ({expression})");
                lower_sql(&sql)
                    .into_iter()
                    .filter(|o| matches!(o.kind, OpKind::AddConstraint { .. }))
                    .map(|o| Op {
                        span: 0..0,
                        table: Some(t.clone()),
                        ..o
                    })
                    .collect()
            })
        }
        "createTable" => create_table(call.arg(0), source).map(|op| vec![op]),
        "changeColumn" => return change_column(call, table.as_ref(), source),
        _ => None,
    };
    one.into_iter().collect()
}

/// `new Table({ name, columns: [...] })`.
fn create_table(node: Option<Node<'_>>, source: &str) -> Option<Op> {
    let node = node?;
    let table = table_arg(Some(node), source)?;
    let columns: Vec<ColumnDef> = js_field(node, "columns", source)
        .map(js_elements)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|c| column(c, source).map(|(_, definition)| definition))
        .collect();
    let references = js_field(node, "foreignKeys", source)
        .map(js_elements)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|fk| {
            js_field(fk, "referencedTableName", source).and_then(|n| js_str(n, source))
        })
        .map(|t| Name::new(None, t))
        .collect();
    Some(on(
        table.schema.as_deref(),
        &table.name,
        OpKind::CreateTable {
            if_not_exists: false,
            columns,
            partitioned: false,
            references,
            constraints: Vec::new(),
        },
    ))
}

/// `changeColumn(table, oldColumn, newColumn)`: with both columns written
/// out, the type and nullability that change.
fn change_column(call: &JsCall<'_>, table: Option<&Name>, source: &str) -> Vec<Vec<Op>> {
    let (Some(table), Some((old, _)), Some((new, _))) = (
        table,
        call.arg(1).and_then(|n| column(n, source)),
        call.arg(2).and_then(|n| column(n, source)),
    ) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let column = new.column.clone();
    if old.column != new.column {
        out.push(OpKind::RenameColumn {
            from: old.column.clone(),
            to: new.column.clone(),
        });
    }
    if old.data_type != new.data_type {
        out.push(OpKind::ChangeColumnType {
            column: column.clone(),
            data_type: new.data_type.clone(),
        });
    }
    match (old.not_null, new.not_null) {
        (false, true) => out.push(OpKind::SetNotNull { column }),
        (true, false) => out.push(OpKind::DropNotNull { column }),
        _ => {}
    }
    out.into_iter()
        .map(|kind| vec![op(Some(table.clone()), kind)])
        .collect()
}

/// `new TableColumn({ name, type, length, isNullable, default, ... })` or the
/// same object alone: TypeORM columns are NOT NULL unless `isNullable`.
fn column(node: Node<'_>, source: &str) -> Option<(AddColumn, ColumnDef)> {
    let text = |key: &str| js_field(node, key, source).and_then(|n| js_str(n, source));
    let flag =
        |key: &str| js_field(node, key, source).and_then(|n| js_bool(n, source)) == Some(true);
    let name = text("name")?;
    let mut data_type = text("type").unwrap_or_default();
    if let Some(length) = js_field(node, "length", source)
        .and_then(|n| js_str(n, source).or_else(|| source.get(n.byte_range()).map(str::to_string)))
    {
        data_type = format!("{data_type}({length})");
    }
    if flag("isArray") {
        data_type.push_str("[]");
    }
    let generated = flag("isGenerated");
    let strategy = text("generationStrategy");
    let increment = generated && strategy.as_deref() != Some("uuid");
    if increment {
        data_type = match (data_type.as_str(), strategy.as_deref()) {
            (_, Some("identity")) => format!("{data_type} GENERATED BY DEFAULT AS IDENTITY"),
            ("bigint" | "int8", _) => "bigserial".into(),
            _ => "serial".into(),
        };
    }
    // A default is SQL as written (`"'draft'"`, `"now()"`), or a number.
    let default = js_field(node, "default", source)
        .and_then(|n| js_str(n, source).or_else(|| source.get(n.byte_range()).map(str::to_string)));
    let default = match (generated, strategy.as_deref()) {
        (true, Some("uuid")) => Some("uuid_generate_v4()".into()),
        _ => default,
    };
    let primary = flag("isPrimary");
    let not_null = !flag("isNullable") || primary;
    let added = AddColumn {
        if_not_exists: false,
        column: name.clone(),
        data_type: data_type.clone(),
        not_null,
        default,
        auto_filled: increment,
        auto_increment: increment,
        stored_generated: text("generatedType").as_deref() == Some("STORED"),
        inline_constraint: if primary {
            Some("PRIMARY KEY")
        } else if flag("isUnique") {
            Some("UNIQUE")
        } else {
            None
        },
        key: primary,
    };
    let definition = ColumnDef {
        name,
        data_type,
        key: primary,
        not_null,
    };
    Some((added, definition))
}
