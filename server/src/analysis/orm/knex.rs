//! Knex migrations: `exports.up = function (knex) { ... }` (or an ES
//! module's `export async function up(knex)`), with schema-builder calls
//! (`knex.schema.alterTable('t', (table) => { table.index(['c']) })`), raw SQL
//! (`knex.raw(...)`, `knex.schema.raw(...)`) and query-builder writes
//! (`knex('t').where(...).update(...)`). Each migration runs in a
//! transaction unless `exports.config = { transaction: false }`.

use std::ops::Range;

use rustc_hash::FxHashMap as HashMap;
use tree_sitter::{Node, Tree};

use super::call::{
    JsCall, js_bool, js_empty_body, js_field, js_function, js_number, js_str, js_strings,
};
use super::{Builder, Cache, Facts, Framework, OrmMigration, ScriptFacts, op};
use crate::analysis::migration::{AddColumn, ColumnDef, ConstraintKind, DmlKind, Name, Op, OpKind};
use crate::analysis::runner::{Down, DownProblem, Runner, RunnerFacts};
use crate::syntax::literal;
use crate::syntax::queries::{self, QueryFile};
use crate::text::Language;

/// A `createTable`/`alterTable` callback: calls on `param` inside `body`
/// work on `table`.
struct TableScope {
    param: String,
    body: Range<usize>,
    table: Name,
    create: bool,
    /// The unit of the schema call, for the operations of a new table.
    unit: usize,
}

pub(super) fn lower(
    language: Language,
    tree: &Tree,
    source: &str,
    cache: &mut Cache,
) -> Option<OrmMigration> {
    let query = queries::query(QueryFile::Knex, language)?;
    let mut exports: HashMap<&str, Node<'_>> = HashMap::default();
    let mut calls = Vec::new();
    let found = queries::matches(query, tree.root_node(), source);
    for m in &found {
        if let (Some(name), Some(value)) = (m.text("export.name", source), m.get("export.value")) {
            exports.entry(name).or_insert(value);
        }
        if let Some(call) = m.get("call") {
            calls.push(call);
        }
    }
    let up = *exports.get("up")?;
    let (knex, body) = js_function(up, source)?;
    let knex = knex.unwrap_or("knex");
    let inside = body.byte_range();
    calls.retain(|c| inside.start <= c.start_byte() && c.end_byte() <= inside.end);
    // Chained calls run left to right: order by where each method is named.
    calls.sort_by_key(|c| method_position(*c));
    // A call another one is made on (`table.string('a')` in
    // `table.string('a').unique()`) is inside a chain, not its end.
    let chained = calls
        .iter()
        .filter_map(|c| {
            let object = c
                .child_by_field_name("function")?
                .child_by_field_name("object")?;
            (object.kind() == "call_expression").then(|| object.id())
        })
        .collect();

    let mut lowering = Lowering {
        builder: Builder::new(cache, &found),
        source,
        knex,
        scopes: Vec::new(),
        chained,
    };
    for node in calls {
        lowering.call(node);
    }
    let config = exports.get("config").copied();
    let transaction = config
        .and_then(|c| js_field(c, "transaction", source))
        .and_then(|n| js_bool(n, source));
    let (down, problem) = match exports.get("down") {
        None => (
            header(up),
            Some(DownProblem::MissingFunction("exports.down")),
        ),
        Some(down) => {
            let empty = js_function(*down, source).is_some_and(|(_, body)| js_empty_body(body));
            (
                header(*down),
                empty.then_some(DownProblem::EmptyFunction("exports.down")),
            )
        }
    };
    let runner = RunnerFacts {
        down: Down::Code(down),
        down_missing: problem,
        ..RunnerFacts::whole(Runner::Knex, Some(transaction != Some(false)), source)
    };
    let facts = Facts::Script(ScriptFacts {
        transaction: config.map(|c| c.byte_range()),
        ..ScriptFacts::of(up, body, knex, source)
    });
    Some(lowering.builder.finish(Framework::Knex, runner, facts))
}

