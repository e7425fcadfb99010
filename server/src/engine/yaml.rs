//! The engine's path for YAML documents: the tree kept across edits, the
//! file recognised, the facts around it gathered (other manifests, the
//! repository's migrations, the CI files it includes or sits beside), the
//! pipeline or manifest rules run, then suppressions (`# preflight:
//! ignore[...]`) and configuration as for every document.

use std::ops::Range;
use std::path::{Path, PathBuf};

use super::Analysis;
use super::workspace::{Workspace, absolute, find_migrations, project_root};
use crate::analysis::deploy_env::{self, DeployCheck, DeployTarget};
use crate::analysis::env::project::{EnvFacts, Mention};
use crate::analysis::manifest;
use crate::analysis::pipeline::{self, Pipeline, PipelineFacts};
use crate::analysis::suppression::Suppressions;
use crate::analysis::yaml_kind::{self, YamlKind};
use crate::config::Config;
use crate::finding::Finding;
use crate::rules::{self, Check};
use crate::syntax::yaml::{self, Anchor, Doc, Kind, Node, YamlFile};

/// A YAML document's incremental state.
#[derive(Debug)]
pub(super) struct YamlState {
    file: YamlFile,
}

/// What a YAML file is, with what that takes: the files of its GitLab
/// pipeline besides itself.
enum Recognised {
    Pipeline(YamlKind, Vec<Vec<Doc>>),
    Manifests,
    /// A compose file: only where it sets the environment matters.
    Compose,
    Nothing,
}

impl Recognised {
    fn kind(&self) -> YamlKind {
        match self {
            Recognised::Pipeline(kind, _) => *kind,
            Recognised::Manifests => YamlKind::Manifests,
            Recognised::Compose => YamlKind::Compose,
            Recognised::Nothing => YamlKind::Other,
        }
    }
}

pub(super) fn run(analysis: &mut Analysis, config: &Config, build_fixes: bool) -> Vec<Finding> {
    let text = std::mem::take(&mut analysis.text);
    let pending = analysis.pending.take();
    let state = match (analysis.yaml.take(), pending) {
        (Some(mut state), Some(edit)) => {
            state.file.reparse(&text, edit);
            state
        }
        (Some(state), None) => state,
        (None, _) => YamlState {
            file: YamlFile::parse(&text),
        },
    };
    let docs = state.file.documents();
    let path = analysis.path.clone();
    let workspace = analysis.workspace.clone();
    // Half a file (while it is being typed) would miss the `needs:` on the
    // broken line and report a gate as missing: nothing is said until it
    // parses again.
    if docs.iter().any(|d| d.broken) {
        analysis.yaml = Some(state);
        analysis.text = text;
        return Vec::new();
    }
    let recognised = recognise(path.as_deref(), &docs);
    let targets = deploy_env::targets(recognised.kind(), &docs);
    let mut findings = match recognised {
        Recognised::Nothing | Recognised::Compose => Vec::new(),
        Recognised::Manifests => {
            let own = manifest::cluster_facts(&docs);
            let mut cluster = own.clone();
            if let (Some(workspace), Some(path)) = (&workspace, &path) {
                let path = absolute(path);
                cluster.extend(&workspace.cluster_except(Some(&path)));
                workspace.record(&path, own);
            }
            let manifests = manifest::manifests(&text, &docs, &cluster, build_fixes);
            run_rules(config, |check, out| match check {
                Check::Manifest(check) => {
                    check(&manifests, out);
                    true
                }
                _ => false,
            })
        }
        Recognised::Pipeline(kind, context) => {
            let root = repository_root(path.as_deref(), kind);
            let facts = pipeline_facts(
                path.as_deref(),
                root.as_deref(),
                kind,
                &context,
                workspace.as_deref(),
            );
            let called = called_workflows(root.as_deref(), kind, &docs);
            let pipeline =
                build_pipeline(kind, &text, &docs, &context, &called, &facts, build_fixes);
            run_rules(config, |check, out| match check {
                Check::Pipeline(check) => {
                    check(&pipeline, out);
                    true
                }
                _ => false,
            })
        }
    };
    findings.extend(deploy_findings(
        &DeployInput {
            text: &text,
            docs: &docs,
            targets: &targets,
            build_fixes,
        },
        path.as_deref(),
        workspace.as_deref(),
        config,
    ));
    let comments = state.file.comments();
    let mut findings = Suppressions::parse(&text, &comments, "#").apply(
        findings,
        &statements(&text, &docs),
        &|id| rules::find(id).is_some(),
    );
    findings.retain_mut(|f| super::configure_engine_finding(f, config));
    findings.sort_by_key(|f| (f.range.start, f.range.end));
    analysis.yaml = Some(state);
    analysis.text = text;
    findings
}

