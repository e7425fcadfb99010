//! Alembic revisions: `revision = ...` and `def upgrade():`, whose `op.*`
//! calls become the statements Alembic emits on PostgreSQL (the reference's
//! section 2a).
//!
//! Alembic runs the whole `upgrade` run in one transaction (one per revision
//! with `transaction_per_migration=True`, none with `transactional_ddl=False`);
//! `with op.get_context().autocommit_block():` commits it, runs the block
//! outside any transaction and opens a new one after it. Inside
//! `with op.batch_alter_table(t) as batch_op:` the calls on `batch_op` alter
//! `t` (ordinary `ALTER`s on PostgreSQL, unless `recreate="always"` copies
//! the table). `downgrade()` is the down migration.

use std::ops::Range;

use std::sync::Arc;

use rustc_hash::FxHashMap as HashMap;
use tree_sitter::{Node, Query, Tree};

use super::alembic_ops::{Scope, operation};
use super::cache::Generations;
use super::call::{PyCall, py_str};
use super::embedded::LoweredSql;
use super::{Builder, Cache, EnvFacts, Facts, Framework, OrmMigration, Piece, Project, op};
use crate::analysis::migration::{Name, OpKind};
use crate::analysis::runner::{Down, DownProblem, Runner, RunnerFacts};
use crate::syntax::queries::{self, QueryFile};
use crate::text::Language;

/// What Alembic rewrites need: the revision chain and where `upgrade()` is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlembicFacts {
    pub revision: Option<String>,
    pub down_revision: Option<String>,
    /// `def upgrade():`'s body.
    pub upgrade_body: Range<usize>,
    /// Where the first statement of `upgrade()` after its docstring starts:
    /// what a rewrite puts first goes before it.
    pub upgrade_first: usize,
    pub env: EnvFacts,
}

/// The operations Alembic's `op` (and a batch's `batch_op`) offers that run
/// DDL or DML; other attributes (`op.f`, `op.get_bind`) run nothing.
const OPERATIONS: &[&str] = &[
    "create_index",
    "drop_index",
    "add_column",
    "alter_column",
    "create_unique_constraint",
    "create_primary_key",
    "create_foreign_key",
    "create_check_constraint",
    "create_exclude_constraint",
    "drop_constraint",
    "drop_column",
    "drop_table",
    "rename_table",
    "create_table",
    "bulk_insert",
    "execute",
];

/// A `with` block that changes how the operations in it run.
#[derive(Debug)]
struct Block<'t> {
    node: Node<'t>,
    body: Range<usize>,
    kind: BlockKind,
}

#[derive(Debug)]
enum BlockKind {
    Autocommit,
    Batch {
        alias: String,
        table: Name,
        recreate: bool,
    },
}

/// What happens, in execution order.
enum Event<'t, 'b> {
    Call {
        node: Node<'t>,
        receiver: &'t str,
        name: &'t str,
    },
    Start(&'b Block<'t>),
    End(&'b Block<'t>),
}

pub(super) fn lower(
    tree: &Tree,
    source: &str,
    project: &Project<'_>,
    cache: &mut Cache,
) -> Option<OrmMigration> {
    let module = queries::query(QueryFile::Alembic, Language::Python)?;
    let found = queries::matches_at(module, tree.root_node(), source);
    let mut revision = None;
    let mut down_revision = None;
    let mut upgrade = None;
    let mut downgrade = None;
    let mut tables: Vec<(&str, String)> = Vec::new();
    for m in &found {
        if let (Some(name), Some(value)) = (m.text("assign.name", source), m.get("assign.value")) {
            let value = py_str(value, source);
            match name {
                "revision" => revision = Some(value),
                _ => down_revision = value,
            }
        }
        match (m.text("function.name", source), m.get("function")) {
            (Some("upgrade"), Some(f)) => upgrade = Some(f),
            (Some("downgrade"), Some(f)) => downgrade = Some(f),
            _ => {}
        }
        if let (Some(name), Some(table)) = (m.text("table.name", source), m.get("table.value"))
            && let Some(table) = py_str(table, source)
        {
            tables.push((name, table));
        }
    }
    let revision = revision?;
    let upgrade = upgrade?;
    let body = upgrade.child_by_field_name("body")?;
    let upgrade_body = body.byte_range();
    let upgrade_first = first_statement(body);
    // Each statement of `upgrade()` is lowered on its own (a block holds
    // the calls it changes), so an edit re-lowers only the statement it
    // touched; the module's tables are what else a lowering reads.
    tables.sort();
    cache.lowering_context(format!("{tables:?}"));
    let tables: HashMap<&str, String> = tables.into_iter().collect();
    let ops = queries::query(QueryFile::AlembicOps, Language::Python)?;
    let mut pieces = Vec::with_capacity(body.named_child_count());
    let mut cursor = body.walk();
    for statement in body.named_children(&mut cursor) {
        let range = statement.byte_range();
        let piece = match cache.unedited(&range) {
            Some(piece) => piece,
            None => {
                let text = source.get(range.clone()).unwrap_or("");
                let sql = &mut cache.sql;
                cache.pieces.get_or_make(text, || {
                    Arc::new(lower_statement(statement, ops, source, &tables, sql))
                })
            }
        };
        pieces.push((range, piece));
    }

    let env = project.alembic_env.cloned().unwrap_or_default();
    let mut builder = Builder::new(cache, &found);
    for (name, value) in [
        ("lock_timeout", &env.lock_timeout),
        ("statement_timeout", &env.statement_timeout),
    ] {
        // `env.py` sets it for the session before any revision runs.
        if let Some(value) = value {
            let set = OpKind::Set {
                name: name.into(),
                value: Some(value.clone()),
                local: false,
            };
            builder.push(0..0, None, vec![op(None, set)]);
        }
    }
    for (range, piece) in &pieces {
        builder.append(piece, range.start);
    }
    let (down, down_missing) = down_function(upgrade, downgrade, source);
    let runner = RunnerFacts {
        down,
        down_missing,
        ..RunnerFacts::whole(
            Runner::Alembic,
            Some(env.transactional_ddl != Some(false)),
            source,
        )
    };
    let facts = Facts::Alembic(AlembicFacts {
        revision,
        down_revision,
        upgrade_body,
        upgrade_first,
        env,
    });
    let migration = builder.finish(Framework::Alembic, runner, facts);
    cache.remember(pieces);
    Some(migration)
}

