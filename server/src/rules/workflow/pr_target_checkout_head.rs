//! ## What it does
//! Flags a workflow started by `pull_request_target` (or `workflow_run`) that
//! checks out the pull request's code (`actions/checkout` with `ref:` set to
//! `github.event.pull_request.head.sha`/`.ref`, `github.head_ref`,
//! `refs/pull/...`, or the `workflow_run`'s head) and then runs it: installs,
//! builds, tests, scripts or local actions in later steps.
//!
//! ## Why it matters
//! These triggers run with a write token and the repository's secrets. Code
//! from a fork that runs there (a `postinstall` script, a test, a Makefile)
//! can steal them: the "pwn request". zizmor's `dangerous-triggers` audit
//! flags the trigger; this rule flags the checkout that makes it exploitable.
//!
//! ## Example
//! ```yaml
//! on: pull_request_target
//! jobs:
//!   test:
//!     steps:
//!       - uses: actions/checkout@v4
//!         with: {ref: "${{ github.event.pull_request.head.sha }}"}
//!       - run: npm ci && npm test
//! ```
//!
//! ## Safe alternative
//! Run untrusted code under `pull_request` (no secrets) and do the privileged
//! part in a separate `workflow_run` workflow that never executes the PR's
//! code; otherwise remove `ref:`, set `permissions: {}` and
//! `persist-credentials: false`.

use super::{fix, node};
use crate::analysis::pipeline::{Pipeline, Step};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};
use crate::syntax::yaml::Anchor;

pub static RULE: Rule = Rule {
    id: "pr-target-checkout-head",
    severity: Severity::Error,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "A privileged workflow checks out and runs a pull request's code",
    source: include_str!("pr_target_checkout_head.rs"),
    check: Check::Pipeline(check),
};

const UNTRUSTED_REFS: &[&str] = &[
    "github.event.pull_request.head.sha",
    "github.event.pull_request.head.ref",
    "github.head_ref",
    "refs/pull/",
    "github.event.workflow_run.head_sha",
    "github.event.workflow_run.head_branch",
    "github.event.workflow_run.head_commit",
];

/// Whether a step runs code from the checkout.
fn executes_code(step: &Step) -> bool {
    if step
        .uses
        .as_ref()
        .is_some_and(|u| u.action.starts_with("./"))
    {
        return true;
    }
    step.commands().any(|command| {
        let argv: Vec<&str> = command.argv().iter().map(|w| w.text.as_str()).collect();
        match argv.as_slice() {
            ["npm" | "yarn" | "pnpm" | "bun", ..] => true,
            ["pip" | "pip3", "install", ..] | ["poetry" | "uv" | "pipenv", ..] => true,
            [
                "make" | "cargo" | "go" | "mvn" | "gradle" | "bundle" | "rake" | "tox" | "pytest"
                | "node" | "python" | "python3" | "bash" | "sh" | "deno",
                ..,
            ] => true,
            [program, ..] => program.starts_with("./") || program.ends_with(".sh"),
            [] => false,
        }
    })
}

fn check(p: &Pipeline, out: &mut Vec<Finding>) {
    let privileged = p.triggers.has("pull_request_target") || p.triggers.has("workflow_run");
    if !privileged {
        return;
    }
    for job in p.jobs.iter().filter(|j| j.is_local()) {
        for (i, step) in job.steps.iter().enumerate() {
            if !step.uses_action("actions/checkout") {
                continue;
            }
            let Some((reference, path)) = step.input("ref") else {
                continue;
            };
            let squeezed: String = reference.chars().filter(|c| !c.is_whitespace()).collect();
            if !UNTRUSTED_REFS.iter().any(|r| squeezed.contains(r))
                || !job.steps[i + 1..].iter().any(executes_code)
            {
                continue;
            }
            let edit = if p.build_fixes {
                node(p, &path.parent())
                    .and_then(|with| fixes::yaml::remove_entry(p.text, with, "ref"))
            } else {
                None
            };
            out.extend(
                RULE.finding_at(p.docs, path, Anchor::Value, "the pull request's code is checked out and run with this workflow's secrets and write token")
                    .map(|f| f.with_fix(fix("Check out the base branch (remove `ref:`)", edit.map(|e| vec![e])))),
            );
        }
    }
}
