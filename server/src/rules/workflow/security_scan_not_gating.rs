//! ## What it does
//! Flags security scanners that cannot fail the build: `pip-audit`, `npm
//! audit`, `safety`, `trivy`, `grype`, `snyk`... followed by `|| true`, run in
//! a step with `continue-on-error: true` or a GitLab job with `allow_failure:
//! true`; `trivy` without a non-zero `--exit-code` (Trivy exits 0 on
//! findings by default); `grype` without `--fail-on`;
//! `aquasecurity/trivy-action` without `exit-code: "1"` (the input has no
//! default); `anchore/scan-action` with `fail-build: false`.
//!
//! ## Why it matters
//! A scan that cannot fail reports into a log nobody reads; the vulnerable
//! dependency or image ships anyway.
//!
//! ## Example
//! ```yaml
//! - uses: aquasecurity/trivy-action@0.28.0
//!   with:
//!     image-ref: app:${{ github.sha }}
//! ```
//!
//! ## Safe alternative
//! ```yaml
//! - uses: aquasecurity/trivy-action@0.28.0
//!   with:
//!     image-ref: app:${{ github.sha }}
//!     exit-code: "1"
//!     severity: CRITICAL,HIGH
//!     ignore-unfixed: true
//! ```

use super::{at_text, commands, fix, local_steps, node, remove_flag, remove_from_script};
use crate::analysis::pipeline::commands::{is_scanner, scanner_never_fails};
use crate::analysis::pipeline::{Pipeline, Provider, Step, commands::name_words};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};
use crate::syntax::yaml::Anchor;

pub static RULE: Rule = Rule {
    id: "security-scan-not-gating",
    severity: Severity::Error,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "A security scan runs but cannot fail the build",
    source: include_str!("security_scan_not_gating.rs"),
    check: Check::Pipeline(check),
};

fn check(p: &Pipeline, out: &mut Vec<Finding>) {
    for at in commands(p).filter(|at| is_scanner(at.command)) {
        let name = super::describe(at.command);
        if let Some(span) = at.masked_by() {
            out.extend(
                at_text(
                    p,
                    &RULE,
                    at.run,
                    span.clone(),
                    format!(
                        "`{name}`'s findings are hidden by `||`: the scan cannot fail the build"
                    ),
                )
                .map(|f| {
                    f.with_fix(remove_from_script(
                        p,
                        at.run,
                        span,
                        "Remove the masking `||`",
                    ))
                }),
            );
        } else if let Some(why) = scanner_never_fails(at.command) {
            out.extend(at_text(p, &RULE, at.run, at.command.range.clone(), why));
        }
    }
    for (_, step) in local_steps(p) {
        let scans = step.commands().any(is_scanner) || scan_action(step);
        if let (true, Some(flag)) = (scans, &step.continue_on_error) {
            out.extend(
                RULE.finding_at(
                    p.docs,
                    flag,
                    Anchor::Entry,
                    "`continue-on-error: true` lets this scan fail without failing the job",
                )
                .map(|f| f.with_fix(remove_flag(p, flag, "Remove `continue-on-error: true`"))),
            );
        }
        out.extend(trivy_action(p, step));
        if step.uses_action("anchore/scan-action")
            && let Some(("false", at)) = step.input("fail-build")
        {
            out.extend(RULE.finding_at(
                p.docs,
                at,
                Anchor::Value,
                "`fail-build: false`: Grype's findings cannot fail the build",
            ));
        }
    }
    if p.provider == Provider::GitLab {
        for job in p.jobs.iter().filter(|j| j.is_local()) {
            let scans = job.commands().any(is_scanner)
                || name_words(&job.id)
                    .iter()
                    .any(|w| matches!(w.as_str(), "scan" | "audit" | "sast" | "trivy"));
            if let (true, Some(flag)) = (scans, &job.allow_failure) {
                out.extend(
                    RULE.finding_at(p.docs, flag, Anchor::Entry, format!("`allow_failure: true` lets scan job `{}` fail without failing the pipeline", job.id))
                        .map(|f| f.with_fix(remove_flag(p, flag, "Remove `allow_failure: true`"))),
                );
            }
        }
    }
}

fn scan_action(step: &Step) -> bool {
    [
        "aquasecurity/trivy-action",
        "anchore/scan-action",
        "snyk/actions",
        "docker/scout-action",
        "pypa/gh-action-pip-audit",
    ]
    .iter()
    .any(|a| step.uses_action(a))
}

/// trivy-action's `exit-code` has no default: without `"1"` it never fails.
fn trivy_action(p: &Pipeline, step: &Step) -> Option<Finding> {
    if !step.uses_action("aquasecurity/trivy-action") {
        return None;
    }
    let uses = step.uses.as_ref()?;
    let (finding, edit) = match step.input("exit-code") {
        Some((code, _)) if code != "0" => return None,
        Some((_, at)) => (
            RULE.finding_at(
                p.docs,
                at,
                Anchor::Value,
                "`exit-code: 0` makes Trivy succeed whatever it finds",
            )?,
            node(p, at).and_then(|value| fixes::yaml::set_value(value, "\"1\"")),
        ),
        None => {
            let finding = RULE.finding_at(
                p.docs,
                &uses.path,
                Anchor::Value,
                "trivy-action without `exit-code: \"1\"` exits 0 when it finds vulnerabilities",
            )?;
            let step_map = node(p, &step.path)?;
            let edit = match step_map.get("with") {
                Some(with) if with.is_map() => {
                    fixes::yaml::insert_entry(p.text, with, &[], "exit-code: \"1\"")
                }
                _ => fixes::yaml::insert_entry(
                    p.text,
                    step_map,
                    &["uses"],
                    "with:\n  exit-code: \"1\"",
                ),
            };
            (finding, edit)
        }
    };
    let fix = if p.build_fixes {
        fix("Set `exit-code: \"1\"`", edit.map(|e| vec![e]))
    } else {
        None
    };
    Some(finding.with_fix(fix))
}
