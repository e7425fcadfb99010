//! Where a deploy sets the application's environment: a Kubernetes
//! container's `env:`, a GitHub deploy job's `env:` (with the workflow's),
//! a compose service's `environment:`. The env rules compare these with the
//! project's settings schemas. GitLab jobs are left out: every CI/CD
//! variable of the project reaches them, so what a job lacks cannot be told
//! from the file. So are containers of official images (`postgres:16`,
//! `redis`): they read their own variables, which a settings schema may
//! share (`POSTGRES_USER`) without being theirs.

use crate::analysis::env::project::Declared;
use crate::analysis::manifest::{self, ClusterFacts};
use crate::analysis::yaml_kind::YamlKind;
use crate::syntax::yaml::{Doc, Kind, Node, YamlPath};

/// One place that sets variables for a running application.
#[derive(Debug, Clone, PartialEq)]
pub struct DeployTarget {
    /// For messages: "container `api` of Deployment `shop`".
    pub label: String,
    /// The `env:` / `environment:` entry: where findings point and entries go.
    pub env: YamlPath,
    pub names: Vec<String>,
    /// `envFrom` or `env_file`: more variables come from elsewhere, so what
    /// is missing cannot be told.
    pub opaque: bool,
    pub style: Style,
}

/// How an entry is written into the target's `env:`.
#[derive(Debug, Clone, PartialEq)]
pub enum Style {
    /// A container's list of `name:` / `valueFrom:` maps, taking values
    /// from this Secret.
    Container { secret: String },
    /// A GitHub job's `KEY: ${{ secrets.KEY }}` map.
    Workflow,
    /// A compose service's `KEY: ${KEY}` map, or `- KEY=${KEY}` list.
    Compose { list: bool },
}

/// What the deploy rules judge: a YAML file's targets with the project's
/// settings fields.
pub struct DeployCheck<'a> {
    pub text: &'a str,
    pub docs: &'a [Doc],
    pub targets: &'a [DeployTarget],
    pub declared: &'a [Declared<'a>],
    pub build_fixes: bool,
}

/// The deploy targets of a YAML file of `kind`.
pub fn targets(kind: YamlKind, docs: &[Doc]) -> Vec<DeployTarget> {
    match kind {
        YamlKind::Manifests => containers(docs),
        YamlKind::GitHubWorkflow => deploy_jobs(docs),
        YamlKind::Compose => services(docs),
        _ => Vec::new(),
    }
}

fn containers(docs: &[Doc]) -> Vec<DeployTarget> {
    let cluster = ClusterFacts::default();
    let manifests = manifest::manifests("", docs, &cluster, false);
    let mut out = Vec::new();
    for workload in &manifests.workloads {
        for container in &workload.containers {
            let image = container.node.get("image").and_then(Node::str);
            let Some(env) = container
                .node
                .get("env")
                .filter(|_| !image.is_some_and(official))
            else {
                continue;
            };
            let entries = env.items();
            let names = entries
                .iter()
                .filter_map(|item| item.value.get("name").and_then(Node::str))
                .map(str::to_string)
                .collect();
            // New entries take their values from the Secret the container
            // already reads, else from one named after the workload.
            let secret = entries
                .iter()
                .find_map(|item| {
                    item.value
                        .at(&["valueFrom", "secretKeyRef", "name"])
                        .and_then(Node::str)
                })
                .map_or_else(|| format!("{}-env", workload.name), str::to_string);
            out.push(DeployTarget {
                label: format!(
                    "container `{}` of {} `{}`",
                    container.name, workload.kind, workload.name
                ),
                env: container.path.key("env"),
                names,
                opaque: container.node.get("envFrom").is_some(),
                style: Style::Container { secret },
            });
        }
    }
    out
}

/// Jobs that deploy (they name an `environment:` or are called deploy) and
/// set variables in `env:`; the workflow's `env:` reaches them too.
fn deploy_jobs(docs: &[Doc]) -> Vec<DeployTarget> {
    let mut out = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        let Some(root) = &doc.root else { continue };
        let global = root.get("env").map(map_keys).unwrap_or_default();
        let Some(jobs) = root.get("jobs") else {
            continue;
        };
        for job in jobs.entries() {
            let id = job.key.text.as_str();
            let deploys = job.value.get("environment").is_some()
                || id.to_ascii_lowercase().contains("deploy");
            let Some(env) = job.value.get("env").filter(|e| e.is_map()) else {
                continue;
            };
            if !deploys {
                continue;
            }
            let mut names = global.clone();
            names.extend(map_keys(env));
            out.push(DeployTarget {
                label: format!("job `{id}`"),
                env: YamlPath::root(d).key("jobs").key(id).key("env"),
                names,
                opaque: false,
                style: Style::Workflow,
            });
        }
    }
    out
}

