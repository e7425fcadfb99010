//! ## What it does
//! Flags a container whose readiness and liveness probes are identical, and
//! a probe (readiness, liveness or startup) whose port the container does not
//! declare in `ports`.
//!
//! ## Why it matters
//! An identical liveness probe restarts pods whenever readiness fails —
//! a slow database then restarts the whole fleet instead of draining it. A
//! probe on an undeclared port (a typo, a renamed port) never succeeds.
//!
//! ## Example
//! ```yaml
//! ports: [{containerPort: 8000}]
//! readinessProbe: {httpGet: {path: /health, port: 8080}}
//! livenessProbe: {httpGet: {path: /health, port: 8080}}
//! ```
//!
//! ## Safe alternative
//! Readiness checks dependencies (`/health/ready`), liveness only the process
//! (`/health/live`), both on a declared port.

use super::{node, reviewed_fix};
use crate::analysis::manifest::{Container, Manifests};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};
use crate::syntax::yaml::Anchor;

pub static RULE: Rule = Rule {
    id: "probe-misconfigured",
    severity: Severity::Warning,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "Readiness and liveness probes are identical, or a probe's port is not declared",
    source: include_str!("probe_misconfigured.rs"),
    check: Check::Manifest(check),
};

const PROBES: &[&str] = &["readinessProbe", "livenessProbe", "startupProbe"];

fn check(m: &Manifests, out: &mut Vec<Finding>) {
    for container in m.workloads.iter().flat_map(|w| &w.containers) {
        let (readiness, liveness) = (
            container.node.get("readinessProbe"),
            container.node.get("livenessProbe"),
        );
        if let (Some(readiness), Some(liveness)) = (readiness, liveness)
            && readiness.same_data(liveness)
        {
            out.extend(RULE.finding_at(
                m.docs,
                &container.path.key("livenessProbe"),
                Anchor::Key,
                format!("container `{}`'s liveness probe is its readiness probe: a dependency outage restarts every pod", container.name),
            ));
        }
        for probe in PROBES {
            out.extend(undeclared_port(m, container, probe));
        }
    }
}

fn undeclared_port(m: &Manifests, container: &Container, probe: &str) -> Option<Finding> {
    if container.ports.is_empty() {
        return None;
    }
    let handler = ["httpGet", "tcpSocket", "grpc"]
        .into_iter()
        .find(|h| container.node.at(&[probe, h]).is_some())?;
    let port = container.node.at(&[probe, handler, "port"])?;
    if container.declares_port(port) {
        return None;
    }
    let path = container.path.key(probe).key(handler).key("port");
    let finding = RULE.finding_at(
        m.docs,
        &path,
        Anchor::Value,
        format!(
            "{probe} of `{}` checks port {}, which the container does not declare",
            container.name,
            port.str().unwrap_or("?")
        ),
    )?;
    // With one declared port, that is the one meant.
    let fix = match container.ports.as_slice() {
        [only] if m.build_fixes => {
            let value = only
                .number
                .map(|n| n.to_string())
                .or_else(|| only.name.clone())?;
            let edit = node(m, &path).and_then(|v| fixes::yaml::set_value(v, &value));
            reviewed_fix(format!("Probe port {value}"), edit.map(|e| vec![e]))
        }
        _ => None,
    };
    Some(finding.with_fix(fix))
}
