//! What each operation does to the database, independent of any rule: the lock
//! it takes, whether it scans or rewrites the table, whether it may run in a
//! transaction block, and its migration class. Measured on PostgreSQL 15 (the
//! reference's section 7); hover and the classification summary show these.

use crate::finding::MigrationClass;

use super::ops::{ConstraintKind, DmlKind, LockMode, Maintenance, Op, OpKind};

/// Whether PostgreSQL reads or rewrites every row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableWork {
    None,
    /// Reads every row (a validation, an index build).
    Scan,
    /// Writes a new copy of the table and its indexes.
    Rewrite,
    /// Rewrites unless the old type converts without one (unknown here).
    MaybeRewrite,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Effects {
    pub lock: Option<LockMode>,
    pub work: TableWork,
    /// PostgreSQL refuses it inside a transaction block.
    pub needs_no_transaction: bool,
    pub class: MigrationClass,
}

impl Op {
    pub fn effects(&self) -> Effects {
        use MigrationClass::*;
        use TableWork::*;
        let (work, needs_no_transaction, class) = match &self.kind {
            OpKind::CreateTable { .. } => (None, false, Additive),
            OpKind::CreateIndex { concurrently, .. } => (Scan, *concurrently, Additive),
            OpKind::DropIndex { concurrently, .. } => (None, *concurrently, Destructive),
            OpKind::AddColumn(column) => {
                let rewrites =
                    column.auto_increment || column.stored_generated || column.volatile_default();
                (if rewrites { Rewrite } else { None }, false, Additive)
            }
            OpKind::SetNotNull { .. } => (Scan, false, Transformative),
            OpKind::ChangeColumnType { .. } => (MaybeRewrite, false, Transformative),
            OpKind::AddConstraint {
                kind, not_valid, ..
            } => {
                let work = match kind {
                    ConstraintKind::Unique { using_index: true }
                    | ConstraintKind::PrimaryKey {
                        using_index: Some(_),
                    } => None,
                    _ if *not_valid => None,
                    _ => Scan,
                };
                (work, false, Transformative)
            }
            OpKind::ValidateConstraint { .. } => (Scan, false, Transformative),
            OpKind::RenameColumn { .. } | OpKind::DropColumn { .. } | OpKind::DropTable { .. } => {
                (None, false, Destructive)
            }
            OpKind::DetachPartition { concurrently } => (None, *concurrently, Destructive),
            OpKind::AttachPartition { .. } => (Scan, false, Additive),
            OpKind::DropView
            | OpKind::RenameTable { .. }
            | OpKind::RenameIndex { .. }
            | OpKind::DropNotNull { .. }
            | OpKind::DropConstraint { .. }
            | OpKind::DropTrigger { .. }
            | OpKind::RenameEnumValue
            | OpKind::DropSchema { .. }
            | OpKind::RenameSchema => (None, false, Destructive),
            OpKind::DropDefault { .. }
            | OpKind::RenameConstraint { .. }
            | OpKind::AlterTableOther { .. }
            | OpKind::AlterSequence { .. } => (None, false, Transformative),
            OpKind::MoveTable { .. } => (Rewrite, false, Transformative),
            OpKind::DomainConstraint => (Scan, false, Transformative),
            OpKind::CreateTrigger
            | OpKind::CreateEnum
            | OpKind::CreateType
            | OpKind::CreateSchema { .. }
            | OpKind::CreateView { .. }
            | OpKind::CreateSequence { .. }
            | OpKind::CreateFunction { .. } => (None, false, Additive),
            // Before PostgreSQL 12 it fails in a transaction block; after, the
            // value is unusable until commit. Either way: outside one.
            OpKind::AddEnumValue { .. } => (None, true, Additive),
            OpKind::Maintenance(m) => maintenance(*m),
            OpKind::Dml { kind, .. } => (
                Scan,
                false,
                match kind {
                    DmlKind::Insert => Additive,
                    DmlKind::Update => Transformative,
                    DmlKind::Delete => Destructive,
                },
            ),
            OpKind::Set { .. }
            | OpKind::Begin
            | OpKind::Commit
            | OpKind::Rollback
            | OpKind::RunnerTransaction { .. }
            | OpKind::DynamicSql
            | OpKind::Other { .. } => (None, false, Any),
        };
        Effects {
            lock: self.lock(),
            work,
            needs_no_transaction,
            class,
        }
    }
}

fn maintenance(m: Maintenance) -> (TableWork, bool, MigrationClass) {
    use MigrationClass::*;
    use TableWork::*;
    match m {
        Maintenance::Reindex { concurrently } => (Scan, concurrently, Transformative),
        Maintenance::Vacuum { full } => (if full { Rewrite } else { Scan }, true, Transformative),
        Maintenance::Cluster => (Rewrite, false, Transformative),
        Maintenance::Truncate { .. } => (Rewrite, false, Destructive),
        Maintenance::Lock { .. } => (None, false, Any),
        Maintenance::RefreshMaterializedView { concurrently } => (
            if concurrently { Scan } else { Rewrite },
            false,
            Transformative,
        ),
    }
}

impl Effects {
    /// One line for hover: "ACCESS EXCLUSIVE on `users` · rewrites the table ·
    /// transformative".
    pub fn describe(&self, table: Option<&str>) -> String {
        let mut parts = Vec::new();
        match (self.lock, table) {
            (Some(lock), Some(table)) => parts.push(format!(
                "takes {} on `{table}` (blocks {})",
                lock.as_str(),
                lock.blocks()
            )),
            (Some(lock), None) => parts.push(format!(
                "takes {} (blocks {})",
                lock.as_str(),
                lock.blocks()
            )),
            (None, _) => {
                parts.push("takes no lock that blocks other sessions' reads or writes".into())
            }
        }
        parts.push(
            match self.work {
                TableWork::None => "neither scans nor rewrites the table",
                TableWork::Scan => "reads every row",
                TableWork::Rewrite => "rewrites the table and its indexes",
                TableWork::MaybeRewrite => {
                    "rewrites the table unless the old type converts without one"
                }
            }
            .into(),
        );
        if self.needs_no_transaction {
            parts.push("cannot run inside a transaction block".into());
        }
        parts.push(format!("{}", self.class));
        parts.join(" · ")
    }
}