fn services(docs: &[Doc]) -> Vec<DeployTarget> {
    let mut out = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        let Some(services) = doc.root.as_ref().and_then(|r| r.get("services")) else {
            continue;
        };
        for service in services.entries() {
            let built = service.value.get("build").is_some();
            let image = service.value.get("image").and_then(Node::str);
            let Some(env) = service
                .value
                .get("environment")
                .filter(|_| built || !image.is_some_and(official))
            else {
                continue;
            };
            let id = service.key.text.as_str();
            let (names, list) = match &env.kind {
                Kind::Seq(items) => (
                    items
                        .iter()
                        .filter_map(|i| i.value.str())
                        .map(|entry| entry.split('=').next().unwrap_or(entry).trim().to_string())
                        .collect(),
                    true,
                ),
                _ => (map_keys(env), false),
            };
            out.push(DeployTarget {
                label: format!("service `{id}`"),
                env: YamlPath::root(d).key("services").key(id).key("environment"),
                names,
                opaque: service.value.get("env_file").is_some(),
                style: Style::Compose { list },
            });
        }
    }
    out
}

/// A Docker Hub official image: a repository name without an owner
/// (`postgres:16`, `library/redis`, `docker.io/nginx`).
fn official(image: &str) -> bool {
    let reference = image.split('@').next().unwrap_or(image);
    // A tag follows the last `:` after the last `/` (a registry port does not).
    let repository = match reference.rfind(':') {
        Some(i) if !reference[i..].contains('/') => &reference[..i],
        _ => reference,
    };
    let repository = repository
        .strip_prefix("docker.io/")
        .unwrap_or(repository)
        .trim_start_matches("library/");
    !repository.contains('/')
}

fn map_keys(map: &Node) -> Vec<String> {
    map.entries().iter().map(|e| e.key.text.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::yaml::YamlFile;

    fn of(kind: YamlKind, text: &str) -> Vec<DeployTarget> {
        targets(kind, &YamlFile::parse(text).documents())
    }

    #[test]
    fn containers_list_their_env_and_secret() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          env:\n            - name: DATABASE_URL\n              valueFrom:\n                secretKeyRef:\n                  name: shop-db\n                  key: url\n            - name: DEBUG\n              value: \"false\"\n        - name: sidecar\n          image: envoy\n";
        let targets = of(YamlKind::Manifests, text);
        assert_eq!(targets.len(), 1, "a container without env is no target");
        assert_eq!(targets[0].names, ["DATABASE_URL", "DEBUG"]);
        assert_eq!(targets[0].label, "container `api` of Deployment `shop`");
        assert_eq!(
            targets[0].style,
            Style::Container {
                secret: "shop-db".to_string()
            }
        );
        assert!(!targets[0].opaque);
    }

    #[test]
    fn deploy_jobs_see_the_workflow_env() {
        let text = "on: push\nenv:\n  APP_ENV: production\njobs:\n  test:\n    runs-on: ubuntu-latest\n    env:\n      DATABASE_URL: postgres://localhost/test\n  release:\n    runs-on: ubuntu-latest\n    environment: production\n    env:\n      SECRET_KEY: ${{ secrets.SECRET_KEY }}\n";
        let targets = of(YamlKind::GitHubWorkflow, text);
        assert_eq!(targets.len(), 1, "a test job is no deploy");
        assert_eq!(targets[0].names, ["APP_ENV", "SECRET_KEY"]);
    }

    #[test]
    fn official_images_are_not_the_application() {
        assert!(official("postgres:16"));
        assert!(official("docker.io/library/redis@sha256:abc"));
        assert!(!official("ghcr.io/acme/api:1.2"));
        assert!(!official("acme/api"));
        // A registry with a port is no tag.
        assert!(!official("registry.local:5000/api"));
    }

    #[test]
    fn compose_services_in_both_styles() {
        let text = "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_USER: app\n  web:\n    environment:\n      - DATABASE_URL=postgres://db/app\n      - DEBUG\n  worker:\n    env_file: .env\n    environment:\n      QUEUE: default\n";
        let targets = of(YamlKind::Compose, text);
        assert_eq!(targets[0].names, ["DATABASE_URL", "DEBUG"]);
        assert_eq!(targets[0].style, Style::Compose { list: true });
        assert!(targets[1].opaque);
        assert_eq!(targets[1].names, ["QUEUE"]);
    }
}
