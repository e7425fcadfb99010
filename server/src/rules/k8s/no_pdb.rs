//! ## What it does
//! Flags a Deployment or StatefulSet running two or more replicas that no
//! PodDisruptionBudget selects. PDBs are looked up across the workspace: the
//! same file, other manifests on disk, and (in the editor) open documents.
//!
//! ## Why it matters
//! A node drain (a cluster upgrade, an autoscaler scaling down) may evict all
//! replicas at once; a PDB makes the drain wait so that enough stay up.
//!
//! ## Example
//! A Deployment with `replicas: 3` and no `PodDisruptionBudget` whose
//! selector matches its pod labels.
//!
//! ## Safe alternative
//! ```yaml
//! apiVersion: policy/v1
//! kind: PodDisruptionBudget
//! metadata: {name: api}
//! spec:
//!   maxUnavailable: 1
//!   selector:
//!     matchLabels: {app: api}
//! ```

use super::{at_workload, replicas, reviewed_fix};
use crate::analysis::manifest::{Manifests, Workload};
use crate::finding::{Edit, Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "no-pdb",
    severity: Severity::Warning,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "No PodDisruptionBudget protects a replicated workload",
    source: include_str!("no_pdb.rs"),
    check: Check::Manifest(check),
};

fn check(m: &Manifests, out: &mut Vec<Finding>) {
    for workload in m
        .workloads
        .iter()
        .filter(|w| w.kind != "DaemonSet" && !w.pod_labels.is_empty())
    {
        if replicas(m, workload) < 2 || workload.has_pdb(m.cluster) {
            continue;
        }
        let fix = if m.build_fixes {
            scaffold(m, workload)
        } else {
            None
        };
        out.extend(
            at_workload(m, &RULE, workload, format!("no PodDisruptionBudget selects `{}`'s pods: a node drain may evict them all at once", workload.name))
                .map(|f| f.with_fix(reviewed_fix("Add a PodDisruptionBudget", fix.map(|e| vec![e])))),
        );
    }
}

/// A PDB document after the workload's, selecting its pod labels.
fn scaffold(m: &Manifests, workload: &Workload) -> Option<Edit> {
    let doc = m.docs.get(workload.path.doc)?;
    let namespace = workload
        .namespace
        .as_ref()
        .map(|ns| format!("  namespace: {ns}\n"))
        .unwrap_or_default();
    let labels: String = workload
        .pod_labels
        .iter()
        .map(|(k, v)| format!("      {k}: {}\n", quote(v)))
        .collect();
    let block = format!(
        "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: {}\n{namespace}spec:\n  maxUnavailable: 1\n  selector:\n    matchLabels:\n{labels}",
        workload.name
    );
    Some(fixes::yaml::append_document(m.text, doc.range.end, &block))
}

/// A label value as a YAML scalar that reads back as the same string.
fn quote(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
        && value.parse::<f64>().is_err()
        && !matches!(
            value,
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "~"
        );
    if plain {
        value.to_string()
    } else {
        format!("{value:?}")
    }
}
