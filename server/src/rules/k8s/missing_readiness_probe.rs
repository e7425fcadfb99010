//! ## What it does
//! Flags a container of a Deployment, StatefulSet or DaemonSet without a
//! `readinessProbe`: an error when a Service (anywhere in the workspace)
//! routes to the pods, a warning otherwise.
//!
//! ## Why it matters
//! Without a readiness probe a pod receives traffic as soon as its process
//! starts — before it has connected to its database or warmed up — and during
//! a rolling update the old pods are removed as soon as new ones "run".
//!
//! ## Example
//! ```yaml
//! containers:
//!   - name: api
//!     image: ghcr.io/acme/api:1.4.2
//!     ports: [{containerPort: 8000}]
//! ```
//!
//! ## Safe alternative
//! ```yaml
//!     readinessProbe:
//!       httpGet: {path: /health/ready, port: 8000}
//!       periodSeconds: 10
//! ```

use super::{at_container, probe_fix};
use crate::analysis::manifest::Manifests;
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "missing-readiness-probe",
    severity: Severity::Error,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "A container has no readiness probe (an error when a Service routes to it)",
    source: include_str!("missing_readiness_probe.rs"),
    check: Check::Manifest(check),
};

fn check(m: &Manifests, out: &mut Vec<Finding>) {
    for workload in &m.workloads {
        let serves = workload.serves_traffic(m.cluster);
        for container in workload
            .containers
            .iter()
            .filter(|c| c.node.get("readinessProbe").is_none())
        {
            let message = if serves {
                format!(
                    "container `{}` has no readinessProbe: the Service sends it traffic before it is ready",
                    container.name
                )
            } else {
                format!(
                    "container `{}` has no readinessProbe: it counts as ready as soon as it starts",
                    container.name
                )
            };
            let severity = if serves {
                Severity::Error
            } else {
                Severity::Warning
            };
            out.extend(at_container(m, &RULE, container, message).map(|f| {
                f.with_severity(severity).with_fix(probe_fix(
                    m,
                    container,
                    "readinessProbe",
                    "/health/ready",
                    10,
                ))
            }));
        }
    }
}