struct DeployInput<'a> {
    text: &'a str,
    docs: &'a [Doc],
    targets: &'a [DeployTarget],
    build_fixes: bool,
}

/// The deploy-env findings of a file: its targets recorded as what it
/// provides, then judged against the project's settings.
fn deploy_findings(
    input: &DeployInput<'_>,
    path: Option<&Path>,
    workspace: Option<&Workspace>,
    config: &Config,
) -> Vec<Finding> {
    let (Some(workspace), Some(path)) = (workspace, path) else {
        return Vec::new();
    };
    workspace.record_env(
        &absolute(path),
        provided(input.text, input.docs, input.targets),
    );
    if input.targets.is_empty() {
        return Vec::new();
    }
    let project = workspace.env_project();
    // The settings of this deploy's project only: a monorepo's other
    // services declare variables this deploy has no business setting.
    let root = project_root(path);
    let mut declared = project.declared();
    declared.retain(|d| root.as_deref().is_none_or(|r| d.path.starts_with(r)));
    let check = DeployCheck {
        text: input.text,
        docs: input.docs,
        targets: input.targets,
        declared: &declared,
        build_fixes: input.build_fixes,
    };
    run_rules(config, |rule, out| match rule {
        Check::Deploy(run) => {
            run(&check, out);
            true
        }
        _ => false,
    })
}

/// What a YAML file tells the env index: the variables its deploys set.
fn provided(text: &str, docs: &[Doc], targets: &[DeployTarget]) -> EnvFacts {
    let provided = targets
        .iter()
        .flat_map(|target| {
            let at = yaml::path::locate(docs, &target.env, &Anchor::Key).map_or(0, |r| r.start);
            let line = text.get(..at).map_or(0, |t| t.matches('\n').count()) as u32;
            target.names.iter().map(move |name| Mention {
                name: name.clone(),
                line,
            })
        })
        .collect();
    EnvFacts {
        provided,
        ..EnvFacts::default()
    }
}

/// The env facts of a YAML file on disk.
pub(super) fn env_facts(path: &Path, text: &str) -> EnvFacts {
    let docs = YamlFile::parse(text).documents();
    let kind = recognise(Some(path), &docs).kind();
    provided(text, &docs, &deploy_env::targets(kind, &docs))
}

/// Runs the rules `run` accepts (it returns whether it ran the check).
fn run_rules(config: &Config, run: impl Fn(&Check, &mut Vec<Finding>) -> bool) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in rules::all() {
        findings.extend(super::run_rule(rule, config, |out| {
            run(&rule.check, out);
        }));
    }
    findings
}

fn build_pipeline<'a>(
    kind: YamlKind,
    text: &'a str,
    docs: &'a [Doc],
    context: &[Vec<Doc>],
    called: &[(String, Vec<Doc>)],
    facts: &'a PipelineFacts,
    build_fixes: bool,
) -> Pipeline<'a> {
    match kind {
        YamlKind::GitLabCi => pipeline::gitlab(text, docs, context, facts, build_fixes),
        YamlKind::Action => pipeline::action(text, docs, facts, build_fixes),
        _ => pipeline::github(text, docs, called, facts, build_fixes),
    }
}

/// The reusable workflows of the repository a workflow calls, read from its
/// `.github/workflows/` (a call that names no file there stays unread).
fn called_workflows(root: Option<&Path>, kind: YamlKind, docs: &[Doc]) -> Vec<(String, Vec<Doc>)> {
    let Some(root) = root.filter(|_| kind == YamlKind::GitHubWorkflow) else {
        return Vec::new();
    };
    pipeline::local_calls(docs)
        .into_iter()
        .filter_map(|uses| {
            let docs = read_docs(&root.join(uses.trim_start_matches("./")))?;
            Some((uses, docs))
        })
        .collect()
}

