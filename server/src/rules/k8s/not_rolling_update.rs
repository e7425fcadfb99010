//! ## What it does
//! Flags `spec.strategy.type: Recreate` on a Deployment that a Service (in
//! the workspace) routes traffic to.
//!
//! ## Why it matters
//! Recreate stops every old pod before starting the new ones: each deploy is
//! an outage for as long as the new pods take to become ready.
//!
//! ## Example
//! ```yaml
//! strategy:
//!   type: Recreate
//! ```
//!
//! ## Safe alternative
//! `type: RollingUpdate` with `maxUnavailable: 0` (see
//! `max-unavailable-not-zero`). Keep Recreate only for workloads that must
//! never run two versions at once, and suppress this rule there with the
//! reason.

use super::{node, reviewed_fix};
use crate::analysis::manifest::Manifests;
use crate::finding::{Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};
use crate::syntax::yaml::{Anchor, Node};

pub static RULE: Rule = Rule {
    id: "not-rolling-update",
    severity: Severity::Error,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "A Service-backed Deployment is replaced all at once (`Recreate`)",
    source: include_str!("not_rolling_update.rs"),
    check: Check::Manifest(check),
};

fn check(m: &Manifests, out: &mut Vec<Finding>) {
    for workload in m
        .workloads
        .iter()
        .filter(|w| w.kind == "Deployment" && w.serves_traffic(m.cluster))
    {
        let path = workload.path.key("spec").key("strategy").key("type");
        if workload
            .node
            .at(&["spec", "strategy", "type"])
            .and_then(Node::str)
            != Some("Recreate")
        {
            continue;
        }
        let edit = if m.build_fixes {
            node(m, &path).and_then(|v| fixes::yaml::set_value(v, "RollingUpdate"))
        } else {
            None
        };
        out.extend(
            RULE.finding_at(m.docs, &path, Anchor::Value, format!("`{}` is served by a Service and `Recreate` stops every pod before starting new ones: each deploy is an outage", workload.name))
                .map(|f| f.with_fix(reviewed_fix("Use `RollingUpdate`", edit.map(|e| vec![e])))),
        );
    }
}
