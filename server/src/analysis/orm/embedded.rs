//! SQL passed as a literal: split and lowered by the SQL front end, then
//! placed in the host file through the literal's map, so a finding points at
//! the characters that wrote the SQL.

use std::ops::Range;
use std::sync::Arc;

use super::cache::Generations;
use crate::analysis::migration::{MigrationStatement, Op, lower_statement};
use crate::syntax::literal::Literal;
use crate::syntax::sql::SqlFile;

/// One statement of a literal's SQL: its span in the value and its
/// operations, spans relative to that statement.
#[derive(Debug)]
struct Lowered {
    span: Range<usize>,
    ops: Vec<Op>,
}

/// A literal's SQL: its statements, and its comments (spans in the value),
/// where suppressions may be written.
#[derive(Debug)]
pub(super) struct LoweredSql {
    statements: Vec<Lowered>,
    comments: Vec<Range<usize>>,
}

fn parse(sql: &str) -> LoweredSql {
    let file = SqlFile::parse(sql);
    LoweredSql {
        statements: file
            .statements()
            .iter()
            .map(|statement| Lowered {
                span: statement.span.clone(),
                ops: lower_statement(&statement.parsed),
            })
            .collect(),
        comments: file.comments().to_vec(),
    }
}

/// The statements of `literal`'s SQL, with spans in the host file, and the
/// host ranges of its comments written verbatim.
pub(super) fn lower(
    literal: &Literal,
    cache: &mut Generations<Arc<LoweredSql>>,
) -> (Vec<MigrationStatement>, Vec<Range<usize>>) {
    let lowered = cache.get_or_make(&literal.value, || Arc::new(parse(&literal.value)));
    let comments = lowered
        .comments
        .iter()
        .filter(|c| literal.is_verbatim((*c).clone()))
        .map(|c| literal.source_range(c.clone()))
        .collect();
    let statements = lowered
        .statements
        .iter()
        .map(|lowered| {
            let span = literal.source_range(lowered.span.clone());
            let ops: Vec<Op> = lowered
                .ops
                .iter()
                .map(|op| {
                    let start = lowered.span.start;
                    let host = literal.source_range(start + op.span.start..start + op.span.end);
                    Op {
                        span: host.start.saturating_sub(span.start)
                            ..host.end.saturating_sub(span.start),
                        ..op.clone()
                    }
                })
                .collect();
            MigrationStatement {
                span,
                ops: ops.into(),
            }
        })
        .collect();
    (statements, comments)
}