/// Where a function's header ends: what a finding about it underlines.
fn header(function: Node<'_>) -> Range<usize> {
    let end = function
        .child_by_field_name("parameters")
        .or_else(|| function.child_by_field_name("parameter"))
        .map_or(function.end_byte(), |p| p.end_byte());
    function.start_byte()..end
}

/// The position of the method name of a call (`.alterTable` in
/// `knex.schema.createTable(...).alterTable(...)`).
fn method_position(call: Node<'_>) -> usize {
    call.child_by_field_name("function")
        .and_then(|f| f.child_by_field_name("property"))
        .map_or(call.start_byte(), |p| p.start_byte())
}

struct Lowering<'s, 'c> {
    builder: Builder<'c>,
    source: &'s str,
    knex: &'s str,
    scopes: Vec<TableScope>,
    /// The ids of calls other calls are made on.
    chained: rustc_hash::FxHashSet<usize>,
}

impl Lowering<'_, '_> {
    fn call(&mut self, node: Node<'_>) {
        let source = self.source;
        let Some(call) = JsCall::new(node, source) else {
            return;
        };
        let receiver = call
            .receiver
            .and_then(|r| source.get(r.byte_range()))
            .unwrap_or("");
        let compact: String = receiver.chars().filter(|c| !c.is_whitespace()).collect();
        let on_schema = compact.starts_with(&format!("{}.schema", self.knex));
        let on_knex = compact == self.knex;
        if call.name == "raw" && (on_knex || on_schema) {
            let unit = self.unit(&call);
            if let Some(sql) = call.arg(0) {
                match literal::javascript(sql, source) {
                    Some(literal) => self.builder.sql(unit, literal),
                    None => self.builder.dynamic(unit, sql.byte_range()),
                }
            }
            return;
        }
        if on_schema {
            return self.schema(&call, schema_of(&compact, source, call.receiver));
        }
        if compact.starts_with(&format!("{}(", self.knex)) {
            return self.query_builder(&call, receiver);
        }
        // A chain on a table callback's parameter, taken whole at its end.
        if !self.chained.contains(&node.id())
            && let Some(scope) = self.scope_of(node)
        {
            self.table_chain(node, scope);
        }
    }

    fn unit(&mut self, call: &JsCall<'_>) -> usize {
        self.builder.unit(call.node, call.name, false)
    }

    /// The innermost table callback holding `node` whose parameter starts its chain.
    fn scope_of(&self, node: Node<'_>) -> Option<usize> {
        let root = chain_root(node);
        let name = self.source.get(root.byte_range())?;
        self.scopes
            .iter()
            .enumerate()
            .rev()
            .find(|(_, s)| s.param == name && s.body.contains(&node.start_byte()))
            .map(|(i, _)| i)
    }

    /// `knex.schema.createTable(...)`, `alterTable`, `dropTable`, ...
    fn schema(&mut self, call: &JsCall<'_>, schema: Option<String>) {
        let source = self.source;
        let Some(name) = call.arg(0).and_then(|n| js_str(n, source)) else {
            return;
        };
        let table = Name::new(schema, name);
        match call.name {
            "createTable" | "createTableIfNotExists" | "alterTable" | "table" => {
                let create = call.name.starts_with("createTable");
                let unit = self.unit(call);
                if let Some((Some(param), body)) = call.arg(1).and_then(|f| js_function(f, source))
                {
                    self.scopes.push(TableScope {
                        param: param.to_string(),
                        body: body.byte_range(),
                        table: table.clone(),
                        create,
                        unit,
                    });
                    if create {
                        let columns = self.created_columns(body, param);
                        let kind = OpKind::CreateTable {
                            if_not_exists: call.name == "createTableIfNotExists",
                            columns,
                            partitioned: false,
                            references: Vec::new(),
                            constraints: Vec::new(),
                        };
                        self.builder.statement(unit, vec![op(Some(table), kind)]);
                    }
                }
            }
            "dropTable" | "dropTableIfExists" => {
                let unit = self.unit(call);
                let kind = OpKind::DropTable {
                    if_exists: call.name == "dropTableIfExists",
                };
                self.builder.statement(unit, vec![op(Some(table), kind)]);
            }
            "renameTable" => {
                if let Some(to) = call.arg(1).and_then(|n| js_str(n, source)) {
                    let unit = self.unit(call);
                    self.builder
                        .statement(unit, vec![op(Some(table), OpKind::RenameTable { to })]);
                }
            }
            _ => {}
        }
    }

