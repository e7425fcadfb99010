//! Django migrations: `class Migration(migrations.Migration)` and its
//! `operations`, lowered into the statements the PostgreSQL schema editor
//! runs (the reference's section 2b).
//!
//! A migration is atomic (one transaction) unless `atomic = False`. The
//! schema editor defers foreign keys and indexes of new fields to the end of
//! the migration. `AlterField` is judged against the field as the app's
//! earlier migrations left it ([`History`], read by the engine): only what
//! changes becomes SQL (`django_history`). Tables are named as Django names them
//! (`<app>_<model>`), unless the migration says otherwise.

use std::ops::Range;

use rustc_hash::FxHashMap as HashMap;
use tree_sitter::{Node, Tree};

use super::call::{PyCall, py_dict_value, py_elements, py_literal, py_str, py_strings};
use super::django_fields::{Field, table_name};
use super::django_history::{History, model_fields, unique_sets};
use super::{Builder, Cache, Facts, Framework, OrmMigration, Project, lower_sql, op};
use crate::analysis::migration::{ConstraintKind, DmlKind, LockMode, Name, Op, OpKind};
use crate::analysis::runner::{Down, DownProblem, Irreversible, Runner, RunnerFacts};
use crate::syntax::queries::{self, Match, QueryFile};
use crate::text::Language;

/// What Django rewrites need: the app, the migration's name and where its
/// class and attributes are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DjangoFacts {
    pub app: String,
    /// The `class Migration(...)` statement and its body.
    pub class: Range<usize>,
    pub body: Range<usize>,
    /// The `atomic = ...` assignment, if any.
    pub atomic: Option<Range<usize>>,
    /// The `operations = [...]` list.
    pub operations: Option<Range<usize>>,
    /// Where its first operation starts.
    pub first_operation: Option<usize>,
    /// The migration's name (its file's stem), what a following one depends on.
    pub name: Option<String>,
}

/// The parts of `class Migration` the lowering reads.
pub(super) struct MigrationClass<'t> {
    class: Node<'t>,
    body: Range<usize>,
    atomic: Option<(Node<'t>, Node<'t>)>,
    pub operations: Option<Node<'t>>,
    functions: HashMap<&'t str, Node<'t>>,
    /// Every match of the query (comments among them).
    found: Vec<Match<'t>>,
}

pub(super) fn migration_class<'t>(tree: &'t Tree, source: &'t str) -> Option<MigrationClass<'t>> {
    let query = queries::query(QueryFile::Django, Language::Python)?;
    let mut class = None;
    let mut atomic = None;
    let mut operations = None;
    let mut functions = HashMap::default();
    let found = queries::matches(query, tree.root_node(), source);
    for m in &found {
        if let (Some(name), Some(body)) = (m.text("function.name", source), m.get("function.body"))
        {
            functions.insert(name, body);
        }
        let Some(node) = m.get("class") else {
            continue;
        };
        let bases = m.text("class.bases", source).unwrap_or("");
        if !bases.contains("Migration") {
            continue;
        }
        class = Some(node);
        let (Some(attribute), Some(value)) =
            (m.text("attribute.name", source), m.get("attribute.value"))
        else {
            continue;
        };
        match attribute {
            "atomic" => atomic = m.get("attribute").map(|assignment| (assignment, value)),
            "operations" => operations = Some(value),
            _ => {}
        }
    }
    let class = class?;
    Some(MigrationClass {
        class,
        body: class.child_by_field_name("body")?.byte_range(),
        atomic,
        operations,
        functions,
        found,
    })
}

/// The operations of a list, with `SeparateDatabaseAndState`'s database
/// operations in its place (its state operations run no SQL).
pub(super) fn database_operations<'t>(list: Node<'t>, source: &'t str) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    for element in py_elements(list) {
        match PyCall::new(element, source) {
            Some(call) if call.last_name(source) == "SeparateDatabaseAndState" => {
                if let Some(inner) = call.arg(0, "database_operations") {
                    out.extend(database_operations(inner, source));
                }
            }
            Some(_) => out.push(element),
            None => {}
        }
    }
    out
}