/// Whether preflight checks this YAML text at all.
pub(super) fn checks(path: &Path, text: &str) -> bool {
    let docs = YamlFile::parse(text).documents();
    !matches!(recognise(Some(path), &docs), Recognised::Nothing)
}

fn recognise(path: Option<&Path>, docs: &[Doc]) -> Recognised {
    match yaml_kind::classify(path, docs) {
        YamlKind::Manifests => Recognised::Manifests,
        YamlKind::Compose => Recognised::Compose,
        YamlKind::GitLabCi => Recognised::Pipeline(YamlKind::GitLabCi, gitlab_context(path, docs)),
        YamlKind::Other => match path.and_then(including_gitlab_file) {
            // A file `.gitlab-ci.yml` includes is part of that pipeline.
            Some((root_docs, siblings)) => {
                let mut context = vec![root_docs];
                context.extend(siblings);
                Recognised::Pipeline(YamlKind::GitLabCi, context)
            }
            None => Recognised::Nothing,
        },
        kind => Recognised::Pipeline(kind, Vec::new()),
    }
}

fn read_docs(path: &Path) -> Option<Vec<Doc>> {
    let text = std::fs::read_to_string(path).ok()?;
    Some(YamlFile::parse(&text).documents())
}

/// The files a GitLab CI file includes, read from disk (paths are relative to
/// the repository root, which is where `.gitlab-ci.yml` lives).
fn gitlab_context(path: Option<&Path>, docs: &[Doc]) -> Vec<Vec<Doc>> {
    let Some(root) = path.and_then(|p| repository_root(Some(p), YamlKind::GitLabCi)) else {
        return Vec::new();
    };
    pipeline::local_includes(docs)
        .iter()
        .filter_map(|include| read_docs(&root.join(include.trim_start_matches('/'))))
        .collect()
}

/// For a file that a `.gitlab-ci.yml` above it includes: that file's
/// documents and those of its other includes.
fn including_gitlab_file(path: &Path) -> Option<(Vec<Doc>, Vec<Vec<Doc>>)> {
    let target = absolute(path);
    for dir in target.ancestors().skip(1).take(8) {
        let ci = dir.join(".gitlab-ci.yml");
        let Some(docs) = read_docs(&ci) else {
            continue;
        };
        let includes = pipeline::local_includes(&docs);
        let resolve = |include: &String| dir.join(include.trim_start_matches('/'));
        if !includes.iter().any(|i| resolve(i) == target) {
            return None;
        }
        let siblings = includes
            .iter()
            .map(resolve)
            .filter(|p| *p != target)
            .filter_map(|p| read_docs(&p))
            .collect();
        return Some((docs, siblings));
    }
    None
}

/// Where a CI file's repository starts: above `.github/workflows/`, beside
/// `.gitlab-ci.yml` (or the one that includes it); else the file's directory.
fn repository_root(path: Option<&Path>, kind: YamlKind) -> Option<PathBuf> {
    let path = absolute(path?);
    let dir = path.parent()?;
    let in_workflows = dir.file_name().is_some_and(|n| n == "workflows")
        && dir
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|n| n == ".github");
    if in_workflows {
        return dir.parent()?.parent().map(Path::to_path_buf);
    }
    if kind == YamlKind::GitLabCi {
        return path
            .ancestors()
            .skip(1)
            .take(8)
            .find(|d| d.join(".gitlab-ci.yml").is_file())
            .map(Path::to_path_buf)
            .or_else(|| Some(dir.to_path_buf()));
    }
    Some(dir.to_path_buf())
}

