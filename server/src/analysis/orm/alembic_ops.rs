//! Alembic's operations as the statements it emits on PostgreSQL (the
//! reference's section 2a): `op.create_index(...)` is `CREATE INDEX`,
//! `op.add_column(...)` an `ADD COLUMN` followed by the constraints and the
//! index its column declares, `op.execute(...)` the SQL it is given.

use rustc_hash::FxHashMap as HashMap;
use tree_sitter::Node;

use super::call::{PyCall, py_literal, py_str, py_strings};
use super::sqlalchemy::{self, Column};
use super::{Builder, on, op};
use crate::analysis::migration::{AddColumn, ConstraintKind, DmlKind, LockMode, Name, Op, OpKind};

/// What an operation's arguments are read against.
pub(super) struct Scope<'a> {
    pub source: &'a str,
    /// The table of the `batch_alter_table` block the call is on.
    pub batch: Option<&'a Name>,
    /// Module-level `sa.table(...)` definitions by variable name.
    pub tables: &'a HashMap<&'a str, String>,
}

/// An operation's arguments: a call on a batch passes no table, so its
/// later arguments sit one position earlier.
struct Args<'c, 't> {
    call: &'c PyCall<'t>,
    scope: &'c Scope<'c>,
    /// The position of the table argument outside a batch.
    table_at: usize,
}

impl<'t> Args<'_, 't> {
    fn get(&self, index: usize, keyword: &str) -> Option<Node<'t>> {
        match self.scope.batch {
            None => self.call.arg(index, keyword),
            Some(_) if index == self.table_at => None,
            Some(_) if index > self.table_at => self.call.arg(index - 1, keyword),
            Some(_) => self.call.arg(index, keyword),
        }
    }

    fn str(&self, index: usize, keyword: &str) -> Option<String> {
        py_str(self.get(index, keyword)?, self.scope.source)
    }

    fn flag(&self, keyword: &str) -> bool {
        self.call.flag(keyword, self.scope.source) == Some(true)
    }

    fn keyword_str(&self, keyword: &str) -> Option<String> {
        py_str(self.call.keyword(keyword)?, self.scope.source)
    }

    fn columns(&self, index: usize, keyword: &str) -> Vec<String> {
        self.get(index, keyword)
            .map(|n| py_strings(n, self.scope.source))
            .unwrap_or_default()
    }

    /// The table the operation works on.
    fn table(&self, keyword: &str, schema_keyword: &str) -> Option<Name> {
        if let Some(batch) = self.scope.batch {
            return Some(batch.clone());
        }
        Some(Name::new(
            self.keyword_str(schema_keyword),
            self.str(self.table_at, keyword)?,
        ))
    }
}

/// Lowers one operation into the statements Alembic emits for it.
pub(super) fn operation(
    builder: &mut Builder<'_>,
    unit: usize,
    call: &PyCall<'_>,
    name: &str,
    scope: &Scope<'_>,
) {
    if matches!(name, "execute" | "exec_driver_sql") {
        return execute(builder, unit, call, scope);
    }
    let table_at = match name {
        "add_column" | "alter_column" | "drop_column" | "drop_table" | "rename_table"
        | "create_table" | "bulk_insert" => 0,
        _ => 1,
    };
    let args = Args {
        call,
        scope,
        table_at,
    };
    for statement in statements(name, &args) {
        builder.statement(unit, statement);
    }
}

