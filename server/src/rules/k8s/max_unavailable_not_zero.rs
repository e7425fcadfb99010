//! ## What it does
//! Flags a Deployment rolled out with `RollingUpdate` (the default) whose
//! `rollingUpdate.maxUnavailable` is not 0; unset, it is 25%.
//!
//! ## Why it matters
//! With pods allowed to be unavailable, a rollout removes old pods before
//! their replacements are ready: capacity drops during every deploy, and a
//! new version that never becomes ready still takes pods down with it.
//!
//! ## Example
//! ```yaml
//! strategy:
//!   type: RollingUpdate
//! ```
//!
//! ## Safe alternative
//! ```yaml
//! strategy:
//!   type: RollingUpdate
//!   rollingUpdate:
//!     maxUnavailable: 0
//!     maxSurge: 1
//! ```

use super::{node, reviewed_fix};
use crate::analysis::manifest::{Manifests, Workload};
use crate::finding::{Edit, Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};
use crate::syntax::yaml::{Anchor, Node};

pub static RULE: Rule = Rule {
    id: "max-unavailable-not-zero",
    severity: Severity::Warning,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "A rolling update may take pods down before their replacements are ready",
    source: include_str!("max_unavailable_not_zero.rs"),
    check: Check::Manifest(check),
};

fn is_zero(value: &Node) -> bool {
    value.as_int() == Some(0) || value.str() == Some("0%")
}

fn check(m: &Manifests, out: &mut Vec<Finding>) {
    for workload in m.workloads.iter().filter(|w| w.kind == "Deployment") {
        let strategy = workload.node.at(&["spec", "strategy"]);
        let kind = strategy.and_then(|s| s.get("type")).and_then(Node::str);
        if kind.is_some_and(|k| k != "RollingUpdate") {
            continue;
        }
        let max = strategy.and_then(|s| s.at(&["rollingUpdate", "maxUnavailable"]));
        if max.is_some_and(is_zero) {
            continue;
        }
        let spec = workload.path.key("spec");
        let finding = match max {
            Some(max) => RULE.finding_at(m.docs, &spec.key("strategy").key("rollingUpdate").key("maxUnavailable"), Anchor::Value, format!("`maxUnavailable: {}` lets the rollout take pods of `{}` down before new ones are ready", max.str().unwrap_or("?"), workload.name)),
            None if strategy.is_some() => RULE.finding_at(m.docs, &spec.key("strategy"), Anchor::Key, format!("no `maxUnavailable`: rollouts of `{}` may take 25% of its pods down before new ones are ready", workload.name)),
            None => RULE.finding_at(m.docs, &spec, Anchor::Key, format!("no rollout strategy: rollouts of `{}` may take 25% of its pods down before new ones are ready", workload.name)),
        };
        let fix = if m.build_fixes {
            zero_unavailable(m, workload)
        } else {
            None
        };
        out.extend(finding.map(|f| {
            f.with_fix(reviewed_fix(
                "Set `maxUnavailable: 0`",
                fix.map(|e| vec![e]),
            ))
        }));
    }
}

/// `maxUnavailable: 0` set where it is, or inserted at the deepest level that
/// exists (`rollingUpdate`, `strategy`, `spec`).
fn zero_unavailable(m: &Manifests, workload: &Workload) -> Option<Edit> {
    let strategy_path = workload.path.key("spec").key("strategy");
    let rolling_path = strategy_path.key("rollingUpdate");
    if let Some(max) = node(m, &rolling_path.key("maxUnavailable")) {
        return fixes::yaml::set_value(max, "0");
    }
    if let Some(rolling) = node(m, &rolling_path).filter(|n| n.is_map()) {
        return fixes::yaml::insert_entry(m.text, rolling, &[], "maxUnavailable: 0");
    }
    if let Some(strategy) = node(m, &strategy_path).filter(|n| n.is_map()) {
        return fixes::yaml::insert_entry(
            m.text,
            strategy,
            &["type"],
            "rollingUpdate:\n  maxUnavailable: 0\n  maxSurge: 1",
        );
    }
    let spec = node(m, &workload.path.key("spec"))?;
    fixes::yaml::insert_entry(
        m.text,
        spec,
        &["replicas", "selector"],
        "strategy:\n  type: RollingUpdate\n  rollingUpdate:\n    maxUnavailable: 0\n    maxSurge: 1",
    )
}