    /// The columns a `createTable` callback defines.
    fn created_columns(&self, body: Node<'_>, param: &str) -> Vec<ColumnDef> {
        let mut columns = Vec::new();
        let mut cursor = body.walk();
        for statement in body.named_children(&mut cursor) {
            let Some(top) = statement
                .named_child(0)
                .filter(|n| n.kind() == "call_expression")
            else {
                continue;
            };
            let chain = Chain::read(top, self.source);
            if self.source.get(chain.root.byte_range()) != Some(param) {
                continue;
            }
            for column in chain.columns(self.source) {
                columns.push(ColumnDef {
                    name: column.column.clone(),
                    data_type: column.data_type.clone(),
                    key: column.key,
                    not_null: column.not_null,
                });
            }
        }
        columns
    }

    /// `knex('t').where(...).update(...)`, `.del()`, `.insert(...)`.
    fn query_builder(&mut self, call: &JsCall<'_>, receiver: &str) {
        let kind = match call.name {
            "update" => DmlKind::Update,
            "del" | "delete" => DmlKind::Delete,
            "insert" => DmlKind::Insert,
            _ => return,
        };
        let source = self.source;
        let table = receiver_table(call.receiver, source).map(|t| Name::new(None, t));
        let unit = self.unit(call);
        let dml = OpKind::Dml {
            kind,
            filtered: match kind {
                DmlKind::Insert => false,
                _ => receiver.contains(".where"),
            },
            batched: receiver.contains(".limit("),
        };
        self.builder.statement(unit, vec![op(table, dml)]);
    }

