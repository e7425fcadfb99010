//! ## What it does
//! Flags a workflow without a top-level `permissions:` (when some job has
//! none of its own either), and `permissions: write-all` at any level.
//!
//! ## Why it matters
//! Without `permissions:`, jobs get the repository's default token scope,
//! often read-write on everything: one compromised step (an action, a
//! dependency) can push code, publish releases or approve pull requests.
//!
//! zizmor's `excessive-permissions` audit covers this in more depth (which
//! scopes each job actually needs); run it for a full workflow-security
//! review.
//!
//! ## Example
//! ```yaml
//! on: push
//! jobs:
//!   test: {runs-on: ubuntu-latest, steps: [{run: make test}]}
//! ```
//!
//! ## Safe alternative
//! ```yaml
//! permissions:
//!   contents: read
//! ```
//! at the top, and wider scopes only on the jobs that need them.

use super::{fix, node};
use crate::analysis::pipeline::{Pipeline, Provider};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};
use crate::syntax::yaml::{Anchor, Node, YamlPath};

pub static RULE: Rule = Rule {
    id: "excessive-permissions",
    severity: Severity::Warning,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "The workflow token's permissions are not limited",
    source: include_str!("excessive_permissions.rs"),
    check: Check::Pipeline(check),
};

const ZIZMOR: &str = "zizmor's `excessive-permissions` audit reviews each job's scopes in depth.";

fn check(p: &Pipeline, out: &mut Vec<Finding>) {
    if p.provider != Provider::GitHub {
        return;
    }
    let write_all = |path: &YamlPath| node(p, path).and_then(Node::str) == Some("write-all");
    let scoped: Vec<&YamlPath> = p
        .permissions
        .iter()
        .chain(
            p.jobs
                .iter()
                .filter(|j| j.is_local())
                .filter_map(|j| j.permissions.as_ref()),
        )
        .collect();
    for path in scoped.into_iter().filter(|path| write_all(path)) {
        out.extend(RULE.finding_at(
            p.docs,
            path,
            Anchor::Value,
            format!("`write-all` gives the token every scope. {ZIZMOR}"),
        ));
    }
    let unscoped = p
        .jobs
        .iter()
        .any(|j| j.is_local() && j.permissions.is_none());
    let (true, None, Some(jobs)) = (unscoped, &p.permissions, &p.jobs_path) else {
        return;
    };
    let edit = if p.build_fixes {
        node(p, &YamlPath::root(0)).and_then(|root| {
            fixes::yaml::insert_before(p.text, root, "jobs", "permissions:\n  contents: read\n")
        })
    } else {
        None
    };
    out.extend(
        RULE.finding_at(
            p.docs,
            jobs,
            Anchor::Key,
            format!("no `permissions:`: jobs get the repository's default token scope. {ZIZMOR}"),
        )
        .map(|f| {
            f.with_fix(fix(
                "Add `permissions: contents: read`",
                edit.map(|e| vec![e]),
            ))
        }),
    );
}
