//! The pipeline model: GitHub Actions workflows, composite actions and GitLab
//! CI configuration read into one shape (jobs with their dependencies,
//! environment and steps, each step's script tokenized), so a gate such as
//! "a deploy needs the tests" is written once for both CI systems.
//!
//! Everything keeps its [`YamlPath`]; rules report at paths and the engine
//! resolves them to bytes. A job or step read from another file (a GitLab
//! `include:`) has paths [`YamlPath::is_elsewhere`]: it informs the rules
//! about this file and is never reported.

pub mod commands;
mod github;
mod gitlab;

use std::collections::HashSet;

use crate::syntax::shell::{Command, Script};
use crate::syntax::yaml::{Doc, YamlPath};

pub use gitlab::local_includes;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    GitHub,
    /// A composite action: steps without jobs around them.
    CompositeAction,
    GitLab,
}

/// Facts about the repository around a pipeline file, gathered by the engine.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PipelineFacts {
    /// Migration directories found in the repository, relative to its root.
    pub migrations: Vec<String>,
    /// Another CI file of the repository lints the migrations.
    pub lint_elsewhere: bool,
}

#[derive(Debug)]
pub struct Pipeline<'a> {
    pub provider: Provider,
    pub text: &'a str,
    pub docs: &'a [Doc],
    pub jobs: Vec<Job>,
    pub triggers: Triggers,
    /// The top-level `permissions:` entry (GitHub).
    pub permissions: Option<YamlPath>,
    /// The top-level `jobs:` entry (GitHub), where jobs are added.
    pub jobs_path: Option<YamlPath>,
    /// Jobs may come from files preflight cannot read (GitLab `remote:`,
    /// `project:`, `template:` and `component:` includes): a job named but
    /// not found, or an earlier stage, may hold jobs that are not known.
    pub unknown_includes: bool,
    pub facts: &'a PipelineFacts,
    /// Whether rules should build their fixes (an editor asks only for
    /// diagnostics on most keystrokes).
    pub build_fixes: bool,
}

/// What starts a GitHub workflow.
#[derive(Debug, Clone, Default)]
pub struct Triggers {
    pub events: Vec<String>,
    /// `on: workflow_run: workflows: [...]`.
    pub workflow_run: Option<Vec<String>>,
    /// `on: push: branches: [...]`; empty when push is unfiltered.
    pub push_branches: Vec<String>,
    /// `on: push: tags: [...]` without `branches:`: pushes of tags only.
    pub push_tags_only: bool,
}

impl Triggers {
    pub fn has(&self, event: &str) -> bool {
        self.events.iter().any(|e| e == event)
    }

    /// Whether every run is for a git tag or a release: `github.ref_name`
    /// then names the release, not a branch.
    pub fn tags_only(&self) -> bool {
        !self.events.is_empty()
            && self.events.iter().all(|e| match e.as_str() {
                "push" => self.push_tags_only,
                "release" => true,
                _ => false,
            })
    }
}

#[derive(Debug, Clone)]
pub struct Job {
    pub id: String,
    pub path: YamlPath,
    pub name: Option<String>,
    /// `needs:` as written; `None` when there is none (GitLab then orders by
    /// stage).
    pub needs: Option<Vec<String>>,
    pub needs_path: Option<YamlPath>,
    /// GitLab stage and its position in `stages:`.
    pub stage: Option<(String, usize)>,
    pub environment: Option<String>,
    pub environment_path: Option<YamlPath>,
    /// `if:` (GitHub).
    pub condition: Option<String>,
    /// Waits for someone to start it (GitLab): `when: manual` on the job, or
    /// on every one of its `rules:` that lets it run.
    pub manual: bool,
    /// Never runs (GitLab): every one of its `rules:` says `when: never`.
    pub never_runs: bool,
    /// Runs only for git tags (GitLab `only: [tags]`, or every rule that
    /// lets it run requires `$CI_COMMIT_TAG`): the tag names what it ships.
    pub tag_only: bool,
    /// Built from something preflight cannot read (GitLab: `extends:` names
    /// a template that is not in the files read, such as one from a remote
    /// include), so any key may be missing from what is known of it.
    pub partial: bool,
    /// `when: always` (GitLab): runs even when earlier stages failed.
    pub runs_always: bool,
    /// `allow_failure: true` (GitLab, on the job or in one of its `rules:`)
    /// or job-level `continue-on-error: true`.
    pub allow_failure: Option<YamlPath>,
    /// A reusable workflow the job calls (GitHub `jobs.<id>.uses`).
    pub uses: Option<String>,
    pub uses_path: Option<YamlPath>,
    /// What is known of the workflow it calls.
    pub callee: Option<Callee>,
    /// The inputs a calling job passes (`with:`), when written as text.
    pub inputs: Vec<(String, String)>,
    pub permissions: Option<YamlPath>,
    pub steps: Vec<Step>,
}

