//! ## What it does
//! Flags a production deploy job without an `environment:`. A job deploys to
//! production when its id, name or deploy arguments say prod/production/live,
//! or (GitHub) when the workflow runs on pushes to the default branch and the
//! job does not name another environment.
//!
//! A job calling a reusable workflow cannot have an `environment:` (GitHub
//! rejects it); the called workflow's jobs carry it. When the called
//! workflow is in this repository, preflight reads it (filling
//! `${{ inputs.x }}` from the call's `with:`) and flags the call if a deploy
//! job there has no environment. When it is in another repository, it
//! cannot be read: the call is reported as a warning that says so, to be
//! checked by hand and suppressed with the reason.
//!
//! In GitLab CI a manual job is approved too: `when: manual` on the job, or
//! on every entry of its `rules:` that lets it run (a `rules:` entry without
//! `when: manual` would deploy on its own). A job that `extends:` a template
//! preflight cannot read (from a `remote:`, `project:`, `template:` or
//! `component:` include) is not judged: the template may hold the
//! environment.
//!
//! ## Why it matters
//! An environment is where GitHub puts required reviewers, wait timers and
//! branch rules, and where it scopes the production secrets; GitLab tracks
//! deployments per environment and protects them. Without one, any push that
//! reaches the job ships to production unreviewed.
//!
//! ## Example
//! ```yaml
//! deploy-prod:
//!   needs: [test]
//!   runs-on: ubuntu-latest
//!   steps: [{run: ./deploy.sh production}]
//! ```
//!
//! ## Safe alternative
//! `environment: production`, with reviewers configured in the repository's
//! Settings → Environments (GitHub) or a protected environment and `when:
//! manual` (GitLab).

use super::{fix, node, quoted};
use crate::analysis::pipeline::{Callee, Job, Pipeline, Provider, Target};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};
use crate::syntax::yaml::Anchor;

pub static RULE: Rule = Rule {
    id: "prod-deploy-without-approval",
    severity: Severity::Error,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "A production deploy job has no environment to hold approvals",
    source: include_str!("prod_deploy_without_approval.rs"),
    check: Check::Pipeline(check),
};

fn check(p: &Pipeline, out: &mut Vec<Finding>) {
    if p.provider == Provider::CompositeAction {
        return;
    }
    for job in p.local_deploys() {
        // A job calling a reusable workflow cannot have an environment; the
        // called workflow's jobs can.
        if job.environment_path.is_some() || job.manual || job.partial {
            continue;
        }
        let production = match job.target() {
            Target::Production => true,
            Target::Unknown => p.provider == Provider::GitHub && p.pushes_to_default_branch(),
            Target::Staging => false,
        };
        if !production {
            continue;
        }
        if let (Some(callee), Some(uses)) = (&job.callee, &job.uses) {
            out.extend(call(p, job, callee, uses));
            continue;
        }
        let help = match p.provider {
            Provider::GitLab => {
                "Add `environment: production` and protect the environment (or add `when: manual`)."
            }
            _ => {
                "Add `environment: production`; set its required reviewers in Settings → Environments."
            }
        };
        let edit = if p.build_fixes {
            let after: &[&str] = match p.provider {
                Provider::GitLab => &["stage", "needs"],
                _ => &["runs-on", "needs", "name"],
            };
            node(p, &job.path).and_then(|map| {
                fixes::yaml::insert_entry(p.text, map, after, "environment: production")
            })
        } else {
            None
        };
        let message = match p.provider {
            Provider::GitLab => format!(
                "{} deploys to production by itself: no `environment:` to protect, no `when: manual` on every rule that runs it",
                quoted(&job.id)
            ),
            _ => format!(
                "{} deploys to production without an `environment:`: no reviewers, no protection rules, no scoped secrets",
                quoted(&job.id)
            ),
        };
        out.extend(
            RULE.finding_at(p.docs, &job.path, Anchor::Key, message)
                .map(|f| {
                    f.with_help(help)
                        .with_fix(fix("Add `environment: production`", edit.map(|e| vec![e])))
                }),
        );
    }
}

/// A production deploy through a reusable workflow: approved when every
/// deploy job of the called workflow (every job, when none looks like a
/// deploy) has an environment; unknown when it cannot be read.
fn call(p: &Pipeline, job: &Job, callee: &Callee, uses: &str) -> Option<Finding> {
    let at = job.uses_path.as_ref()?;
    let jobs = match callee {
        Callee::Unread => {
            return RULE
                .finding_at(p.docs, at, Anchor::Value, format!("{} deploys to production through `{uses}`, which preflight cannot read: whether its jobs have an `environment:` is unverified", quoted(&job.id)))
                .map(|f| {
                    f.with_severity(Severity::Warning).with_help("Check that the called workflow's deploy job sets `environment: production`, then suppress here with that reason.")
                });
        }
        Callee::Read(jobs) => jobs,
    };
    let deploys: Vec<&Job> = jobs.iter().filter(|j| j.is_deploy()).collect();
    let judged = if deploys.is_empty() {
        jobs.iter().collect()
    } else {
        deploys
    };
    let bare: Vec<String> = judged
        .iter()
        .filter(|j| j.environment_path.is_none())
        .map(|j| quoted(&j.id))
        .collect();
    if bare.is_empty() {
        return None;
    }
    RULE.finding_at(
        p.docs,
        at,
        Anchor::Value,
        format!(
            "{} deploys to production through `{uses}`, whose {} {} no `environment:`: no reviewers, no protection rules, no scoped secrets",
            quoted(&job.id),
            bare.join(", "),
            if bare.len() == 1 { "job has" } else { "jobs have" },
        ),
    )
    .map(|f| f.with_help("A calling job cannot have an environment: add `environment: production` to the called workflow's deploy job (for example `environment: ${{ inputs.environment }}`)."))
}