pub(super) fn lower(
    tree: &Tree,
    source: &str,
    project: &Project<'_>,
    cache: &mut Cache,
) -> Option<OrmMigration> {
    let class = migration_class(tree, source)?;
    // `<app>/migrations/0002_name.py`.
    let app = project
        .path
        .and_then(|p| p.parent()?.parent()?.file_name()?.to_str())
        .unwrap_or("app")
        .to_string();
    let atomic = class
        .atomic
        .and_then(|(_, value)| super::call::py_bool(value, source))
        .unwrap_or(true);
    let mut lowering = Lowering {
        builder: Builder::new(cache, &class.found),
        source,
        app: &app,
        state: project.django_history.cloned().unwrap_or_default(),
        functions: &class.functions,
        deferred: Vec::new(),
        irreversible: Vec::new(),
    };
    let operations = class
        .operations
        .map(|list| database_operations(list, source))
        .unwrap_or_default();
    for node in operations {
        lowering.operation(node);
    }
    let Lowering {
        mut builder,
        deferred,
        irreversible,
        ..
    } = lowering;
    // The schema editor runs its deferred SQL when the migration ends.
    for (unit, ops) in deferred {
        builder.statement(unit, ops);
    }
    let runner = RunnerFacts {
        down: Down::NotApplicable,
        down_missing: (!irreversible.is_empty()).then_some(DownProblem::Irreversible(irreversible)),
        ..RunnerFacts::whole(Runner::Django, Some(atomic), source)
    };
    let facts = Facts::Django(DjangoFacts {
        app,
        class: class.class.byte_range(),
        body: class.body.clone(),
        atomic: class.atomic.map(|(assignment, _)| assignment.byte_range()),
        operations: class.operations.map(|n| n.byte_range()),
        first_operation: class
            .operations
            .and_then(|list| py_elements(list).first().map(|n| n.start_byte())),
        name: project
            .path
            .and_then(|p| p.file_stem()?.to_str())
            .map(str::to_string),
    });
    Some(builder.finish(Framework::Django, runner, facts))
}

struct Lowering<'a, 'c, 't> {
    builder: Builder<'c>,
    source: &'a str,
    app: &'a str,
    /// The models as the operations so far leave them.
    state: History,
    functions: &'a HashMap<&'t str, Node<'t>>,
    /// Foreign keys and indexes of new fields, run at the end.
    deferred: Vec<(usize, Vec<Op>)>,
    irreversible: Vec<Irreversible>,
}

