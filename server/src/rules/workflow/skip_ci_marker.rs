//! ## What it does
//! Flags commits made by CI whose message skips CI — `[skip ci]`, `[ci
//! skip]`, `[no ci]`, `[skip actions]`, `[actions skip]`, `skip-checks:
//! true` — in `git commit -m` arguments or in an action's `commit_message`
//! input, and GitLab's `git push -o ci.skip`.
//!
//! ## Why it matters
//! The commit lands on the branch without any pipeline: no tests, no scans,
//! and required checks stay pending. It is how version bumps and generated
//! files bypass review.
//!
//! ## Example
//! ```yaml
//! - run: git commit -am "chore: bump version [skip ci]" && git push
//! ```
//!
//! ## Safe alternative
//! Let the commit run CI, and prevent loops with `if: github.actor !=
//! 'github-actions[bot]'` or `paths-ignore:` instead.

use super::{at_text, commands, fix, local_steps, node, remove_from_script};
use crate::analysis::pipeline::Pipeline;
use crate::finding::{Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};
use crate::syntax::yaml::Anchor;

pub static RULE: Rule = Rule {
    id: "skip-ci-marker",
    severity: Severity::Warning,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "A commit made by CI skips CI",
    source: include_str!("skip_ci_marker.rs"),
    check: Check::Pipeline(check),
};

const MARKERS: &[&str] = &[
    "[skip ci]",
    "[ci skip]",
    "[no ci]",
    "[skip actions]",
    "[actions skip]",
    "skip-checks: true",
    "skip-checks:true",
];
const MESSAGE_INPUTS: &[&str] = &["commit_message", "commit-message", "message", "commit_msg"];

/// The first marker in `text` and where it starts.
fn marker(text: &str) -> Option<(usize, &'static str)> {
    let lower = text.to_ascii_lowercase();
    MARKERS
        .iter()
        .find_map(|m| lower.find(m).map(|at| (at, *m)))
}

fn check(p: &Pipeline, out: &mut Vec<Finding>) {
    for at in commands(p) {
        let argv = at.command.argv();
        let is = |a: &str, b: &str| argv.len() > 1 && argv[0].text == a && argv[1].text == b;
        if is("git", "commit") {
            for word in &argv[2..] {
                // Markers have nothing to quote: the word's source holds
                // them as written.
                let source = at.run.text.get(word.range.clone()).unwrap_or("");
                let Some((offset, found)) = marker(source) else {
                    continue;
                };
                let span = word.range.start + offset..word.range.start + offset + found.len();
                out.extend(
                    at_text(p, &RULE, at.run, span.clone(), format!("`{found}` in a commit message made by CI: the commit lands without running CI"))
                        .map(|f| f.with_fix(remove_from_script(p, at.run, span, "Remove the skip marker"))),
                );
            }
        }
        if is("git", "push") {
            for (i, word) in argv.iter().enumerate() {
                let option = word.text.strip_prefix("--push-option=").or_else(|| {
                    (word.text == "-o" || word.text == "--push-option")
                        .then(|| argv.get(i + 1).map(|w| w.text.as_str()))
                        .flatten()
                });
                if option == Some("ci.skip") {
                    out.extend(at_text(
                        p,
                        &RULE,
                        at.run,
                        word.range.clone(),
                        "`-o ci.skip` pushes without running the pipeline",
                    ));
                }
            }
        }
    }
    for (_, step) in local_steps(p) {
        for (name, value, path) in &step.with {
            if !MESSAGE_INPUTS.contains(&name.as_str()) {
                continue;
            }
            let Some((offset, found)) = marker(value) else {
                continue;
            };
            let finding = RULE.finding_at(
                p.docs,
                path,
                Anchor::Text(offset..offset + found.len()),
                format!("`{found}` in the commit message: the commit lands without running CI"),
            );
            let edit = if p.build_fixes {
                node(p, path)
                    .and_then(|v| fixes::yaml::remove_text(p.text, v, offset..offset + found.len()))
            } else {
                None
            };
            out.extend(
                finding.map(|f| f.with_fix(fix("Remove the skip marker", edit.map(|e| vec![e])))),
            );
        }
    }
}
