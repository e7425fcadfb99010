//! Rewrite builders shared by rules. A builder turns a finding's source text
//! into a [`Fix`](crate::finding::Fix); it returns `None` when the text is not
//! in the shape it rewrites, so a rule never offers a wrong edit.

pub mod alembic;
pub mod apply;
pub mod backfill;
pub mod code;
pub mod column;
pub mod constraint;
pub mod django;
pub mod down;
pub mod env;
pub mod expand_contract;
pub mod host;
pub mod index;
pub mod next_migration;
pub mod not_null;
pub mod preamble;
pub mod rename_table;
pub mod script;
pub mod sql;
pub mod transaction;
pub mod unique;
pub mod yaml;

use std::ops::Range;

use crate::finding::Edit;

/// Replacing `range` of `source` with `new`, as the smallest edit: the
/// common beginning and end are left alone, so an editor keeps the cursor and
/// a diff shows only what changed.
pub fn minimal_replace(source: &str, range: Range<usize>, new: &str) -> Edit {
    let Some(old) = source.get(range.clone()) else {
        return Edit::replace(range, new);
    };
    let prefix = common_len(old.char_indices(), new.char_indices());
    let suffix = common_len(
        old[prefix..]
            .char_indices()
            .rev()
            .map(|(i, c)| (old.len() - i, c)),
        new[prefix..]
            .char_indices()
            .rev()
            .map(|(i, c)| (new.len() - i, c)),
    );
    Edit::replace(
        range.start + prefix..range.end - suffix,
        &new[prefix..new.len() - suffix],
    )
}

/// `range` widened to the whole lines it is on, with the line break after it,
/// when nothing else shares those lines.
pub fn whole_lines(text: &str, range: Range<usize>) -> Range<usize> {
    let before = &text[..range.start];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let after = &text[range.end..];
    let line_end = after.find('\n').map_or(text.len(), |i| range.end + i + 1);
    let alone =
        before[line_start..].trim().is_empty() && text[range.end..line_end].trim().is_empty();
    if alone { line_start..line_end } else { range }
}

/// The byte length of the common run of two character sequences, where each
/// item is (byte offset at which it ends or starts, char).
fn common_len(
    a: impl Iterator<Item = (usize, char)>,
    b: impl Iterator<Item = (usize, char)>,
) -> usize {
    let mut len = 0;
    for ((_, x), (_, y)) in a.zip(b) {
        if x != y {
            break;
        }
        len += x.len_utf8();
    }
    len
}

/// The builders' tests: a migration checked as the engine checks it, and its
/// first fix for one rule, applied.
#[cfg(test)]
pub(crate) mod testing {
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicUsize, Ordering};

    use crate::config::Config;
    use crate::engine::Analysis;
    use crate::finding::{Applicability, Fix};
    use crate::text::{Document, Language};

    /// What a fix does to a migration.
    #[derive(Debug)]
    pub struct Fixed {
        pub title: String,
        pub applicability: Applicability,
        /// The migration's new text.
        pub text: String,
        /// The files it creates, by path.
        pub created: Vec<(PathBuf, String)>,
        /// The other existing files it edits, by path, with their new text.
        pub edited: Vec<(PathBuf, String)>,
    }

    impl Fixed {
        pub fn created(&self, path: &str) -> &str {
            find(&self.created, path)
        }

        pub fn edited(&self, path: &str) -> &str {
            find(&self.edited, path)
        }
    }

    fn find<'f>(files: &'f [(PathBuf, String)], path: &str) -> &'f str {
        files
            .iter()
            .find(|(p, _)| p == Path::new(path))
            .map(|(_, text)| text.as_str())
            .unwrap_or_else(|| panic!("{path} not among {files:?}"))
    }

    /// The fix of the first `rule` finding of `text` at `path` (which need
    /// not exist: its directory lists empty), or `None` when it has none.
    pub fn fix(path: &str, text: &str, rule: &str) -> Option<Fixed> {
        fix_among(Path::new(""), path, text, rule)
    }

    /// `fix`, with `others` (the down migration, say) written beside the
    /// migration in a directory of its own, which the paths are relative to.
    pub fn fix_with(path: &str, text: &str, others: &[(&str, &str)], rule: &str) -> Option<Fixed> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let root = std::env::temp_dir().join(format!(
            "preflight-fix-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        for (other, other_text) in others {
            let other = root.join(other);
            std::fs::create_dir_all(other.parent().expect("a directory")).expect("create it");
            std::fs::write(other, other_text).expect("write it");
        }
        let fixed = fix_among(&root, path, text, rule);
        let _ = std::fs::remove_dir_all(&root);
        fixed
    }

    fn fix_among(root: &Path, path: &str, text: &str, rule: &str) -> Option<Fixed> {
        let path = root.join(path);
        let document = Document::new(text, 0, Language::from_path(&path));
        let findings = Analysis::new(Some(path), document).findings(&Config::default());
        let finding = findings.iter().find(|f| f.rule == rule)?;
        let Fix {
            title,
            applicability,
            edits,
        } = finding.fixes.first()?.clone();
        let mut own: Vec<_> = edits.iter().filter(|e| e.file.is_none()).collect();
        own.sort_by_key(|e| e.range.start);
        let relative = |p: &Path| p.strip_prefix(root).unwrap_or(p).to_path_buf();
        let created = edits
            .iter()
            .filter(|e| e.create)
            .filter_map(|e| Some((relative(e.file.as_deref()?), e.replacement.clone())))
            .collect();
        let mut edited: Vec<(PathBuf, String)> = Vec::new();
        for file in edits
            .iter()
            .filter(|e| !e.create)
            .filter_map(|e| e.file.as_deref())
        {
            if edited.iter().any(|(p, _)| *p == relative(file)) {
                continue;
            }
            let mut its: Vec<_> = edits
                .iter()
                .filter(|e| e.file.as_deref() == Some(file))
                .collect();
            its.sort_by_key(|e| e.range.start);
            let before = std::fs::read_to_string(file).expect("the edited file exists");
            edited.push((relative(file), super::apply::apply_edits(&before, its)));
        }
        Some(Fixed {
            title: title.into_owned(),
            applicability,
            text: super::apply::apply_edits(text, own),
            created,
            edited,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{minimal_replace, whole_lines};

    #[test]
    fn whole_lines_only_when_alone() {
        let text = "A;\n  B;\r\nC; D;\n";
        let b = text.find('B').unwrap();
        assert_eq!(&text[whole_lines(text, b..b + 2)], "  B;\r\n");
        let d = text.find('D').unwrap();
        assert_eq!(whole_lines(text, d..d + 2), d..d + 2);
    }

    #[test]
    fn minimal_replace_keeps_common_ends() {
        let source = "x; CREATE INDEX i ON t (é);";
        let start = source.find("CREATE").unwrap();
        let edit = minimal_replace(
            source,
            start..source.len(),
            "CREATE INDEX CONCURRENTLY i ON t (é);",
        );
        assert_eq!(edit.range, start + 13..start + 13);
        assert_eq!(edit.replacement, "CONCURRENTLY ");
        let whole = minimal_replace("abc", 0..3, "xyz");
        assert_eq!((whole.range, whole.replacement.as_str()), (0..3, "xyz"));
        let same = minimal_replace("aéa", 0..4, "aéa");
        assert_eq!(same.range, 4..4);
        assert_eq!(same.replacement, "");
    }
}