/// The workflow a job calls (`jobs.<id>.uses`), as far as it could be read.
#[derive(Debug, Clone)]
pub enum Callee {
    /// A workflow of this repository: its jobs (paths elsewhere), their
    /// `${{ inputs.x }}` environments filled in from the caller's `with:`.
    Read(Vec<Job>),
    /// In another repository, or not found: what it does is unknown.
    Unread,
}

#[derive(Debug, Clone)]
pub struct Step {
    pub path: YamlPath,
    pub name: Option<String>,
    pub uses: Option<Uses>,
    pub run: Option<Run>,
    /// `with:` inputs: name, value, path of the value.
    pub with: Vec<(String, String, YamlPath)>,
    pub continue_on_error: Option<YamlPath>,
    /// `shell:` (GitHub): `bash` runs with `-eo pipefail`, the default without.
    pub shell: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Uses {
    /// `owner/repo[/path]`, `./local`, or `docker://image`.
    pub action: String,
    /// After `@`.
    pub reference: Option<String>,
    pub path: YamlPath,
}

#[derive(Debug, Clone)]
pub struct Run {
    /// The scalar holding the script.
    pub path: YamlPath,
    /// The script as the shell gets it (the scalar's decoded text).
    pub text: String,
    pub script: Script,
}

impl Run {
    pub fn new(path: YamlPath, text: &str) -> Self {
        Run {
            path,
            text: text.to_string(),
            script: Script::parse(text),
        }
    }
}

impl Step {
    /// Every command of the step's script, nested ones included.
    pub fn commands(&self) -> impl Iterator<Item = &Command> {
        self.run.iter().flat_map(|r| r.script.all_commands())
    }

    pub fn input(&self, name: &str) -> Option<(&str, &YamlPath)> {
        self.with
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, v, p)| (v.as_str(), p))
    }

    pub fn uses_action(&self, prefix: &str) -> bool {
        self.uses
            .as_ref()
            .is_some_and(|u| u.action.to_ascii_lowercase().starts_with(prefix))
    }
}

/// Which environment a deploy job reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Production,
    Staging,
    Unknown,
}

const TEST_WORDS: &[&str] = &[
    "test",
    "tests",
    "testing",
    "lint",
    "check",
    "checks",
    "ci",
    "verify",
    "typecheck",
    "unit",
    "e2e",
    "integration",
    "spec",
    "pytest",
    "jest",
];
const DEPLOY_WORDS: &[&str] = &[
    "deploy",
    "deployment",
    "release",
    "publish",
    "rollout",
    "ship",
    "promote",
];
const PROD_WORDS: &[&str] = &["prod", "production", "prd", "live"];
const STAGING_WORDS: &[&str] = &[
    "staging",
    "stage",
    "stg",
    "preprod",
    "preview",
    "uat",
    "qa",
    "dev",
    "development",
    "review",
    "sandbox",
];

impl Job {
    /// Words of the job's id, name and (GitLab) stage.
    fn words(&self) -> Vec<String> {
        let mut words = commands::name_words(&self.id);
        words.extend(self.name.iter().flat_map(|n| commands::name_words(n)));
        words
    }

    fn stage_words(&self) -> Vec<String> {
        self.stage
            .iter()
            .flat_map(|(s, _)| commands::name_words(s))
            .collect()
    }

    pub fn commands(&self) -> impl Iterator<Item = &Command> {
        self.steps.iter().flat_map(|s| s.commands())
    }

    /// The jobs of the workflow this job calls, when it was read.
    pub fn called_jobs(&self) -> &[Job] {
        match &self.callee {
            Some(Callee::Read(jobs)) => jobs,
            _ => &[],
        }
    }