fn statements(name: &str, args: &Args<'_, '_>) -> Vec<Vec<Op>> {
    let one = |op: Op| vec![vec![op]];
    let with_columns = |mut op: Op, columns: Vec<String>| {
        op.columns = columns;
        op
    };
    match name {
        "create_index" => {
            let Some(table) = args.table("table_name", "schema") else {
                return Vec::new();
            };
            let kind = OpKind::CreateIndex {
                name: args.str(0, "index_name"),
                unique: args.flag("unique"),
                concurrently: args.flag("postgresql_concurrently"),
                if_not_exists: args.flag("if_not_exists"),
                on_only: false,
            };
            one(with_columns(
                op(Some(table), kind),
                args.columns(2, "columns"),
            ))
        }
        "drop_index" => {
            let schema = args.keyword_str("schema");
            let Some(index) = args.str(0, "index_name") else {
                return Vec::new();
            };
            let table = args
                .scope
                .batch
                .cloned()
                .or_else(|| Some(Name::new(schema.clone(), args.str(1, "table_name")?)));
            let kind = OpKind::DropIndex {
                names: vec![Name::new(schema, index)],
                concurrently: args.flag("postgresql_concurrently"),
                if_exists: args.flag("if_exists"),
            };
            one(op(table, kind))
        }
        "add_column" => add_column(args),
        "alter_column" => alter_column(args),
        "create_unique_constraint" | "create_primary_key" | "create_exclude_constraint" => {
            let Some(table) = args.table("table_name", "schema") else {
                return Vec::new();
            };
            let kind = match name {
                "create_unique_constraint" => ConstraintKind::Unique { using_index: false },
                "create_primary_key" => ConstraintKind::PrimaryKey { using_index: None },
                _ => ConstraintKind::Exclusion,
            };
            let constraint = OpKind::AddConstraint {
                name: args.str(0, "constraint_name"),
                kind,
                not_valid: false,
            };
            one(with_columns(
                op(Some(table), constraint),
                args.columns(2, "columns"),
            ))
        }
        "create_foreign_key" => {
            let (Some(table), Some(referent)) = (
                args.table("source_table", "source_schema"),
                args.str(2, "referent_table"),
            ) else {
                return Vec::new();
            };
            let kind = OpKind::AddConstraint {
                name: args.str(0, "constraint_name"),
                kind: ConstraintKind::ForeignKey {
                    references: Name::new(args.keyword_str("referent_schema"), referent),
                },
                not_valid: args.flag("postgresql_not_valid"),
            };
            one(with_columns(
                op(Some(table), kind),
                args.columns(3, "local_cols"),
            ))
        }
        "create_check_constraint" => {
            let Some(table) = args.table("table_name", "schema") else {
                return Vec::new();
            };
            let condition = args.str(2, "condition");
            let kind = check_constraint(
                args.str(0, "constraint_name"),
                condition.as_deref(),
                args.flag("postgresql_not_valid"),
            );
            one(op(Some(table), kind))
        }
        "drop_constraint" => {
            let (Some(table), Some(constraint)) = (
                args.table("table_name", "schema"),
                args.str(0, "constraint_name"),
            ) else {
                return Vec::new();
            };
            let kind = OpKind::DropConstraint {
                name: constraint,
                foreign_key: args.keyword_str("type_").as_deref() == Some("foreignkey"),
            };
            one(op(Some(table), kind))
        }
        "drop_column" => {
            let (Some(table), Some(column)) = (
                args.table("table_name", "schema"),
                args.str(1, "column_name"),
            ) else {
                return Vec::new();
            };
            let kind = OpKind::DropColumn {
                column,
                if_exists: args.flag("if_exists"),
            };
            one(op(Some(table), kind))
        }
        "drop_table" => match args.table("table_name", "schema") {
            Some(table) => one(op(
                Some(table),
                OpKind::DropTable {
                    if_exists: args.flag("if_exists"),
                },
            )),
            None => Vec::new(),
        },
        "rename_table" => {
            let (Some(table), Some(to)) = (
                args.table("old_table_name", "schema"),
                args.str(1, "new_table_name"),
            ) else {
                return Vec::new();
            };
            one(op(Some(table), OpKind::RenameTable { to }))
        }
        "create_table" => create_table(args),
        "bulk_insert" => {
            let table = args
                .get(0, "table")
                .and_then(|n| table_value(n, args.scope));
            // The rows come from code, in any number: a data load, as
            // `INSERT ... SELECT` is, not a `VALUES` list written out.
            let insert = OpKind::Dml {
                kind: DmlKind::Insert,
                filtered: true,
                batched: false,
            };
            one(op(table.map(|t| Name::new(None, t)), insert))
        }
        _ => Vec::new(),
    }
}

/// `op.add_column(t, sa.Column(...))`: the column, then each constraint and
/// index it declares, as Alembic adds them.
fn add_column(args: &Args<'_, '_>) -> Vec<Vec<Op>> {
    let source = args.scope.source;
    let (Some(table), Some(column)) = (
        args.table("table_name", "schema"),
        args.get(1, "column").and_then(|n| Column::read(n, source)),
    ) else {
        return Vec::new();
    };
    let mut added: AddColumn = column.add_column();
    added.if_not_exists = args.flag("if_not_exists");
    let mut out = vec![vec![on_table(&table, OpKind::AddColumn(added))]];
    let columns = vec![column.name.clone()];
    let constraint = |kind: ConstraintKind| {
        let mut op = on_table(
            &table,
            OpKind::AddConstraint {
                name: None,
                kind,
                not_valid: false,
            },
        );
        op.columns = columns.clone();
        op
    };
    if let Some((schema, referenced)) = &column.references {
        let references = Name::new(schema.clone(), referenced.as_str());
        out.push(vec![constraint(ConstraintKind::ForeignKey { references })]);
    }
    if column.unique && !column.index {
        out.push(vec![constraint(ConstraintKind::Unique {
            using_index: false,
        })]);
    }
    for condition in &column.checks {
        out.push(vec![on_table(
            &table,
            check_constraint(None, Some(condition), false),
        )]);
    }
    if column.index {
        let mut index = on_table(
            &table,
            OpKind::CreateIndex {
                name: Some(format!("ix_{}_{}", table.name, column.name)),
                unique: column.unique,
                concurrently: false,
                if_not_exists: false,
                on_only: false,
            },
        );
        index.columns = columns.clone();
        out.push(vec![index]);
    }
    out
}

