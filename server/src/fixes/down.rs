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
    /// Removes it: from the down file, or from this file's down section.
    pub removal: Edit,
    /// Its text, with its `;`.
    pub text: String,
}

/// The first statement of the down migration with an operation `undoes`.
pub fn take(m: &Migration<'_>, undoes: impl Fn(&Op) -> bool) -> Option<Taken> {
    match &m.runner().down {
        Down::File(path) => {
            let text = (m.location()?.read_file)(path)?;
            let (range, statement) = find(&text, 0, &undoes)?;
            Some(Taken {
                removal: Edit {
                    file: Some(path.clone()),
                    range,
                    replacement: String::new(),
                    create: false,
                },
                text: statement,
            })
        }
        Down::Section(section) => {
            let text = m.source().get(section.clone())?;
            let (range, statement) = find(text, section.start, &undoes)?;
            Some(Taken {
                removal: Edit::replace(range, ""),
                text: statement,
            })
        }
        // A down function in Python or TypeScript holds no SQL statements.
        Down::NotApplicable | Down::Code(_) => None,
    }
}

/// The whole lines of the first matching statement (offset by `base`), and
/// its text.
fn find(text: &str, base: usize, undoes: &impl Fn(&Op) -> bool) -> Option<(Range<usize>, String)> {
    let file = SqlFile::parse(text);
    let statement = file
        .statements()
        .iter()
        .find(|s| lower_statement(&s.parsed).iter().any(undoes))?;
    let lines = super::whole_lines(text, statement.span.clone());
    Some((
        base + lines.start..base + lines.end,
        text.get(statement.span.clone())?.to_string(),
    ))
}