    /// Runs tests, linters or type checks.
    pub fn is_test(&self) -> bool {
        if self.never_runs {
            return false;
        }
        let words = self.words();
        words.iter().any(|w| TEST_WORDS.contains(&w.as_str()))
            || self.stage_words().iter().any(|w| w == "test")
            || self.commands().any(commands::is_test)
            || self.uses.iter().any(|u| {
                commands::name_words(u)
                    .iter()
                    .any(|w| TEST_WORDS.contains(&w.as_str()))
            })
            || self.called_jobs().iter().any(Job::is_test)
    }

    /// Deploys or releases: by name, stage, commands, actions or environment.
    pub fn is_deploy(&self) -> bool {
        if self.never_runs {
            return false;
        }
        let by_words =
            |words: Vec<String>| words.iter().any(|w| DEPLOY_WORDS.contains(&w.as_str()));
        by_words(self.words())
            || by_words(self.stage_words())
            || self.environment.is_some()
            || self.commands().any(commands::is_deploy)
            || self
                .steps
                .iter()
                .filter_map(|s| s.uses.as_ref())
                .any(|u| commands::is_deploy_action(&u.action))
            || self
                .uses
                .as_deref()
                .is_some_and(|u| by_words(commands::name_words(u)))
            // A call that picks an environment, or a workflow that deploys.
            || self.inputs.iter().any(|(name, _)| name == "environment")
            || self.called_jobs().iter().any(Job::is_deploy)
    }

    /// The environment a deploy job reaches, from its name, environment and
    /// the arguments and inputs of its steps.
    pub fn target(&self) -> Target {
        let mut words = self.words();
        words.extend(
            self.environment
                .iter()
                .chain(self.inputs.iter().map(|(_, value)| value))
                .flat_map(|e| commands::name_words(e)),
        );
        for step in &self.steps {
            for command in step.commands().filter(|c| commands::is_deploy(c)) {
                words.extend(
                    command
                        .words
                        .iter()
                        .flat_map(|w| commands::name_words(&w.text)),
                );
            }
            if step
                .uses
                .as_ref()
                .is_some_and(|u| commands::is_deploy_action(&u.action))
            {
                words.extend(
                    step.with
                        .iter()
                        .flat_map(|(_, v, _)| commands::name_words(v)),
                );
            }
        }
        let called: Vec<Target> = self
            .called_jobs()
            .iter()
            .filter(|j| j.is_deploy())
            .map(Job::target)
            .collect();
        if words.iter().any(|w| PROD_WORDS.contains(&w.as_str()))
            || called.contains(&Target::Production)
        {
            Target::Production
        } else if words.iter().any(|w| STAGING_WORDS.contains(&w.as_str()))
            || called.contains(&Target::Staging)
        {
            Target::Staging
        } else {
            Target::Unknown
        }
    }

    /// Gated on a successful upstream run: `if:` checks the `workflow_run`'s
    /// conclusion.
    pub fn checks_workflow_run_success(&self) -> bool {
        self.condition.as_deref().is_some_and(|c| {
            let squeezed: String = c
                .chars()
                .filter(|ch| !ch.is_whitespace() && *ch != '\'' && *ch != '"')
                .collect();
            squeezed.contains("workflow_run.conclusion==success")
        })
    }

    /// Whether this job was written in the checked file (not included).
    pub fn is_local(&self) -> bool {
        !self.path.is_elsewhere()
    }
}