/// The statements one statement of `upgrade()` runs, positions relative
/// to its start.
fn lower_statement(
    statement: Node<'_>,
    query: &'static Query,
    source: &str,
    tables: &HashMap<&str, String>,
    sql: &mut Generations<Arc<LoweredSql>>,
) -> Piece {
    let found = queries::matches(query, statement, source);
    let mut calls = Vec::new();
    let mut blocks = Vec::new();
    for m in &found {
        if let (Some(call), Some(receiver), Some(name)) = (
            m.get("call"),
            m.text("call.receiver", source),
            m.text("call.name", source),
        ) {
            calls.push((call, receiver, name));
        }
        if let (Some(node), Some(value), Some(body)) =
            (m.get("block"), m.get("block.value"), m.get("block.body"))
            && let Some(kind) = block_kind(value, source)
        {
            blocks.push(Block {
                node,
                body: body.byte_range(),
                kind,
            });
        }
    }
    // Calls and the blocks around them, in the order they run.
    let mut events = Vec::new();
    for (node, receiver, name) in calls {
        events.push((
            node.start_byte(),
            1,
            0,
            Event::Call {
                node,
                receiver,
                name,
            },
        ));
    }
    for block in &blocks {
        let start = block.node.start_byte();
        events.push((start, 0, 0, Event::Start(block)));
        // Blocks ending together close innermost first.
        events.push((
            block.node.end_byte(),
            2,
            usize::MAX - start,
            Event::End(block),
        ));
    }
    events.sort_by_key(|(at, order, inner, _)| (*at, *order, *inner));

    let mut builder = Builder::over(sql, &found).holding(statement.byte_range());
    // The blocks open at each event, with the unit each opened.
    let mut open: Vec<(&Block<'_>, Option<usize>)> = Vec::new();
    for (_, _, _, event) in &events {
        match event {
            Event::Call {
                node,
                receiver,
                name,
            } => {
                let batch = open.iter().rev().find_map(|(b, _)| match &b.kind {
                    BlockKind::Batch {
                        alias,
                        table,
                        recreate,
                    } if alias == receiver => Some((table, *recreate)),
                    _ => None,
                });
                let is_op = (*receiver == "op" || batch.is_some()) && OPERATIONS.contains(name);
                let runs_sql = *receiver != "op" && matches!(*name, "execute" | "exec_driver_sql");
                // The calls of a recreated table's block change the copy, not the table.
                let recreated = batch.is_some_and(|(_, recreate)| recreate);
                if !(is_op || runs_sql) || recreated {
                    continue;
                }
                let outside = open
                    .iter()
                    .any(|(b, _)| matches!(b.kind, BlockKind::Autocommit));
                let unit = builder.unit(*node, name, outside);
                let Some(call) = PyCall::new(*node, source) else {
                    continue;
                };
                let scope = Scope {
                    source,
                    batch: batch.map(|(table, _)| table),
                    tables,
                };
                operation(&mut builder, unit, &call, name, &scope);
            }
            Event::Start(block) => {
                let unit = match &block.kind {
                    BlockKind::Autocommit => {
                        let unit = builder.unit(block.node, "autocommit_block", false);
                        let commit = OpKind::RunnerTransaction { open: false };
                        builder.statement(unit, vec![op(None, commit)]);
                        Some(unit)
                    }
                    BlockKind::Batch {
                        table,
                        recreate: true,
                        ..
                    } => {
                        recreate(&mut builder, block, table, source);
                        None
                    }
                    BlockKind::Batch { .. } => None,
                };
                open.push((block, unit));
            }
            Event::End(block) => {
                let Some((_, unit)) = open.pop() else {
                    continue;
                };
                if matches!(block.kind, BlockKind::Autocommit) {
                    let end = block.node.end_byte();
                    let begin = OpKind::RunnerTransaction { open: true };
                    builder.push(end..end, unit, vec![op(None, begin)]);
                }
            }
        }
    }
    builder.into_piece(statement.start_byte())
}

/// `with op.batch_alter_table(t, recreate="always")`: Alembic's "move and
/// copy" (a new table, the rows copied, the old one dropped and the copy
/// renamed) as the rewrite and the drop it amounts to, at the block's header.
fn recreate(builder: &mut Builder<'_>, block: &Block<'_>, table: &Name, source: &str) {
    let header = block.node.start_byte()..block.body.start;
    let unit = builder.unit(block.node, "batch_alter_table", false);
    if let Some(u) = builder.units.last_mut() {
        u.span = header.start..trim_header(source, header);
    }
    let copy = OpKind::MoveTable {
        what: "batch_alter_table(recreate=\"always\")".into(),
    };
    let drop = OpKind::DropTable { if_exists: false };
    builder.statement(
        unit,
        vec![op(Some(table.clone()), copy), op(Some(table.clone()), drop)],
    );
}

/// `with op.batch_alter_table("t") as batch_op` → up to the colon.
fn trim_header(source: &str, header: Range<usize>) -> usize {
    let text = source.get(header.clone()).unwrap_or("");
    let trimmed = text.trim_end();
    let trimmed = trimmed.strip_suffix(':').unwrap_or(trimmed).trim_end();
    header.start + trimmed.len()
}

fn block_kind(value: Node<'_>, source: &str) -> Option<BlockKind> {
    let (expression, alias) = match value.kind() {
        "as_pattern" => (
            value.named_child(0)?,
            value
                .child_by_field_name("alias")
                .and_then(|a| source.get(a.byte_range()))
                .map(str::to_string),
        ),
        _ => (value, None),
    };
    let call = PyCall::new(expression, source)?;
    match call.last_name(source) {
        "autocommit_block" => Some(BlockKind::Autocommit),
        "batch_alter_table" => {
            let table = py_str(call.arg(0, "table_name")?, source)?;
            let schema = call.keyword("schema").and_then(|n| py_str(n, source));
            let recreate = call.keyword("recreate").and_then(|n| py_str(n, source));
            Some(BlockKind::Batch {
                alias: alias?,
                table: Name::new(schema, table),
                recreate: recreate.as_deref() == Some("always"),
            })
        }
        _ => None,
    }
}

/// The down migration: `downgrade()` missing, or doing nothing. One that
/// raises is an explicit "irreversible", and does something.
fn down_function(
    upgrade: Node<'_>,
    downgrade: Option<Node<'_>>,
    source: &str,
) -> (Down, Option<DownProblem>) {
    let header = |f: Node<'_>| {
        let end = f
            .child_by_field_name("return_type")
            .or_else(|| f.child_by_field_name("parameters"))
            .map_or(f.end_byte(), |n| n.end_byte());
        f.start_byte()..end
    };
    let Some(downgrade) = downgrade else {
        return (
            Down::Code(header(upgrade)),
            Some(DownProblem::MissingFunction("downgrade()")),
        );
    };
    let problem = downgrade
        .child_by_field_name("body")
        .is_some_and(|body| does_nothing(body, source))
        .then_some(DownProblem::EmptyFunction("downgrade()"));
    (Down::Code(header(downgrade)), problem)
}

/// The start of a body's first statement that is not its docstring.
fn first_statement(body: Node<'_>) -> usize {
    let mut cursor = body.walk();
    let mut statements = body
        .named_children(&mut cursor)
        .filter(|s| s.kind() != "comment");
    let docstring = |s: &Node<'_>| {
        s.kind() == "expression_statement" && s.named_child(0).is_some_and(|e| e.kind() == "string")
    };
    match statements.next() {
        Some(first) if docstring(&first) => statements
            .next()
            .map_or(first.end_byte(), |second| second.start_byte()),
        Some(first) => first.start_byte(),
        None => body.start_byte(),
    }
}

/// A body of `pass`, `...` and docstrings.
pub(super) fn does_nothing(body: Node<'_>, source: &str) -> bool {
    let mut cursor = body.walk();
    body.named_children(&mut cursor)
        .all(|statement| match statement.kind() {
            "pass_statement" | "comment" => true,
            "expression_statement" => statement
                .named_child(0)
                .is_some_and(|e| e.kind() == "string" || source.get(e.byte_range()) == Some("...")),
            _ => false,
        })
}
