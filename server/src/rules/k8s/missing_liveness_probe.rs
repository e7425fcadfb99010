//! ## What it does
//! Flags a container of a Deployment, StatefulSet or DaemonSet without a
//! `livenessProbe`.
//!
//! ## Why it matters
//! A deadlocked process keeps running and keeps its place: nothing restarts
//! it until someone notices the errors.
//!
//! ## Example
//! ```yaml
//! containers:
//!   - name: api
//!     readinessProbe: {httpGet: {path: /health/ready, port: 8000}}
//! ```
//!
//! ## Safe alternative
//! A cheap endpoint that does not check dependencies (a database blip must
//! not restart every pod):
//! ```yaml
//!     livenessProbe:
//!       httpGet: {path: /health/live, port: 8000}
//!       periodSeconds: 20
//! ```

use super::{at_container, probe_fix};
use crate::analysis::manifest::Manifests;
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "missing-liveness-probe",
    severity: Severity::Warning,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "A container has no liveness probe",
    source: include_str!("missing_liveness_probe.rs"),
    check: Check::Manifest(check),
};

fn check(m: &Manifests, out: &mut Vec<Finding>) {
    for workload in &m.workloads {
        for container in workload
            .containers
            .iter()
            .filter(|c| c.node.get("livenessProbe").is_none())
        {
            let message = format!(
                "container `{}` has no livenessProbe: a hung process is never restarted",
                container.name
            );
            out.extend(
                at_container(m, &RULE, container, message).map(|f| {
                    f.with_fix(probe_fix(m, container, "livenessProbe", "/health/live", 20))
                }),
            );
        }
    }
}
