//! Kubernetes manifests: workloads (Deployments, StatefulSets, DaemonSets)
//! with their pod template and containers, and the cluster facts other
//! manifests contribute — which pods a Service routes to, which a
//! PodDisruptionBudget protects, which an autoscaler scales. The facts of
//! every manifest in the workspace are gathered by the engine, so a
//! Deployment in one file and its PDB in another are seen together.

use std::collections::BTreeMap;

use crate::syntax::yaml::{Doc, Kind, Node, YamlPath};

/// Workloads whose pods serve traffic through rolling updates.
const WORKLOADS: &[&str] = &["Deployment", "StatefulSet", "DaemonSet"];

#[derive(Debug)]
pub struct Manifests<'a> {
    pub text: &'a str,
    pub docs: &'a [Doc],
    pub workloads: Vec<Workload<'a>>,
    /// This file's facts and the rest of the workspace's.
    pub cluster: &'a ClusterFacts,
    pub build_fixes: bool,
}

#[derive(Debug)]
pub struct Workload<'a> {
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
    /// The object's root.
    pub path: YamlPath,
    pub node: &'a Node,
    pub pod_labels: BTreeMap<String, String>,
    pub containers: Vec<Container<'a>>,
}

#[derive(Debug)]
pub struct Container<'a> {
    pub path: YamlPath,
    pub node: &'a Node,
    pub name: String,
    pub ports: Vec<Port>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Port {
    pub number: Option<i64>,
    pub name: Option<String>,
}

impl Workload<'_> {
    pub fn spec(&self) -> Option<&Node> {
        self.node.get("spec")
    }

    pub fn pod_spec(&self) -> Option<&Node> {
        self.node.at(&["spec", "template", "spec"])
    }

    pub fn pod_spec_path(&self) -> YamlPath {
        self.path.key("spec").key("template").key("spec")
    }

    /// `spec.replicas` as written (`None`: not written, Kubernetes runs one).
    pub fn replicas(&self) -> Option<i64> {
        self.node.at(&["spec", "replicas"]).and_then(Node::as_int)
    }

    /// Whether a Service in the workspace routes traffic to these pods.
    pub fn serves_traffic(&self, cluster: &ClusterFacts) -> bool {
        cluster
            .services
            .iter()
            .any(|s| s.selects(self.namespace.as_deref(), &self.pod_labels))
    }

    /// The smallest replica count an autoscaler in the workspace keeps.
    pub fn autoscaled_minimum(&self, cluster: &ClusterFacts) -> Option<i64> {
        cluster
            .autoscalers
            .iter()
            .filter(|a| {
                a.target_kind == self.kind
                    && a.target_name == self.name
                    && same_namespace(a.namespace.as_deref(), self.namespace.as_deref())
            })
            .map(|a| a.min_replicas)
            .max()
    }

    /// Whether a PodDisruptionBudget in the workspace selects these pods.
    pub fn has_pdb(&self, cluster: &ClusterFacts) -> bool {
        cluster
            .pdbs
            .iter()
            .any(|s| s.selects(self.namespace.as_deref(), &self.pod_labels))
    }
}

impl Container<'_> {
    /// Whether a probe's port (number or name) is one the container declares.
    pub fn declares_port(&self, port: &Node) -> bool {
        match (port.as_int(), port.str()) {
            (Some(n), _) => self.ports.iter().any(|p| p.number == Some(n)),
            (None, Some(name)) => self.ports.iter().any(|p| p.name.as_deref() == Some(name)),
            _ => true,
        }
    }
}

/// What a file's manifests tell about the cluster.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClusterFacts {
    pub services: Vec<Selector>,
    pub pdbs: Vec<Selector>,
    pub autoscalers: Vec<Autoscaler>,
}

impl ClusterFacts {
    pub fn extend(&mut self, other: &ClusterFacts) {
        self.services.extend(other.services.iter().cloned());
        self.pdbs.extend(other.pdbs.iter().cloned());
        self.autoscalers.extend(other.autoscalers.iter().cloned());
    }

