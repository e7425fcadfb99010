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
    /// The statement becomes the first phase (run in this deploy, in a
    /// transaction unless it is `outside`); each phase after it runs once the
    /// one before has committed. The phases of a later deploy come last.
    Phases(Vec<Phase<'s>>),
}

/// One part of a recipe that spans several transactions or deploys (expand,
/// backfill, switch, contract).
#[derive(Debug, Clone)]
pub struct Phase<'s> {
    /// Its statements, each ending in `;`. A transactional phase after the
    /// first starts a transaction of its own, so it sets its own timeouts.
    pub sql: String,
    /// `sql` as written in a migration of its own, when it must say what the
    /// analysis cannot see across files (why a statement is safe there);
    /// `None`: the same text.
    pub alone: Option<String>,
    /// What undoes it, for runners with down migrations.
    pub down: String,
    /// It must run outside any transaction block (a `DO` that commits per
    /// batch).
    pub outside: bool,
    /// It belongs to a later deploy, once no running code needs what it
    /// removes (a contract step): always a migration of its own.
    pub later_deploy: bool,
    /// Names the phase, and the migration it gets: `price` → `price_backfill`.
    pub suffix: &'s str,
}

/// Places `phases`: the first replaces the statement; the rest follow it in
/// the same file where statements commit one by one or the file's own
/// transaction can be committed, else (and always for a later deploy) each in
/// a new migration. A later deploy's phases that get no file (the runner's
/// naming is unknown) are left as a comment to move.
///
/// A first phase that must run outside a transaction block (`CREATE INDEX
/// CONCURRENTLY`) leaves a runner-wrapped file for a migration of its own,
/// and in a file's own transaction runs between its `COMMIT` and a new
/// `BEGIN`.
fn phased(
    m: &Migration<'_>,
    at: &OpAt<'_>,
    title: &str,
    phases: &[Phase<'_>],
    shape: Shape,
) -> Option<Fix> {
    // A down migration rolls back: it has no later deploy.
    if m.runner().is_down {
        return None;
    }
    let (first, rest) = phases.split_first()?;
    if first.later_deploy {
        return None;
    }
    let now = rest.iter().take_while(|p| !p.later_deploy).count();
    let (now, later) = rest.split_at(now);
    if later.iter().any(|p| !p.later_deploy) {
        return None;
    }
    // A one-query runner sends the file as one query, an implicit transaction
    // once it holds several statements: what follows needs files of its own.
    let one_query = matches!(shape, Shape::Autocommit) && m.runner().one_query;
    let moved_out = first.outside && matches!(shape, Shape::Runner);
    let own_files = match shape {
        Shape::Runner if moved_out => phases,
        Shape::Runner => rest,
        _ if one_query => rest,
        _ => later,
    };
    let steps: Vec<NewStep<'_>> = own_files
        .iter()
        .map(|p| NewStep {
            up: p.alone.as_ref().unwrap_or(&p.sql),
            down: &p.down,
            outside: p.outside,
            suffix: p.suffix,
        })
        .collect();
    let created = new_migrations(m, &steps);
    if created.is_none() && own_files.len() > later.len() {
        return None;
    }

    // What follows the file's own COMMIT.
    let mut after_commit = now;
    let mut in_place = match shape {
        Shape::Autocommit if !one_query => std::iter::once(first)
            .chain(now)
            .map(in_file)
            .collect::<Vec<_>>()
            .join("\n"),
        Shape::Runner if moved_out => String::new(),
        Shape::Explicit { .. } if first.outside => {
            // The file's transaction commits before the phases that cannot
            // run in one; the first transactional phase after them opens the
            // transaction the rest of the file runs in, so it still comes
            // before the statements that followed the original.
            let outside = now.iter().take_while(|p| p.outside).count();
            let (outside, tail) = now.split_at(outside);
            let mut parts = vec!["COMMIT;".to_string(), first.sql.clone()];
            parts.extend(outside.iter().map(|p| p.sql.clone()));
            parts.push("BEGIN;".to_string());
            if let Some(reopened) = tail.first() {
                parts.push(reopened.sql.clone());
            }
            after_commit = tail.get(1..).unwrap_or_default();
            parts.join("\n")
        }
        _ => first.sql.clone(),
    };
    let mut edits = Vec::new();
    let mut placed = Vec::new();
    match created {
        Some(created) => {
            for (phase, files) in own_files.iter().zip(created) {
                let when = if phase.later_deploy {
                    " (a later deploy)"
                } else {
                    ""
                };
                placed.push(format!(
                    "{}{when} in `{}`",
                    phase.suffix,
                    created_name(&files)
                ));
                edits.extend(files);
            }
        }
        None => {
            for phase in later {
                in_place.push_str(&format!(
                    "\n-- {}: a later deploy, once no running code needs what it removes. \
                     Move it to a migration of its own:\n{}",
                    phase.suffix,
                    commented(&phase.sql)
                ));
                placed.push(format!("{} (a later deploy) as a comment", phase.suffix));
            }
        }
    }
    if let (Shape::Explicit { commit }, false) = (&shape, after_commit.is_empty()) {
        let after: Vec<String> = after_commit.iter().map(in_file).collect();
        edits.push(Edit::insert(
            commit.clone()?.end,
            format!("\n{}", after.join("\n")),
        ));
    }
    let statement = at.statement.span.clone();
    let replaced = if moved_out {
        Edit::replace(whole_lines(m.source(), statement), "")
    } else {
        minimal_replace(m.source(), statement, &in_place)
    };
    edits.insert(0, replaced);
    let title = if placed.is_empty() {
        title.to_string()
    } else {
        format!("{title}; {}", placed.join(", "))
    };
    Some(Fix {
        title: title.into(),
        applicability: Applicability::Unsafe,
        edits,
    })
}

/// Whether the first of [`Step::Phases`] stays in the current migration, so
/// that the current down migration must undo it: all but a first phase that
/// must run `outside` a transaction block in a file the runner wraps in one.
pub fn keeps_first_phase(m: &Migration<'_>, at: &OpAt<'_>, outside: bool) -> bool {
    !(outside && matches!(Shape::of(m, at), Shape::Runner))
}

/// A phase as the statements of a file that does not wrap it: a transactional
/// phase in a transaction of its own.
fn in_file(phase: &Phase<'_>) -> String {
    if phase.outside {
        phase.sql.clone()
    } else {
        format!("BEGIN;\n{}\nCOMMIT;", phase.sql)
    }
}

/// `sql` as `--` comment lines.
fn commented(sql: &str) -> String {
    sql.lines()
        .map(|line| format!("-- {line}").trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The fix titled `title` (and where the step went), or `None` when the
/// runner cannot run the step as needed.
pub fn split(m: &Migration<'_>, at: &OpAt<'_>, title: &str, step: Step<'_>) -> Option<Fix> {
    // A Python or TypeScript migration places it in its own language.
    if m.host().is_some() {
        m.placed_in_host();
        return super::host::place(m, at, title, step);
    }
    let statement = at.statement.span.clone();
    let shape = Shape::of(m, at);
    let step = match step {
        Step::Phases(phases) => return phased(m, at, title, &phases, shape),
        step => step,
    };
    let (edits, applicability, title) = match (step, shape) {
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
        (Step::Phases(_), _) => return None,
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
pub(super) fn own_transaction(later: &str) -> String {
    if SqlFile::parse(later).statements().len() > 1 {
        format!("BEGIN;\n{later}\nCOMMIT;")
    } else {
        later.to_string()
    }
}

/// The new migration's name as its directory listing shows it: the created
/// file, or diesel's directory (with a `/`).
fn created_name(created: &[Edit]) -> String {
    let name = next_migration::listed_name(created).unwrap_or_default();
    let is_dir = created
        .first()
        .and_then(|e| e.file.as_deref())
        .is_some_and(|p| p.ends_with("up.sql"));
    if is_dir { format!("{name}/") } else { name }
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
    new_migrations(
        m,
        &[NewStep {
            up,
            down,
            outside,
            suffix,
        }],
    )?
    .pop()
}

/// The files of one new migration per step, numbered one after the other.
fn new_migrations(m: &Migration<'_>, steps: &[NewStep<'_>]) -> Option<Vec<Vec<Edit>>> {
    if steps.is_empty() {
        return Some(Vec::new());
    }
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
    next_migration::create_all(runner, location.path, &neighbours, steps)
}
