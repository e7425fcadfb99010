//! The migration-operation model: what a migration does, independent of the
//! front end that read it (a `.sql` file today, Alembic or TypeORM later).

use std::fmt;
use std::ops::Range;

/// A relation name as PostgreSQL resolves it: unquoted parts folded to lower case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Name {
    pub schema: Option<String>,
    pub name: String,
}

impl Name {
    pub fn new(schema: Option<String>, name: impl Into<String>) -> Self {
        Name {
            schema,
            name: name.into(),
        }
    }

    /// Two names denote the same relation unless both carry different schemas;
    /// an unqualified name is taken to be on the search path.
    pub fn matches(&self, other: &Name) -> bool {
        self.name == other.name
            && match (&self.schema, &other.schema) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.schema {
            Some(schema) => write!(f, "{schema}.{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// PostgreSQL's table lock modes, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LockMode {
    AccessShare,
    RowShare,
    RowExclusive,
    ShareUpdateExclusive,
    Share,
    ShareRowExclusive,
    Exclusive,
    AccessExclusive,
}

impl LockMode {
    /// Conflicts with plain reads or writes, so an application queues behind it.
    pub fn is_dangerous(self) -> bool {
        self >= LockMode::Share
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LockMode::AccessShare => "ACCESS SHARE",
            LockMode::RowShare => "ROW SHARE",
            LockMode::RowExclusive => "ROW EXCLUSIVE",
            LockMode::ShareUpdateExclusive => "SHARE UPDATE EXCLUSIVE",
            LockMode::Share => "SHARE",
            LockMode::ShareRowExclusive => "SHARE ROW EXCLUSIVE",
            LockMode::Exclusive => "EXCLUSIVE",
            LockMode::AccessExclusive => "ACCESS EXCLUSIVE",
        }
    }

    /// What the lock keeps the application from doing while it is held or queued.
    pub fn blocks(self) -> &'static str {
        match self {
            LockMode::AccessExclusive => "all reads and writes",
            LockMode::Exclusive | LockMode::ShareRowExclusive | LockMode::Share => "writes",
            _ => "schema changes",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConstraintKind {
    /// `not_null_columns`: the columns the check proves non-null (it is `col
    /// IS NOT NULL`, or an `AND` with such terms among its operands), which
    /// lets PostgreSQL 12+ skip the scan of a later `SET NOT NULL`.
    Check {
        not_null_columns: Vec<String>,
    },
    ForeignKey {
        references: Name,
    },
    Unique {
        using_index: bool,
    },
    PrimaryKey {
        /// `USING INDEX i`: the index `i` becomes the key (empty while its
        /// name is not typed yet).
        using_index: Option<String>,
    },
    Exclusion,
    NotNull {
        column: String,
    },
}

/// A column of `CREATE TABLE`, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnDef {
    pub name: String,
    pub data_type: String,
    /// Part of the primary key or of a foreign key, inline (`PRIMARY KEY`,
    /// `REFERENCES`) or in a table constraint: an identifier column.
    pub key: bool,
    /// Declared `NOT NULL`, or part of the primary key.
    pub not_null: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Maintenance {
    Reindex { concurrently: bool },
    Vacuum { full: bool },
    Cluster,
    Truncate { cascade: bool },
    Lock { mode: LockMode },
    RefreshMaterializedView { concurrently: bool },
}

impl Maintenance {
    pub fn lock(self) -> LockMode {
        use LockMode::*;
        match self {
            Maintenance::Reindex { concurrently: true } | Maintenance::Vacuum { full: false } => {
                ShareUpdateExclusive
            }
            Maintenance::Reindex {
                concurrently: false,
            } => Share,
            Maintenance::RefreshMaterializedView { concurrently: true } => Exclusive,
            Maintenance::Lock { mode } => mode,
            Maintenance::Vacuum { full: true }
            | Maintenance::Cluster
            | Maintenance::Truncate { .. }
            | Maintenance::RefreshMaterializedView {
                concurrently: false,
            } => AccessExclusive,
        }
    }

    /// The statement's keywords, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Maintenance::Reindex { .. } => "REINDEX",
            Maintenance::Vacuum { full: true } => "VACUUM FULL",
            Maintenance::Vacuum { full: false } => "VACUUM",
            Maintenance::Cluster => "CLUSTER",
            Maintenance::Truncate { .. } => "TRUNCATE",
            Maintenance::Lock { .. } => "LOCK",
            Maintenance::RefreshMaterializedView { .. } => "REFRESH MATERIALIZED VIEW",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DmlKind {
    Insert,
    Update,
    Delete,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddColumn {
    pub if_not_exists: bool,
    pub column: String,
    /// The type as written, e.g. `varchar(50)`.
    pub data_type: String,
    pub not_null: bool,
    /// The `DEFAULT` expression as written.
    pub default: Option<String>,
    /// Filled by PostgreSQL without a `DEFAULT` clause: serial types, identity
    /// and generated columns.
    pub auto_filled: bool,
    /// `serial`-family type or `GENERATED ... AS IDENTITY`: every row gets a value.
    pub auto_increment: bool,
    /// `GENERATED ALWAYS AS (...) STORED`.
    pub stored_generated: bool,
    /// Inline `CHECK`, `UNIQUE` or `PRIMARY KEY` on the new column.
    pub inline_constraint: Option<&'static str>,
    /// Declared `PRIMARY KEY` or `REFERENCES` inline: an identifier column.
    pub key: bool,
}

impl AddColumn {
    /// The default calls a volatile function, so every row gets its own value
    /// and PostgreSQL must rewrite the table to store them.
    pub fn volatile_default(&self) -> bool {
        const VOLATILE: [&str; 8] = [
            "gen_random_uuid",
            "uuid_generate_v1",
            "uuid_generate_v4",
            "uuidv7",
            "clock_timestamp",
            "random",
            "nextval",
            "timeofday",
        ];
        // Most defaults are constants: no call, nothing to look for.
        let Some(default) = self.default.as_deref().filter(|d| d.contains('(')) else {
            return false;
        };
        // Function calls only: text inside string literals does not count.
        let lower: String = default
            .split('\'')
            .step_by(2)
            .collect::<Vec<_>>()
            .join(" ")
            .to_ascii_lowercase();
        let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
        VOLATILE.iter().any(|function| {
            lower.match_indices(function).any(|(at, _)| {
                let whole_word = !lower[..at].ends_with(is_ident);
                let called = lower[at + function.len()..].trim_start().starts_with('(');
                whole_word && called
            })
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpKind {
    CreateTable {
        if_not_exists: bool,
        columns: Vec<ColumnDef>,
        /// `PARTITION BY`: a partitioned parent.
        partitioned: bool,
        /// Tables its foreign keys reference (inline `REFERENCES` or table
        /// constraints): each is locked SHARE ROW EXCLUSIVE while it is created.
        references: Vec<Name>,
        /// The names `CONSTRAINT name` gives, on columns or on the table.
        constraints: Vec<String>,
    },
    CreateIndex {
        name: Option<String>,
        unique: bool,
        concurrently: bool,
        if_not_exists: bool,
        /// `ON ONLY parent`: an invalid index on a partitioned parent alone,
        /// built instantly (the partitions' indexes are attached later).
        on_only: bool,
    },
    DropIndex {
        names: Vec<Name>,
        concurrently: bool,
        if_exists: bool,
    },
    AddColumn(AddColumn),
    SetNotNull {
        column: String,
    },
    ChangeColumnType {
        column: String,
        data_type: String,
    },
    AddConstraint {
        name: Option<String>,
        kind: ConstraintKind,
        not_valid: bool,
    },
    ValidateConstraint {
        name: String,
    },
    RenameColumn {
        from: String,
        to: String,
    },
    DropColumn {
        column: String,
        if_exists: bool,
    },
    DropTable {
        if_exists: bool,
    },
    DetachPartition {
        concurrently: bool,
    },
    /// `ATTACH PARTITION child FOR VALUES ...`.
    AttachPartition {
        partition: Name,
    },
    RenameTable {
        to: String,
    },
    /// `RENAME CONSTRAINT c TO to`.
    RenameConstraint {
        to: String,
    },
    /// `ALTER INDEX i RENAME TO to`; the index is the op's table.
    RenameIndex {
        to: String,
    },
    /// `ALTER SEQUENCE s ...`; the sequence is the op's table. Measured on
    /// PostgreSQL 15: SHARE ROW EXCLUSIVE, which blocks `nextval()` and so
    /// every insert that draws from it; ACCESS EXCLUSIVE for `RESTART`,
    /// `RENAME` and `SET SCHEMA`.
    AlterSequence {
        lock: LockMode,
    },
    /// `DROP [MATERIALIZED] VIEW`; one operation per view.
    DropView,
    /// `CREATE [OR REPLACE] [MATERIALIZED] VIEW`; the view is the op's table.
    CreateView {
        materialized: bool,
        /// `OR REPLACE`: the view may exist already.
        or_replace: bool,
        /// `IF NOT EXISTS` (materialized views only).
        if_not_exists: bool,
    },
    /// `CREATE SEQUENCE`; the sequence is the op's table.
    CreateSequence {
        if_not_exists: bool,
    },
    /// `CREATE [OR REPLACE] FUNCTION` or `PROCEDURE`.
    CreateFunction {
        or_replace: bool,
    },
    DropNotNull {
        column: String,
    },
    DropDefault {
        column: String,
    },
    DropConstraint {
        name: String,
        /// Known to be a foreign key (Alembic's `type_="foreignkey"`); SQL
        /// does not say, so its lowering leaves this to the name.
        foreign_key: bool,
    },
    /// `SET TABLESPACE`, `SET LOGGED`, `SET UNLOGGED`: the table is copied.
    MoveTable {
        what: String,
    },
    /// Any other `ALTER TABLE` action; `what` names it for messages.
    AlterTableOther {
        what: String,
        lock: LockMode,
    },
    /// `REINDEX`, `VACUUM`, `CLUSTER`, `TRUNCATE`, `LOCK`, `REFRESH
    /// MATERIALIZED VIEW`.
    Maintenance(Maintenance),
    /// `INSERT`, `UPDATE`, `DELETE` (also inside a leading `WITH`).
    Dml {
        kind: DmlKind,
        /// A top-level `WHERE` (for `INSERT`: rows come from a `SELECT`, or
        /// from code, as with Alembic's `op.bulk_insert`).
        filtered: bool,
        /// A `LIMIT` or a `BETWEEN` range bounds the rows, as batches do.
        batched: bool,
    },
    /// `ALTER TYPE t ADD VALUE`.
    AddEnumValue {
        value: String,
        /// `BEFORE` or `AFTER` places it.
        positioned: bool,
    },
    /// `ALTER TYPE t RENAME VALUE`.
    RenameEnumValue,
    CreateEnum,
    /// `CREATE TYPE` of any other kind (composite, range, base); the type is the
    /// op's table, as for an enum.
    CreateType,
    /// `CREATE SCHEMA name` (`AUTHORIZATION role` alone names it after the role).
    CreateSchema {
        name: String,
        if_not_exists: bool,
    },
    /// `DROP SCHEMA` or `DROP DATABASE`; `what` says which.
    DropSchema {
        what: String,
        /// The schemas dropped (none for `DROP DATABASE`).
        schemas: Vec<String>,
    },
    RenameSchema,
    CreateTrigger,
    DropTrigger {
        if_exists: bool,
    },
    /// `CREATE DOMAIN ... CHECK` or `ALTER DOMAIN ... ADD CONSTRAINT`.
    DomainConstraint,
    /// `SET [LOCAL] name = value`; `value: None` for `RESET` and `SET ... TO DEFAULT`.
    Set {
        name: String,
        value: Option<String>,
        local: bool,
    },
    Begin,
    Commit,
    Rollback,
    /// The migration runner commits its own transaction here (`open:
    /// false`) or opens a new one (`open: true`): Alembic's
    /// `autocommit_block()` commits what ran before it and runs its body
    /// outside a transaction. Not an explicit `BEGIN`/`COMMIT` of the file.
    RunnerTransaction {
        open: bool,
    },
    /// SQL the migration builds at run time, so no lowering can see what it
    /// does: an `EXECUTE` of a non-literal string in a `DO` block (next to the
    /// block's own `Other` operation), or an ORM migration's `op.execute(sql)`
    /// of a variable or an f-string.
    DynamicSql,
    /// Anything else; `what` is its leading keywords (`SELECT`, `DO`, ...).
    Other {
        what: String,
    },
}

/// The variant of an [`OpKind`] without its fields: what rules ask the
/// migration for ("every `CREATE INDEX`").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpTag {
    CreateTable,
    CreateIndex,
    DropIndex,
    AddColumn,
    SetNotNull,
    ChangeColumnType,
    AddConstraint,
    ValidateConstraint,
    RenameColumn,
    DropColumn,
    DropTable,
    DetachPartition,
    AttachPartition,
    RenameTable,
    RenameConstraint,
    RenameIndex,
    AlterSequence,
    DropView,
    CreateView,
    CreateSequence,
    CreateFunction,
    DropNotNull,
    DropDefault,
    DropConstraint,
    MoveTable,
    AlterTableOther,
    Maintenance,
    Dml,
    AddEnumValue,
    RenameEnumValue,
    CreateEnum,
    CreateType,
    CreateSchema,
    DropSchema,
    RenameSchema,
    CreateTrigger,
    DropTrigger,
    DomainConstraint,
    Set,
    Begin,
    Commit,
    Rollback,
    RunnerTransaction,
    DynamicSql,
    Other,
}

impl OpTag {
    pub const COUNT: usize = OpTag::Other as usize + 1;
}

impl OpKind {
    pub fn tag(&self) -> OpTag {
        match self {
            OpKind::CreateTable { .. } => OpTag::CreateTable,
            OpKind::CreateIndex { .. } => OpTag::CreateIndex,
            OpKind::DropIndex { .. } => OpTag::DropIndex,
            OpKind::AddColumn(_) => OpTag::AddColumn,
            OpKind::SetNotNull { .. } => OpTag::SetNotNull,
            OpKind::ChangeColumnType { .. } => OpTag::ChangeColumnType,
            OpKind::AddConstraint { .. } => OpTag::AddConstraint,
            OpKind::ValidateConstraint { .. } => OpTag::ValidateConstraint,
            OpKind::RenameColumn { .. } => OpTag::RenameColumn,
            OpKind::DropColumn { .. } => OpTag::DropColumn,
            OpKind::DropTable { .. } => OpTag::DropTable,
            OpKind::DetachPartition { .. } => OpTag::DetachPartition,
            OpKind::AttachPartition { .. } => OpTag::AttachPartition,
            OpKind::RenameTable { .. } => OpTag::RenameTable,
            OpKind::RenameConstraint { .. } => OpTag::RenameConstraint,
            OpKind::RenameIndex { .. } => OpTag::RenameIndex,
            OpKind::AlterSequence { .. } => OpTag::AlterSequence,
            OpKind::DropView => OpTag::DropView,
            OpKind::CreateView { .. } => OpTag::CreateView,
            OpKind::CreateSequence { .. } => OpTag::CreateSequence,
            OpKind::CreateFunction { .. } => OpTag::CreateFunction,
            OpKind::DropNotNull { .. } => OpTag::DropNotNull,
            OpKind::DropDefault { .. } => OpTag::DropDefault,
            OpKind::DropConstraint { .. } => OpTag::DropConstraint,
            OpKind::MoveTable { .. } => OpTag::MoveTable,
            OpKind::AddEnumValue { .. } => OpTag::AddEnumValue,
            OpKind::RenameEnumValue => OpTag::RenameEnumValue,
            OpKind::CreateEnum => OpTag::CreateEnum,
            OpKind::CreateType => OpTag::CreateType,
            OpKind::CreateSchema { .. } => OpTag::CreateSchema,
            OpKind::DropSchema { .. } => OpTag::DropSchema,
            OpKind::RenameSchema => OpTag::RenameSchema,
            OpKind::CreateTrigger => OpTag::CreateTrigger,
            OpKind::DropTrigger { .. } => OpTag::DropTrigger,
            OpKind::DomainConstraint => OpTag::DomainConstraint,
            OpKind::AlterTableOther { .. } => OpTag::AlterTableOther,
            OpKind::Maintenance(_) => OpTag::Maintenance,
            OpKind::Dml { .. } => OpTag::Dml,
            OpKind::Set { .. } => OpTag::Set,
            OpKind::Begin => OpTag::Begin,
            OpKind::Commit => OpTag::Commit,
            OpKind::Rollback => OpTag::Rollback,
            OpKind::RunnerTransaction { .. } => OpTag::RunnerTransaction,
            OpKind::DynamicSql => OpTag::DynamicSql,
            OpKind::Other { .. } => OpTag::Other,
        }
    }

    /// An action of an `ALTER TABLE` statement.
    pub fn is_alter_table_action(&self) -> bool {
        matches!(
            self,
            OpKind::AddColumn(_)
                | OpKind::SetNotNull { .. }
                | OpKind::ChangeColumnType { .. }
                | OpKind::AddConstraint { .. }
                | OpKind::ValidateConstraint { .. }
                | OpKind::RenameColumn { .. }
                | OpKind::DropColumn { .. }
                | OpKind::DetachPartition { .. }
                | OpKind::AttachPartition { .. }
                | OpKind::RenameTable { .. }
                | OpKind::RenameConstraint { .. }
                | OpKind::DropNotNull { .. }
                | OpKind::DropDefault { .. }
                | OpKind::DropConstraint { .. }
                | OpKind::MoveTable { .. }
                | OpKind::AlterTableOther { .. }
        )
    }
}

/// One operation of a statement. An `ALTER TABLE` with three actions is three
/// operations sharing their statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Op {
    /// What to underline, relative to the statement's start.
    pub span: Range<usize>,
    /// The relation the operation works on, if any.
    pub table: Option<Name>,
    pub kind: OpKind,
    /// The facts came from sqlparser's full parse rather than from tokens.
    pub parsed: bool,
    /// The columns it names, as written and folded: an index's key columns
    /// (an expression stays whole), a foreign key's referencing columns.
    pub columns: Vec<String>,
}

impl Op {
    /// An operation that underlines its whole statement, without the `;`.
    pub fn on_statement(text: &str, table: Option<Name>, kind: OpKind, parsed: bool) -> Op {
        Op {
            span: super::cursor::statement_span(text),
            table,
            kind,
            parsed,
            columns: Vec::new(),
        }
    }

    /// The lock this operation takes on `table` (measured on PostgreSQL 15; see
    /// the reference's lock table).
    pub fn lock(&self) -> Option<LockMode> {
        use LockMode::*;
        Some(match &self.kind {
            OpKind::CreateIndex { concurrently, .. } | OpKind::DropIndex { concurrently, .. } => {
                match (&self.kind, concurrently) {
                    (_, true) => ShareUpdateExclusive,
                    (OpKind::CreateIndex { .. }, false) => Share,
                    _ => AccessExclusive,
                }
            }
            OpKind::AddConstraint {
                kind: ConstraintKind::ForeignKey { .. },
                ..
            } => ShareRowExclusive,
            OpKind::ValidateConstraint { .. } => ShareUpdateExclusive,
            OpKind::AddColumn(_)
            | OpKind::SetNotNull { .. }
            | OpKind::ChangeColumnType { .. }
            | OpKind::AddConstraint { .. }
            | OpKind::RenameColumn { .. }
            | OpKind::DropColumn { .. }
            | OpKind::DropTable { .. } => AccessExclusive,
            OpKind::DetachPartition { concurrently: true } => ShareUpdateExclusive,
            OpKind::DetachPartition {
                concurrently: false,
            } => AccessExclusive,
            // On the parent, since PostgreSQL 12 (the partition takes ACCESS
            // EXCLUSIVE while it is scanned).
            OpKind::AttachPartition { .. } => ShareUpdateExclusive,
            OpKind::DropView
            | OpKind::CreateView {
                or_replace: true, ..
            }
            | OpKind::RenameTable { .. }
            | OpKind::RenameConstraint { .. }
            | OpKind::DropNotNull { .. }
            | OpKind::DropDefault { .. }
            | OpKind::DropConstraint { .. }
            | OpKind::MoveTable { .. }
            | OpKind::DropTrigger { .. } => AccessExclusive,
            OpKind::CreateTrigger => ShareRowExclusive,
            // On the index only: its table is not locked (measured).
            OpKind::RenameIndex { .. } => ShareUpdateExclusive,
            OpKind::AlterTableOther { lock, .. } | OpKind::AlterSequence { lock } => *lock,
            OpKind::Maintenance(m) => m.lock(),
            OpKind::Dml { .. } => RowExclusive,
            OpKind::CreateTable { .. }
            | OpKind::CreateView {
                or_replace: false, ..
            }
            | OpKind::AddEnumValue { .. }
            | OpKind::RenameEnumValue
            | OpKind::CreateSequence { .. }
            | OpKind::CreateFunction { .. }
            | OpKind::CreateEnum
            | OpKind::CreateType
            | OpKind::CreateSchema { .. }
            | OpKind::DropSchema { .. }
            | OpKind::RenameSchema
            | OpKind::DomainConstraint
            | OpKind::Set { .. }
            | OpKind::Begin
            | OpKind::Commit
            | OpKind::Rollback
            | OpKind::RunnerTransaction { .. }
            | OpKind::DynamicSql
            | OpKind::Other { .. } => return None,
        })
    }
}
