//! GitHub Actions workflows and composite actions into the pipeline model.

use super::{Callee, Job, Pipeline, PipelineFacts, Provider, Run, Step, Triggers, Uses};
use crate::syntax::yaml::{Doc, Kind, Node, YamlPath};

pub fn workflow<'a>(
    text: &'a str,
    docs: &'a [Doc],
    called: &[(String, Vec<Doc>)],
    facts: &'a PipelineFacts,
    build_fixes: bool,
) -> Pipeline<'a> {
    let root_path = YamlPath::root(0);
    let root = docs.first().and_then(|d| d.root.as_ref());
    let jobs_node = root.and_then(|r| r.get("jobs"));
    let mut jobs = jobs_of(jobs_node, &root_path.key("jobs"));
    for job in &mut jobs {
        let Some(uses) = &job.uses else { continue };
        let callee = match called.iter().find(|(written, _)| written == uses) {
            Some((_, docs)) => {
                let jobs_node = docs.first().and_then(|d| d.root.as_ref()?.get("jobs"));
                let mut called = jobs_of(jobs_node, &YamlPath::elsewhere(Vec::new()).key("jobs"));
                for called in &mut called {
                    called.environment = called
                        .environment
                        .as_deref()
                        .map(|e| with_inputs(e, &job.inputs));
                }
                // Calls one level down stay unread.
                Callee::Read(called)
            }
            None => Callee::Unread,
        };
        job.callee = Some(callee);
    }
    let triggers = root
        .and_then(|r| r.get("on"))
        .map(triggers)
        .unwrap_or_default();
    // A workflow that runs only for tags ships what the tag names.
    if triggers.tags_only() {
        for job in &mut jobs {
            job.tag_only = true;
        }
    }
    Pipeline {
        provider: Provider::GitHub,
        text,
        docs,
        jobs,
        triggers,
        permissions: root
            .and_then(|r| r.entry("permissions"))
            .map(|_| root_path.key("permissions")),
        jobs_path: jobs_node.map(|_| root_path.key("jobs")),
        unknown_includes: false,
        facts,
        build_fixes,
    }
}

/// The jobs of a `jobs:` mapping at `path`.
fn jobs_of(jobs: Option<&Node>, path: &YamlPath) -> Vec<Job> {
    jobs.map(|jobs| {
        jobs.entries()
            .iter()
            .filter(|e| e.value.is_map())
            .map(|e| job(&e.key.text, &e.value, path.key(&e.key.text)))
            .collect()
    })
    .unwrap_or_default()
}

/// `${{ inputs.name }}` replaced by the value a caller passes for it.
fn with_inputs(text: &str, inputs: &[(String, String)]) -> String {
    let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    squeezed
        .strip_prefix("${{inputs.")
        .and_then(|rest| rest.strip_suffix("}}"))
        .and_then(|name| inputs.iter().find(|(n, _)| n == name))
        .map_or_else(|| text.to_string(), |(_, value)| value.clone())
}

pub fn local_calls(docs: &[Doc]) -> Vec<String> {
    let jobs = docs
        .first()
        .and_then(|d| d.root.as_ref()?.get("jobs"))
        .map_or(&[][..], Node::entries);
    jobs.iter()
        .filter_map(|e| e.value.get("uses")?.str())
        .filter(|uses| {
            uses.strip_prefix("./.github/workflows/")
                .is_some_and(|file| !file.is_empty() && !file.contains(['/', '\\']) && file != "..")
        })
        .map(str::to_string)
        .collect()
}

pub fn action<'a>(
    text: &'a str,
    docs: &'a [Doc],
    facts: &'a PipelineFacts,
    build_fixes: bool,
) -> Pipeline<'a> {
    let root = docs.first().and_then(|d| d.root.as_ref());
    let runs = root.and_then(|r| r.get("runs"));
    let composite = runs
        .and_then(|r| r.get("using"))
        .and_then(Node::str)
        .is_some_and(|u| u == "composite");
    let jobs = match runs {
        Some(runs) if composite => {
            let path = YamlPath::root(0).key("runs");
            let name = root.and_then(|r| r.get("name")).and_then(Node::str);
            vec![Job {
                id: "action".to_string(),
                name: name.map(str::to_string),
                steps: steps(runs.get("steps"), &path.key("steps")),
                ..empty_job(path)
            }]
        }
        _ => Vec::new(),
    };
    Pipeline {
        provider: Provider::CompositeAction,
        text,
        docs,
        jobs,
        triggers: Triggers::default(),
        permissions: None,
        jobs_path: None,
        unknown_includes: false,
        facts,
        build_fixes,
    }
}