/// `op.alter_column(...)`: one statement per change, in the order Alembic
/// emits them (nullability, default, type, name).
fn alter_column(args: &Args<'_, '_>) -> Vec<Vec<Op>> {
    let source = args.scope.source;
    let (Some(table), Some(column)) = (
        args.table("table_name", "schema"),
        args.str(1, "column_name"),
    ) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    match args.call.flag("nullable", source) {
        Some(false) => out.push(OpKind::SetNotNull {
            column: column.clone(),
        }),
        Some(true) => out.push(OpKind::DropNotNull {
            column: column.clone(),
        }),
        None => {}
    }
    // `server_default=False` is Alembic's "unchanged".
    if let Some(default) = args.call.keyword("server_default")
        && source.get(default.byte_range()) != Some("False")
    {
        out.push(match default.kind() {
            "none" => OpKind::DropDefault {
                column: column.clone(),
            },
            _ => OpKind::AlterTableOther {
                what: "SET DEFAULT".into(),
                lock: LockMode::AccessExclusive,
            },
        });
    }
    if let Some(data_type) = args
        .call
        .keyword("type_")
        .and_then(|n| sqlalchemy::column_type(n, source))
    {
        out.push(OpKind::ChangeColumnType {
            column: column.clone(),
            data_type,
        });
    }
    if let Some(to) = args.keyword_str("new_column_name") {
        out.push(OpKind::RenameColumn {
            from: column.clone(),
            to,
        });
    }
    out.into_iter()
        .map(|kind| {
            let mut op = on_table(&table, kind);
            op.columns = vec![column.clone()];
            vec![op]
        })
        .collect()
}

/// `op.create_table(name, sa.Column(...), ..., sa.PrimaryKeyConstraint(...))`,
/// then the indexes its columns declare.
fn create_table(args: &Args<'_, '_>) -> Vec<Vec<Op>> {
    let source = args.scope.source;
    let Some(table) = args.table("table_name", "schema") else {
        return Vec::new();
    };
    let mut columns = Vec::new();
    let mut references = Vec::new();
    let mut constraints = Vec::new();
    let mut keys = Vec::new();
    for item in args.call.positional().iter().skip(1) {
        if let Some(column) = Column::read(*item, source) {
            if let Some((schema, referenced)) = &column.references {
                references.push(Name::new(schema.clone(), referenced.as_str()));
            }
            columns.push(column);
            continue;
        }
        let Some(constraint) = PyCall::new(*item, source) else {
            continue;
        };
        constraints.extend(constraint.keyword("name").and_then(|n| py_str(n, source)));
        match constraint.last_name(source) {
            "PrimaryKeyConstraint" => {
                let names = constraint
                    .positional()
                    .iter()
                    .filter_map(|n| py_str(*n, source));
                keys.extend(names.map(|n| (n, true)));
            }
            "ForeignKeyConstraint" => {
                let local = constraint.arg(0, "columns").map(|n| py_strings(n, source));
                keys.extend(local.unwrap_or_default().into_iter().map(|n| (n, false)));
                let target = constraint
                    .arg(1, "refcolumns")
                    .map(|n| py_strings(n, source));
                if let Some(first) = target.unwrap_or_default().first() {
                    let (schema, referenced) = sqlalchemy::referenced_table(first);
                    references.push(Name::new(schema, referenced));
                }
            }
            _ => {}
        }
    }
    let definitions = columns
        .iter()
        .map(|c| {
            let mut definition = c.definition();
            if let Some((_, primary)) = keys.iter().find(|(name, _)| *name == c.name) {
                definition.key = true;
                definition.not_null |= *primary;
            }
            definition
        })
        .collect();
    let create = OpKind::CreateTable {
        if_not_exists: args.flag("if_not_exists"),
        columns: definitions,
        partitioned: args.call.keyword("postgresql_partition_by").is_some(),
        references,
        constraints,
    };
    let mut out = vec![vec![on_table(&table, create)]];
    for column in columns.iter().filter(|c| c.index) {
        let mut index = on_table(
            &table,
            OpKind::CreateIndex {
                name: Some(format!("ix_{}_{}", table.name, column.name)),
                unique: column.unique,
                concurrently: false,
                if_not_exists: false,
                on_only: false,
            },
        );
        index.columns = vec![column.name.clone()];
        out.push(vec![index]);
    }
    out
}

