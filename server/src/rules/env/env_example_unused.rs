//! ## What it does
//! Flags a key of an env example file that nothing uses: no settings field
//! declared in the example's directory or below is read from it, no code
//! there reads it, no other entry interpolates it (`${KEY}`), and no deploy
//! configuration of the project sets it. Only files that show how the
//! project reads its environment make a key used, so an example file is
//! judged only when such code is in its scope.
//!
//! Keys something else reads are left alone: those the platform sets
//! (`PORT`, `NODE_ENV`, `CI`, `TZ`, `DEBUG`, `LOG_LEVEL`...) and those of
//! libraries and tools that read the environment themselves: SDKs
//! (`OPENAI_`, `ANTHROPIC_`, `AWS_`, `AZURE_`, `GOOGLE_`, `SENTRY_`,
//! `DATADOG_`, `DD_`, `OTEL_`), libpq (`PG...`), the PostgreSQL image
//! (`POSTGRES_`), Python and its tools (`PYTHON...`, `UV_`), `NPM_`,
//! `DOCKER_`, `COMPOSE_`, and bundlers that inline `VITE_` and `NEXT_`
//! variables into HTML and config without a read in code. Commented keys
//! document options and are not reported.
//!
//! ## Why it matters
//! A stale key sends whoever sets up a deployment after a variable the app
//! ignores, and hides the one it reads under another name (a renamed
//! setting, a dropped prefix).
//!
//! ## Example
//! ```dotenv
//! # Renamed to REDIS_URL in the settings long ago.
//! CACHE_URL=redis://localhost:6379/0
//! ```
//!
//! ## Safe alternative
//! Remove the line, or rename it to the variable the app reads. A key used
//! where preflight cannot see it (a shell script, a vendor's agent) can be
//! kept with `# preflight: ignore[env-example-unused] <who reads it>`, or
//! named once for the project in the configuration:
//! `env-allowlist = ["NEW_RELIC_*", "WEB_CONCURRENCY"]`.

use std::collections::HashSet;

use crate::analysis::env::EnvCheck;
use crate::analysis::env::platform::used_outside_code;
use crate::analysis::env::project::covers;
use crate::finding::{Edit, Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule, reviewed_fix};

pub static RULE: Rule = Rule {
    id: "env-example-unused",
    severity: Severity::Hint,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "A key of the env example file is used by no settings field, code or deploy",
    source: include_str!("env_example_unused.rs"),
    check: Check::Env(check),
};

fn check(env: &EnvCheck<'_>, out: &mut Vec<Finding>) {
    let (Some(dotenv), Some(path)) = (&env.file.dotenv, env.path) else {
        return;
    };
    if !dotenv.is_example() {
        return;
    }
    let declared: Vec<_> = env
        .project
        .declared()
        .into_iter()
        .filter(|d| covers(path, d.path))
        .collect();
    let mut read: HashSet<&str> = HashSet::new();
    let mut provided: HashSet<&str> = HashSet::new();
    for (file, facts) in env.project.files() {
        if covers(path, file) {
            read.extend(facts.reads.iter().map(|m| m.name.as_str()));
        }
        // Deploy configuration lives anywhere (`.github/` above a service's
        // directory, a `k8s/` beside it).
        provided.extend(facts.provided.iter().map(|m| m.name.as_str()));
    }
    if declared.is_empty() && read.is_empty() {
        return;
    }
    let interpolated: HashSet<&str> = dotenv
        .file
        .entries
        .iter()
        .flat_map(|e| e.references.iter().map(String::as_str))
        .collect();
    for entry in dotenv.file.active() {
        let key = entry.key.as_str();
        let used = read.contains(key)
            || provided.contains(key)
            || interpolated.contains(key)
            || used_outside_code(key)
            || (env.allowed)(key)
            || declared
                .iter()
                .any(|d| d.field.read_from(key, d.case_sensitive));
        if used {
            continue;
        }
        out.push(
            RULE.finding(
                entry.key_range.clone(),
                format!("`{key}` is documented, but no settings field, code or deploy in its scope uses it"),
            )
            .with_fix(reviewed_fix(
                format!("Remove `{key}`"),
                Some(vec![Edit::replace(entry.lines.clone(), "")]),
            )),
        );
    }
}