    /// One statement of a table callback: `table.string('c').notNullable()`,
    /// `table.index(['c'])`, `table.dropColumn('c')`, ...
    fn table_chain(&mut self, top: Node<'_>, scope: usize) {
        let source = self.source;
        let Some(scope) = self.scopes.get(scope) else {
            return;
        };
        let (table, create, scope_unit) = (scope.table.clone(), scope.create, scope.unit);
        let chain = Chain::read(top, source);
        let Some(root) = JsCall::new(chain.calls[0], source) else {
            return;
        };
        let unit = self.builder.unit(top, root.name, false);
        let on_table = |kind: OpKind| op(Some(table.clone()), kind);
        let with_columns = |kind: OpKind, columns: Vec<String>| {
            let mut op = on_table(kind);
            op.columns = columns;
            op
        };
        let columns_arg = |index: usize| {
            root.arg(index)
                .map(|n| js_strings(n, source))
                .unwrap_or_default()
        };
        let mut statements: Vec<Op> = Vec::new();
        match root.name {
            "index" => statements.push(with_columns(
                OpKind::CreateIndex {
                    name: root.arg(1).and_then(|n| js_str(n, source)),
                    unique: false,
                    concurrently: false,
                    if_not_exists: false,
                    on_only: false,
                },
                columns_arg(0),
            )),
            "unique" => statements.push(with_columns(
                OpKind::AddConstraint {
                    name: root.arg(1).and_then(|n| js_str(n, source)),
                    kind: ConstraintKind::Unique { using_index: false },
                    not_valid: false,
                },
                columns_arg(0),
            )),
            "primary" => statements.push(with_columns(
                OpKind::AddConstraint {
                    name: root.arg(1).and_then(|n| js_str(n, source)),
                    kind: ConstraintKind::PrimaryKey { using_index: None },
                    not_valid: false,
                },
                columns_arg(0),
            )),
            "foreign" => {
                if let Some(references) = chain.references() {
                    statements.push(with_columns(
                        OpKind::AddConstraint {
                            name: root.arg(1).and_then(|n| js_str(n, source)),
                            kind: ConstraintKind::ForeignKey { references },
                            not_valid: false,
                        },
                        columns_arg(0),
                    ));
                }
            }
            "dropColumn" | "dropColumns" => {
                for column in root.args.iter().filter_map(|n| js_str(*n, source)) {
                    statements.push(on_table(OpKind::DropColumn {
                        column,
                        if_exists: false,
                    }));
                }
            }
            "renameColumn" => {
                if let (Some(from), Some(to)) = (
                    root.arg(0).and_then(|n| js_str(n, source)),
                    root.arg(1).and_then(|n| js_str(n, source)),
                ) {
                    statements.push(on_table(OpKind::RenameColumn { from, to }));
                }
            }
            "dropIndex" => {
                let name = root
                    .arg(1)
                    .and_then(|n| js_str(n, source))
                    .unwrap_or_else(|| {
                        format!("{}_{}_index", table.name, columns_arg(0).join("_"))
                    });
                statements.push(on_table(OpKind::DropIndex {
                    names: vec![Name::new(table.schema.clone(), name)],
                    concurrently: false,
                    if_exists: false,
                }));
            }
            "dropForeign" | "dropUnique" | "dropPrimary" => {
                let suffix = match root.name {
                    "dropForeign" => "foreign",
                    "dropUnique" => "unique",
                    _ => "pkey",
                };
                let name = root
                    .arg(1)
                    .and_then(|n| js_str(n, source))
                    .unwrap_or_else(|| {
                        format!("{}_{}_{suffix}", table.name, columns_arg(0).join("_"))
                    });
                statements.push(on_table(OpKind::DropConstraint {
                    name,
                    foreign_key: root.name == "dropForeign",
                }));
            }
            "setNullable" => {
                if let Some(column) = root.arg(0).and_then(|n| js_str(n, source)) {
                    statements.push(on_table(OpKind::DropNotNull { column }));
                }
            }
            "dropNullable" => {
                if let Some(column) = root.arg(0).and_then(|n| js_str(n, source)) {
                    statements.push(on_table(OpKind::SetNotNull { column }));
                }
            }
            _ => {
                for column in chain.columns(source) {
                    statements.extend(column_statements(&column, &chain, &table, create));
                }
            }
        }
        // A new table's columns are in its CREATE TABLE; what else its
        // callback declares runs right after it.
        for op in statements {
            if create && matches!(op.kind, OpKind::AddColumn(_)) {
                continue;
            }
            let unit = if create { scope_unit } else { unit };
            self.builder.statement(unit, vec![op]);
        }
    }
}

/// The statements a column chain emits on an existing table: `ADD COLUMN`
/// (or, with `.alter()`, Knex's `ALTER COLUMN` type, default and
/// nullability), then its unique constraint, index and foreign key.
fn column_statements(column: &AddColumn, chain: &Chain<'_>, table: &Name, create: bool) -> Vec<Op> {
    let on_table = |kind: OpKind| {
        let mut op = op(Some(table.clone()), kind);
        op.columns = vec![column.column.clone()];
        op
    };
    let mut out = Vec::new();
    if chain.has("alter") && !create {
        // Knex alters the type, drops the default, then sets it and the
        // nullability again as written.
        out.push(on_table(OpKind::ChangeColumnType {
            column: column.column.clone(),
            data_type: column.data_type.clone(),
        }));
        out.push(on_table(OpKind::DropDefault {
            column: column.column.clone(),
        }));
        out.push(on_table(match column.not_null {
            true => OpKind::SetNotNull {
                column: column.column.clone(),
            },
            false => OpKind::DropNotNull {
                column: column.column.clone(),
            },
        }));
        return out;
    }
    let mut added = column.clone();
    let unique = added.inline_constraint == Some("UNIQUE");
    // Knex adds the unique constraint as a statement of its own.
    if unique {
        added.inline_constraint = None;
    }
    out.push(on_table(OpKind::AddColumn(added)));
    if unique {
        out.push(on_table(OpKind::AddConstraint {
            name: None,
            kind: ConstraintKind::Unique { using_index: false },
            not_valid: false,
        }));
    }
    if chain.has("index") {
        out.push(on_table(OpKind::CreateIndex {
            name: None,
            unique: false,
            concurrently: false,
            if_not_exists: false,
            on_only: false,
        }));
    }
    if let Some(references) = chain.references() {
        out.push(on_table(OpKind::AddConstraint {
            name: None,
            kind: ConstraintKind::ForeignKey { references },
            not_valid: false,
        }));
    }
    out
}

