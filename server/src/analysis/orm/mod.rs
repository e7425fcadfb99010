//! Migrations written in Python and TypeScript (Alembic, Django, TypeORM,
//! Knex), lowered into the migration-operation model the SQL rules judge.
//!
//! Each framework's module recognises its files from the syntax tree (the
//! patterns live in `grammars/`), reads each operation's arguments and emits
//! the statements the framework would send to PostgreSQL: a
//! [`MigrationStatement`] whose span is the call in the host file, with its
//! operations spanning that call. SQL passed as a literal (`op.execute`,
//! `RunSQL`, `queryRunner.query`, `knex.raw`) is split and lowered by the SQL
//! front end, and its spans mapped back to the literal's characters
//! ([`embedded`]). SQL the analysis cannot read becomes
//! [`OpKind::DynamicSql`].
//!
//! Pure: the engine passes in everything read from disk (`env.py`).

mod alembic;
pub mod alembic_env;
mod alembic_ops;
mod call;
pub mod django;
mod django_fields;
pub mod django_history;
pub mod embedded;
mod knex;
mod sqlalchemy;
mod typeorm;

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use tree_sitter::{Node, Tree};

use crate::analysis::migration::{MigrationStatement, Name, Op, OpKind, lower_statement};
use crate::analysis::runner::RunnerFacts;
use crate::finding::{Edit, Fix};
use crate::syntax::literal::Literal;
use crate::syntax::sql::SqlFile;
use crate::text::Language;

pub use alembic::AlembicFacts;
pub use alembic_env::EnvFacts;
pub use django::DjangoFacts;
pub use django_history::History;
pub use embedded::SqlCache;

/// The frameworks preflight reads migrations of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framework {
    Alembic,
    Django,
    TypeOrm,
    Knex,
}

/// What the engine read around the file.
#[derive(Debug, Clone, Copy, Default)]
pub struct Project<'a> {
    pub path: Option<&'a Path>,
    /// The Alembic environment's facts (`env.py` beside `versions/`).
    pub alembic_env: Option<&'a EnvFacts>,
    /// The models as the app's earlier Django migrations left them.
    pub django_history: Option<&'a History>,
}

/// An ORM migration as its runner executes it.
#[derive(Debug, Clone)]
pub struct OrmMigration {
    pub framework: Framework,
    pub runner: RunnerFacts,
    /// In execution order.
    pub statements: Vec<MigrationStatement>,
    /// Parallel to `statements`.
    pub origins: Vec<Origin>,
    /// The host-language operations, in execution order.
    pub units: Vec<Unit>,
    /// Comment spans, marker included, for suppressions.
    pub comments: Vec<Range<usize>>,
    /// The `--` comments of SQL in literals: suppressions may be written
    /// there too, as in a `.sql` file.
    pub sql_comments: Vec<Range<usize>>,
    pub facts: Facts,
}

impl OrmMigration {
    /// A rewrite of SQL as an edit of this file: kept when every edit lies
    /// in text one literal writes verbatim, each replacement encoded for
    /// that literal's quoting; `None` otherwise (SQL edits of Python code,
    /// new `.sql` files).
    pub fn sql_fix_in_literal(&self, fix: Fix) -> Option<Fix> {
        let first = fix.edits.first()?;
        let literal = self
            .origins
            .iter()
            .filter_map(|o| o.sql.as_deref())
            .find(|l| l.value_range(first.range.clone()).is_some())?;
        let mut edits = Vec::with_capacity(fix.edits.len());
        for edit in &fix.edits {
            if edit.file.is_some()
                || edit.create
                || literal.value_range(edit.range.clone()).is_none()
            {
                return None;
            }
            edits.push(Edit::replace(
                edit.range.clone(),
                literal.encode(&edit.replacement)?,
            ));
        }
        Some(Fix { edits, ..fix })
    }

    /// The unit a statement belongs to.
    pub fn unit_of(&self, statement: usize) -> Option<&Unit> {
        self.units.get(self.origins.get(statement)?.unit?)
    }
}

/// A host-language operation: one call (`op.create_index(...)`,
/// `migrations.AddField(...)`, `queryRunner.query(...)`), or the header of a
/// block that changes how the calls in it run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// What findings point at: the call expression.
    pub span: Range<usize>,
    /// The host statement holding it (`await ...;`, a list element), which a
    /// rewrite wraps or moves.
    pub statement: Range<usize>,
    /// The operation as the framework names it: `create_index`, `AddIndex`.
    pub name: String,
    /// It runs outside the runner's transaction (inside Alembic's
    /// `autocommit_block()`).
    pub outside_transaction: bool,
}

