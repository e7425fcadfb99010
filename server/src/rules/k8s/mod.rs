//! Rules over Kubernetes manifests: probes, rollout strategy, graceful
//! termination and disruption budgets of Deployments, StatefulSets and
//! DaemonSets. Shared here: where a workload's findings point and the probe
//! skeletons two rules insert.

mod max_unavailable_not_zero;
mod missing_liveness_probe;
mod missing_readiness_probe;
mod no_graceful_termination;
mod no_pdb;
mod not_rolling_update;
mod probe_misconfigured;
mod single_replica;

use super::{Rule, reviewed_fix};
use crate::analysis::manifest::{Container, Manifests, Workload};
use crate::finding::{Finding, Fix};
use crate::fixes;
use crate::syntax::yaml::{Anchor, Node, YamlPath, path};

pub static RULES: &[&Rule] = &[
    &missing_readiness_probe::RULE,
    &missing_liveness_probe::RULE,
    &probe_misconfigured::RULE,
    &not_rolling_update::RULE,
    &max_unavailable_not_zero::RULE,
    &no_graceful_termination::RULE,
    &single_replica::RULE,
    &no_pdb::RULE,
];

fn node<'m>(m: &'m Manifests<'_>, at: &YamlPath) -> Option<&'m Node> {
    path::node(m.docs, at)
}

/// A finding at a workload's name (or its `kind:` when it has none).
fn at_workload(
    m: &Manifests,
    rule: &'static Rule,
    workload: &Workload,
    message: String,
) -> Option<Finding> {
    let name = workload.path.key("metadata").key("name");
    rule.finding_at(m.docs, &name, Anchor::Value, message.clone())
        .or_else(|| rule.finding_at(m.docs, &workload.path.key("kind"), Anchor::Value, message))
}

/// A finding at a container's name (or its `-`).
fn at_container(
    m: &Manifests,
    rule: &'static Rule,
    container: &Container,
    message: String,
) -> Option<Finding> {
    rule.finding_at(
        m.docs,
        &container.path.key("name"),
        Anchor::Value,
        message.clone(),
    )
    .or_else(|| rule.finding_at(m.docs, &container.path, Anchor::Key, message))
}

/// Inserts an HTTP probe on the container's first port, when it has one.
fn probe_fix(
    m: &Manifests,
    container: &Container,
    key: &str,
    http_path: &str,
    period: u32,
) -> Option<Fix> {
    if !m.build_fixes {
        return None;
    }
    let port = container.ports.first()?;
    let port = match (&port.name, port.number) {
        (Some(name), _) => name.clone(),
        (None, Some(number)) => number.to_string(),
        (None, None) => return None,
    };
    let block = format!(
        "{key}:\n  httpGet:\n    path: {http_path}\n    port: {port}\n  periodSeconds: {period}\n"
    );
    let map = node(m, &container.path)?;
    let edit = fixes::yaml::insert_entry(m.text, map, &["image", "name"], &block);
    reviewed_fix(
        format!("Add a `{key}` on port {port}"),
        edit.map(|e| vec![e]),
    )
}

/// The replicas a workload runs with: as written, raised by an autoscaler's
/// minimum; Kubernetes' default of one when neither says.
fn replicas(m: &Manifests, workload: &Workload) -> i64 {
    let written = workload.replicas().unwrap_or(1);
    workload
        .autoscaled_minimum(m.cluster)
        .map_or(written, |min| min.max(written))
}
