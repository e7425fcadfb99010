//! A migration as its runner executes it: operations in order, each with the
//! context it runs in (transaction, timeouts already set, relations created
//! earlier in the same migration). Every front end lowers into this model, so a
//! rule is written once for `.sql` files and ORM migrations alike.

mod context;
mod cursor;
mod dynamic_sql;
mod effects;
mod from_ast;
mod from_tokens;
mod not_null;
mod ops;

use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;
use std::cell::{Cell, OnceCell};
use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

pub use context::Context;
pub use effects::{Effects, TableWork};
pub use ops::{
    AddColumn, ColumnDef, ConstraintKind, DmlKind, LockMode, Maintenance, Name, Op, OpKind, OpTag,
};

use crate::analysis::orm::OrmMigration;
use crate::analysis::runner::RunnerFacts;
use crate::finding::Fix;
use crate::syntax::sql::ParsedStatement;

/// The operations of one parsed SQL statement, spans relative to its start.
pub fn lower_statement(parsed: &ParsedStatement) -> Vec<Op> {
    let cursor = cursor::Cursor::new(&parsed.text, &parsed.tokens);
    let mut ops = match &parsed.ast {
        Ok(ast) => from_ast::lower(ast, cursor.clone(), &parsed.text),
        Err(_) => from_tokens::lower(cursor.clone(), &parsed.text),
    };
    for op in &mut ops {
        op.columns = from_tokens::named_columns(cursor.within(op.span.clone()), &op.kind);
    }
    ops.extend(dynamic_sql::lower(&parsed.text, &parsed.tokens));
    ops
}

/// One statement of a migration and the operations it performs.
#[derive(Debug, Clone)]
pub struct MigrationStatement {
    /// Absolute byte span in the document.
    pub span: Range<usize>,
    pub ops: Arc<[Op]>,
}

/// What the migration's surroundings say about how it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    pub postgres_version: u32,
    /// `Some(true)`: the runner wraps the file in a transaction; `Some(false)`:
    /// it does not; `None`: unknown.
    pub in_transaction: Option<bool>,
}

#[derive(Debug)]
pub struct Migration<'a> {
    /// The document the spans point into.
    source: &'a str,
    runner: &'a RunnerFacts,
    statements: &'a [MigrationStatement],
    contexts: Vec<Context>,
    /// Every operation in execution order, flattened once because every rule
    /// walks them all.
    ops: Vec<OpAt<'a>>,
    /// Positions in `ops` of each kind of operation, so a rule visits only the
    /// operations it judges.
    by_tag: TagIndex,
    /// Every lock that blocks reads or writes on a relation other sessions
    /// use, in execution order.
    blocking: Vec<Locked<'a>>,
    settings: Settings,
    /// Table name → (schema, index of the creating statement).
    created_tables: CreatedTables<'a>,
    /// Indexes created on tables created earlier: index name → statement.
    created_indexes: HashMap<&'a str, usize>,
    /// Schema name → index of the first statement creating it.
    created_schemas: HashMap<&'a str, usize>,
    /// Columns made NOT NULL or proven non-null, gathered on first use.
    not_null: OnceCell<not_null::NotNullFacts>,
    /// The statement with a `BEGIN` that no `COMMIT` or `ROLLBACK` closes.
    unclosed_begin: Option<usize>,
    /// Byte offsets of line starts, built the first time a message names a line.
    line_starts: OnceCell<Vec<usize>>,
    /// Columns defined by `CREATE TABLE` and `ADD COLUMN`, gathered once for
    /// the rules that judge column types.
    defined_columns: Vec<DefinedColumn<'a>>,
    location: Option<Location<'a>>,
    /// Whether rules build their fixes: an editor's keystroke needs only the
    /// findings; code actions and the CLI need the fixes too.
    build_fixes: bool,
    /// The Python or TypeScript file the migration was read from, if any:
    /// its fixes must be written in that file's language.
    host: Option<&'a OrmMigration>,
    /// The fix being built was placed in the host's language
    /// ([`Migration::placed_in_host`]).
    placed: Cell<bool>,
}