pub(super) fn empty_job(path: YamlPath) -> Job {
    Job {
        id: String::new(),
        path,
        name: None,
        needs: None,
        needs_path: None,
        stage: None,
        environment: None,
        environment_path: None,
        condition: None,
        manual: false,
        never_runs: false,
        tag_only: false,
        partial: false,
        runs_always: false,
        allow_failure: None,
        uses: None,
        uses_path: None,
        callee: None,
        inputs: Vec::new(),
        permissions: None,
        steps: Vec::new(),
    }
}

fn triggers(on: &Node) -> Triggers {
    let mut triggers = Triggers::default();
    match &on.kind {
        Kind::Map(entries) => {
            for entry in entries {
                triggers.events.push(entry.key.text.clone());
                match entry.key.text.as_str() {
                    "workflow_run" => {
                        triggers.workflow_run = Some(
                            entry
                                .value
                                .get("workflows")
                                .map(|w| w.strings().into_iter().map(str::to_string).collect())
                                .unwrap_or_default(),
                        );
                    }
                    "push" => {
                        triggers.push_branches = entry
                            .value
                            .get("branches")
                            .map(|b| b.strings().into_iter().map(str::to_string).collect())
                            .unwrap_or_default();
                        triggers.push_tags_only = entry.value.get("tags").is_some()
                            && entry.value.get("branches").is_none();
                    }
                    _ => {}
                }
            }
        }
        _ => {
            triggers.events = on.strings().into_iter().map(str::to_string).collect();
            if triggers.has("workflow_run") {
                triggers.workflow_run = Some(Vec::new());
            }
        }
    }
    triggers
}

