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
}

/// The first statement of the down migration with an operation `undoes`.
pub fn take(m: &Migration<'_>, undoes: impl Fn(&Op) -> bool) -> Option<Taken> {
    match &m.runner().down {
        Down::File(path) => {
            let text = (m.location()?.read_file)(path)?;
            let (range, left, statement) = find(&text, 0, &undoes)?;
            Some(Taken {
                removal: Edit {
                    file: Some(path.clone()),
                    range,
                    replacement: left.to_string(),
                    create: false,
                },
                text: statement,
            })
        }
        Down::Section(section) => {
            let text = m.source().get(section.clone())?;
            let (range, left, statement) = find(text, section.start, &undoes)?;
            Some(Taken {
                removal: Edit::replace(range, left),
                text: statement,
            })
        }
        Down::NotApplicable => None,
    }
}

/// What is left of a down migration whose only statement was taken: an
/// empty one would read as missing (`missing-down-migration`).
const NOTHING_LEFT: &str = "-- What this migration did moved to the next ones, with its undo: nothing to undo here.\nSELECT 1;\n";

/// The whole lines of the first matching statement (offset by `base`), what
/// replaces them, and its text.
fn find(
    text: &str,
    base: usize,
    undoes: &impl Fn(&Op) -> bool,
) -> Option<(Range<usize>, &'static str, String)> {
    let file = SqlFile::parse(text);
    let statements = file.statements();
    let statement = statements
        .iter()
        .find(|s| lower_statement(&s.parsed).iter().any(undoes))?;
    let lines = super::whole_lines(text, statement.span.clone());
    let left = if statements.len() == 1 {
        NOTHING_LEFT
    } else {
        ""
    };
    Some((
        base + lines.start..base + lines.end,
        left,
        text.get(statement.span.clone())?.to_string(),
    ))
}
