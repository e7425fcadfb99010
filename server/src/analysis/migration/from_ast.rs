//! Lowers a statement sqlparser parsed into operations. Statement kinds whose
//! only interesting fact is their lock or their keywords go to the token path.

use sqlparser::ast::{
    AlterColumnOperation, AlterIndexOperation, AlterTableOperation, BinaryOperator, ColumnOption,
    Expr, ObjectName, ObjectNamePart, ObjectType, Statement, TableConstraint,
};

use super::cursor::{Cursor, statement_span};
use super::from_tokens::{self, alter_table_header, is_serial};
use super::ops::{AddColumn, ConstraintKind, Name, Op, OpKind};

pub fn lower(ast: &Statement, c: Cursor<'_>, text: &str) -> Vec<Op> {
    let op = |table: Option<Name>, kind: OpKind| Op::on_statement(text, table, kind, true);
    match ast {
        Statement::AlterTable(alter) => alter_table(&alter.operations, c, text),
        Statement::CreateTable(create) => {
            // Columns as written come from the tokens, as on the token path.
            let mut rest = c.clone();
            rest.eat(&["CREATE"]);
            let after_name = rest.after_top_level(&["TABLE"]).map(|mut t| {
                t.eat(&["TABLE"]);
                t.eat(&["IF", "NOT", "EXISTS"]);
                t.name();
                t
            });
            let kind = match after_name {
                Some(t) => from_tokens::create_table(t, create.if_not_exists),
                None => OpKind::CreateTable {
                    if_not_exists: create.if_not_exists,
                    columns: Vec::new(),
                    partitioned: create.partition_by.is_some(),
                    references: Vec::new(),
                    constraints: Vec::new(),
                },
            };
            vec![op(Some(name(&create.name)), kind)]
        }
        Statement::CreateIndex(index) => vec![op(
            Some(name(&index.table_name)),
            OpKind::CreateIndex {
                name: index.name.as_ref().map(|n| name(n).name),
                unique: index.unique,
                concurrently: index.concurrently,
                if_not_exists: index.if_not_exists,
                on_only: c.contains(&["ON", "ONLY"]),
            },
        )],
        Statement::AlterIndex {
            name: index,
            operation: AlterIndexOperation::RenameIndex { index_name },
        } => vec![op(
            Some(name(index)),
            OpKind::RenameIndex {
                to: name(index_name).name,
            },
        )],
        Statement::Drop {
            object_type: ObjectType::Table,
            names,
            if_exists,
            ..
        } => names
            .iter()
            .map(|n| {
                let if_exists = *if_exists;
                op(Some(name(n)), OpKind::DropTable { if_exists })
            })
            .collect(),
        Statement::Drop {
            object_type: ObjectType::Index,
            names,
            if_exists,
            ..
        } => vec![op(
            None,
            OpKind::DropIndex {
                names: names.iter().map(name).collect(),
                if_exists: *if_exists,
                // sqlparser rejects `DROP INDEX CONCURRENTLY` today; should it
                // learn it, the keyword is still read.
                concurrently: c.clone().eat(&["DROP", "INDEX", "CONCURRENTLY"]),
            },
        )],
        _ => from_tokens::lower(c, text),
    }
}

fn alter_table(operations: &[AlterTableOperation], mut c: Cursor<'_>, text: &str) -> Vec<Op> {
    c.eat(&["ALTER", "TABLE"]);
    let table = alter_table_header(&mut c);
    let spans = c.clone().comma_separated_spans();
    // sqlparser and our tokens should agree on the actions; if they do not, the
    // whole statement is underlined rather than a wrong action.
    let span_of = |i: usize| {
        if spans.len() == operations.len() {
            spans[i].clone()
        } else {
            statement_span(text)
        }
    };
    operations
        .iter()
        .enumerate()
        .map(|(i, operation)| {
            let span = span_of(i);
            Op {
                kind: alter_action(operation, c.within(span.clone())),
                span,
                table: table.clone(),
                parsed: true,
                columns: Vec::new(),
            }
        })
        .collect()
}

