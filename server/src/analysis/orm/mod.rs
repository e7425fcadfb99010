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
pub mod alembic_ini;
mod alembic_ops;
mod cache;
pub(crate) mod call;
pub mod django;
mod django_fields;
pub mod django_history;
mod embedded;
mod knex;
mod sqlalchemy;
mod typeorm;

use std::borrow::Cow;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use tree_sitter::{Node, Tree};

use crate::syntax::queries::Match;
use cache::Generations;
use embedded::LoweredSql;

use crate::analysis::migration::{MigrationStatement, Name, Op, OpKind, lower_statement};
use crate::analysis::runner::RunnerFacts;
use crate::finding::{Edit, Fix};
use crate::syntax::literal::Literal;
use crate::syntax::sql::SqlFile;
use crate::text::Language;

pub use alembic::AlembicFacts;
pub use alembic_env::EnvFacts;
pub use cache::Cache;
pub use django::DjangoFacts;
pub use django_history::History;

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
    /// A rewrite of SQL as an edit of this file: kept when every edit falls
    /// on one literal's characters, each written back through the literal's
    /// map (escapes rewritten whole, concatenated strings each in their own
    /// quoting); `None` otherwise (SQL edits of Python code, new `.sql`
    /// files, an edit cutting an escape or between concatenated strings).
    pub fn sql_fix_in_literal(&self, fix: Fix) -> Option<Fix> {
        let first = fix.edits.first()?;
        let literal = self
            .origins
            .iter()
            .filter_map(Origin::literal)
            .find(|l| l.value_span(first.range.clone()).is_some())?;
        let mut edits = Vec::with_capacity(fix.edits.len());
        for edit in &fix.edits {
            if edit.file.is_some() || edit.create {
                return None;
            }
            let range = literal.value_span(edit.range.clone())?;
            for (range, text) in literal.edit(range, &edit.replacement)? {
                edits.push(Edit::replace(range, text));
            }
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
    pub name: Arc<str>,
    /// It runs outside the runner's transaction (inside Alembic's
    /// `autocommit_block()`).
    pub outside_transaction: bool,
}

/// Where a statement comes from.
#[derive(Debug, Clone)]
pub struct Origin {
    /// Its unit; `None` for what the project adds (`env.py` settings).
    pub unit: Option<usize>,
    /// The literal holding its SQL, for SQL passed as text, as it was read
    /// `shift` bytes earlier in the file (a statement's lowering is reused
    /// after edits before it; the literal moves only when asked for).
    sql: Option<Arc<Literal>>,
    shift: isize,
}

impl Origin {
    /// The literal holding the statement's SQL, where it is now.
    pub fn literal(&self) -> Option<Cow<'_, Literal>> {
        let literal = self.sql.as_deref()?;
        Some(match self.shift {
            0 => Cow::Borrowed(literal),
            shift => Cow::Owned(literal.shifted(shift)),
        })
    }
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
    cache: &mut Cache,
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
    cache: &'c mut Generations<Arc<LoweredSql>>,
    /// The file's statements, for the one holding each unit.
    statements_index: Statements,
    comments: Vec<Range<usize>>,
    statements: Vec<MigrationStatement>,
    origins: Vec<Origin>,
    units: Vec<Unit>,
    sql_comments: Vec<Range<usize>>,
}

