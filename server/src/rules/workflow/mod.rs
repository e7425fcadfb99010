//! Rules over CI pipelines: GitHub Actions workflows, composite actions and
//! GitLab CI files, read into one pipeline model so each gate is written once.
//! Shared here: walking every command of the file's own scripts, reporting at
//! a token of a script, and the fixes several rules offer.

mod deploy_without_needs;
mod excessive_permissions;
mod force_push;
mod image_not_scanned;
mod no_migration_lint;
mod pr_target_checkout_head;
mod prod_before_staging;
mod prod_deploy_without_approval;
mod security_scan_not_gating;
mod skip_ci_marker;
mod template_injection;
mod test_failure_masked;
mod unpinned_action;
mod untagged_deploy;

use std::ops::Range;

use super::Rule;
use crate::analysis::pipeline::{Job, Pipeline, Provider, Run, Step};
use crate::finding::{Finding, Fix};
use crate::fixes;
use crate::syntax::shell::{Command, Script, Sep};
use crate::syntax::yaml::{Anchor, Node, YamlPath, path};

pub static RULES: &[&Rule] = &[
    &test_failure_masked::RULE,
    &security_scan_not_gating::RULE,
    &deploy_without_needs::RULE,
    &prod_deploy_without_approval::RULE,
    &prod_before_staging::RULE,
    &image_not_scanned::RULE,
    &no_migration_lint::RULE,
    &untagged_deploy::RULE,
    &skip_ci_marker::RULE,
    &force_push::RULE,
    &pr_target_checkout_head::RULE,
    &unpinned_action::RULE,
    &template_injection::RULE,
    &excessive_permissions::RULE,
];

/// One command of a script written in this file, with where it is: in the
/// step's script or in a script nested in it (`$(...)`, `bash -c '...'`).
pub(super) struct At<'p> {
    pub job: &'p Job,
    pub step: &'p Step,
    pub run: &'p Run,
    /// The script holding the command; its ranges are in the run's text.
    pub script: &'p Script,
    /// Where `script`'s status goes: the enclosing script and the command
    /// (`bash -c`) whose status it is.
    pub host: Option<(&'p Script, usize)>,
    /// Position in `script`'s commands.
    pub index: usize,
    pub command: &'p Command,
}

impl At<'_> {
    /// `cmd || true`: the operator and the always-succeeding command after it,
    /// as a decoded span of the script. For the last command of `bash -c
    /// '...'`, what follows the `bash` command counts.
    pub fn masked_by(&self) -> Option<Range<usize>> {
        masked_in(self.script, self.index).or_else(|| {
            let (outer, host) = self.host?;
            (self.index + 1 == self.script.commands.len())
                .then(|| masked_in(outer, host))
                .flatten()
        })
    }
}

fn masked_in(script: &Script, index: usize) -> Option<Range<usize>> {
    let command = script.commands.get(index)?;
    let next = script.commands.get(index + 1)?;
    let operator = command.after_range.clone()?;
    (command.after == Sep::Or && crate::analysis::pipeline::commands::always_succeeds(next))
        .then_some(operator.start..next.range.end)
}

/// Every command of every script written in this file, nested scripts
/// included.
pub(super) fn commands<'p>(p: &'p Pipeline<'_>) -> impl Iterator<Item = At<'p>> {
    p.jobs.iter().filter(|j| j.is_local()).flat_map(|job| {
        job.steps
            .iter()
            .filter(|s| !s.path.is_elsewhere())
            .filter_map(|step| Some((step, step.run.as_ref()?)))
            .flat_map(move |(step, run)| {
                run.script.scopes().into_iter().flat_map(move |scope| {
                    scope
                        .script
                        .commands
                        .iter()
                        .enumerate()
                        .map(move |(index, command)| At {
                            job,
                            step,
                            run,
                            script: scope.script,
                            host: scope.host,
                            index,
                            command,
                        })
                })
            })
    })
}

/// Steps written in this file.
pub(super) fn local_steps<'p>(p: &'p Pipeline<'_>) -> impl Iterator<Item = (&'p Job, &'p Step)> {
    p.jobs
        .iter()
        .filter(|j| j.is_local())
        .flat_map(|job| job.steps.iter().map(move |step| (job, step)))
        .filter(|(_, step)| !step.path.is_elsewhere())
}

/// A finding at a span of a script.
pub(super) fn at_text(
    p: &Pipeline<'_>,
    rule: &'static Rule,
    run: &Run,
    span: Range<usize>,
    message: impl Into<String>,
) -> Option<Finding> {
    rule.finding_at(p.docs, &run.path, Anchor::Text(span), message)
}

pub(super) use super::reviewed_fix as fix;

pub(super) fn node<'p>(p: &'p Pipeline<'_>, at: &YamlPath) -> Option<&'p Node> {
    path::node(p.docs, at)
}

/// Removes a span of a script (`|| true`, `--force`).
pub(super) fn remove_from_script(
    p: &Pipeline<'_>,
    run: &Run,
    span: Range<usize>,
    title: &'static str,
) -> Option<Fix> {
    if !p.build_fixes {
        return None;
    }
    let value = node(p, &run.path)?;
    fix(
        title,
        fixes::yaml::remove_text(p.text, value, span).map(|e| vec![e]),
    )
}

/// Removes a `key: true` entry (`continue-on-error`, `allow_failure`).
pub(super) fn remove_flag(p: &Pipeline<'_>, flag: &YamlPath, title: &'static str) -> Option<Fix> {
    if !p.build_fixes {
        return None;
    }
    let map = node(p, &flag.parent())?;
    fix(
        title,
        fixes::yaml::remove_entry(p.text, map, flag.last_key()?).map(|e| vec![e]),
    )
}

/// Adds job ids to a job's `needs:`.
pub(super) fn add_needs(p: &Pipeline<'_>, job: &Job, ids: &[String]) -> Option<Fix> {
    if !p.build_fixes || ids.is_empty() {
        return None;
    }
    let map = node(p, &job.path)?;
    let after: &[&str] = match p.provider {
        Provider::GitLab => &["stage", "image"],
        _ => &["runs-on", "name", "if"],
    };
    let edit = fixes::yaml::add_to_list(p.text, map, "needs", ids, after);
    fix(
        format!("Add `needs: [{}]`", ids.join(", ")),
        edit.map(|e| vec![e]),
    )
}

/// A command for messages: its first two words (`npm test`, `pytest -x`).
pub(super) fn describe(command: &Command) -> String {
    let words: Vec<&str> = command
        .argv()
        .iter()
        .take(2)
        .map(|w| w.text.as_str())
        .collect();
    words.join(" ")
}

/// A job id for messages.
pub(super) fn quoted(id: &str) -> String {
    format!("`{id}`")
}
