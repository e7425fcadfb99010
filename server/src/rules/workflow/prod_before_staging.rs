//! ## What it does
//! Flags a production deploy job that does not (transitively) need a staging
//! deploy job, and a staging deploy that production waits for but that has
//! no smoke test (`curl --fail`, a `/health` check, `smoke`, k6, Playwright).
//! A workflow started by `workflow_run` after a staging workflow counts as
//! staged. A job calling a reusable workflow is a staging or production
//! deploy by its name, its inputs (`environment: staging`) or the called
//! jobs' environments; the smoke test may be in the called workflow when
//! preflight can read it (one of this repository), and is not asked for
//! when it cannot. A reusable workflow (`on: workflow_call`) is not asked to
//! stage its own production deploys: its callers order the environments. As
//! for `deploy-without-needs`, a production job whose
//! dependencies may come from includes preflight cannot read is not
//! reported as unstaged.
//!
//! ## Why it matters
//! Without staging first, production is the first environment to run the
//! build; without a smoke test, staging proves only that the deploy command
//! exited.
//!
//! ## Example
//! ```yaml
//! deploy-staging: {needs: [test], environment: staging, ...}
//! deploy-production: {needs: [test], environment: production, ...}
//! ```
//!
//! ## Safe alternative
//! `needs: [deploy-staging]` on the production job, and a step in the staging
//! job such as `curl --fail --retry 5 --retry-connrefused "$STAGING_URL/health"`.

use super::{add_needs, fix, node, quoted};
use crate::analysis::pipeline::{Callee, Job, Pipeline, Provider, Target, commands};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};
use crate::syntax::yaml::Anchor;

pub static RULE: Rule = Rule {
    id: "prod-before-staging",
    severity: Severity::Warning,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "Production is deployed without a smoke-tested staging deploy first",
    source: include_str!("prod_before_staging.rs"),
    check: Check::Pipeline(check),
};

fn is_staging_deploy(job: &Job) -> bool {
    job.is_deploy() && job.target() == Target::Staging
}

fn check(p: &Pipeline, out: &mut Vec<Finding>) {
    if p.provider == Provider::CompositeAction {
        return;
    }
    let staged_upstream = p.triggers.workflow_run.as_ref().is_some_and(|workflows| {
        workflows.iter().any(|w| {
            commands::name_words(w)
                .iter()
                .any(|word| matches!(word.as_str(), "staging" | "stage" | "stg"))
        })
    });
    let mut unsmoked: Vec<&Job> = Vec::new();
    for job in p
        .local_deploys()
        .filter(|j| j.target() == Target::Production)
    {
        let staging: Vec<&Job> = p
            .dependencies(job)
            .into_iter()
            .filter(|d| is_staging_deploy(d))
            .collect();
        if staging.is_empty() {
            if staged_upstream || p.dependencies_unknown(job) || p.is_called_only() {
                continue;
            }
            let candidates: Vec<String> = p
                .jobs
                .iter()
                .filter(|j| is_staging_deploy(j))
                .map(|j| j.id.clone())
                .collect();
            let message = if candidates.is_empty() {
                format!(
                    "{} deploys to production with no staging deploy before it",
                    quoted(&job.id)
                )
            } else {
                format!(
                    "{} does not wait for the staging deploy ({})",
                    quoted(&job.id),
                    candidates.join(", ")
                )
            };
            out.extend(
                RULE.finding_at(p.docs, &job.path, Anchor::Key, message)
                    .map(|f| f.with_fix(add_needs(p, job, &candidates))),
            );
            continue;
        }
        for stage in staging {
            let unknown = matches!(stage.callee, Some(Callee::Unread));
            let smoked = smoke_tests(stage) || stage.called_jobs().iter().any(smoke_tests);
            if !smoked && !unknown && stage.is_local() && !unsmoked.iter().any(|j| j.id == stage.id)
            {
                unsmoked.push(stage);
            }
        }
    }
    for stage in unsmoked {
        out.extend(
            RULE.finding_at(p.docs, &stage.path, Anchor::Key, format!("staging deploy {} has no smoke test: production waits only for the deploy command to exit", quoted(&stage.id)))
                .map(|f| f.with_fix(smoke_step(p, stage))),
        );
    }
}

/// Whether a job's own steps check the deployed environment.
fn smoke_tests(job: &Job) -> bool {
    job.commands().any(commands::is_smoke_test)
        || job.steps.iter().any(|s| {
            s.name.as_deref().is_some_and(|n| {
                let n = n.to_ascii_lowercase();
                n.contains("smoke") || n.contains("health")
            })
        })
}

/// Appends a health check to the staging job's steps (or script).
fn smoke_step(p: &Pipeline, job: &Job) -> Option<crate::finding::Fix> {
    if !p.build_fixes {
        return None;
    }
    let map = node(p, &job.path)?;
    let (key, item) = match p.provider {
        Provider::GitLab => (
            "script",
            "curl --fail --retry 5 --retry-connrefused \"$STAGING_URL/health\"",
        ),
        _ => (
            "steps",
            "run: curl --fail --retry 5 --retry-connrefused \"$STAGING_URL/health\"",
        ),
    };
    let list = map.get(key)?;
    if list.flow || list.items().is_empty() {
        return None;
    }
    let edit = fixes::yaml::add_to_list(p.text, map, key, &[item.to_string()], &[]);
    fix("Add a smoke test against staging", edit.map(|e| vec![e]))
}