/// A builder chain: `table.string('email', 100).notNullable().unique()`,
/// from its root call to its last.
struct Chain<'t> {
    /// The calls, root first.
    calls: Vec<Node<'t>>,
    /// What the root call is made on (`table`).
    root: Node<'t>,
    source: &'t str,
}

impl<'t> Chain<'t> {
    fn read(top: Node<'t>, source: &'t str) -> Chain<'t> {
        let mut calls = vec![top];
        let mut current = top;
        let root = loop {
            let Some(object) = current
                .child_by_field_name("function")
                .and_then(|f| f.child_by_field_name("object"))
            else {
                break current;
            };
            if object.kind() == "call_expression" {
                calls.push(object);
                current = object;
            } else {
                break object;
            }
        };
        calls.reverse();
        Chain {
            calls,
            root,
            source,
        }
    }

    fn call(&self, name: &str) -> Option<JsCall<'t>> {
        self.calls
            .iter()
            .filter_map(|c| JsCall::new(*c, self.source))
            .find(|c| c.name == name)
    }

    fn has(&self, name: &str) -> bool {
        self.call(name).is_some()
    }

    /// `.references('id').inTable('orgs')` or `.references('orgs.id')`.
    fn references(&self) -> Option<Name> {
        let source = self.source;
        let target = self
            .call("references")?
            .arg(0)
            .and_then(|n| js_str(n, source))?;
        let table = match self
            .call("inTable")
            .and_then(|c| c.arg(0))
            .and_then(|n| js_str(n, source))
        {
            Some(table) => table,
            None => target.split_once('.')?.0.to_string(),
        };
        Some(Name::new(None, table))
    }

    /// The columns the root call defines, with the chain's modifiers.
    fn columns(&self, source: &str) -> Vec<AddColumn> {
        let Some(root) = self.calls.first().and_then(|c| JsCall::new(*c, source)) else {
            return Vec::new();
        };
        let name = root.arg(0).and_then(|n| js_str(n, source));
        let int = |index: usize| root.arg(index).and_then(|n| js_number(n, source));
        let (data_type, increments) = match root.name {
            "increments" => ("serial".to_string(), true),
            "bigIncrements" => ("bigserial".to_string(), true),
            "timestamps" => {
                let not_null = root.arg(1).and_then(|n| js_bool(n, source)) == Some(true);
                return ["created_at", "updated_at"]
                    .into_iter()
                    .map(|column| plain(column, "timestamptz", not_null))
                    .collect();
            }
            other => match column_type(other, &root, &int, source) {
                Some(data_type) => (data_type, false),
                None => return Vec::new(),
            },
        };
        let column = name.unwrap_or_else(|| "id".into());
        let primary = increments || self.has("primary");
        let unique = self.has("unique");
        let references = self.references();
        let default = self
            .call("defaultTo")
            .and_then(|c| c.arg(0))
            .map(|value| default_value(value, source));
        let mut added = plain(&column, &data_type, self.has("notNullable") || primary);
        added.default = default;
        added.auto_filled = increments;
        added.auto_increment = increments;
        added.inline_constraint = if primary {
            Some("PRIMARY KEY")
        } else if unique {
            Some("UNIQUE")
        } else if root.name == "enu" || root.name == "enum" {
            Some("CHECK")
        } else {
            None
        };
        added.key = primary || references.is_some();
        vec![added]
    }
}

fn plain(column: &str, data_type: &str, not_null: bool) -> AddColumn {
    AddColumn {
        if_not_exists: false,
        column: column.to_string(),
        data_type: data_type.to_string(),
        not_null,
        default: None,
        auto_filled: false,
        auto_increment: false,
        stored_generated: false,
        inline_constraint: None,
        key: false,
    }
}