impl Lowering<'_, '_, '_> {
    fn operation(&mut self, node: Node<'_>) {
        let source = self.source;
        let Some(call) = PyCall::new(node, source) else {
            return;
        };
        let name = call.last_name(source);
        let unit = self.builder.unit(node, name, false);
        let text =
            |index: usize, keyword: &str| call.arg(index, keyword).and_then(|n| py_str(n, source));
        let model = match name {
            "RenameModel" => text(0, "old_name"),
            _ => text(0, "model_name").or_else(|| text(0, "name")),
        }
        .unwrap_or_default();
        let table = Name::new(None, self.state.table(self.app, &model));
        let on_table = |kind: OpKind| op(Some(table.clone()), kind);
        match name {
            "CreateModel" => self.create_model(unit, &call, &table),
            "DeleteModel" => self
                .builder
                .statement(unit, vec![on_table(OpKind::DropTable { if_exists: false })]),
            "RenameModel" | "AlterModelTable" => {
                let to = match name {
                    "RenameModel" => text(1, "new_name").map(|m| table_name(self.app, &m)),
                    _ => text(1, "table"),
                };
                if let Some(to) = to {
                    self.builder
                        .statement(unit, vec![on_table(OpKind::RenameTable { to })]);
                }
            }
            "AddField" => self.add_field(unit, &call, &table),
            "AlterField" => self.alter_field(unit, &call, &model, &table),
            "RemoveField" => {
                if let Some(field) = text(1, "name") {
                    let column = self
                        .state
                        .field(&model, &field)
                        .map_or(field.clone(), |f| f.column.clone());
                    let drop = OpKind::DropColumn {
                        column,
                        if_exists: false,
                    };
                    self.builder.statement(unit, vec![on_table(drop)]);
                }
            }
            "RenameField" => {
                if let (Some(old), Some(new)) = (text(1, "old_name"), text(2, "new_name")) {
                    let (from, to) = match self.state.field(&model, &old) {
                        Some(f) if f.column == format!("{old}_id") => {
                            (f.column.clone(), format!("{new}_id"))
                        }
                        Some(f) if f.column != old => (f.column.clone(), f.column.clone()),
                        _ => (old, new),
                    };
                    // A `db_column` keeps the column as it is.
                    if from != to {
                        self.builder
                            .statement(unit, vec![on_table(OpKind::RenameColumn { from, to })]);
                    }
                }
            }
            "AddIndex" | "AddIndexConcurrently" => {
                if let Some(index) = call.arg(1, "index") {
                    let concurrently = name == "AddIndexConcurrently";
                    let ops = self.index(index, &table, concurrently);
                    self.builder.statement(unit, ops);
                }
            }
            "RemoveIndex" | "RemoveIndexConcurrently" => {
                if let Some(index) = text(1, "name") {
                    let drop = OpKind::DropIndex {
                        names: vec![Name::new(None, index)],
                        concurrently: name == "RemoveIndexConcurrently",
                        if_exists: false,
                    };
                    self.builder.statement(unit, vec![on_table(drop)]);
                }
            }
            "AddConstraint" | "AddConstraintNotValid" => {
                if let Some(constraint) = call.arg(1, "constraint") {
                    let not_valid = name == "AddConstraintNotValid";
                    let ops = self.constraint(constraint, &table, not_valid);
                    self.builder.statement(unit, ops);
                }
            }
            "RemoveConstraint" => {
                if let Some(constraint) = text(1, "name") {
                    let drop = OpKind::DropConstraint {
                        name: constraint,
                        foreign_key: false,
                    };
                    self.builder.statement(unit, vec![on_table(drop)]);
                }
            }
            "ValidateConstraint" => {
                if let Some(constraint) = text(1, "name") {
                    let validate = OpKind::ValidateConstraint { name: constraint };
                    self.builder.statement(unit, vec![on_table(validate)]);
                }
            }
            "AlterUniqueTogether" | "AlterIndexTogether" => {
                let (option, kind) = match name {
                    "AlterUniqueTogether" => (
                        "unique_together",
                        OpKind::AddConstraint {
                            name: None,
                            kind: ConstraintKind::Unique { using_index: false },
                            not_valid: false,
                        },
                    ),
                    _ => ("index_together", index_kind(None, false, false)),
                };
                let before = self.state.together(option, &model);
                let after = call
                    .arg(1, option)
                    .map(|n| unique_sets(n, source))
                    .unwrap_or_default();
                // A set that is new gets its constraint or index; one that
                // went away is dropped by a name Django derives by hashing,
                // which the model does not need.
                for columns in after.iter().filter(|set| !before.contains(set)) {
                    let mut add = on_table(kind.clone());
                    add.columns = columns.iter().map(|f| self.column_of(&model, f)).collect();
                    self.builder.statement(unit, vec![add]);
                }
            }
            "RenameIndex" => {
                // Renaming by `old_fields` (an unnamed `index_together`
                // index) goes by a derived name: only a named index is read.
                if let (Some(old), Some(new)) = (text(2, "old_name"), text(1, "new_name")) {
                    let rename = op(Some(Name::new(None, old)), OpKind::RenameIndex { to: new });
                    self.builder.statement(unit, vec![rename]);
                }
            }
            "RunSQL" => self.run_sql(unit, &call),
            "RunPython" => self.run_python(unit, &call),
            _ => {}
        }
        self.state.apply(&call, self.app, source);
    }

    /// A field's column, as far as the state knows it.
    fn column_of(&self, model: &str, field: &str) -> String {
        self.state
            .field(model, field)
            .map_or_else(|| field.to_string(), |f| f.column.clone())
    }

    fn create_model(&mut self, unit: usize, call: &PyCall<'_>, default_table: &Name) {
        let source = self.source;
        let table = call
            .arg(2, "options")
            .and_then(|o| py_dict_value(o, "db_table", source))
            .and_then(|n| py_str(n, source))
            .map_or_else(|| default_table.clone(), |t| Name::new(None, t));
        let fields: Vec<_> = model_fields(call, self.app, source)
            .into_iter()
            .map(|(name, field)| (name, self.state.with_key_type(self.app, field)))
            .collect();
        let create = OpKind::CreateTable {
            if_not_exists: false,
            columns: fields.iter().filter_map(|(_, f)| f.definition()).collect(),
            partitioned: false,
            references: fields
                .iter()
                .filter_map(|(_, f)| f.references.clone())
                .collect(),
            constraints: Vec::new(),
        };
        let mut ops = vec![op(Some(table.clone()), create)];
        // `Meta.constraints` are written into the CREATE TABLE, its indexes
        // built after it: harmless on a new table, but their names still
        // count (identifier-too-long).
        let options = call.arg(2, "options");
        let listed = |key: &str| {
            options
                .and_then(|o| py_dict_value(o, key, source))
                .map(py_elements)
                .unwrap_or_default()
        };
        for constraint in listed("constraints") {
            ops.extend(self.constraint(constraint, &table, false));
        }
        self.builder.statement(unit, ops);
        for index in listed("indexes") {
            let index = self.index(index, &table, false);
            self.deferred.push((unit, index));
        }
        // Indexes of the new table's foreign keys and indexed fields.
        for (_, field) in &fields {
            if field.db_index && !field.unique && !field.primary_key {
                self.deferred
                    .push((unit, vec![index_on(&table, &field.column)]));
            }
        }
    }

    /// `AddField`: the column (with the default that fills existing rows,
    /// dropped right after unless it is a `db_default`), then, deferred, its
    /// foreign key and index.
    fn add_field(&mut self, unit: usize, call: &PyCall<'_>, table: &Name) {
        let source = self.source;
        let (Some(name), Some(node)) = (
            call.arg(1, "name").and_then(|n| py_str(n, source)),
            call.arg(2, "field"),
        ) else {
            return;
        };
        let Some(field) = Field::read(node, &name, self.app, source) else {
            return;
        };
        let field = self.state.with_key_type(self.app, field);
        let Some(column) = field.add_column() else {
            return;
        };
        let on_table = |kind: OpKind| op(Some(table.clone()), kind);
        self.builder
            .statement(unit, vec![on_table(OpKind::AddColumn(column))]);
        if field.default.is_some() && field.db_default.is_none() {
            let drop = OpKind::DropDefault {
                column: field.column.clone(),
            };
            self.builder.statement(unit, vec![on_table(drop)]);
        }
        self.defer_relation_and_index(unit, &field, table);
    }

    fn defer_relation_and_index(&mut self, unit: usize, field: &Field, table: &Name) {
        if let (Some(references), true) = (&field.references, field.db_constraint) {
            let mut fk = op(
                Some(table.clone()),
                OpKind::AddConstraint {
                    name: None,
                    kind: ConstraintKind::ForeignKey {
                        references: references.clone(),
                    },
                    not_valid: false,
                },
            );
            fk.columns = vec![field.column.clone()];
            self.deferred.push((unit, vec![fk]));
        }
        if field.db_index && !field.unique {
            self.deferred
                .push((unit, vec![index_on(table, &field.column)]));
        }
    }

    /// `AlterField`: what differs from the field as it was, in the order
    /// the schema editor alters it.
    fn alter_field(&mut self, unit: usize, call: &PyCall<'_>, model: &str, table: &Name) {
        let source = self.source;
        let (Some(name), Some(node)) = (
            call.arg(1, "name").and_then(|n| py_str(n, source)),
            call.arg(2, "field"),
        ) else {
            return;
        };
        let (Some(new), Some(old)) = (
            Field::read(node, &name, self.app, source)
                .map(|f| self.state.with_key_type(self.app, f)),
            self.state.field(model, &name).cloned(),
        ) else {
            return;
        };
        let column = new.column.clone();
        let on_table = |kind: OpKind| op(Some(table.clone()), kind);
        let mut statements = Vec::new();
        if old.unique && !new.unique {
            statements.push(OpKind::DropConstraint {
                name: format!("{}_{}_key", table.name, old.column),
                foreign_key: false,
            });
        }
        if old.column != new.column {
            statements.push(OpKind::RenameColumn {
                from: old.column.clone(),
                to: new.column.clone(),
            });
        }
        if let (Some(from), Some(to)) = (&old.data_type, &new.data_type)
            && from != to
        {
            statements.push(OpKind::ChangeColumnType {
                column: column.clone(),
                data_type: to.clone(),
            });
        }
        match (old.null, new.null) {
            (true, false) => {
                // With a default, existing NULLs are filled first: SET
                // DEFAULT, UPDATE ... WHERE c IS NULL, SET NOT NULL, DROP DEFAULT.
                if new.default.is_some() {
                    statements.push(OpKind::AlterTableOther {
                        what: "SET DEFAULT".into(),
                        lock: LockMode::AccessExclusive,
                    });
                    statements.push(OpKind::Dml {
                        kind: DmlKind::Update,
                        filtered: true,
                        batched: false,
                    });
                }
                statements.push(OpKind::SetNotNull {
                    column: column.clone(),
                });
                if new.default.is_some() {
                    statements.push(OpKind::DropDefault {
                        column: column.clone(),
                    });
                }
            }
            (false, true) => statements.push(OpKind::DropNotNull {
                column: column.clone(),
            }),
            _ => {}
        }
        if new.unique && !old.unique {
            statements.push(OpKind::AddConstraint {
                name: None,
                kind: ConstraintKind::Unique { using_index: false },
                not_valid: false,
            });
        }
        if new.db_default != old.db_default && new.db_default.is_some() {
            statements.push(OpKind::AlterTableOther {
                what: "SET DEFAULT".into(),
                lock: LockMode::AccessExclusive,
            });
        }
        for kind in statements {
            let mut op = on_table(kind);
            op.columns = vec![column.clone()];
            self.builder.statement(unit, vec![op]);
        }
        // A plain index of its own: the unique constraint's index serves otherwise.
        let indexed = |f: &Field| f.db_index && !f.unique;
        if indexed(&new) && !indexed(&old) {
            self.builder.statement(unit, vec![index_on(table, &column)]);
        }
        if new.references.is_some() && old.references.is_none() {
            let relation_only = Field {
                db_index: false,
                ..new
            };
            self.defer_relation_and_index(unit, &relation_only, table);
        }
    }

    /// `models.Index(fields=[...], name=..., condition=...)`.
    fn index(&self, index: Node<'_>, table: &Name, concurrently: bool) -> Vec<Op> {
        let source = self.source;
        let Some(call) = PyCall::new(index, source) else {
            return Vec::new();
        };
        let name = call.keyword("name").and_then(|n| py_str(n, source));
        let mut op = op(Some(table.clone()), index_kind(name, false, concurrently));
        op.columns = call
            .keyword("fields")
            .map(|n| py_strings(n, source))
            .unwrap_or_default()
            .into_iter()
            .map(|f| f.trim_start_matches('-').to_string())
            .collect();
        vec![op]
    }

    /// `CheckConstraint`, `UniqueConstraint` (a partial one is a unique
    /// index), `ExclusionConstraint`.
    fn constraint(&self, constraint: Node<'_>, table: &Name, not_valid: bool) -> Vec<Op> {
        let source = self.source;
        let Some(call) = PyCall::new(constraint, source) else {
            return Vec::new();
        };
        let name = call.keyword("name").and_then(|n| py_str(n, source));
        let columns = call
            .keyword("fields")
            .map(|n| py_strings(n, source))
            .unwrap_or_default();
        let kind = match call.last_name(source) {
            "CheckConstraint" => {
                let condition = call.keyword("condition").or_else(|| call.keyword("check"));
                ConstraintKind::Check {
                    not_null_columns: condition
                        .map(|q| not_null_columns(q, source))
                        .unwrap_or_default(),
                }
            }
            "UniqueConstraint" if call.keyword("condition").is_some() => {
                let mut index = op(Some(table.clone()), index_kind(name, true, false));
                index.columns = columns;
                return vec![index];
            }
            "UniqueConstraint" => ConstraintKind::Unique { using_index: false },
            "ExclusionConstraint" => ConstraintKind::Exclusion,
            _ => return Vec::new(),
        };
        let mut add = op(
            Some(table.clone()),
            OpKind::AddConstraint {
                name,
                kind,
                not_valid,
            },
        );
        add.columns = columns;
        vec![add]
    }

    /// `RunSQL(sql, reverse_sql)`: a string, a list of strings, or of
    /// `(sql, params)` pairs.
    fn run_sql(&mut self, unit: usize, call: &PyCall<'_>) {
        if let Some(sql) = call.arg(0, "sql") {
            self.sql(unit, sql);
        }
        let reverse = call.arg(1, "reverse_sql").filter(|n| n.kind() != "none");
        if reverse.is_none() {
            self.irreversible.push(Irreversible {
                range: call.node.byte_range(),
                operation: "RunSQL",
                missing: "reverse_sql",
            });
        }
    }

    fn sql(&mut self, unit: usize, node: Node<'_>) {
        let source = self.source;
        if matches!(node.kind(), "list" | "tuple") {
            for element in py_elements(node) {
                // `(sql, params)`: the statement is the first element.
                let sql = match element.kind() {
                    "tuple" | "list" => py_elements(element).first().copied(),
                    _ => Some(element),
                };
                if let Some(sql) = sql {
                    self.sql(unit, sql);
                }
            }
            return;
        }
        if source
            .get(node.byte_range())
            .is_some_and(|t| t.ends_with(".noop"))
        {
            return;
        }
        match py_literal(node, source) {
            Some(literal) => self.builder.sql(unit, literal),
            None => self.builder.dynamic(unit, node.byte_range()),
        }
    }

    /// `RunPython(code, reverse_code)`: a data change in the migration's
    /// transaction, judged from the function's body when it is in this file.
    fn run_python(&mut self, unit: usize, call: &PyCall<'_>) {
        let source = self.source;
        if call.arg(1, "reverse_code").is_none() {
            self.irreversible.push(Irreversible {
                range: call.node.byte_range(),
                operation: "RunPython",
                missing: "reverse_code",
            });
        }
        let Some(code) = call.arg(0, "code") else {
            return;
        };
        let code_text = source.get(code.byte_range()).unwrap_or("");
        if code_text.ends_with(".noop") {
            return;
        }
        let body = self
            .functions
            .get(code_text)
            .and_then(|b| source.get(b.byte_range()));
        let (kind, batched, table) = match body {
            Some(body) => {
                let kind = if body.contains(".update(") {
                    DmlKind::Update
                } else if body.contains(".delete(") {
                    DmlKind::Delete
                } else {
                    DmlKind::Insert
                };
                let batched = body.contains("batch_size") || body.contains(".iterator(");
                (
                    kind,
                    batched,
                    model_in(body).map(|(app, model)| table_name(&app, &model)),
                )
            }
            // Code from elsewhere: a data change of unknown shape.
            None => (DmlKind::Update, true, None),
        };
        let change = OpKind::Dml {
            kind,
            filtered: true,
            batched,
        };
        self.builder
            .statement(unit, vec![op(table.map(|t| Name::new(None, t)), change)]);
    }
}

