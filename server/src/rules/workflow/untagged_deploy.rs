//! ## What it does
//! Flags images built, pushed or deployed only under a mutable tag —
//! `:latest`, no tag, a branch name — in a job with no immutable tag (a
//! commit SHA, a version, a digest): `docker build -t app:latest`, `docker
//! push app:latest`, `kubectl set image ... app=app:latest`, or
//! `docker/build-push-action` whose `tags` are all mutable.
//!
//! A job that runs only for git tags is not flagged: the tag names the
//! release it ships. That is a GitLab job with `only: [tags]` or `rules:`
//! whose every running entry requires `$CI_COMMIT_TAG`, and any job of a
//! GitHub workflow started only by tag pushes (`on: push: tags:` without
//! `branches:`) or releases.
//!
//! ## Why it matters
//! A rollback needs the previous build by name, and an incident needs to know
//! which build ran; `latest` names whatever was pushed last.
//!
//! ## Example
//! ```yaml
//! - run: docker build -t ghcr.io/acme/api:latest . && docker push ghcr.io/acme/api:latest
//! ```
//!
//! ## Safe alternative
//! Tag every build with `${{ github.sha }}` (GitLab: `$CI_COMMIT_SHA`) or a
//! release version, and deploy that tag.

use super::{at_text, commands, local_steps};
use crate::analysis::pipeline::Pipeline;
use crate::analysis::pipeline::commands::{image_refs, is_mutable_image_ref};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};
use crate::syntax::yaml::Anchor;

pub static RULE: Rule = Rule {
    id: "untagged-deploy",
    severity: Severity::Warning,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "An image is shipped only under a mutable tag such as `latest`",
    source: include_str!("untagged_deploy.rs"),
    check: Check::Pipeline(check),
};

fn check(p: &Pipeline, out: &mut Vec<Finding>) {
    for at in commands(p).filter(|at| !at.job.tag_only) {
        let refs = image_refs(at.command);
        // A job that also tags immutably (`-t app:$SHA -t app:latest`) has a
        // name for each build.
        let immutable_in_job = at
            .job
            .commands()
            .flat_map(image_refs)
            .any(|r| !is_mutable_image_ref(r));
        if immutable_in_job {
            continue;
        }
        for word in at
            .command
            .words
            .iter()
            .filter(|w| refs.contains(&w.text.as_str()) && is_mutable_image_ref(&w.text))
        {
            out.extend(at_text(
                p,
                &RULE,
                at.run,
                word.range.clone(),
                format!(
                    "`{}` is a mutable tag: this build cannot be named for a rollback",
                    word.text
                ),
            ));
        }
    }
    for (_, step) in local_steps(p).filter(|(_, s)| s.uses_action("docker/build-push-action")) {
        let Some((tags, path)) = step.input("tags") else {
            continue;
        };
        let all_mutable = tags
            .split([',', '\n'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .all(is_mutable_image_ref);
        if all_mutable {
            out.extend(RULE.finding_at(
                p.docs,
                path,
                Anchor::Value,
                "every tag is mutable: add one with `${{ github.sha }}` or a version",
            ));
        }
    }
}
