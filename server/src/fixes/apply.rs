//! Applying several fixes to one document at once: the CLI's `--fix` and the
//! editor's "fix all". Fixes are chosen in finding order; a fix whose edits
//! overlap one already chosen waits for the next round (after a re-check), so
//! two fixes never rewrite the same characters.

use std::ops::Range;
use std::path::PathBuf;

use crate::finding::{Applicability, Edit, Finding, Fix};

/// Which fixes may be applied without a person looking at each one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowed {
    SafeOnly,
    /// `--unsafe-fixes`: every fix.
    All,
}

impl Allowed {
    fn admits(self, fix: &Fix) -> bool {
        self == Allowed::All || fix.applicability == Applicability::Safe
    }
}

/// A file another file's fix creates or changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherFile {
    pub path: PathBuf,
    pub create: bool,
    pub edits: Vec<Edit>,
}

/// The fixes chosen for one round.
#[derive(Debug, Default)]
pub struct Plan<'f> {
    pub fixes: Vec<&'f Fix>,
    /// Edits to the document itself, sorted, never overlapping.
    pub edits: Vec<&'f Edit>,
    pub others: Vec<OtherFile>,
}

impl<'f> Plan<'f> {
    /// Chooses the admitted fixes of `findings` whose edits overlap nothing
    /// chosen before them.
    pub fn choose(findings: &'f [Finding], allowed: Allowed) -> Self {
        let mut plan = Plan::default();
        let mut taken: Vec<Range<usize>> = Vec::new();
        for fix in findings
            .iter()
            .flat_map(|f| f.fixes.first())
            .filter(|fix| allowed.admits(fix))
        {
            let own: Vec<&Edit> = fix.edits.iter().filter(|e| e.file.is_none()).collect();
            if own
                .iter()
                .any(|e| taken.iter().any(|t| overlaps(t, &e.range)))
            {
                continue;
            }
            // Two splits naming the same next migration would write one file
            // twice; the second waits for a round that sees the first.
            if fix
                .edits
                .iter()
                .any(|e| e.create && creates(&plan.others, e.file.as_deref()))
            {
                continue;
            }
            // Identical edits from two findings (the same preamble twice) are
            // one edit.
            if !own.is_empty() && own.iter().all(|e| plan.edits.contains(e)) {
                continue;
            }
            taken.extend(own.iter().map(|e| e.range.clone()));
            plan.edits.extend(own);
            for edit in fix.edits.iter().filter(|e| e.file.is_some()) {
                plan.add_other(edit);
            }
            plan.fixes.push(fix);
        }
        plan.edits.sort_by_key(|e| (e.range.start, e.range.end));
        plan
    }

    fn add_other(&mut self, edit: &Edit) {
        let Some(path) = &edit.file else { return };
        match self.others.iter_mut().find(|o| &o.path == path) {
            Some(other) => {
                other.create |= edit.create;
                other.edits.push(edit.clone());
            }
            None => self.others.push(OtherFile {
                path: path.clone(),
                create: edit.create,
                edits: vec![edit.clone()],
            }),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.fixes.is_empty()
    }

    /// `text` with the plan's own edits applied.
    pub fn apply(&self, text: &str) -> String {
        apply_edits(text, self.edits.iter().copied())
    }
}

fn creates(others: &[OtherFile], path: Option<&std::path::Path>) -> bool {
    others
        .iter()
        .any(|other| other.create && Some(other.path.as_path()) == path)
}

/// Applies sorted, non-overlapping edits; an edit outside `text` or splitting a
/// character is dropped rather than corrupting the file.
pub fn apply_edits<'e>(text: &str, edits: impl IntoIterator<Item = &'e Edit>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for edit in edits {
        let Range { start, end } = edit.range;
        if start < at || text.get(start..end).is_none() {
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str(&edit.replacement);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// Two ranges share a character, or are the same insertion point (two inserts
/// at one place would be ordered arbitrarily).
fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    (a.start < b.end && b.start < a.end) || (a.start == b.start && (a.is_empty() || b.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{MigrationClass, Severity};

    fn finding(fixes: Vec<Fix>) -> Finding {
        Finding {
            rule: "r",
            severity: Severity::Error,
            class: MigrationClass::Any,
            range: 0..1,
            message: String::new(),
            help: None,
            fixes,
        }
    }

    fn fix(applicability: Applicability, edits: Vec<Edit>) -> Fix {
        Fix {
            title: "t".into(),
            applicability,
            edits,
        }
    }

    #[test]
    fn applies_safe_fixes_only_unless_allowed() {
        let findings = [
            finding(vec![fix(Applicability::Safe, vec![Edit::insert(0, "a")])]),
            finding(vec![fix(Applicability::Unsafe, vec![Edit::insert(3, "b")])]),
        ];
        assert_eq!(
            Plan::choose(&findings, Allowed::SafeOnly).apply("xyz"),
            "axyz"
        );
        assert_eq!(Plan::choose(&findings, Allowed::All).apply("xyz"), "axyzb");
    }

    #[test]
    fn overlapping_fixes_wait_and_duplicates_merge() {
        let findings = [
            finding(vec![fix(
                Applicability::Safe,
                vec![Edit::replace(0..2, "AB")],
            )]),
            finding(vec![fix(
                Applicability::Safe,
                vec![Edit::replace(1..3, "XY")],
            )]),
            finding(vec![fix(Applicability::Safe, vec![Edit::insert(3, "!")])]),
            finding(vec![fix(Applicability::Safe, vec![Edit::insert(3, "!")])]),
        ];
        let plan = Plan::choose(&findings, Allowed::SafeOnly);
        assert_eq!(plan.fixes.len(), 2);
        assert_eq!(plan.apply("abc"), "ABc!");
    }

    #[test]
    fn other_files_are_collected_per_path() {
        let create = Edit {
            file: Some("next.sql".into()),
            range: 0..0,
            replacement: "CREATE INDEX CONCURRENTLY i ON t (a);\n".into(),
            create: true,
        };
        let findings = [finding(vec![fix(
            Applicability::Unsafe,
            vec![Edit::replace(0..5, ""), create.clone()],
        )])];
        let plan = Plan::choose(&findings, Allowed::All);
        assert_eq!(
            plan.others,
            [OtherFile {
                path: "next.sql".into(),
                create: true,
                edits: vec![create],
            }]
        );
        assert_eq!(plan.apply("hello world"), " world");
    }

    #[test]
    fn edits_outside_the_text_are_dropped() {
        let edits = [Edit::replace(10..12, "x"), Edit::insert(1, "é")];
        assert_eq!(apply_edits("ab", &edits[1..]), "aéb");
        assert_eq!(apply_edits("ab", &edits[..1]), "ab");
    }
}
