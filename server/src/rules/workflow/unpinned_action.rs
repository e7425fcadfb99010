//! ## What it does
//! Flags `uses:` references to actions and reusable workflows that are not
//! pinned to a full commit SHA: a branch (`@main`, an error) or a tag (`@v4`,
//! a warning). Local actions (`./...`) and Docker images are not judged here.
//!
//! ## Why it matters
//! Branches and tags can be moved to other commits: whoever controls the
//! action's repository (or steals its token) decides what runs in your
//! pipeline, with its secrets.
//!
//! For a deeper audit of workflow security — impostor commits, stale and
//! confusable refs, and more — run zizmor (`unpinned-uses`, `ref-confusion`,
//! `impostor-commit`); this rule keeps the basic check in the editor beside
//! the deploy gates.
//!
//! ## Example
//! ```yaml
//! - uses: actions/checkout@v4
//! ```
//!
//! ## Safe alternative
//! ```yaml
//! - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
//! ```

use super::local_steps;
use crate::analysis::pipeline::{Pipeline, Uses};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};
use crate::syntax::yaml::{Anchor, YamlPath};

pub static RULE: Rule = Rule {
    id: "unpinned-action",
    severity: Severity::Error,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "An action is referenced by a movable branch or tag, not a commit SHA",
    source: include_str!("unpinned_action.rs"),
    check: Check::Pipeline(check),
};

const ZIZMOR: &str =
    "For a full workflow-security audit (impostor commits, ref confusion), run zizmor.";

fn check(p: &Pipeline, out: &mut Vec<Finding>) {
    let steps = local_steps(p)
        .filter_map(|(_, s)| s.uses.as_ref())
        .map(|u| (u.action.as_str(), u.reference.as_deref(), &u.path));
    // Reusable workflows called by jobs.
    let calls: Vec<Uses> = p
        .jobs
        .iter()
        .filter(|j| j.is_local())
        .filter_map(|j| {
            let written = j.uses.as_deref()?;
            let (action, reference) = written.split_once('@').unwrap_or((written, ""));
            Some(Uses {
                action: action.to_string(),
                reference: (!reference.is_empty()).then(|| reference.to_string()),
                path: j.uses_path.clone()?,
            })
        })
        .collect();
    let all = steps.chain(
        calls
            .iter()
            .map(|u| (u.action.as_str(), u.reference.as_deref(), &u.path)),
    );
    for (action, reference, path) in all {
        out.extend(judge(p, action, reference, path));
    }
}

fn judge(p: &Pipeline, action: &str, reference: Option<&str>, path: &YamlPath) -> Option<Finding> {
    if action.starts_with("./") || action.starts_with("docker://") {
        return None;
    }
    let Some(reference) = reference else {
        return RULE.finding_at(p.docs, path, Anchor::Value, format!("`{action}` has no `@ref`: pin it to a commit SHA. zizmor's `unpinned-uses` audits this. {ZIZMOR}"));
    };
    if reference.len() == 40 && reference.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let tag = reference.starts_with('v')
        && reference[1..].starts_with(|c: char| c.is_ascii_digit())
        || reference.starts_with(|c: char| c.is_ascii_digit());
    let (severity, what) = if tag {
        (Severity::Warning, "a tag, which can be moved")
    } else {
        (Severity::Error, "a branch, which moves with every push")
    };
    let start = action.len() + 1;
    let finding = RULE.finding_at(
        p.docs,
        path,
        Anchor::Text(start..start + reference.len()),
        format!("`{action}@{reference}` is pinned to {what}; pin a commit SHA (zizmor's `unpinned-uses`). {ZIZMOR}"),
    )?;
    Some(finding.with_severity(severity))
}