fn alter_action(operation: &AlterTableOperation, tokens: Cursor<'_>) -> OpKind {
    // sqlparser normalises types and expressions (`int` becomes `INT`); the
    // model keeps them as written, which the tokens still have.
    let written = || from_tokens::alter_action(tokens.clone());
    match operation {
        AlterTableOperation::AddColumn {
            column_def,
            if_not_exists,
            ..
        } => {
            let options = || column_def.options.iter().map(|o| &o.option);
            let mut column = AddColumn {
                if_not_exists: *if_not_exists,
                column: ident(&column_def.name),
                data_type: column_def.data_type.to_string(),
                not_null: options()
                    .any(|o| matches!(o, ColumnOption::NotNull | ColumnOption::PrimaryKey(_))),
                default: options().find_map(|o| match o {
                    ColumnOption::Default(expr) => Some(expr.to_string()),
                    _ => None,
                }),
                auto_filled: options().any(|o| matches!(o, ColumnOption::Generated { .. })),
                auto_increment: false,
                stored_generated: false,
                inline_constraint: None,
                key: options().any(|o| {
                    matches!(o, ColumnOption::PrimaryKey(_) | ColumnOption::ForeignKey(_))
                }),
            };
            // Keyword facts (identity, STORED, inline constraints) come from the
            // tokens, as on the token path, so both paths agree.
            if let OpKind::AddColumn(as_written) = written() {
                if !as_written.data_type.is_empty() {
                    column.data_type = as_written.data_type;
                }
                if column.default.is_some() && as_written.default.is_some() {
                    column.default = as_written.default;
                }
                column.auto_increment = as_written.auto_increment;
                column.stored_generated = as_written.stored_generated;
                column.inline_constraint = as_written.inline_constraint;
            }
            column.auto_filled |= is_serial(&column.data_type) || column.auto_increment;
            OpKind::AddColumn(column)
        }
        AlterTableOperation::AlterColumn { column_name, op } => match op {
            AlterColumnOperation::SetNotNull => OpKind::SetNotNull {
                column: ident(column_name),
            },
            AlterColumnOperation::SetDataType { data_type, .. } => OpKind::ChangeColumnType {
                column: ident(column_name),
                data_type: match written() {
                    OpKind::ChangeColumnType { data_type, .. } if !data_type.is_empty() => {
                        data_type
                    }
                    _ => data_type.to_string(),
                },
            },
            // Named by what follows the column (`SET DEFAULT`, `DROP NOT`), as
            // on the token path.
            _ => written(),
        },
        AlterTableOperation::AddConstraint {
            constraint,
            not_valid,
        } => add_constraint(constraint, *not_valid),
        AlterTableOperation::ValidateConstraint { name } => {
            OpKind::ValidateConstraint { name: ident(name) }
        }
        AlterTableOperation::RenameConstraint { new_name, .. } => OpKind::RenameConstraint {
            to: ident(new_name),
        },
        AlterTableOperation::RenameColumn {
            old_column_name,
            new_column_name,
        } => OpKind::RenameColumn {
            from: ident(old_column_name),
            to: ident(new_column_name),
        },
        AlterTableOperation::DropColumn {
            column_names,
            if_exists,
            ..
        } if column_names.len() == 1 => OpKind::DropColumn {
            column: ident(&column_names[0]),
            if_exists: *if_exists,
        },
        // Everything else is classified from its keywords, as on the token path.
        _ => written(),
    }
}

fn add_constraint(constraint: &TableConstraint, not_valid: bool) -> OpKind {
    let (constraint_name, kind) = match constraint {
        TableConstraint::Check(check) => (
            check.name.as_ref(),
            ConstraintKind::Check {
                not_null_columns: proven_not_null(&check.expr),
            },
        ),
        TableConstraint::ForeignKey(fk) => (
            fk.name.as_ref(),
            ConstraintKind::ForeignKey {
                references: name(&fk.foreign_table),
            },
        ),
        TableConstraint::Unique(unique) => (
            unique.name.as_ref(),
            ConstraintKind::Unique { using_index: false },
        ),
        TableConstraint::UniqueUsingIndex(unique) => (
            unique.name.as_ref(),
            ConstraintKind::Unique { using_index: true },
        ),
        TableConstraint::PrimaryKey(pk) => (
            pk.name.as_ref(),
            ConstraintKind::PrimaryKey { using_index: None },
        ),
        TableConstraint::PrimaryKeyUsingIndex(pk) => (
            pk.name.as_ref(),
            ConstraintKind::PrimaryKey {
                using_index: Some(ident(&pk.index_name)),
            },
        ),
        TableConstraint::Exclude(exclude) => (exclude.name.as_ref(), ConstraintKind::Exclusion),
        // MySQL's index constraints; PostgreSQL builds an index either way.
        TableConstraint::Index(_) | TableConstraint::FulltextOrSpatial(_) => {
            (None, ConstraintKind::Exclusion)
        }
    };
    OpKind::AddConstraint {
        name: constraint_name.map(ident),
        kind,
        not_valid,
    }
}

/// The columns a boolean expression proves non-null: it is `col IS NOT NULL`,
/// or a conjunction with such terms; a disjunction proves nothing.
fn proven_not_null(expr: &Expr) -> Vec<String> {
    let mut columns = Vec::new();
    // A long `AND` chain is a deep tree: walk it without recursion, leftmost
    // term first.
    let mut terms = vec![expr];
    while let Some(term) = terms.pop() {
        match term {
            Expr::Nested(inner) => terms.push(inner),
            Expr::BinaryOp {
                left,
                op: BinaryOperator::And,
                right,
            } => terms.extend([right.as_ref(), left.as_ref()]),
            Expr::IsNotNull(inner) => columns.extend(column_of(inner)),
            _ => {}
        }
    }
    columns
}

fn column_of(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Identifier(id) => Some(ident(id)),
        _ => None,
    }
}

fn ident(id: &sqlparser::ast::Ident) -> String {
    match id.quote_style {
        Some(_) => id.value.clone(),
        // PostgreSQL folds only ASCII letters in a multi-byte encoding.
        None => id.value.to_ascii_lowercase(),
    }
}

fn name(object: &ObjectName) -> Name {
    let parts: Vec<String> = object
        .0
        .iter()
        .map(|part| match part {
            ObjectNamePart::Identifier(id) => ident(id),
            other => other.to_string(),
        })
        .collect();
    match parts.as_slice() {
        [.., schema, table] => Name::new(Some(schema.clone()), table.clone()),
        [table] => Name::new(None, table.clone()),
        [] => Name::new(None, String::new()),
    }
}