/// Keywords that end a column's type and start what follows it: its
/// constraints (`NOT NULL`, `DEFAULT`, `REFERENCES`... `DEFERRABLE`) or an
/// `ALTER ... TYPE`'s `USING`.
pub const COLUMN_CLAUSES: [&str; 12] = [
    "NOT",
    "NULL",
    "DEFAULT",
    "CONSTRAINT",
    "CHECK",
    "REFERENCES",
    "UNIQUE",
    "PRIMARY",
    "GENERATED",
    "COLLATE",
    "DEFERRABLE",
    "USING",
];

/// Where the migration's file is, for fixes that create the next migration
/// beside it. The directory is listed only when such a fix is built.
#[derive(Clone, Copy)]
pub struct Location<'a> {
    pub path: &'a Path,
    /// The names of a directory's entries (empty when it cannot be read).
    pub list_dir: &'a dyn Fn(&Path) -> Vec<String>,
    /// A file's text, `None` when it cannot be read.
    pub read_file: &'a dyn Fn(&Path) -> Option<String>,
}

impl fmt::Debug for Location<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Location")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// A column a migration defines, in `CREATE TABLE` or `ADD COLUMN` (its
/// statement order: all `CREATE TABLE` columns, then the added ones).
#[derive(Debug, Clone, Copy)]
pub struct DefinedColumn<'a> {
    pub at: OpAt<'a>,
    pub name: &'a str,
    /// The type as written, e.g. `varchar(50)`.
    pub data_type: &'a str,
    /// The type without modifiers or array brackets: `varchar`, `json`.
    pub base_type: &'a str,
    /// Part of a primary or foreign key: declared `PRIMARY KEY` or
    /// `REFERENCES` inline, or named by a table constraint of `CREATE TABLE`.
    pub key: bool,
}

/// An operation with where it sits and the context it runs in.
#[derive(Debug, Clone, Copy)]
pub struct OpAt<'m> {
    /// Index of its statement in the migration.
    pub index: usize,
    pub statement: &'m MigrationStatement,
    pub op: &'m Op,
    pub context: Context,
    /// Works only on relations created earlier in this migration.
    pub new_relation: bool,
}

/// Positions in `ops` grouped by kind: one array sorted by tag (a counting
/// sort after the pass) instead of a growing vector per kind.
#[derive(Debug, Default)]
struct TagIndex {
    positions: Vec<u32>,
    /// `positions[starts[t]..starts[t + 1]]` are the operations of tag `t`.
    starts: Vec<u32>,
}

impl TagIndex {
    fn build(tags: &[OpTag]) -> Self {
        let mut starts = vec![0u32; OpTag::COUNT + 1];
        for &tag in tags {
            starts[tag as usize + 1] += 1;
        }
        for t in 0..OpTag::COUNT {
            starts[t + 1] += starts[t];
        }
        let mut next = starts.clone();
        let mut positions = vec![0u32; tags.len()];
        for (position, &tag) in tags.iter().enumerate() {
            let slot = &mut next[tag as usize];
            positions[*slot as usize] = u32::try_from(position).unwrap_or(u32::MAX);
            *slot += 1;
        }
        TagIndex { positions, starts }
    }

    fn positions(&self, tag: OpTag) -> &[u32] {
        let t = tag as usize;
        match (self.starts.get(t), self.starts.get(t + 1)) {
            (Some(&start), Some(&end)) => &self.positions[start as usize..end as usize],
            _ => &[],
        }
    }
}

/// Where tables and views were first created: by name whatever the schema,
/// and by schema-qualified name, each keeping the earliest statement.
#[derive(Debug, Default)]
struct CreatedTables<'a> {
    /// Created unqualified (`CREATE TABLE t`): matches `t` in any schema.
    unqualified: HashMap<&'a str, usize>,
    /// Created qualified (`CREATE TABLE s.t`): matches `s.t` and plain `t`.
    qualified: HashMap<(&'a str, &'a str), usize>,
    /// Either form, for an unqualified reference.
    any: HashMap<&'a str, usize>,
    /// The first bytes of every created name: most operations touch tables
    /// the migration did not create, and this answers them without hashing.
    first_bytes: [u64; 4],
}

