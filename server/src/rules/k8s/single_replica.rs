//! ## What it does
//! Flags a Deployment or StatefulSet that runs fewer than two replicas
//! (`replicas` unset means one) and that no HorizontalPodAutoscaler in the
//! workspace keeps at two or more.
//!
//! ## Why it matters
//! With one pod, a node drain, an eviction or a crash is an outage, and a
//! rollout has nothing to fall back on while the new pod starts.
//!
//! ## Example
//! ```yaml
//! spec:
//!   replicas: 1
//! ```
//!
//! ## Safe alternative
//! `replicas: 2` or more (or an autoscaler with `minReplicas: 2`), with a
//! PodDisruptionBudget (see `no-pdb`).

use super::{at_workload, node, replicas, reviewed_fix};
use crate::analysis::manifest::Manifests;
use crate::finding::{Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};
use crate::syntax::yaml::Anchor;

pub static RULE: Rule = Rule {
    id: "single-replica",
    severity: Severity::Warning,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "A workload runs a single replica",
    source: include_str!("single_replica.rs"),
    check: Check::Manifest(check),
};

fn check(m: &Manifests, out: &mut Vec<Finding>) {
    for workload in m.workloads.iter().filter(|w| w.kind != "DaemonSet") {
        if replicas(m, workload) >= 2 {
            continue;
        }
        let path = workload.path.key("spec").key("replicas");
        let message = format!(
            "`{}` runs one replica: a drain or a crash is an outage",
            workload.name
        );
        let (finding, edit) = match node(m, &path) {
            Some(value) => (
                RULE.finding_at(m.docs, &path, Anchor::Value, message),
                fixes::yaml::set_value(value, "2"),
            ),
            None => (
                at_workload(m, &RULE, workload, message),
                node(m, &workload.path.key("spec")).and_then(|spec| {
                    let first = spec.entries().iter().find(|e| !e.merged)?;
                    fixes::yaml::insert_before(m.text, spec, &first.key.text, "replicas: 2")
                }),
            ),
        };
        let fix = if m.build_fixes {
            reviewed_fix("Run 2 replicas", edit.map(|e| vec![e]))
        } else {
            None
        };
        out.extend(finding.map(|f| f.with_fix(fix)));
    }
}