/// The PostgreSQL type of a Knex column builder.
fn column_type(
    builder: &str,
    call: &JsCall<'_>,
    int: &dyn Fn(usize) -> Option<i64>,
    source: &str,
) -> Option<String> {
    Some(match builder {
        "string" => format!("varchar({})", int(1).unwrap_or(255)),
        "text" => "text".into(),
        "integer" | "int" => "integer".into(),
        "bigInteger" | "bigint" => "bigint".into(),
        "smallint" | "tinyint" => "smallint".into(),
        "boolean" => "boolean".into(),
        "date" => "date".into(),
        "time" => "time".into(),
        "datetime" | "timestamp" => {
            let without_tz = call
                .arg(1)
                .and_then(|o| js_field(o, "useTz", source))
                .and_then(|n| js_bool(n, source))
                == Some(false);
            (if without_tz {
                "timestamp"
            } else {
                "timestamptz"
            })
            .into()
        }
        "float" => "real".into(),
        "double" => "double precision".into(),
        "decimal" => format!("decimal({},{})", int(1).unwrap_or(8), int(2).unwrap_or(2)),
        "json" => "json".into(),
        "jsonb" => "jsonb".into(),
        "uuid" => "uuid".into(),
        "binary" => "bytea".into(),
        // Knex writes an enum as text with a CHECK, unless `useNative`.
        "enu" | "enum" => "text".into(),
        "specificType" => call.arg(1).and_then(|n| js_str(n, source))?,
        _ => return None,
    })
}

/// `.defaultTo(...)` as SQL: `knex.fn.now()` is `CURRENT_TIMESTAMP`,
/// `knex.raw('...')` its SQL, strings quoted.
fn default_value(value: Node<'_>, source: &str) -> String {
    if let Some(text) = js_str(value, source) {
        return format!("'{}'", text.replace('\'', "''"));
    }
    if let Some(call) = JsCall::new(value, source) {
        match call.name {
            "now" => return "CURRENT_TIMESTAMP".into(),
            "uuid" => return "gen_random_uuid()".into(),
            "raw" => {
                if let Some(sql) = call.arg(0).and_then(|n| js_str(n, source)) {
                    return sql;
                }
            }
            _ => {}
        }
    }
    source.get(value.byte_range()).unwrap_or("NULL").to_string()
}

/// `knex.schema.withSchema('billing').alterTable(...)`: the schema named.
fn schema_of(chain: &str, source: &str, receiver: Option<Node<'_>>) -> Option<String> {
    if !chain.contains(".withSchema(") {
        return None;
    }
    let mut current = receiver?;
    loop {
        if let Some(call) = JsCall::new(current, source)
            && call.name == "withSchema"
        {
            return call.arg(0).and_then(|n| js_str(n, source));
        }
        current = match current.kind() {
            "call_expression" => current.child_by_field_name("function")?,
            "member_expression" => current.child_by_field_name("object")?,
            _ => return None,
        };
    }
}

/// The table of `knex('t')` at the root of a query-builder chain.
fn receiver_table(receiver: Option<Node<'_>>, source: &str) -> Option<String> {
    let mut current = receiver?;
    loop {
        match current.kind() {
            "call_expression" => {
                let function = current.child_by_field_name("function")?;
                if function.kind() == "identifier" {
                    let call = JsCall::new(current, source)?;
                    return call.arg(0).and_then(|n| js_str(n, source));
                }
                current = function;
            }
            "member_expression" => current = current.child_by_field_name("object")?,
            _ => return None,
        }
    }
}

/// What a chain of calls is made on: `table` in `table.string('a').unique()`.
fn chain_root(node: Node<'_>) -> Node<'_> {
    let mut current = node;
    loop {
        let next = match current.kind() {
            "call_expression" => current.child_by_field_name("function"),
            "member_expression" => current.child_by_field_name("object"),
            _ => None,
        };
        match next {
            Some(next) => current = next,
            None => return current,
        }
    }
}