/// `apps.get_model("billing", "Invoice")` in a function's text.
fn model_in(body: &str) -> Option<(String, String)> {
    let at = body.find("get_model(")?;
    let args = &body[at + "get_model(".len()..];
    let args = &args[..args.find(')')?];
    let mut parts = args
        .split(',')
        .map(|p| p.trim().trim_matches(|c| c == '"' || c == '\'').to_string());
    let first = parts.next()?;
    match parts.next() {
        Some(model) => Some((first, model)),
        None => first
            .split_once('.')
            .map(|(app, model)| (app.to_string(), model.to_string())),
    }
}

/// The columns a `Q(...)` condition proves non-null: `Q(email__isnull=False)`.
fn not_null_columns(condition: Node<'_>, source: &str) -> Vec<String> {
    let text = source.get(condition.byte_range()).unwrap_or("");
    let mut columns = Vec::new();
    for (at, _) in text.match_indices("__isnull=False") {
        let start = text[..at]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(0, |i| i + 1);
        columns.push(text[start..at].to_string());
    }
    // A condition written as SQL text is lowered as SQL.
    if columns.is_empty()
        && let Some(sql) = py_str(condition, source)
    {
        let probe = format!("ALTER TABLE t ADD CONSTRAINT c CHECK ({sql})");
        for op in lower_sql(&probe) {
            if let OpKind::AddConstraint {
                kind: ConstraintKind::Check { not_null_columns },
                ..
            } = op.kind
            {
                columns = not_null_columns;
            }
        }
    }
    columns
}

/// The index the schema editor creates for an indexed field.
fn index_on(table: &Name, column: &str) -> Op {
    let name = format!("{}_{column}_idx", table.name);
    let mut index = op(Some(table.clone()), index_kind(Some(name), false, false));
    index.columns = vec![column.to_string()];
    index
}

/// A plain `CREATE INDEX` as the schema editor writes it.
fn index_kind(name: Option<String>, unique: bool, concurrently: bool) -> OpKind {
    OpKind::CreateIndex {
        name,
        unique,
        concurrently,
        if_not_exists: false,
        on_only: false,
    }
}
