//! GitLab CI configuration into the pipeline model: jobs with their stage,
//! `needs:`, `environment:`, `when:` and `allow_failure:`, templates applied
//! through `extends:`, and each `script:` line a step.

use super::github::empty_job;
use super::{Job, Pipeline, PipelineFacts, Provider, Run, Step, Triggers};
use crate::syntax::yaml::{Doc, Kind, Node, YamlPath};

/// Top-level keys that are not jobs.
const RESERVED: &[&str] = &[
    "image",
    "services",
    "stages",
    "types",
    "before_script",
    "after_script",
    "variables",
    "cache",
    "include",
    "default",
    "workflow",
    "spec",
];
const DEFAULT_STAGES: &[&str] = &[".pre", "build", "test", "deploy", ".post"];
/// `extends:` chains longer than this are cycles or mistakes.
const MAX_EXTENDS: usize = 11;

/// A top-level definition: a job or a template, from this file or another.
struct Def<'d> {
    name: &'d str,
    node: &'d Node,
    path: YamlPath,
}

pub fn pipeline<'a>(
    text: &'a str,
    docs: &'a [Doc],
    context: &[Vec<Doc>],
    facts: &'a PipelineFacts,
    build_fixes: bool,
) -> Pipeline<'a> {
    // This file's definitions first: they override included ones.
    let mut defs: Vec<Def<'_>> = Vec::new();
    for (i, doc) in docs.iter().enumerate() {
        add_defs(&mut defs, doc, |name| YamlPath::root(i).key(name));
    }
    for doc in context.iter().flatten() {
        add_defs(&mut defs, doc, |name| {
            YamlPath::elsewhere(Vec::new()).key(name)
        });
    }
    let stages: Vec<String> = defs
        .iter()
        .find(|d| d.name == "stages")
        .map(|d| d.node.strings().into_iter().map(str::to_string).collect())
        .unwrap_or_else(|| DEFAULT_STAGES.iter().map(|s| s.to_string()).collect());
    let default = defs.iter().find(|d| d.name == "default");
    let mut jobs: Vec<Job> = Vec::new();
    for def in &defs {
        let is_job = !RESERVED.contains(&def.name)
            && !def.name.starts_with('.')
            && def.node.is_map()
            && !jobs.iter().any(|j| j.id == def.name);
        if is_job {
            jobs.push(job(def, &defs, default, &stages));
        }
    }
    Pipeline {
        provider: Provider::GitLab,
        text,
        docs,
        jobs,
        triggers: Triggers::default(),
        permissions: None,
        jobs_path: None,
        facts,
        build_fixes,
    }
}

fn add_defs<'d>(defs: &mut Vec<Def<'d>>, doc: &'d Doc, path: impl Fn(&str) -> YamlPath) {
    let Some(root) = &doc.root else { return };
    for entry in root.entries() {
        if !defs.iter().any(|d| d.name == entry.key.text) {
            defs.push(Def {
                name: &entry.key.text,
                node: &entry.value,
                path: path(&entry.key.text),
            });
        }
    }
}

/// `key` of a definition, following `extends:` (later templates win, the
/// job's own keys win over all).
fn lookup<'d>(
    def: &Def<'d>,
    defs: &'d [Def<'d>],
    key: &str,
    depth: usize,
) -> Option<(&'d Node, YamlPath)> {
    if let Some(value) = def.node.get(key) {
        return Some((value, def.path.key(key)));
    }
    if depth >= MAX_EXTENDS {
        return None;
    }
    let extends = def.node.get("extends")?;
    extends.strings().iter().rev().find_map(|name| {
        let template = defs.iter().find(|d| d.name == *name)?;
        lookup(template, defs, key, depth + 1)
    })
}