impl Pipeline<'_> {
    pub fn job(&self, id: &str) -> Option<&Job> {
        self.jobs.iter().find(|j| j.id == id)
    }

    /// The jobs `job` waits for directly: its `needs:`, or (GitLab, without
    /// `needs:`) every job of an earlier stage.
    pub fn direct_dependencies(&self, job: &Job) -> Vec<&Job> {
        match (&job.needs, &job.stage) {
            (Some(needs), _) => needs.iter().filter_map(|id| self.job(id)).collect(),
            (None, Some((_, stage))) if self.provider == Provider::GitLab => self
                .jobs
                .iter()
                .filter(|other| other.stage.as_ref().is_some_and(|(_, s)| s < stage))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Every job `job` waits for, directly or through others.
    pub fn dependencies(&self, job: &Job) -> Vec<&Job> {
        let mut seen: HashSet<&str> = HashSet::new();
        let mut stack = self.direct_dependencies(job);
        let mut out = Vec::new();
        while let Some(next) = stack.pop() {
            if next.id == job.id || !seen.insert(&next.id) {
                continue;
            }
            out.push(next);
            stack.extend(self.direct_dependencies(next));
        }
        out
    }

    /// Whether what `job` waits for is not all known: a job it (or one of
    /// its dependencies) needs is not found, or it waits by stage, while jobs
    /// may come from unreadable includes; or a job on the way is `partial`
    /// and does not say its `needs:` itself. A missing gate is then not
    /// reported: it may be in what could not be read.
    pub fn dependencies_unknown(&self, job: &Job) -> bool {
        std::iter::once(job)
            .chain(self.dependencies(job))
            .any(|j| match &j.needs {
                Some(needs) => {
                    self.unknown_includes && needs.iter().any(|id| self.job(id).is_none())
                }
                None => j.partial || (self.unknown_includes && j.stage.is_some()),
            })
    }

    /// Whether a job only runs after `job_ok` says so; used to decide whether
    /// a deploy waits for tests.
    pub fn waits_for(&self, job: &Job, job_ok: impl Fn(&Job) -> bool) -> bool {
        self.dependencies(job).into_iter().any(job_ok)
    }

    /// The workflow starts only from another workflow's run.
    pub fn is_workflow_run_gated(&self) -> bool {
        self.triggers.workflow_run.is_some()
            && self
                .triggers
                .events
                .iter()
                .all(|e| e == "workflow_run" || e == "workflow_dispatch")
    }

    /// A reusable workflow nobody starts but its callers (and people, by
    /// hand): ordering deploys after tests and staging is the callers' job.
    pub fn is_called_only(&self) -> bool {
        self.triggers.has("workflow_call")
            && self
                .triggers
                .events
                .iter()
                .all(|e| e == "workflow_call" || e == "workflow_dispatch")
    }

    /// Deploy jobs written in this file.
    pub fn local_deploys(&self) -> impl Iterator<Item = &Job> {
        self.jobs.iter().filter(|j| j.is_local() && j.is_deploy())
    }

    /// Whether the workflow runs on pushes to the default branch.
    pub fn pushes_to_default_branch(&self) -> bool {
        self.triggers.has("push")
            && (self.triggers.push_branches.is_empty()
                || self
                    .triggers
                    .push_branches
                    .iter()
                    .any(|b| b == "main" || b == "master"))
    }
}

/// Reads the pipeline of a GitHub workflow; `called` holds the documents of
/// the workflows of the repository its jobs call, by `uses:` as written.
pub fn github<'a>(
    text: &'a str,
    docs: &'a [Doc],
    called: &[(String, Vec<Doc>)],
    facts: &'a PipelineFacts,
    build_fixes: bool,
) -> Pipeline<'a> {
    github::workflow(text, docs, called, facts, build_fixes)
}

/// The reusable workflows of this repository that a workflow's jobs call
/// (`uses: ./.github/workflows/x.yml`), as written; each names a file
/// directly in `.github/workflows/`, as GitHub requires.
pub fn local_calls(docs: &[Doc]) -> Vec<String> {
    github::local_calls(docs)
}

/// Reads the steps of a composite action.
pub fn action<'a>(
    text: &'a str,
    docs: &'a [Doc],
    facts: &'a PipelineFacts,
    build_fixes: bool,
) -> Pipeline<'a> {
    github::action(text, docs, facts, build_fixes)
}

/// Reads a GitLab CI file; `context` holds the documents of the files it
/// includes or is included from, whose jobs it may need or extend.
pub fn gitlab<'a>(
    text: &'a str,
    docs: &'a [Doc],
    context: &[Vec<Doc>],
    facts: &'a PipelineFacts,
    build_fixes: bool,
) -> Pipeline<'a> {
    gitlab::pipeline(text, docs, context, facts, build_fixes)
}

/// Whether any job of these documents lints migrations (the engine asks this
/// of a repository's other CI files).
pub fn lints_migrations(pipeline: &Pipeline<'_>) -> bool {
    pipeline.jobs.iter().any(|job| {
        job.commands().any(commands::is_migration_lint)
            || job
                .steps
                .iter()
                .filter_map(|s| s.uses.as_ref())
                .any(|u| commands::is_migration_lint_action(&u.action))
    })
}
