//! ## What it does
//! Flags force pushes in CI scripts: `git push --force`, `-f`,
//! `--force-with-lease`, a `+ref` refspec, and `ad-m/github-push-action` with
//! `force: true`. An error when the push targets the default branch (`main`,
//! `master`, `${{ github.ref }}`, `$CI_DEFAULT_BRANCH`, or the current branch
//! of a workflow that runs on pushes to it); a warning otherwise.
//!
//! ## Why it matters
//! A force push from CI rewrites history nobody reviewed and can drop commits
//! pushed meanwhile; on the default branch it bypasses branch protection.
//!
//! ## Example
//! ```yaml
//! - run: git push --force origin HEAD:main
//! ```
//!
//! ## Safe alternative
//! Push to a branch and open a pull request; use `--force-with-lease` only on
//! branches CI owns.

use super::{at_text, commands, fix, local_steps, node, remove_from_script};
use crate::analysis::pipeline::{Pipeline, Provider};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};
use crate::syntax::yaml::Anchor;

pub static RULE: Rule = Rule {
    id: "force-push",
    severity: Severity::Error,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "CI force-pushes, rewriting history (an error on the default branch)",
    source: include_str!("force_push.rs"),
    check: Check::Pipeline(check),
};

fn names_default_branch(word: &str) -> bool {
    let target = word.trim_start_matches('+');
    let target = target.rsplit(':').next().unwrap_or(target);
    let target = target.trim_start_matches("refs/heads/");
    matches!(target, "main" | "master")
        || target.contains("github.ref")
        || target.contains("default_branch")
        || target.contains("CI_DEFAULT_BRANCH")
}

fn check(p: &Pipeline, out: &mut Vec<Finding>) {
    for at in commands(p) {
        let argv = at.command.argv();
        if !(argv.len() > 1 && argv[0].text == "git" && argv[1].text == "push") {
            continue;
        }
        let args = &argv[2..];
        let refspecs: Vec<&str> = args
            .iter()
            .filter(|w| !w.text.starts_with('-'))
            .skip(1)
            .map(|w| w.text.as_str())
            .collect();
        let default_branch = refspecs.iter().any(|r| names_default_branch(r))
            || (refspecs.is_empty()
                && p.provider == Provider::GitHub
                && p.pushes_to_default_branch());
        let severity = if default_branch {
            Severity::Error
        } else {
            Severity::Warning
        };
        let target = if default_branch {
            "the default branch"
        } else {
            "a branch"
        };
        for word in args {
            let text = word.text.as_str();
            let flag = matches!(text, "--force" | "-f" | "--force-if-includes")
                || text.starts_with("--force-with-lease")
                || (text.starts_with('-')
                    && !text.starts_with("--")
                    && text.contains('f')
                    && text.len() > 2);
            let plus = text.starts_with('+') && text.len() > 1;
            if !(flag || plus) {
                continue;
            }
            let (span, title) = if plus {
                (
                    word.range.start..word.range.start + 1,
                    "Drop the `+` from the refspec",
                )
            } else {
                (word.range.clone(), "Drop the force flag")
            };
            // `-fu`: taking it out would take `-u` too.
            let fixable = plus || text.len() <= 2 || text.starts_with("--");
            out.extend(
                at_text(
                    p,
                    &RULE,
                    at.run,
                    span.clone(),
                    format!("`git push {text}` from CI rewrites {target}'s history"),
                )
                .map(|f| {
                    f.with_severity(severity).with_fix(
                        fixable
                            .then(|| remove_from_script(p, at.run, span, title))
                            .flatten(),
                    )
                }),
            );
        }
    }
    for (_, step) in local_steps(p).filter(|(_, s)| s.uses_action("ad-m/github-push-action")) {
        let Some(("true", path)) = step.input("force") else {
            continue;
        };
        let edit = if p.build_fixes {
            node(p, &path.parent())
                .and_then(|with| fixes::yaml::remove_entry(p.text, with, "force"))
        } else {
            None
        };
        out.extend(
            RULE.finding_at(
                p.docs,
                path,
                Anchor::Value,
                "`force: true` force-pushes from CI",
            )
            .map(|f| f.with_fix(fix("Remove `force: true`", edit.map(|e| vec![e])))),
        );
    }
}