fn job(def: &Def<'_>, defs: &[Def<'_>], default: Option<&Def<'_>>, stages: &[String]) -> Job {
    let get = |key: &str| lookup(def, defs, key, 0);
    let stage = get("stage")
        .and_then(|(n, _)| n.str())
        .unwrap_or("test")
        .to_string();
    let stage_index = stages
        .iter()
        .position(|s| *s == stage)
        .unwrap_or(usize::MAX / 2);
    let needs = get("needs");
    let environment = get("environment");
    let when = get("when").and_then(|(n, _)| n.str().map(str::to_string));
    let manual_rule = get("rules").is_some_and(|(rules, _)| {
        rules
            .items()
            .iter()
            .any(|r| r.value.get("when").and_then(Node::str) == Some("manual"))
    });
    let mut steps = Vec::new();
    let before = get("before_script").or_else(|| {
        let default = default?;
        default
            .node
            .get("before_script")
            .map(|n| (n, default.path.key("before_script")))
    });
    for (node, path) in before.into_iter().chain(get("script")) {
        script_steps(node, &path, &mut steps);
    }
    Job {
        id: def.name.to_string(),
        needs: needs.as_ref().map(|(n, _)| {
            n.items()
                .iter()
                .filter_map(|i| {
                    i.value
                        .str()
                        .or_else(|| i.value.get("job").and_then(Node::str))
                })
                .map(str::to_string)
                .collect()
        }),
        needs_path: needs.map(|(_, p)| p),
        stage: Some((stage, stage_index)),
        environment: environment.as_ref().and_then(|(e, _)| {
            e.str()
                .or_else(|| e.get("name").and_then(Node::str))
                .map(str::to_string)
        }),
        environment_path: environment.map(|(_, p)| p),
        manual: when.as_deref() == Some("manual") || manual_rule,
        runs_always: when.as_deref() == Some("always"),
        allow_failure: get("allow_failure")
            .filter(|(n, _)| n.is_true())
            .map(|(_, p)| p),
        steps,
        ..empty_job(def.path.clone())
    }
}

/// Each line of a `script:` a step; nested lists (`!reference` results) are
/// flattened.
fn script_steps(node: &Node, path: &YamlPath, out: &mut Vec<Step>) {
    match &node.kind {
        Kind::Scalar(scalar) => out.push(Step {
            path: path.clone(),
            name: None,
            uses: None,
            run: Some(Run::new(path.clone(), &scalar.text)),
            with: Vec::new(),
            continue_on_error: None,
            shell: None,
        }),
        Kind::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                script_steps(&item.value, &path.index(i), out);
            }
        }
        _ => {}
    }
}

/// The local files a GitLab CI file includes (`include: ci/x.yml`,
/// `include: [{local: /ci/x.yml}]`), as written.
pub fn local_includes(docs: &[Doc]) -> Vec<String> {
    let mut out = Vec::new();
    for root in docs.iter().filter_map(|d| d.root.as_ref()) {
        let Some(include) = root.get("include") else {
            continue;
        };
        let entries: Vec<&Node> = match &include.kind {
            Kind::Seq(items) => items.iter().map(|i| &i.value).collect(),
            _ => vec![include],
        };
        for entry in entries {
            let local = entry
                .str()
                .filter(|s| !s.contains("://"))
                .or_else(|| entry.get("local").and_then(Node::str));
            out.extend(local.map(str::to_string));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::yaml::YamlFile;

    #[test]
    fn stages_extends_needs_and_scripts() {
        let text = "stages: [build, test, deploy]\ninclude:\n  - local: ci/extra.yml\n  - 'ci/more.yml'\n.deploy:\n  stage: deploy\n  script:\n    - ./deploy.sh\nunit:\n  stage: test\n  script: [pytest]\n  allow_failure: true\nprod:\n  extends: .deploy\n  environment: production\n  when: manual\n";
        let docs = YamlFile::parse(text).documents();
        let facts = PipelineFacts::default();
        let p = pipeline(text, &docs, &[], &facts, false);
        assert_eq!(
            p.jobs.iter().map(|j| j.id.as_str()).collect::<Vec<_>>(),
            ["unit", "prod"]
        );
        let prod = p.job("prod").unwrap();
        assert_eq!(prod.stage.as_ref().unwrap().1, 2);
        assert!(prod.manual && prod.is_deploy());
        assert_eq!(prod.steps[0].path.to_string(), "\".deploy\".script[0]");
        assert_eq!(p.dependencies(prod)[0].id, "unit");
        assert!(p.job("unit").unwrap().allow_failure.is_some());
        assert_eq!(local_includes(&docs), ["ci/extra.yml", "ci/more.yml"]);
    }
}
