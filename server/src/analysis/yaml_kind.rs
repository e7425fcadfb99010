//! What a YAML file is: a GitHub Actions workflow, a composite action, GitLab
//! CI configuration, Kubernetes manifests, or none of these (then preflight
//! has nothing to say about it). Recognised by path where the tools fix the
//! path, by content where they do not.

use std::path::Path;

use crate::syntax::yaml::Doc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YamlKind {
    GitHubWorkflow,
    /// `action.yml`: a composite action's steps.
    Action,
    GitLabCi,
    Manifests,
    /// `docker-compose.yml`, `compose.yaml` and their variants.
    Compose,
    Other,
}

/// A YAML file by name alone: what a directory walk may skip without reading.
pub fn is_yaml_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml"))
}

/// The kind fixed by the path, when the path decides.
pub fn kind_by_path(path: &Path) -> Option<YamlKind> {
    if !is_yaml_path(path) {
        return None;
    }
    let name = path.file_name()?.to_str()?;
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    let parent = path
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str());
    let grandparent = path
        .parent()
        .and_then(Path::parent)
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str());
    if parent == Some("workflows") && grandparent == Some(".github") {
        return Some(YamlKind::GitHubWorkflow);
    }
    if stem == "action" {
        return Some(YamlKind::Action);
    }
    // `.gitlab-ci.yml`, and GitLab's convention for included parts
    // (`deploy.gitlab-ci.yml`, `Jobs/Build.gitlab-ci.yml`).
    if stem == ".gitlab-ci" || stem.ends_with(".gitlab-ci") || stem == "gitlab-ci" {
        return Some(YamlKind::GitLabCi);
    }
    let compose = |base: &str| stem == base || stem.starts_with(&format!("{base}."));
    if compose("docker-compose") || compose("compose") {
        return Some(YamlKind::Compose);
    }
    None
}

/// The kind of a YAML file from its path and, where the path does not
/// decide, its documents: a workflow by its `on:` + `jobs:` of jobs, manifests
/// by `apiVersion` + `kind`.
pub fn classify(path: Option<&Path>, docs: &[Doc]) -> YamlKind {
    if let Some(kind) = path.and_then(kind_by_path) {
        return kind;
    }
    let roots = || docs.iter().filter_map(|d| d.root.as_ref());
    if roots().any(|root| root.get("apiVersion").is_some() && root.get("kind").is_some()) {
        return YamlKind::Manifests;
    }
    let workflow = roots().next().is_some_and(|root| {
        root.get("on").is_some()
            && root.get("jobs").is_some_and(|jobs| {
                !jobs.entries().is_empty()
                    && jobs.entries().iter().all(|job| {
                        job.value.get("runs-on").is_some() || job.value.get("uses").is_some()
                    })
            })
    });
    if workflow {
        YamlKind::GitHubWorkflow
    } else {
        YamlKind::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::yaml::YamlFile;

    fn kind(path: &str, text: &str) -> YamlKind {
        classify(Some(Path::new(path)), &YamlFile::parse(text).documents())
    }

    #[test]
    fn paths_and_contents_decide() {
        assert_eq!(
            kind("r/.github/workflows/ci.yaml", ""),
            YamlKind::GitHubWorkflow
        );
        assert_eq!(
            kind("r/.github/actions/setup/action.yml", ""),
            YamlKind::Action
        );
        assert_eq!(kind("r/.gitlab-ci.yml", ""), YamlKind::GitLabCi);
        assert_eq!(kind("r/ci/deploy.gitlab-ci.yml", ""), YamlKind::GitLabCi);
        assert_eq!(
            kind(
                "k8s/app.yaml",
                "# app\n---\napiVersion: apps/v1\nkind: Deployment\n"
            ),
            YamlKind::Manifests
        );
        assert_eq!(
            kind(
                "templates/ci.yml",
                "on: push\njobs:\n  t:\n    runs-on: x\n"
            ),
            YamlKind::GitHubWorkflow
        );
        assert_eq!(
            kind("docker-compose.yml", "services:\n  db: {}\n"),
            YamlKind::Compose
        );
        assert_eq!(kind("deploy/compose.prod.yaml", ""), YamlKind::Compose);
        assert_eq!(kind("composer.yml", ""), YamlKind::Other);
        assert_eq!(kind("mkdocs.yml", "jobs: 1\non: 2\n"), YamlKind::Other);
    }
}
