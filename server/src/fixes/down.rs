//! The down migration's side of a split: when a step moves to a new
//! migration, the statement of the current down migration that undoes it
//! moves too, or rolling back the current migration would undo something it
//! no longer does.

use std::ops::Range;

use crate::analysis::migration::{Migration, Op, lower_statement};
use crate::analysis::runner::Down;
use crate::finding::Edit;
use crate::syntax::sql::SqlFile;

/// A statement taken out of the down migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    /// Removes it: from the down file, or from this file's down section
    /// (leaving a no-op where it was the only statement).
    pub removal: Edit,
    /// Its text, with its `;`.
    pub text: String,
    /// It was the down migration's only statement.
    pub alone: bool,
}

/// The first statement of the down migration with an operation `undoes`.
pub fn take(m: &Migration<'_>, undoes: impl Fn(&Op) -> bool) -> Option<Taken> {
    match &m.runner().down {
        Down::File(path) => {
            let text = (m.location()?.read_file)(path)?;
            let (range, alone, statement) = find(&text, 0, &undoes)?;
            Some(Taken {
                removal: Edit {
                    file: Some(path.clone()),
                    range,
                    replacement: left(alone).to_string(),
                    create: false,
                },
                alone,
                text: statement,
            })
        }
        Down::Section(section) => {
            let text = m.source().get(section.clone())?;
            let (range, alone, statement) = find(text, section.start, &undoes)?;
            Some(Taken {
                removal: Edit::replace(range, left(alone)),
                alone,
                text: statement,
            })
        }
        // A down function in Python or TypeScript holds no SQL statements.
        Down::NotApplicable | Down::Code(_) => None,
    }
}

/// What is left where a statement was taken: a no-op where it was the only
/// one, as an empty down migration would read as missing
/// (`missing-down-migration`).
fn left(alone: bool) -> &'static str {
    if alone {
        "-- What this migration did moved to the next ones, with its undo: nothing to undo here.\nSELECT 1;\n"
    } else {
        ""
    }
}

/// The whole lines of the first matching statement (offset by `base`),
/// whether it is the only one, and its text.
fn find(
    text: &str,
    base: usize,
    undoes: &impl Fn(&Op) -> bool,
) -> Option<(Range<usize>, bool, String)> {
    let file = SqlFile::parse(text);
    let statements = file.statements();
    let statement = statements
        .iter()
        .find(|s| lower_statement(&s.parsed).iter().any(undoes))?;
    let lines = super::whole_lines(text, statement.span.clone());
    Some((
        base + lines.start..base + lines.end,
        statements.len() == 1,
        text.get(statement.span.clone())?.to_string(),
    ))
}