/// `op.execute(...)`, `conn.execute(...)`: SQL as a literal, a SQLAlchemy
/// Core statement, or something only the running program knows.
fn execute(builder: &mut Builder<'_>, unit: usize, call: &PyCall<'_>, scope: &Scope<'_>) {
    let source = scope.source;
    let Some(argument) = call.arg(0, "sqltext").or_else(|| call.arg(0, "statement")) else {
        return;
    };
    if let Some(literal) = py_literal(argument, source) {
        return builder.sql(unit, literal);
    }
    if let Some((kind, table)) = core_statement(argument, scope) {
        let text = source.get(argument.byte_range()).unwrap_or("");
        let dml = OpKind::Dml {
            kind,
            filtered: match kind {
                DmlKind::Insert => text.contains(".from_select("),
                _ => text.contains(".where("),
            },
            batched: text.contains(".limit("),
        };
        return builder.statement(unit, vec![op(table.map(|t| Name::new(None, t)), dml)]);
    }
    builder.dynamic(unit, argument.byte_range());
}

/// A SQLAlchemy Core `UPDATE`/`DELETE`/`INSERT`: `accounts.update()...`,
/// `sa.update(accounts)...`, and the table it works on when known.
fn core_statement(node: Node<'_>, scope: &Scope<'_>) -> Option<(DmlKind, Option<String>)> {
    // Walk down the method chain to its root, remembering the verb.
    let mut current = node;
    let mut verb = None;
    let mut table = None;
    loop {
        match current.kind() {
            "call" => {
                let call = PyCall::new(current, scope.source)?;
                let name = call.last_name(scope.source);
                if let Some(kind) = dml_verb(name) {
                    verb = Some(kind);
                    // `sa.update(accounts)`: the table is the argument.
                    if let Some(first) = call.positional().first()
                        && call.function(scope.source).ends_with(name)
                        && !call.function(scope.source).contains(").")
                    {
                        table = table_value(*first, scope).or(table);
                    }
                }
                current = current.child_by_field_name("function")?;
            }
            "attribute" => current = current.child_by_field_name("object")?,
            "identifier" => {
                let name = scope.source.get(current.byte_range())?;
                if table.is_none() {
                    table = scope.tables.get(name).cloned();
                }
                break;
            }
            _ => {
                if table.is_none() {
                    table = table_value(current, scope);
                }
                break;
            }
        }
    }
    Some((verb?, table))
}

fn dml_verb(name: &str) -> Option<DmlKind> {
    match name {
        "update" => Some(DmlKind::Update),
        "delete" => Some(DmlKind::Delete),
        "insert" => Some(DmlKind::Insert),
        _ => None,
    }
}

/// A table given as a module-level `sa.table(...)` variable or inline.
fn table_value(node: Node<'_>, scope: &Scope<'_>) -> Option<String> {
    match node.kind() {
        "identifier" => scope
            .tables
            .get(scope.source.get(node.byte_range())?)
            .cloned(),
        "call" => {
            let call = PyCall::new(node, scope.source)?;
            matches!(call.last_name(scope.source), "table" | "Table")
                .then(|| py_str(call.arg(0, "name")?, scope.source))?
        }
        _ => None,
    }
}

/// `ADD CONSTRAINT name CHECK (condition)`, lowered by the SQL front end so a
/// condition proving `col IS NOT NULL` is recognised as it is in SQL.
fn check_constraint(name: Option<String>, condition: Option<&str>, not_valid: bool) -> OpKind {
    let not_null_columns = condition
        .and_then(|condition| {
            let sql = format!("ALTER TABLE t ADD CONSTRAINT c CHECK ({condition})");
            super::lower_sql(&sql)
                .into_iter()
                .find_map(|op| match op.kind {
                    OpKind::AddConstraint {
                        kind: ConstraintKind::Check { not_null_columns },
                        ..
                    } => Some(not_null_columns),
                    _ => None,
                })
        })
        .unwrap_or_default();
    OpKind::AddConstraint {
        name,
        kind: ConstraintKind::Check { not_null_columns },
        not_valid,
    }
}

fn on_table(table: &Name, kind: OpKind) -> Op {
    on(table.schema.as_deref(), &table.name, kind)
}