impl<'a> CreatedTables<'a> {
    fn record(&mut self, table: &'a Name, index: usize) {
        if let Some(&first) = table.name.as_bytes().first() {
            self.first_bytes[usize::from(first >> 6)] |= 1 << (first & 63);
        }
        self.any.entry(&table.name).or_insert(index);
        match &table.schema {
            Some(schema) => {
                self.qualified.entry((schema, &table.name)).or_insert(index);
            }
            None => {
                self.unqualified.entry(&table.name).or_insert(index);
            }
        }
    }

    /// Created before statement `before` under a name `table` may refer to.
    fn before(&self, table: &Name, before: usize) -> bool {
        let Some(&first) = table.name.as_bytes().first() else {
            return false;
        };
        if self.first_bytes[usize::from(first >> 6)] & (1 << (first & 63)) == 0 {
            return false;
        }
        let earlier = |at: Option<&usize>| at.is_some_and(|&at| at < before);
        match &table.schema {
            None => earlier(self.any.get(table.name.as_str())),
            Some(schema) => {
                earlier(self.unqualified.get(table.name.as_str()))
                    || earlier(self.qualified.get(&(schema.as_str(), table.name.as_str())))
            }
        }
    }
}

/// A lock an operation takes on a relation that existed before the migration.
#[derive(Debug, Clone, Copy)]
pub struct Locked<'m> {
    /// The operation, by its position in [`Migration::ops`] (see
    /// [`Migration::op_at`]): a lock record stays small, and a migration
    /// holds thousands.
    pub position: u32,
    pub lock: LockMode,
    /// The locked relation; `None` when the operation names none (e.g. `DROP
    /// INDEX` of an index on an unknown table).
    pub table: Option<&'m Name>,
}

/// `varchar(50)` → `varchar`; `json[]` → `json` (an array has its element's
/// faults).
pub fn base_type(data_type: &str) -> &str {
    // A byte loop: type names are short, and this runs for every column of
    // every migration on each keystroke.
    let end = data_type
        .bytes()
        .position(|b| b == b'(')
        .unwrap_or(data_type.len());
    let mut base = data_type[..end].trim();
    // `strip_suffix` compares bytes; `trim_end_matches` would build a
    // substring searcher per call.
    while let Some(element) = base.strip_suffix("[]") {
        base = element.trim_end();
    }
    base
}

impl OpAt<'_> {
    /// The absolute byte range to report.
    pub fn range(&self) -> Range<usize> {
        let base = self.statement.span.start;
        base + self.op.span.start..base + self.op.span.end
    }
}

impl<'a> Migration<'a> {
    pub fn build(
        source: &'a str,
        statements: &'a [MigrationStatement],
        settings: Settings,
        runner: &'a RunnerFacts,
    ) -> Self {
        let mut migration = Migration {
            source,
            runner,
            ops: Vec::new(),
            by_tag: TagIndex::default(),
            blocking: Vec::new(),
            contexts: Vec::with_capacity(statements.len()),
            statements,
            settings,
            created_tables: CreatedTables::default(),
            created_indexes: HashMap::default(),
            created_schemas: HashMap::default(),
            not_null: OnceCell::new(),
            unclosed_begin: None,
            line_starts: OnceCell::new(),
            defined_columns: Vec::new(),
            location: None,
            build_fixes: true,
            host: None,
            placed: Cell::new(false),
        };
        context::analyze(&mut migration);
        migration.defined_columns = migration.gather_columns();
        migration
    }

    /// The same migration, known to live at `location`.
    pub fn located(mut self, location: Location<'a>) -> Self {
        self.location = Some(location);
        self
    }

    /// The same migration, with rules building their fixes or not.
    pub fn building_fixes(mut self, build: bool) -> Self {
        self.build_fixes = build;
        self
    }

    /// The same migration, read from a Python or TypeScript file.
    pub fn hosted(mut self, host: &'a OrmMigration) -> Self {
        self.host = Some(host);
        self
    }

