//! ## What it does
//! Flags a value in an env example file (`.env.example`, `.env.sample`...)
//! or a committed env file (`.env`, `.env.production` that git does not
//! ignore) that looks like a real credential: a known token format (`sk-`,
//! `sk_live_`, `ghp_`, `github_pat_`, `glpat-`, `xoxb-`, `xoxp-`, `AKIA`,
//! `AIza`), a PEM private key, a URL with a random password, or a
//! random-looking value of a secret's variable (`SECRET_KEY`, `API_TOKEN`).
//! Placeholders are fine: empty, `changeme`, `your-key-here`, `<token>`,
//! `xxx`, `sk-...`. Commented entries are checked too: a commented secret is
//! still in the repository.
//!
//! ## Why it matters
//! Everyone who can read the repository (and its history, forks and CI
//! logs) has the credential. Deleting the line does not take it back: the
//! key must be rotated.
//!
//! ## Example
//! ```dotenv
//! OPENAI_API_KEY=sk-proj-4fQ9xZ2LmN8vB1cD7eR3tY6uI0oP5aS
//! ```
//!
//! ## Safe alternative
//! Rotate the key, then leave a placeholder:
//! ```dotenv
//! OPENAI_API_KEY=sk-your-key-here
//! ```

use crate::analysis::env::{EnvCheck, real_secret};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "real-secret-in-example",
    severity: Severity::Error,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "An env example or committed env file holds what looks like a real credential",
    source: include_str!("real_secret_in_example.rs"),
    check: Check::Env(check),
};

fn check(env: &EnvCheck<'_>, out: &mut Vec<Finding>) {
    let Some(dotenv) = &env.file.dotenv else {
        return;
    };
    for entry in &dotenv.file.entries {
        if let Some(what) = real_secret(&entry.key, &entry.value) {
            out.push(
                RULE.finding(
                    entry.value_range.clone(),
                    format!(
                        "`{}` holds what looks like {what}, in a file the repository shares",
                        entry.key
                    ),
                )
                .with_help("Rotate the credential, then replace the value with a placeholder."),
            );
        }
    }
}