/// Where a statement comes from.
#[derive(Debug, Clone)]
pub struct Origin {
    /// Its unit; `None` for what the project adds (`env.py` settings).
    pub unit: Option<usize>,
    /// The literal holding its SQL, for SQL passed as text.
    pub sql: Option<Arc<Literal>>,
}

/// What a framework's rewrites need to know about the file.
#[derive(Debug, Clone)]
pub enum Facts {
    Alembic(AlembicFacts),
    Django(DjangoFacts),
    Script(ScriptFacts),
}

/// Where a TypeORM or Knex migration's parts are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScriptFacts {
    /// The up function's body.
    pub up_body: Range<usize>,
    /// Where its first statement starts (its end, when it has none).
    pub up_first: usize,
    /// The name of its parameter (`queryRunner`, `knex`).
    pub runner: String,
    /// It is `async`, so a statement put first can `await`.
    pub up_async: bool,
    /// The statement exporting or defining `up`: Knex's `config` goes before it.
    pub up_statement: Range<usize>,
    /// Knex written as an ES module (`export async function up`).
    pub module: bool,
    /// TypeORM: the class body.
    pub class_body: Option<Range<usize>>,
    /// TypeORM's `transaction = ...` value; Knex's exported `config` object.
    pub transaction: Option<Range<usize>>,
}

impl ScriptFacts {
    /// The facts of an up function `up` (a method or a function value)
    /// whose body is `body` and whose parameter is `runner`.
    fn of(up: Node<'_>, body: Node<'_>, runner: &str, source: &str) -> ScriptFacts {
        let mut cursor = body.walk();
        let up_first = body
            .named_children(&mut cursor)
            .find(|s| s.kind() != "comment")
            .map_or(body.end_byte().saturating_sub(1), |s| s.start_byte());
        let head = source.get(up.start_byte()..body.start_byte()).unwrap_or("");
        let statement = host_statement(up);
        ScriptFacts {
            up_body: body.byte_range(),
            up_first,
            runner: runner.to_string(),
            up_async: head.contains("async"),
            module: source
                .get(statement.clone())
                .is_some_and(|t| t.starts_with("export ")),
            up_statement: statement,
            class_body: None,
            transaction: None,
        }
    }
}

/// Reads the migration in `tree`, or `None` when the file is not one.
pub fn lower(
    language: Language,
    tree: &Tree,
    source: &str,
    project: &Project<'_>,
    cache: &mut SqlCache,
) -> Option<OrmMigration> {
    match language {
        // Cheap checks first: most Python files are no migration.
        Language::Python => {
            if source.contains("def upgrade")
                && source.contains("revision")
                && let Some(migration) = alembic::lower(tree, source, project, cache)
            {
                return Some(migration);
            }
            if source.contains("class Migration") {
                return django::lower(tree, source, project, cache);
            }
            None
        }
        Language::TypeScript | Language::JavaScript => {
            if (source.contains("MigrationInterface") || source.contains("queryRunner"))
                && let Some(migration) = typeorm::lower(language, tree, source, cache)
            {
                return Some(migration);
            }
            if source.contains("up") {
                return knex::lower(language, tree, source, cache);
            }
            None
        }
        _ => None,
    }
}

/// Builds an [`OrmMigration`]: units, their statements and origins.
struct Builder<'c> {
    cache: &'c mut SqlCache,
    statements: Vec<MigrationStatement>,
    origins: Vec<Origin>,
    units: Vec<Unit>,
    sql_comments: Vec<Range<usize>>,
}

impl<'c> Builder<'c> {
    fn new(cache: &'c mut SqlCache) -> Self {
        Builder {
            cache,
            statements: Vec::new(),
            origins: Vec::new(),
            units: Vec::new(),
            sql_comments: Vec::new(),
        }
    }

    /// Starts a unit for `node`, held by the host statement `statement`.
    fn unit(
        &mut self,
        node: Node<'_>,
        statement: Range<usize>,
        name: &str,
        outside: bool,
    ) -> usize {
        self.units.push(Unit {
            span: node.byte_range(),
            statement,
            name: name.to_string(),
            outside_transaction: outside,
        });
        self.units.len() - 1
    }