fn pipeline_facts(
    path: Option<&Path>,
    root: Option<&Path>,
    kind: YamlKind,
    context: &[Vec<Doc>],
    workspace: Option<&Workspace>,
) -> PipelineFacts {
    let Some(root) = root else {
        return PipelineFacts::default();
    };
    let migrations = match workspace {
        Some(workspace) => workspace.migrations(root),
        None => find_migrations(root),
    };
    if migrations.is_empty() {
        return PipelineFacts::default();
    }
    let empty = PipelineFacts::default();
    let lints = |kind: YamlKind, docs: &[Doc], context: &[Vec<Doc>]| {
        let pipeline = build_pipeline(kind, "", docs, context, &[], &empty, false);
        pipeline::lints_migrations(&pipeline)
    };
    let lint_elsewhere = match kind {
        YamlKind::GitLabCi => context.iter().any(|docs| lints(kind, docs, &[])),
        // The repository's other workflows.
        _ => {
            let dir = root.join(".github").join("workflows");
            let this = path.map(absolute);
            std::fs::read_dir(&dir)
                .map(|entries| {
                    entries.flatten().map(|e| e.path()).any(|other| {
                        Some(absolute(&other)) != this
                            && yaml_kind::is_yaml_path(&other)
                            && read_docs(&other)
                                .is_some_and(|docs| lints(YamlKind::GitHubWorkflow, &docs, &[]))
                    })
                })
                .unwrap_or(false)
        }
    };
    PipelineFacts {
        migrations,
        lint_elsewhere,
    }
}

/// The "statements" suppressions attach to in YAML: the node that starts
/// each line (a mapping entry or a sequence item, with everything under it).
/// Nested, in order of their starts.
fn statements(text: &str, docs: &[Doc]) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    for root in docs.iter().filter_map(|d| d.root.as_ref()) {
        collect_statements(text, root, &mut spans, 0);
    }
    for span in &mut spans {
        span.end = without_trailing_comments(text, span.clone());
    }
    spans.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    // One per start: the outermost.
    spans.dedup_by_key(|s| s.start);
    spans
}

/// The end of `span` before the comment lines tree-sitter attaches to the
/// end of a node: a comment above the next entry belongs to that entry.
fn without_trailing_comments(text: &str, span: Range<usize>) -> usize {
    let Some(mut body) = text.get(span.clone()) else {
        return span.end;
    };
    loop {
        let trimmed = body.trim_end();
        let last_line = trimmed.rfind('\n').map_or(0, |i| i + 1);
        if last_line == 0 || !trimmed[last_line..].trim_start().starts_with('#') {
            return span.start + trimmed.len();
        }
        body = &trimmed[..last_line];
    }
}

fn collect_statements(text: &str, node: &Node, out: &mut Vec<Range<usize>>, depth: usize) {
    if depth > 200 {
        return;
    }
    let starts_line = |range: &Range<usize>| {
        let line_start = text
            .get(..range.start)
            .map_or(0, |before| before.rfind('\n').map_or(0, |i| i + 1));
        text.get(line_start..range.start)
            .is_some_and(|lead| lead.trim_start_matches(['-', ' ', '\t']).is_empty())
    };
    match &node.kind {
        Kind::Map(entries) => {
            for entry in entries.iter().filter(|e| !e.merged) {
                if starts_line(&entry.range) {
                    out.push(entry.range.clone());
                }
                collect_statements(text, &entry.value, out, depth + 1);
            }
        }
        Kind::Seq(items) => {
            for item in items {
                if starts_line(&item.range) {
                    out.push(item.range.clone());
                }
                collect_statements(text, &item.value, out, depth + 1);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use crate::config::Config;
    use crate::engine::Analysis;
    use crate::text::{Document, Language};

    fn rules(path: &str, text: &str) -> Vec<&'static str> {
        let document = Document::new(text, 0, Language::Yaml);
        let mut analysis = Analysis::new(Some(PathBuf::from(path)), document);
        analysis
            .findings(&Config::default())
            .iter()
            .map(|f| f.rule)
            .collect()
    }

    #[test]
    fn broken_pipelines_wait_and_suppressions_bind_to_the_next_item() {
        let workflow = "on: push\npermissions: {}\njobs:\n  test:\n    runs-on: x\n    steps:\n      # preflight: ignore[test-failure-masked] informational\n      - run: npm test || true\n      - run: pytest || true\n";
        assert_eq!(
            rules(".github/workflows/ci.yml", workflow),
            ["test-failure-masked"]
        );
        let broken = format!("{workflow}  deploy: [\n");
        assert!(rules(".github/workflows/ci.yml", &broken).is_empty());
        assert!(rules("compose.yml", "services: {db: {image: postgres}}\n").is_empty());
    }
}