    pub fn is_empty(&self) -> bool {
        self.services.is_empty() && self.pdbs.is_empty() && self.autoscalers.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Autoscaler {
    pub namespace: Option<String>,
    pub target_kind: String,
    pub target_name: String,
    pub min_replicas: i64,
}

/// A label selector: `matchLabels` and `matchExpressions` (a Service's
/// selector is `matchLabels` alone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    pub namespace: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub expressions: Vec<(String, String, Vec<String>)>,
}

impl Selector {
    pub fn selects(&self, namespace: Option<&str>, labels: &BTreeMap<String, String>) -> bool {
        same_namespace(self.namespace.as_deref(), namespace)
            && self.labels.iter().all(|(k, v)| labels.get(k) == Some(v))
            && self.expressions.iter().all(|(key, op, values)| {
                let value = labels.get(key);
                match op.as_str() {
                    "In" => value.is_some_and(|v| values.contains(v)),
                    "NotIn" => value.is_none_or(|v| !values.contains(v)),
                    "Exists" => value.is_some(),
                    "DoesNotExist" => value.is_none(),
                    _ => false,
                }
            })
    }
}

/// Namespaces match when equal or when either is left to the tool that
/// applies the manifests (`kubectl -n`, kustomize's `namespace:`).
fn same_namespace(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

/// Every Kubernetes object of the stream with its path (a `kind: List`'s
/// items one by one).
fn objects(docs: &[Doc]) -> Vec<(&Node, YamlPath)> {
    let mut out = Vec::new();
    for (i, doc) in docs.iter().enumerate() {
        let Some(root) = doc.root.as_ref().filter(|_| !doc.broken) else {
            continue;
        };
        if root.get("kind").and_then(Node::str) == Some("List") {
            for (j, item) in root
                .get("items")
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .enumerate()
            {
                out.push((&item.value, YamlPath::root(i).key("items").index(j)));
            }
        } else if root.get("kind").is_some() {
            out.push((root, YamlPath::root(i)));
        }
    }
    out
}

fn string_map(node: Option<&Node>) -> BTreeMap<String, String> {
    node.map(|n| {
        n.entries()
            .iter()
            .filter_map(|e| Some((e.key.text.clone(), e.value.str()?.to_string())))
            .collect()
    })
    .unwrap_or_default()
}

fn namespace(object: &Node) -> Option<String> {
    object
        .at(&["metadata", "namespace"])
        .and_then(Node::str)
        .map(str::to_string)
}

/// The Services, PodDisruptionBudgets and autoscalers of these documents.
pub fn cluster_facts(docs: &[Doc]) -> ClusterFacts {
    let mut facts = ClusterFacts::default();
    for (object, _) in objects(docs) {
        let kind = object.get("kind").and_then(Node::str).unwrap_or("");
        let spec = object.get("spec");
        match kind {
            "Service" => {
                let labels = string_map(spec.and_then(|s| s.get("selector")));
                // A Service without a selector routes to endpoints managed by
                // hand, not to pods.
                if !labels.is_empty() {
                    facts.services.push(Selector {
                        namespace: namespace(object),
                        labels,
                        expressions: Vec::new(),
                    });
                }
            }
            "PodDisruptionBudget" => {
                let selector = spec.and_then(|s| s.get("selector"));
                let expressions = selector
                    .and_then(|s| s.get("matchExpressions"))
                    .map(Node::items)
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(|item| {
                        let e = &item.value;
                        Some((
                            e.get("key")?.str()?.to_string(),
                            e.get("operator")?.str()?.to_string(),
                            e.get("values")
                                .map(|v| v.strings().into_iter().map(str::to_string).collect())
                                .unwrap_or_default(),
                        ))
                    })
                    .collect();
                facts.pdbs.push(Selector {
                    namespace: namespace(object),
                    labels: string_map(selector.and_then(|s| s.get("matchLabels"))),
                    expressions,
                });
            }
            "HorizontalPodAutoscaler" => {
                let target = spec.and_then(|s| s.get("scaleTargetRef"));
                let field = |key: &str| target.and_then(|t| t.get(key)).and_then(Node::str);
                if let (Some(kind), Some(name)) = (field("kind"), field("name")) {
                    facts.autoscalers.push(Autoscaler {
                        namespace: namespace(object),
                        target_kind: kind.to_string(),
                        target_name: name.to_string(),
                        min_replicas: spec
                            .and_then(|s| s.get("minReplicas"))
                            .and_then(Node::as_int)
                            .unwrap_or(1),
                    });
                }
            }
            _ => {}
        }
    }
    facts
}

/// The workloads of a manifest file.
pub fn manifests<'a>(
    text: &'a str,
    docs: &'a [Doc],
    cluster: &'a ClusterFacts,
    build_fixes: bool,
) -> Manifests<'a> {
    let workloads = objects(docs)
        .into_iter()
        .filter_map(|(object, path)| {
            let kind = object.get("kind").and_then(Node::str)?;
            if !WORKLOADS.contains(&kind) {
                return None;
            }
            let containers_path = path
                .key("spec")
                .key("template")
                .key("spec")
                .key("containers");
            let containers = object
                .at(&["spec", "template", "spec", "containers"])
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .enumerate()
                .filter(|(_, item)| matches!(item.value.kind, Kind::Map(_)))
                .map(|(i, item)| Container {
                    path: containers_path.index(i),
                    node: &item.value,
                    name: item
                        .value
                        .get("name")
                        .and_then(Node::str)
                        .unwrap_or("")
                        .to_string(),
                    ports: item
                        .value
                        .get("ports")
                        .map(Node::items)
                        .unwrap_or(&[])
                        .iter()
                        .map(|p| Port {
                            number: p.value.get("containerPort").and_then(Node::as_int),
                            name: p.value.get("name").and_then(Node::str).map(str::to_string),
                        })
                        .collect(),
                })
                .collect();
            Some(Workload {
                kind: kind.to_string(),
                name: object
                    .at(&["metadata", "name"])
                    .and_then(Node::str)
                    .unwrap_or("")
                    .to_string(),
                namespace: namespace(object),
                pod_labels: string_map(object.at(&["spec", "template", "metadata", "labels"])),
                path,
                node: object,
                containers,
            })
        })
        .collect();
    Manifests {
        text,
        docs,
        workloads,
        cluster,
        build_fixes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::yaml::YamlFile;

    #[test]
    fn workloads_and_the_objects_that_select_them() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\nspec:\n  replicas: 3\n  template:\n    metadata:\n      labels: {app: api, tier: web}\n    spec:\n      containers:\n        - name: api\n          ports: [{containerPort: 8000, name: http}]\n---\napiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec:\n  selector: {app: api}\n---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: api, namespace: other}\nspec:\n  selector:\n    matchLabels: {app: api}\n";
        let docs = YamlFile::parse(text).documents();
        let cluster = cluster_facts(&docs);
        let m = manifests(text, &docs, &cluster, false);
        let api = &m.workloads[0];
        assert_eq!(api.replicas(), Some(3));
        assert_eq!(api.containers[0].ports[0].name.as_deref(), Some("http"));
        assert!(api.serves_traffic(&cluster));
        assert!(!api.has_pdb(&cluster), "the PDB is in another namespace");
        assert_eq!(
            api.containers[0].path.to_string(),
            "spec.template.spec.containers[0]"
        );
    }
}