    /// One statement of `unit`; operations without a span underline the
    /// whole unit.
    fn statement(&mut self, unit: usize, ops: Vec<Op>) {
        let Some(span) = self.units.get(unit).map(|u| u.span.clone()) else {
            return;
        };
        self.push(span, Some(unit), ops);
    }

    /// A statement at `span` that belongs to no unit.
    fn push(&mut self, span: Range<usize>, unit: Option<usize>, mut ops: Vec<Op>) {
        for op in &mut ops {
            if op.span.is_empty() {
                op.span = 0..span.len();
            }
        }
        self.statements.push(MigrationStatement {
            span,
            ops: ops.into(),
        });
        self.origins.push(Origin { unit, sql: None });
    }

    /// The SQL in `literal`, run by `unit`.
    fn sql(&mut self, unit: usize, literal: Literal) {
        let literal = Arc::new(literal);
        let (statements, comments) = embedded::lower(&literal, self.cache);
        self.sql_comments.extend(comments);
        for statement in statements {
            self.statements.push(statement);
            self.origins.push(Origin {
                unit: Some(unit),
                sql: Some(literal.clone()),
            });
        }
    }

    /// SQL `unit` builds at run time from the expression at `argument`.
    fn dynamic(&mut self, unit: usize, argument: Range<usize>) {
        let Some(start) = self.units.get(unit).map(|u| u.span.start) else {
            return;
        };
        let op = Op {
            span: argument.start - start..argument.end - start,
            ..op(None, OpKind::DynamicSql)
        };
        self.statement(unit, vec![op]);
    }

    fn finish(
        self,
        framework: Framework,
        runner: RunnerFacts,
        facts: Facts,
        tree: &Tree,
    ) -> OrmMigration {
        OrmMigration {
            framework,
            runner,
            statements: self.statements,
            origins: self.origins,
            units: self.units,
            comments: comments(tree.root_node()),
            sql_comments: self.sql_comments,
            facts,
        }
    }
}

/// The operations of SQL a framework would send, lowered by the SQL front end.
fn lower_sql(sql: &str) -> Vec<Op> {
    SqlFile::parse(sql)
        .statements()
        .iter()
        .flat_map(|s| lower_statement(&s.parsed))
        .collect()
}

/// An operation spanning its whole unit (the builder fills the span in).
fn op(table: Option<Name>, kind: OpKind) -> Op {
    Op {
        span: 0..0,
        table,
        kind,
        parsed: true,
        columns: Vec::new(),
    }
}

/// An operation on `table`, in `schema` when given.
fn on(schema: Option<&str>, table: &str, kind: OpKind) -> Op {
    op(Some(name(schema, table)), kind)
}

/// A relation name as the framework passes it to PostgreSQL: quoted, so
/// kept as written.
fn name(schema: Option<&str>, table: &str) -> Name {
    Name::new(schema.map(str::to_string), table)
}

/// Every comment in the tree, in order.
fn comments(root: Node<'_>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        if node.kind() == "comment" {
            out.push(node.byte_range());
        }
        // Comments have no children; strings hold none.
        let descend = node.child_count() > 0 && !matches!(node.kind(), "comment" | "string");
        if descend && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return out;
            }
        }
    }
}

/// The string passed to the Python call at `call` as argument `index` or
/// `keyword` (a model name, a constraint's name), read from its text.
pub fn string_argument(
    source: &str,
    call: Range<usize>,
    index: usize,
    keyword: &str,
) -> Option<String> {
    let text = source.get(call)?;
    let tree = crate::syntax::trees::parse(Language::Python, text)?;
    let mut node = tree.root_node();
    while node.kind() != "call" {
        node = node.named_child(0)?;
    }
    let call = call::PyCall::new(node, text)?;
    call::py_str(call.arg(index, keyword)?, text)
}

/// The host statement holding `node`: its ancestor that sits in a block (or
/// in a list, for Django's `operations`).
pub fn host_statement(node: Node<'_>) -> Range<usize> {
    let mut current = node;
    while let Some(parent) = current.parent() {
        if matches!(
            parent.kind(),
            "block" | "module" | "statement_block" | "program" | "list" | "array"
        ) {
            return current.byte_range();
        }
        current = parent;
    }
    node.byte_range()
}

#[cfg(test)]
mod tests;
