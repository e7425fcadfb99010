//! Moving a step out of its transaction, or into a later one, the way the
//! migration's runner allows: in place when the statement already runs as
//! needed, with `COMMIT` / `BEGIN` boundaries in a file that manages its own
//! transactions, or as the next migration file when the runner wraps the file
//! in one (see [`next_migration`](super::next_migration)).

use std::ops::Range;

use crate::analysis::migration::{Migration, OpAt, OpKind};
use crate::finding::{Applicability, Edit, Fix};
use crate::syntax::sql::SqlFile;

use super::next_migration::{self, NewStep};
use super::{minimal_replace, whole_lines};

/// What a split does to the flagged statement and what runs after it.
#[derive(Debug, Clone)]
pub enum Step<'s> {
    /// The statement, rewritten as `sql`, must run outside any transaction
    /// block (`CREATE INDEX CONCURRENTLY`). `down` undoes it.
    Outside {
        sql: String,
        down: &'s str,
        suffix: &'s str,
    },
    /// The statement becomes `keep`, and `later` (`VALIDATE CONSTRAINT`) runs
    /// in a transaction after the statement's own has committed.
    Later {
        keep: String,
        later: String,
        /// `later` as written in a migration of its own, when it needs to
        /// say what the analysis cannot see across files (why a statement
        /// is safe there); `None`: the same text.
        later_alone: Option<String>,
        down: &'s str,
        suffix: &'s str,
    },
}

/// The fix titled `title` (and where the step went), or `None` when the
/// runner cannot run the step as needed.
pub fn split(m: &Migration<'_>, at: &OpAt<'_>, title: &str, step: Step<'_>) -> Option<Fix> {
    let statement = at.statement.span.clone();
    let (edits, applicability, title) = match (step, Shape::of(m, at)) {
        // Already outside a transaction block: only the text changes.
        (Step::Outside { sql, .. }, Shape::Autocommit) => (
            vec![minimal_replace(m.source(), statement, &sql)],
            Applicability::Safe,
            title.to_string(),
        ),
        (Step::Outside { sql, .. }, Shape::Explicit { .. }) => (
            vec![Edit::replace(statement, format!("COMMIT;\n{sql}\nBEGIN;"))],
            Applicability::Unsafe,
            format!("{title}, between COMMIT and BEGIN"),
        ),
        (Step::Outside { sql, down, suffix }, Shape::Runner) => {
            let created = new_migration(m, &sql, down, true, suffix)?;
            let name = created_name(&created);
            let mut edits = vec![Edit::replace(whole_lines(m.source(), statement), "")];
            edits.extend(created);
            (
                edits,
                Applicability::Unsafe,
                format!("{title}, moved to the new migration `{name}`"),
            )
        }
        (Step::Later { keep, later, .. }, Shape::Autocommit) => (
            vec![minimal_replace(
                m.source(),
                statement,
                &format!("{keep}\n{}", own_transaction(&later)),
            )],
            Applicability::Unsafe,
            title.to_string(),
        ),
        (Step::Later { keep, later, .. }, Shape::Explicit { commit }) => (
            vec![
                minimal_replace(m.source(), statement, &keep),
                Edit::insert(commit?.end, format!("\nBEGIN;\n{later}\nCOMMIT;")),
            ],
            Applicability::Unsafe,
            format!("{title}, in a transaction after this one"),
        ),
        (
            Step::Later {
                keep,
                later,
                later_alone,
                down,
                suffix,
            },
            Shape::Runner,
        ) => {
            let later = later_alone.unwrap_or(later);
            let created = new_migration(m, &later, down, false, suffix)?;
            let name = created_name(&created);
            let mut edits = vec![minimal_replace(m.source(), statement, &keep)];
            edits.extend(created);
            (
                edits,
                Applicability::Unsafe,
                format!("{title}, in the new migration `{name}`"),
            )
        }
    };
    Some(Fix {
        title: title.into(),
        applicability,
        edits,
    })
}

/// Several statements of a later step share one transaction, as they would
/// in a migration of their own.
fn own_transaction(later: &str) -> String {
    if SqlFile::parse(later).statements().len() > 1 {
        format!("BEGIN;\n{later}\nCOMMIT;")
    } else {
        later.to_string()
    }
}

/// The new migration's name as its directory listing shows it: the created
/// file, or diesel's directory.
fn created_name(created: &[Edit]) -> String {
    let Some(path) = created.first().and_then(|e| e.file.as_deref()) else {
        return String::new();
    };
    let file = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    match path
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
    {
        Some(dir) if file == "up.sql" => format!("{dir}/"),
        _ => file.to_string(),
    }
}

/// How the statement's transaction is opened.
enum Shape {
    /// No transaction block: each statement commits by itself.
    Autocommit,
    /// The file's own `BEGIN`; `commit` is the statement that ends it, if any.
    Explicit { commit: Option<Range<usize>> },
    /// The runner wraps the file (or sends it as one multi-statement query).
    Runner,
}

impl Shape {
    fn of(m: &Migration<'_>, at: &OpAt<'_>) -> Shape {
        if at.context.transaction.is_none() {
            return Shape::Autocommit;
        }
        let statements = m.statements();
        let has = |i: usize, kind: fn(&OpKind) -> bool| {
            statements
                .get(i)
                .is_some_and(|s| s.ops.iter().any(|op| kind(&op.kind)))
        };
        // Without a runner transaction, an open transaction was begun in the file.
        if m.settings().in_transaction == Some(true)
            || !(0..at.index).any(|i| has(i, |k| matches!(k, OpKind::Begin)))
        {
            return Shape::Runner;
        }
        let commit = (at.index + 1..statements.len())
            .find(|&i| has(i, |k| matches!(k, OpKind::Commit | OpKind::Rollback)))
            .map(|i| statements[i].span.clone());
        Shape::Explicit { commit }
    }
}

fn new_migration(
    m: &Migration<'_>,
    up: &str,
    down: &str,
    outside: bool,
    suffix: &str,
) -> Option<Vec<Edit>> {
    let location = m.location()?;
    let runner = m.runner().runner;
    // diesel's and Prisma's migrations are directories; the new one goes
    // beside the current one's directory.
    let file_dir = location.path.parent()?;
    let listed = match runner {
        crate::analysis::runner::Runner::Diesel => file_dir.parent()?,
        _ => file_dir,
    };
    let neighbours = (location.list_dir)(listed);
    next_migration::create(
        runner,
        location.path,
        &neighbours,
        &NewStep {
            up,
            down,
            outside,
            suffix,
        },
    )
}
