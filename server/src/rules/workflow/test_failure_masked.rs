//! ## What it does
//! Flags tests, linters and type checks whose failure cannot fail the build:
//! `pytest || true` (or `|| exit 0`, `|| :`, `|| echo ...`), a test after
//! `set +e` that is not the script's last command, a test piped into another
//! command without `pipefail` (GitHub's default shell has none), a test step
//! with `continue-on-error: true`, and a GitLab test job with
//! `allow_failure: true` (on the job, or in one of its `rules:` entries).
//!
//! ## Why it matters
//! A pipeline whose tests cannot fail is green whatever the code does, and
//! every deploy that waits for it waits for nothing.
//!
//! ## Example
//! ```yaml
//! - run: npm test || true
//! - run: pytest | tee report.txt
//! ```
//!
//! ## Safe alternative
//! Remove the masking. If a check is deliberately informational, move it to
//! a job no deploy needs and suppress this rule there with a reason:
//! `# preflight: ignore[test-failure-masked] flaky e2e, tracked in #123`.
//! For pipes, use `shell: bash` (which runs with `-o pipefail`) or
//! `set -o pipefail`.

use super::{At, at_text, commands, local_steps, remove_flag, remove_from_script};
use crate::analysis::pipeline::commands::{is_scanner, is_test};
use crate::analysis::pipeline::{Job, Pipeline, Provider};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};
use crate::syntax::shell::Sep;
use crate::syntax::yaml::Anchor;

pub static RULE: Rule = Rule {
    id: "test-failure-masked",
    severity: Severity::Error,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "A test, lint or type-check failure cannot fail the pipeline",
    source: include_str!("test_failure_masked.rs"),
    check: Check::Pipeline(check),
};

fn check(p: &Pipeline, out: &mut Vec<Finding>) {
    for at in commands(p).filter(|at| is_test(at.command)) {
        out.extend(masked_command(p, &at));
    }
    for (_, step) in local_steps(p) {
        let tests = step.commands().any(is_test);
        if let (true, Some(flag)) = (tests, &step.continue_on_error) {
            out.extend(
                RULE.finding_at(
                    p.docs,
                    flag,
                    Anchor::Entry,
                    "`continue-on-error: true` lets this test step fail without failing the job",
                )
                .map(|f| f.with_fix(remove_flag(p, flag, "Remove `continue-on-error: true`"))),
            );
        }
    }
    // A job runs tests by its commands, or by its name when it runs no
    // scanner (a scan job in GitLab's `test` stage is not a test job).
    let runs_tests = |job: &&Job| {
        job.commands().any(is_test) || (job.is_test() && !job.commands().any(is_scanner))
    };
    for job in p
        .jobs
        .iter()
        .filter(|j| j.is_local() && !j.is_deploy())
        .filter(runs_tests)
    {
        let Some(flag) = &job.allow_failure else {
            continue;
        };
        let message = match p.provider {
            Provider::GitLab => format!(
                "`allow_failure: true` lets test job `{}` fail without failing the pipeline",
                job.id
            ),
            _ => format!(
                "`continue-on-error: true` lets test job `{}` fail without failing the workflow",
                job.id
            ),
        };
        let title = match p.provider {
            Provider::GitLab => "Remove `allow_failure: true`",
            _ => "Remove `continue-on-error: true`",
        };
        out.extend(
            RULE.finding_at(p.docs, flag, Anchor::Entry, message)
                .map(|f| f.with_fix(remove_flag(p, flag, title))),
        );
    }
}

fn masked_command(p: &Pipeline, at: &At) -> Option<Finding> {
    let name = super::describe(at.command);
    let script = at.script;
    if let Some(span) = at.masked_by() {
        let finding = at_text(
            p,
            &RULE,
            at.run,
            span.clone(),
            format!("`{name}` fails, `||` runs a command that succeeds: the failure is hidden"),
        )?;
        return Some(finding.with_fix(remove_from_script(
            p,
            at.run,
            span,
            "Remove the masking `||`",
        )));
    }
    let last = at.index + 1 == script.commands.len();
    let checked = matches!(at.command.after, Sep::Or | Sep::And);
    if script.errexit_off_at(at.index) && !last && !checked {
        return at_text(
            p,
            &RULE,
            at.run,
            at.command.range.clone(),
            format!(
                "after `set +e`, a failing `{name}` does not stop the script and its status is lost"
            ),
        )
        .map(|f| f.with_help("Remove `set +e`, or end the test line with `|| exit 1`."));
    }
    // GitHub's default shell is `bash -e {0}`: no pipefail, so a pipeline's
    // status is its last command's. `shell: bash` adds `-o pipefail`.
    let default_shell = p.provider != Provider::GitLab && at.step.shell.as_deref() != Some("bash");
    if at.command.after == Sep::Pipe && default_shell && !script.pipefail_at(at.index) {
        return at_text(p, &RULE, at.run, at.command.range.clone(), format!("`{name}` is piped without `pipefail`: the step's status is the last command's, not the test's"))
            .map(|f| f.with_help("Add `shell: bash` to the step (GitHub then runs it with `-eo pipefail`) or `set -o pipefail` before the pipe."));
    }
    None
}
