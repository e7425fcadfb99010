//! ## What it does
//! Flags a production deploy job without an `environment:`. A job deploys to
//! production when its id, name or deploy arguments say prod/production/live,
//! or (GitHub) when the workflow runs on pushes to the default branch and the
//! job does not name another environment.
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
use crate::analysis::pipeline::{Pipeline, Provider, Target};
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
        if job.environment_path.is_some() || job.uses.is_some() || job.manual || job.partial {
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
