//! ## What it does
//! Compares where a deploy sets the application's environment (a
//! Kubernetes container's `env:`, a GitHub deploy job's `env:`, a compose
//! service's `environment:`) with the settings schemas of its project (the
//! directory above it with a `.git`, `pyproject.toml`, `package.json`...),
//! and flags
//! a deploy that sets some of a schema's variables but not every required
//! one (a field with no default). A deploy that sets none of a schema's
//! variables runs something else and is left alone; so is one that also
//! loads variables from elsewhere (`envFrom`, `env_file`), since what that
//! brings cannot be seen. GitLab jobs receive every CI/CD variable of the
//! project, so they are not judged.
//!
//! ## Why it matters
//! A required setting the deploy does not set makes the application fail
//! at startup: the first rollout after the field was added crashes every
//! new pod, and a rolling update stalls or, without readiness probes, takes
//! the service down.
//!
//! ## Example
//! ```yaml
//! # Settings declares `database_url: str` and `secret_key: str`
//! env:
//!   - name: DATABASE_URL
//!     valueFrom:
//!       secretKeyRef: {name: shop-env, key: DATABASE_URL}
//! ```
//!
//! ## Safe alternative
//! Set every required variable where the deploy sets the others (the fix
//! adds a `secretKeyRef`, `${{ secrets.X }}` or `${X}` entry to fill in),
//! or give the setting a default.

use std::collections::BTreeMap;
use std::path::Path;

use crate::analysis::deploy_env::{DeployCheck, DeployTarget, Style};
use crate::analysis::env::is_secret_name;
use crate::analysis::env::project::Declared;
use crate::finding::{Edit, Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule, reviewed_fix};
use crate::syntax::yaml::{self, Anchor};

pub static RULE: Rule = Rule {
    id: "required-setting-not-provided-to-deploy",
    severity: Severity::Warning,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "A deploy sets some of the settings' variables but not every required one",
    source: include_str!("required_setting_not_provided_to_deploy.rs"),
    check: Check::Deploy(check),
};

/// How many missing names a message lists before "and N more".
const LISTED: usize = 4;

fn check(d: &DeployCheck<'_>, out: &mut Vec<Finding>) {
    let mut schemas: BTreeMap<(&Path, &str), Vec<&Declared<'_>>> = BTreeMap::new();
    for declared in d.declared {
        schemas
            .entry((declared.path, declared.schema.as_str()))
            .or_default()
            .push(declared);
    }
    for target in d.targets.iter().filter(|t| !t.opaque) {
        let sets = |f: &Declared<'_>| {
            target
                .names
                .iter()
                .any(|n| f.field.read_from(n, f.case_sensitive))
        };
        for ((path, schema), fields) in &schemas {
            if !fields.iter().any(|f| sets(f)) {
                continue;
            }
            let missing: Vec<&str> = fields
                .iter()
                .filter(|f| f.required() && !sets(f))
                .map(|f| f.field.env_name())
                .collect();
            if missing.is_empty() {
                continue;
            }
            let fix = if d.build_fixes {
                add_entries(d, target, &missing)
            } else {
                None
            };
            let message = format!(
                "{} sets `{schema}` variables but not {}, required by `{schema}` ({}): startup fails",
                target.label,
                listed(&missing),
                shown_path(path),
            );
            out.extend(
                RULE.finding_at(d.docs, &target.env, Anchor::Key, message)
                    .map(|f| {
                        f.with_help("Set it here, or give the setting a default.")
                            .with_fix(reviewed_fix("Add the missing variables", fix))
                    }),
            );
        }
    }
}

fn listed(names: &[&str]) -> String {
    let shown: Vec<String> = names
        .iter()
        .take(LISTED)
        .map(|n| format!("`{n}`"))
        .collect();
    match names.len().saturating_sub(LISTED) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// The last two parts of a path: enough to find the module, short enough
/// to read.
fn shown_path(path: &Path) -> String {
    let parts: Vec<_> = path.iter().map(|p| p.to_string_lossy()).collect();
    parts[parts.len().saturating_sub(2)..].join("/")
}

/// Entries for `names` in the target's style, to fill in.
fn add_entries(d: &DeployCheck<'_>, target: &DeployTarget, names: &[&str]) -> Option<Vec<Edit>> {
    let env = yaml::path::node(d.docs, &target.env)?;
    let edit = match &target.style {
        Style::Container { secret } => {
            let items: Vec<String> = names
                .iter()
                .map(|n| {
                    format!("- name: {n}\n  valueFrom:\n    secretKeyRef:\n      name: {secret}\n      key: {n}")
                })
                .collect();
            fixes::yaml::append_items(d.text, env, &items)?
        }
        Style::Workflow => {
            let block: Vec<String> = names
                .iter()
                .map(|n| {
                    let store = if is_secret_name(n) { "secrets" } else { "vars" };
                    format!("{n}: ${{{{ {store}.{n} }}}}")
                })
                .collect();
            fixes::yaml::insert_entry(d.text, env, &[], &block.join("\n"))?
        }
        Style::Compose { list: true } => {
            let items: Vec<String> = names.iter().map(|n| format!("- {n}=${{{n}}}")).collect();
            fixes::yaml::append_items(d.text, env, &items)?
        }
        Style::Compose { list: false } => {
            let block: Vec<String> = names.iter().map(|n| format!("{n}: ${{{n}}}")).collect();
            fixes::yaml::insert_entry(d.text, env, &[], &block.join("\n"))?
        }
    };
    Some(vec![edit])
}