fn job(id: &str, node: &Node, path: YamlPath) -> Job {
    let needs = node.get("needs");
    let environment = node.get("environment");
    let uses = node.get("uses").and_then(Node::str);
    let flag = |key: &str| {
        node.get(key)
            .is_some_and(Node::is_true)
            .then(|| path.key(key))
    };
    Job {
        id: id.to_string(),
        name: node.get("name").and_then(Node::str).map(str::to_string),
        needs: needs.map(|n| n.strings().into_iter().map(str::to_string).collect()),
        needs_path: needs.map(|_| path.key("needs")),
        environment: environment.and_then(|e| {
            e.str()
                .or_else(|| e.get("name").and_then(Node::str))
                .map(str::to_string)
        }),
        environment_path: environment.map(|_| path.key("environment")),
        condition: node.get("if").and_then(Node::str).map(str::to_string),
        allow_failure: flag("continue-on-error"),
        uses: uses.map(str::to_string),
        uses_path: uses.map(|_| path.key("uses")),
        // What it calls is unread until the caller's workflow fills it in.
        callee: uses.map(|_| Callee::Unread),
        inputs: node
            .get("with")
            .map(|with| {
                with.entries()
                    .iter()
                    .filter_map(|e| Some((e.key.text.clone(), e.value.str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default(),
        permissions: node.entry("permissions").map(|_| path.key("permissions")),
        steps: steps(node.get("steps"), &path.key("steps")),
        ..empty_job(path)
    }
}

fn steps(node: Option<&Node>, path: &YamlPath) -> Vec<Step> {
    let Some(node) = node else {
        return Vec::new();
    };
    node.items()
        .iter()
        .enumerate()
        .filter(|(_, item)| item.value.is_map())
        .map(|(i, item)| step(&item.value, path.index(i)))
        .collect()
}

fn step(node: &Node, path: YamlPath) -> Step {
    let uses = node.get("uses").and_then(Node::str).map(|written| {
        let (action, reference) = match written.split_once('@') {
            Some((action, reference)) => (action, Some(reference.to_string())),
            None => (written, None),
        };
        Uses {
            action: action.to_string(),
            reference,
            path: path.key("uses"),
        }
    });
    Step {
        name: node.get("name").and_then(Node::str).map(str::to_string),
        uses,
        run: node
            .get("run")
            .and_then(Node::str)
            .map(|script| Run::new(path.key("run"), script)),
        with: node
            .get("with")
            .map(|with| {
                with.entries()
                    .iter()
                    .filter_map(|e| {
                        Some((
                            e.key.text.clone(),
                            e.value.str()?.to_string(),
                            path.key("with").key(&e.key.text),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default(),
        continue_on_error: node
            .get("continue-on-error")
            .is_some_and(Node::is_true)
            .then(|| path.key("continue-on-error")),
        shell: node.get("shell").and_then(Node::str).map(str::to_string),
        path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::pipeline::Target;
    use crate::syntax::yaml::YamlFile;

    #[test]
    fn reads_jobs_needs_steps_and_triggers() {
        let text = "on:\n  push:\n    branches: [main]\n  workflow_run:\n    workflows: [CI]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: pytest\n  deploy-prod:\n    needs: test\n    environment:\n      name: production\n    runs-on: ubuntu-latest\n    steps:\n      - run: kubectl apply -f k8s/\n";
        let docs = YamlFile::parse(text).documents();
        let facts = PipelineFacts::default();
        let pipeline = workflow(text, &docs, &[], &facts, false);
        assert_eq!(pipeline.triggers.events, ["push", "workflow_run"]);
        assert_eq!(pipeline.triggers.push_branches, ["main"]);
        let deploy = pipeline.job("deploy-prod").unwrap();
        assert!(deploy.is_deploy() && !deploy.is_test());
        assert_eq!(deploy.target(), Target::Production);
        assert_eq!(deploy.environment.as_deref(), Some("production"));
        let test = pipeline.job("test").unwrap();
        assert!(test.is_test());
        assert_eq!(
            test.steps[0].uses.as_ref().unwrap().reference.as_deref(),
            Some("v4")
        );
        assert_eq!(pipeline.dependencies(deploy)[0].id, "test");
    }

    #[test]
    fn workflows_started_only_by_tags_or_releases_ship_tagged() {
        let tags_of = |on: &str| {
            let text = format!("on:\n{on}jobs:\n  ship:\n    runs-on: ubuntu-latest\n");
            let docs = YamlFile::parse(&text).documents();
            let facts = PipelineFacts::default();
            let pipeline = workflow(&text, &docs, &[], &facts, false);
            pipeline.job("ship").unwrap().tag_only
        };
        assert!(tags_of("  push:\n    tags: ['v*']\n"));
        assert!(tags_of("  release:\n    types: [published]\n"));
        assert!(!tags_of(
            "  push:\n    tags: ['v*']\n    branches: [main]\n"
        ));
        assert!(!tags_of(
            "  push:\n    tags: ['v*']\n  workflow_dispatch:\n"
        ));
        assert!(!tags_of("  push:\n"));
    }

    #[test]
    fn calls_read_the_called_jobs_with_the_callers_inputs() {
        let text = "on: push\njobs:\n  prod:\n    uses: ./.github/workflows/deploy.yml\n    with:\n      environment: production\n    secrets: inherit\n  remote:\n    uses: acme/ci/.github/workflows/deploy.yml@v1\n  odd:\n    uses: ./.github/workflows/../../etc/x.yml\n";
        let docs = YamlFile::parse(text).documents();
        assert_eq!(local_calls(&docs), ["./.github/workflows/deploy.yml"]);
        let called = "on: workflow_call\njobs:\n  ship:\n    environment: ${{ inputs.environment }}\n    steps: [{run: ./deploy.sh}]\n";
        let called = vec![(
            "./.github/workflows/deploy.yml".to_string(),
            YamlFile::parse(called).documents(),
        )];
        let facts = PipelineFacts::default();
        let pipeline = workflow(text, &docs, &called, &facts, false);
        let prod = pipeline.job("prod").unwrap();
        let ship = &prod.called_jobs()[0];
        assert_eq!(ship.environment.as_deref(), Some("production"));
        assert!(!ship.is_local());
        assert!(prod.is_deploy() && prod.target() == Target::Production);
        let remote = pipeline.job("remote").unwrap();
        assert!(matches!(remote.callee, Some(Callee::Unread)) && remote.is_deploy());
        assert_eq!(remote.target(), Target::Unknown);
        let callee =
            YamlFile::parse("on:\n  workflow_call:\n  workflow_dispatch:\njobs: {}\n").documents();
        assert!(workflow("", &callee, &[], &facts, false).is_called_only());
    }
}
