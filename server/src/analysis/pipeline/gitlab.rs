//! GitLab CI configuration into the pipeline model: jobs with their stage,
//! `needs:`, `environment:`, `when:` and `allow_failure:`, templates applied
//! through `extends:`, and each `script:` line a step.

use super::github::empty_job;
use super::{Job, Pipeline, PipelineFacts, Provider, Run, Step, Triggers};
use crate::syntax::yaml::{Doc, Item, Kind, Node, YamlPath};

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
        unknown_includes: docs
            .iter()
            .chain(context.iter().flatten())
            .flat_map(includes)
            .any(|include| include.is_none()),
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

/// Whether every template a definition extends (at any depth) was read.
fn extends_known(def: &Def<'_>, defs: &[Def<'_>], depth: usize) -> bool {
    let Some(extends) = def.node.get("extends") else {
        return true;
    };
    depth < MAX_EXTENDS
        && extends.strings().iter().all(|name| {
            defs.iter()
                .find(|d| d.name == *name)
                .is_some_and(|template| extends_known(template, defs, depth + 1))
        })
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
    let rules = get("rules");
    let rule_items = rules.as_ref().map_or(&[][..], |(r, _)| r.items());
    fn rule_when<'n>(item: &&'n Item) -> Option<&'n str> {
        item.value.get("when").and_then(Node::str)
    }
    // The rules that can start the job (GitLab runs the first that
    // matches; `when: never` ones stop it).
    let running: Vec<&Item> = rule_items
        .iter()
        .filter(|r| rule_when(r) != Some("never"))
        .collect();
    let all_running = |ok: &dyn Fn(&&Item) -> bool| !running.is_empty() && running.iter().all(ok);
    let only_tags = get("only").is_some_and(|(only, _)| {
        let refs = only.get("refs").unwrap_or(only).strings();
        !refs.is_empty() && refs.iter().all(|r| *r == "tags")
    });
    let tag_rules = all_running(&|r| {
        r.value
            .get("if")
            .and_then(Node::str)
            .is_some_and(requires_tag)
    });
    let rule_allow_failure = rules.as_ref().and_then(|(_, path)| {
        rule_items.iter().enumerate().find_map(|(i, r)| {
            r.value
                .get("allow_failure")
                .is_some_and(Node::is_true)
                .then(|| path.index(i).key("allow_failure"))
        })
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
        manual: when.as_deref() == Some("manual")
            || all_running(&|r| rule_when(r) == Some("manual")),
        never_runs: !rule_items.is_empty() && running.is_empty(),
        tag_only: only_tags || tag_rules,
        partial: !extends_known(def, defs, 0),
        runs_always: when.as_deref() == Some("always"),
        allow_failure: get("allow_failure")
            .filter(|(n, _)| n.is_true())
            .map(|(_, p)| p)
            .or(rule_allow_failure),
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

/// A rule's `if:` that holds only in tag pipelines: a conjunction with
/// `$CI_COMMIT_TAG` (set, or matching a pattern) as one of its terms.
fn requires_tag(condition: &str) -> bool {
    !condition.contains("||")
        && condition.split("&&").any(|term| {
            let term = term.trim().trim_matches(['(', ')']).trim();
            let Some(rest) = term
                .strip_prefix("$CI_COMMIT_TAG")
                .or_else(|| term.strip_prefix("${CI_COMMIT_TAG}"))
            else {
                return false;
            };
            let rest: String = rest.chars().filter(|c| !c.is_whitespace()).collect();
            rest.is_empty()
                || rest.starts_with("=~")
                || rest == "!=null"
                || rest == "!=\"\""
                || rest == "!=''"
        })
}

/// What each `include:` entry of these documents brings: the local file's
/// path as written, or `None` for a file preflight cannot read (`remote:`,
/// `project:`, `template:`, `component:`, a URL, a wildcard).
fn includes(doc: &Doc) -> Vec<Option<String>> {
    let Some(include) = doc.root.as_ref().and_then(|r| r.get("include")) else {
        return Vec::new();
    };
    let entries: Vec<&Node> = match &include.kind {
        Kind::Seq(items) => items.iter().map(|i| &i.value).collect(),
        _ => vec![include],
    };
    entries
        .into_iter()
        .map(|entry| {
            entry
                .str()
                .filter(|s| !s.contains("://"))
                .or_else(|| entry.get("local").and_then(Node::str))
                .filter(|path| !path.contains('*'))
                .map(str::to_string)
        })
        .collect()
}

/// The local files a GitLab CI file includes (`include: ci/x.yml`,
/// `include: [{local: /ci/x.yml}]`), as written.
pub fn local_includes(docs: &[Doc]) -> Vec<String> {
    docs.iter().flat_map(includes).flatten().collect()
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

    #[test]
    fn rules_only_and_unreadable_includes() {
        let text = "include:\n  - local: ci/a.yml\n  - template: Jobs/SAST.gitlab-ci.yml\nunit:\n  script: [pytest]\n  rules:\n    - if: $CI_MERGE_REQUEST_IID\n      allow_failure: true\n    - when: on_success\nrelease:\n  stage: deploy\n  needs: [sast]\n  script: [./deploy.sh production]\n  rules:\n    - if: $CI_COMMIT_TAG && $CI_COMMIT_BRANCH == null\n      when: manual\n    - when: never\nauto:\n  stage: deploy\n  extends: .from-template\n  script: [./deploy.sh production]\n  rules:\n    - if: $CI_COMMIT_TAG\n      when: manual\n    - if: $CI_COMMIT_BRANCH\noff:\n  stage: deploy\n  script: [kubectl apply -f k8s/]\n  rules: [{when: never}]\ntags:\n  stage: deploy\n  needs: []\n  script: [./deploy.sh]\n  only: {refs: [tags]}\n";
        let docs = YamlFile::parse(text).documents();
        let facts = PipelineFacts::default();
        let p = pipeline(text, &docs, &[], &facts, false);
        assert!(p.unknown_includes);
        assert_eq!(local_includes(&docs), ["ci/a.yml"]);
        let unit = p.job("unit").unwrap();
        assert_eq!(
            unit.allow_failure.as_ref().unwrap().to_string(),
            "unit.rules[0].allow_failure"
        );
        let release = p.job("release").unwrap();
        assert!(release.manual && release.tag_only && !release.partial);
        assert!(p.dependencies_unknown(release));
        let auto = p.job("auto").unwrap();
        assert!(!auto.manual && !auto.tag_only && auto.partial);
        assert!(p.dependencies_unknown(auto));
        let off = p.job("off").unwrap();
        assert!(off.never_runs && !off.is_deploy());
        let tags = p.job("tags").unwrap();
        assert!(tags.tag_only && !p.dependencies_unknown(tags));
        assert!(requires_tag("($CI_COMMIT_TAG =~ /^v/) && $X"));
        assert!(!requires_tag("$CI_COMMIT_TAG == null"));
        assert!(!requires_tag("$CI_COMMIT_TAG || $CI_COMMIT_BRANCH"));
    }
}
