//! ## What it does
//! Flags a deploy job (named deploy/release/publish/rollout, running
//! `kubectl apply`, `helm upgrade`, `fly deploy`, `terraform apply`,
//! `./deploy.sh`..., using a deploy action, or having an `environment:`)
//! that does not wait for a test job: no `needs:` path to one in GitHub
//! Actions; in GitLab CI, no test job in an earlier stage (without `needs:`)
//! or on its `needs:` path, or `when: always`. A workflow started by
//! `workflow_run` is gated only if the deploy job checks
//! `github.event.workflow_run.conclusion == 'success'`: `workflow_run` fires
//! after failed runs too. A job that runs the tests itself before deploying
//! is gated by them.
//!
//! A job that calls a reusable workflow (`uses: ./.github/workflows/x.yml`
//! or `org/repo/.github/workflows/x.yml@ref`) is a deploy when its name, the
//! file it calls, an `environment` input, or (for a workflow of this
//! repository, which is read) the called jobs say so, and it needs its
//! tests like any deploy, unless the called workflow runs tests itself. A
//! reusable workflow itself (`on: workflow_call`,
//! optionally with `workflow_dispatch`) is not judged: its callers decide
//! what it waits for, and are checked where they call it.
//!
//! A GitLab job disabled by its `rules:` (every entry `when: never`) is not
//! a deploy that runs. When the pipeline includes files preflight cannot read
//! (`remote:`, `project:`, `template:`, `component:`), a `needs:` naming a
//! job not found, or an earlier stage, may hold the tests: the deploy is
//! then not reported rather than reported falsely.
//!
//! ## Why it matters
//! Jobs without `needs:` run in parallel: the deploy ships while the tests
//! are still running, or after they failed.
//!
//! ## Example
//! ```yaml
//! jobs:
//!   test: {runs-on: ubuntu-latest, steps: [{run: pytest}]}
//!   deploy:
//!     runs-on: ubuntu-latest
//!     steps: [{run: ./deploy.sh}]
//! ```
//!
//! ## Safe alternative
//! `needs: [test]` on the deploy job (the quick fix lists the workflow's test
//! jobs); for `workflow_run`, `if: github.event.workflow_run.conclusion ==
//! 'success'`.

use super::{add_needs, quoted};
use crate::analysis::pipeline::{Job, Pipeline, Provider, commands::is_test};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};
use crate::syntax::yaml::Anchor;

pub static RULE: Rule = Rule {
    id: "deploy-without-needs",
    severity: Severity::Error,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "A deploy job does not wait for the tests",
    source: include_str!("deploy_without_needs.rs"),
    check: Check::Pipeline(check),
};

fn check(p: &Pipeline, out: &mut Vec<Finding>) {
    if p.provider == Provider::CompositeAction || p.is_called_only() {
        return;
    }
    for job in p.local_deploys() {
        // Tests run by the job itself, or by the workflow it calls, gate it.
        if job.commands().any(is_test) || job.called_jobs().iter().any(Job::is_test) {
            continue;
        }
        if p.is_workflow_run_gated() {
            if !job.checks_workflow_run_success() {
                out.extend(
                    RULE.finding_at(p.docs, &job.path, Anchor::Key, format!("{} runs after the upstream workflow whatever its result: `workflow_run` fires on failures too", quoted(&job.id)))
                        .map(|f| f.with_help("Add `if: github.event.workflow_run.conclusion == 'success'` to the job.")),
                );
            }
            continue;
        }
        if job.runs_always {
            out.extend(RULE.finding_at(
                p.docs,
                &job.path,
                Anchor::Key,
                format!(
                    "`when: always` runs {} even when the tests failed",
                    quoted(&job.id)
                ),
            ));
            continue;
        }
        if p.waits_for(job, Job::is_test) || p.dependencies_unknown(job) {
            continue;
        }
        let tests = test_jobs(p, job);
        let message = if tests.is_empty() {
            format!("{} deploys without any test job before it", quoted(&job.id))
        } else {
            format!(
                "{} does not wait for the tests ({}): it can deploy while they run or after they fail",
                quoted(&job.id),
                tests.join(", ")
            )
        };
        out.extend(
            RULE.finding_at(p.docs, &job.path, Anchor::Key, message)
                .map(|f| f.with_fix(add_needs(p, job, &tests))),
        );
    }
}

/// Test jobs `job` could wait for: not deploys themselves, not waiting for it.
fn test_jobs(p: &Pipeline, job: &Job) -> Vec<String> {
    p.jobs
        .iter()
        .filter(|t| t.id != job.id && t.is_test() && !t.is_deploy())
        .filter(|t| !p.dependencies(t).iter().any(|d| d.id == job.id))
        .map(|t| t.id.clone())
        .collect()
}
