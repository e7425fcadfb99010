//! ## What it does
//! Flags a workload whose pod template sets neither
//! `terminationGracePeriodSeconds` nor a `lifecycle.preStop` hook on any
//! container.
//!
//! ## Why it matters
//! On SIGTERM the pod is removed from the Service's endpoints at the same
//! time as it is told to stop; load balancers keep sending requests for a few
//! seconds. Without a preStop pause those requests hit a process that is
//! shutting down, and in-flight work is cut at the default 30 seconds.
//!
//! ## Example
//! ```yaml
//! spec:
//!   containers:
//!     - name: api
//!       image: ghcr.io/acme/api:1.4.2
//! ```
//!
//! ## Safe alternative
//! ```yaml
//! spec:
//!   terminationGracePeriodSeconds: 45
//!   containers:
//!     - name: api
//!       lifecycle:
//!         preStop:
//!           exec:
//!             command: ["sleep", "10"]
//! ```

use super::{node, reviewed_fix};
use crate::analysis::manifest::{Manifests, Workload};
use crate::finding::{Edit, Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};
use crate::syntax::yaml::Anchor;

pub static RULE: Rule = Rule {
    id: "no-graceful-termination",
    severity: Severity::Warning,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "Pods are stopped without a grace period or preStop drain",
    source: include_str!("no_graceful_termination.rs"),
    check: Check::Manifest(check),
};

fn check(m: &Manifests, out: &mut Vec<Finding>) {
    for workload in &m.workloads {
        let Some(pod) = workload.pod_spec() else {
            continue;
        };
        let grace = pod.get("terminationGracePeriodSeconds").is_some();
        let pre_stop = workload
            .containers
            .iter()
            .any(|c| c.node.at(&["lifecycle", "preStop"]).is_some());
        if grace || pre_stop || workload.containers.is_empty() {
            continue;
        }
        let at = workload.pod_spec_path().key("containers");
        let fix = if m.build_fixes {
            drain(m, workload)
        } else {
            None
        };
        out.extend(
            RULE.finding_at(m.docs, &at, Anchor::Key, format!("`{}` has no `terminationGracePeriodSeconds` and no preStop hook: requests in flight are cut on every rollout", workload.name))
                .map(|f| f.with_fix(reviewed_fix("Add a grace period and a preStop sleep", fix))),
        );
    }
}

/// `terminationGracePeriodSeconds: 45` on the pod and a 10 s preStop sleep
/// on its serving container (the first with a port, else the first).
fn drain(m: &Manifests, workload: &Workload) -> Option<Vec<Edit>> {
    let pod = node(m, &workload.pod_spec_path())?;
    let container = workload
        .containers
        .iter()
        .find(|c| !c.ports.is_empty())
        .or(workload.containers.first())?;
    let container_map = node(m, &container.path)?;
    Some(vec![
        fixes::yaml::insert_before(
            m.text,
            pod,
            "containers",
            "terminationGracePeriodSeconds: 45",
        )?,
        fixes::yaml::insert_entry(
            m.text,
            container_map,
            &["image", "name"],
            "lifecycle:\n  preStop:\n    exec:\n      command: [\"sleep\", \"10\"]",
        )?,
    ])
}
