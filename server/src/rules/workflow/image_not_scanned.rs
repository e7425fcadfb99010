//! ## What it does
//! Flags an image push (`docker push`, `docker buildx build --push`,
//! `docker/build-push-action` with `push: true`) with no image scan (Trivy,
//! Grype, `snyk container`, Docker Scout) before it in the same job or in a
//! job it needs; says so when the scan runs only after the push.
//!
//! ## Why it matters
//! Once pushed, the image is in the registry for any deploy (or any cluster
//! pulling `:latest`) to run, vulnerable or not.
//!
//! ## Example
//! ```yaml
//! - uses: docker/build-push-action@v6
//!   with: {push: true, tags: "ghcr.io/acme/api:${{ github.sha }}"}
//! ```
//!
//! ## Safe alternative
//! Build with `load: true`, scan the local image with
//! `aquasecurity/trivy-action` (`exit-code: "1"`), then push.

use super::{local_steps, quoted};
use crate::analysis::pipeline::commands::{is_image_push, is_image_scanner};
use crate::analysis::pipeline::{Job, Pipeline, Step};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};
use crate::syntax::yaml::Anchor;

pub static RULE: Rule = Rule {
    id: "image-not-scanned",
    severity: Severity::Warning,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "A container image is pushed without a vulnerability scan before it",
    source: include_str!("image_not_scanned.rs"),
    check: Check::Pipeline(check),
};

fn pushes(step: &Step) -> bool {
    step.commands().any(is_image_push)
        || (step.uses_action("docker/build-push-action")
            && step.input("push").is_some_and(|(v, _)| v == "true"))
}

fn scans(step: &Step) -> bool {
    step.commands().any(is_image_scanner)
        || [
            "aquasecurity/trivy-action",
            "anchore/scan-action",
            "snyk/actions/docker",
            "docker/scout-action",
            "crazy-max/ghaction-container-scan",
        ]
        .iter()
        .any(|a| step.uses_action(a))
}

fn job_scans(job: &Job) -> bool {
    job.steps.iter().any(scans)
}

fn check(p: &Pipeline, out: &mut Vec<Finding>) {
    for (job, step) in local_steps(p).filter(|(_, s)| pushes(s)) {
        let position = job
            .steps
            .iter()
            .position(|s| s.path == step.path)
            .unwrap_or(0);
        if job.steps[..position].iter().any(scans) || p.waits_for(job, job_scans) {
            continue;
        }
        let later = job.steps[position..].iter().any(scans);
        let message = if later {
            format!(
                "{} pushes the image before scanning it: the scan cannot keep it out of the registry",
                quoted(&job.id)
            )
        } else {
            format!(
                "{} pushes an image that no step scans for vulnerabilities",
                quoted(&job.id)
            )
        };
        // At the push command, or the action that pushes.
        let push = step.run.as_ref().and_then(|run| {
            let command = run.script.all_commands().find(|c| is_image_push(c))?;
            Some((run.path.clone(), Anchor::Text(command.range.clone())))
        });
        let (at, anchor) = match (push, &step.uses) {
            (Some(push), _) => push,
            (None, Some(uses)) => (uses.path.clone(), Anchor::Value),
            (None, None) => (step.path.clone(), Anchor::Key),
        };
        out.extend(
            RULE.finding_at(p.docs, &at, anchor, message)
                .map(|f| f.with_help("Build with `load: true`, scan with aquasecurity/trivy-action (`exit-code: \"1\"`), then push.")),
        );
    }
}