    /// The Python or TypeScript migration this one was read from.
    pub fn host(&self) -> Option<&'a OrmMigration> {
        self.host
    }

    /// Says that the fix being built was written for the host file (a step
    /// placed in new Alembic revisions, say), so [`Migration::fix`] keeps it
    /// as it is.
    pub fn placed_in_host(&self) {
        self.placed.set(true);
    }

    /// `build()` when fixes are wanted: the rewrite is only computed when
    /// someone will look at it. In a host file, a rewrite of SQL is kept
    /// only as an edit inside the literal holding the SQL (encoded for its
    /// quoting), unless the builder placed it in the host's language.
    pub fn fix(&self, build: impl FnOnce() -> Option<Fix>) -> Option<Fix> {
        if !self.build_fixes {
            return None;
        }
        let Some(host) = self.host else {
            return build();
        };
        self.placed.set(false);
        let fix = build()?;
        if self.placed.get() {
            Some(fix)
        } else {
            host.sql_fix_in_literal(fix)
        }
    }

    /// The SQL of `at`'s statement as PostgreSQL receives it, with the range
    /// of its operation in that text. In a `.sql` file, and for a host
    /// framework's own operations, the file's text; for SQL in a host
    /// literal, the literal's value, escapes decoded and concatenated strings
    /// joined, so a rewrite reads SQL, never the quoting around it. `None`
    /// when the spans do not fall on the literal's characters.
    pub fn statement_sql(&self, at: &OpAt<'_>) -> Option<(Cow<'a, str>, Range<usize>)> {
        let span = at.statement.span.clone();
        let literal = self
            .host
            .and_then(|host| host.origins.get(at.index))
            .and_then(|origin| origin.literal());
        let Some(literal) = literal else {
            return Some((Cow::Borrowed(self.source.get(span)?), at.op.span.clone()));
        };
        let value = literal.value_span(span.clone())?;
        let op = literal.value_span(span.start + at.op.span.start..span.start + at.op.span.end)?;
        let text = literal.value.get(value.clone())?.to_string();
        let op = op.start.checked_sub(value.start)?..op.end.checked_sub(value.start)?;
        Some((Cow::Owned(text), op))
    }

    pub fn location(&self) -> Option<Location<'a>> {
        self.location
    }

    pub fn source(&self) -> &'a str {
        self.source
    }

    /// The 1-based line of a byte offset, for messages that point elsewhere
    /// ("the schema change on line 3").
    pub fn line_of(&self, offset: usize) -> usize {
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(crate::text::line_break_ends(self.source))
                .collect()
        });
        starts.partition_point(|&start| start <= offset)
    }

    /// Every column the migration defines.
    pub fn defined_columns(&self) -> &[DefinedColumn<'a>] {
        &self.defined_columns
    }

    fn gather_columns(&self) -> Vec<DefinedColumn<'a>> {
        let created: usize = self
            .ops_of(OpTag::CreateTable)
            .map(|at| match &at.op.kind {
                OpKind::CreateTable { columns, .. } => columns.len(),
                _ => 0,
            })
            .sum();
        let mut columns =
            Vec::with_capacity(created + self.by_tag.positions(OpTag::AddColumn).len());
        for at in self
            .ops_of(OpTag::CreateTable)
            .chain(self.ops_of(OpTag::AddColumn))
        {
            match &at.op.kind {
                OpKind::CreateTable { columns: defs, .. } => {
                    columns.extend(defs.iter().map(|c| DefinedColumn {
                        at,
                        name: &c.name,
                        data_type: &c.data_type,
                        base_type: base_type(&c.data_type),
                        key: c.key,
                    }));
                }
                OpKind::AddColumn(c) => columns.push(DefinedColumn {
                    at,
                    name: &c.column,
                    data_type: &c.data_type,
                    base_type: base_type(&c.data_type),
                    key: c.key,
                }),
                _ => {}
            }
        }
        columns
    }

    /// The statement whose `BEGIN` is never committed or rolled back.
    pub fn unclosed_begin(&self) -> Option<usize> {
        self.unclosed_begin
    }

    /// What the migration runner's conventions say about this file.
    pub fn runner(&self) -> &'a RunnerFacts {
        self.runner
    }

    pub fn settings(&self) -> Settings {
        self.settings
    }

    pub fn statements(&self) -> &'a [MigrationStatement] {
        self.statements
    }

    /// The operation at `position` in execution order.
    pub fn op_at(&self, position: u32) -> Option<OpAt<'a>> {
        self.ops.get(position as usize).copied()
    }

    /// Every operation in execution order.
    pub fn ops(&self) -> impl Iterator<Item = OpAt<'a>> + '_ {
        self.ops.iter().copied()
    }

    /// Every lock (SHARE or stronger) on an existing relation, in execution
    /// order: each operation's own, a foreign key's SHARE ROW EXCLUSIVE on the
    /// table it references, and the ACCESS EXCLUSIVE `ATTACH PARTITION` takes
    /// on the partition.
    pub fn blocking_locks(&self) -> &[Locked<'a>] {
        &self.blocking
    }

    /// A lock by its position in [`Migration::blocking_locks`].
    pub fn blocking_lock(&self, position: u32) -> Option<&Locked<'a>> {
        self.blocking.get(position as usize)
    }

    /// The operations of one kind, in execution order.
    pub fn ops_of(&self, tag: OpTag) -> impl Iterator<Item = OpAt<'a>> + '_ {
        self.by_tag
            .positions(tag)
            .iter()
            .filter_map(|&position| self.ops.get(position as usize).copied())
    }

    /// Whether `table` was created by a statement before `before`: no other
    /// transaction can see it yet, so locking it harms nobody.
    pub fn is_new_table(&self, table: &Name, before: usize) -> bool {
        self.created_tables.before(table, before)
    }

    /// The latest `CREATE INDEX name` of this migration before statement
    /// `before`: its key columns are in its op's `columns`.
    pub fn created_index(&self, name: &str, before: usize) -> Option<OpAt<'a>> {
        self.ops_of(OpTag::CreateIndex)
            .take_while(|at| at.index < before)
            .filter(
                |at| matches!(&at.op.kind, OpKind::CreateIndex { name: Some(n), .. } if n == name),
            )
            .last()
    }

    /// Whether schema `name` was created by a statement before `before`.
    pub fn is_new_schema(&self, name: &str, before: usize) -> bool {
        self.created_schemas
            .get(name)
            .is_some_and(|created| *created < before)
    }

    /// Whether the operation works only on relations created earlier in this
    /// migration (an operation with no relation is never "new").
    fn works_on_new_relation(&self, index: usize, op: &Op) -> bool {
        match (&op.table, &op.kind) {
            (Some(table), _) => self.is_new_table(table, index),
            (None, OpKind::DropIndex { names, .. }) => {
                !names.is_empty()
                    && names.iter().all(|n| {
                        self.created_indexes
                            .get(n.name.as_str())
                            .is_some_and(|created| *created < index)
                    })
            }
            (None, _) => false,
        }
    }

    /// Whether `column` of `table` is NOT NULL before statement `before` by
    /// this migration's doing: declared so in `CREATE TABLE` or `ADD COLUMN`
    /// (or part of a primary key there), or set by `SET NOT NULL` or a valid
    /// `NOT NULL` constraint.
    pub fn declared_not_null(&self, table: &Name, column: &str, before: usize) -> bool {
        self.not_null_facts()
            .declared(&table.name, column)
            .is_some_and(|at| at < before)
    }

    /// Whether a valid `CHECK (column IS NOT NULL)` on `table` exists before
    /// statement `before`.
    pub fn not_null_proven(&self, table: &Name, column: &str, before: usize) -> bool {
        self.not_null_facts()
            .proven(&table.name, column)
            .is_some_and(|at| at < before)
    }

    fn not_null_facts(&self) -> &not_null::NotNullFacts {
        self.not_null
            .get_or_init(|| not_null::NotNullFacts::gather(self.ops()))
    }

    /// Whether `column` of `table` holds no NULLs before statement `before`, so
    /// making it NOT NULL needs no scan: NOT NULL already by this migration's
    /// doing, or (PostgreSQL 12+) proven by a valid `CHECK`.
    pub fn known_not_null(&self, table: &Name, column: &str, before: usize) -> bool {
        self.declared_not_null(table, column, before)
            || (self.settings.postgres_version >= 12 && self.not_null_proven(table, column, before))
    }
}

#[cfg(test)]
mod tests;