impl<'c> Builder<'c> {
    /// A builder over the statements and comments `found` captured.
    fn new(cache: &'c mut Cache, found: &[Match<'_>]) -> Self {
        Builder::over(&mut cache.sql, found)
    }

    fn over(cache: &'c mut Generations<Arc<LoweredSql>>, found: &[Match<'_>]) -> Self {
        Builder {
            cache,
            statements_index: Statements::collect(found),
            comments: comments(found),
            statements: Vec::new(),
            origins: Vec::new(),
            units: Vec::new(),
            sql_comments: Vec::new(),
        }
    }

    /// The same builder, knowing that `range` is a statement (the one a
    /// piece is lowered from, whose own block is outside it).
    fn holding(mut self, range: Range<usize>) -> Self {
        self.statements_index = std::mem::take(&mut self.statements_index).with(range);
        self
    }

    /// Starts a unit for `node`.
    fn unit(&mut self, node: Node<'_>, name: &str, outside: bool) -> usize {
        self.units.push(Unit {
            span: node.byte_range(),
            statement: self.statements_index.holding(node.byte_range()),
            name: name.into(),
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
        self.origins.push(Origin {
            unit,
            sql: None,
            shift: 0,
        });
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
                shift: 0,
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

    /// What was built, positions relative to `base`: the lowering of one
    /// statement of the host file, to reuse while its text is unchanged.
    fn into_piece(self, base: usize) -> Piece {
        let delta = -(base as isize);
        Piece {
            units: self.units.into_iter().map(|u| u.shifted(delta)).collect(),
            statements: self
                .statements
                .into_iter()
                .map(|s| MigrationStatement {
                    span: shift(&s.span, delta),
                    ..s
                })
                .collect(),
            origins: self
                .origins
                .into_iter()
                .map(|o| Origin {
                    shift: o.shift + delta,
                    ..o
                })
                .collect(),
            comments: self.comments.iter().map(|c| shift(c, delta)).collect(),
            sql_comments: self.sql_comments.iter().map(|c| shift(c, delta)).collect(),
        }
    }

    /// Appends a piece lowered from the statement now at `base`.
    fn append(&mut self, piece: &Piece, base: usize) {
        let delta = base as isize;
        let first_unit = self.units.len();
        self.units
            .extend(piece.units.iter().map(|u| u.shifted(delta)));
        self.statements
            .extend(piece.statements.iter().map(|s| MigrationStatement {
                span: shift(&s.span, delta),
                ops: s.ops.clone(),
            }));
        self.origins.extend(piece.origins.iter().map(|o| Origin {
            unit: o.unit.map(|u| u + first_unit),
            sql: o.sql.clone(),
            shift: o.shift + delta,
        }));
        self.comments
            .extend(piece.comments.iter().map(|c| shift(c, delta)));
        self.sql_comments
            .extend(piece.sql_comments.iter().map(|c| shift(c, delta)));
    }

    fn finish(self, framework: Framework, runner: RunnerFacts, facts: Facts) -> OrmMigration {
        OrmMigration {
            framework,
            runner,
            statements: self.statements,
            origins: self.origins,
            units: self.units,
            comments: self.comments,
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

/// The lowering of one statement of a host file, positions relative to its
/// start.
#[derive(Debug)]
pub(super) struct Piece {
    units: Vec<Unit>,
    statements: Vec<MigrationStatement>,
    origins: Vec<Origin>,
    comments: Vec<Range<usize>>,
    sql_comments: Vec<Range<usize>>,
}

impl Unit {
    fn shifted(&self, delta: isize) -> Unit {
        Unit {
            span: shift(&self.span, delta),
            statement: shift(&self.statement, delta),
            ..self.clone()
        }
    }
}

fn shift(range: &Range<usize>, delta: isize) -> Range<usize> {
    range.start.saturating_add_signed(delta)..range.end.saturating_add_signed(delta)
}

/// The comments `found` captured, in order.
fn comments(found: &[Match<'_>]) -> Vec<Range<usize>> {
    let mut comments: Vec<Range<usize>> = found
        .iter()
        .filter_map(|m| Some(m.get("comment")?.byte_range()))
        .collect();
    comments.sort_by_key(|c| c.start);
    comments.dedup();
    comments
}

/// The statements of a file's blocks, sorted by start: the one holding a
/// call is found by position, not by walking up from the call (tree-sitter
/// finds a node's parent by walking down from the root, which costs a scan
/// of every wide block on the way).
#[derive(Debug, Default)]
struct Statements(Vec<Range<usize>>);

impl Statements {
    fn collect(found: &[Match<'_>]) -> Statements {
        let ranges = found
            .iter()
            .filter_map(|m| Some(m.get("statement")?.byte_range()))
            .collect();
        Statements::of(ranges)
    }

    fn of(mut ranges: Vec<Range<usize>>) -> Statements {
        ranges.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
        ranges.dedup();
        Statements(ranges)
    }

    /// These statements and `range`, one more.
    fn with(mut self, range: Range<usize>) -> Statements {
        self.0.push(range);
        Statements::of(self.0)
    }

    /// The innermost statement holding `range` (itself when none does).
    fn holding(&self, range: Range<usize>) -> Range<usize> {
        let before = self.0.partition_point(|s| s.start <= range.start);
        self.0[..before]
            .iter()
            .rev()
            .find(|s| s.end >= range.end)
            .cloned()
            .unwrap_or(range)
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
