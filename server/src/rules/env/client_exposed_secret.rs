//! ## What it does
//! Flags a secret-looking variable (see `secret-with-default` for the
//! words) that a browser bundle receives: read or declared with a public
//! prefix (`NEXT_PUBLIC_`, `VITE_`, `PUBLIC_`, `NUXT_PUBLIC_`,
//! `REACT_APP_`), or declared in a t3-env `client:` block.
//!
//! ## Why it matters
//! Next.js, Vite, Nuxt, SvelteKit and Create React App inline these
//! variables into the JavaScript every visitor downloads: the secret is
//! public from the first deploy, and stays in caches and archives after it
//! is rotated.
//!
//! ## Example
//! ```ts
//! const stripe = new Stripe(process.env.NEXT_PUBLIC_STRIPE_SECRET_KEY!);
//! ```
//!
//! ## Safe alternative
//! Keep the secret on the server: drop the prefix, declare it under t3-env
//! `server:`, and call the service from a route handler or server action.
//! Rotate a secret that was ever deployed with the prefix.

use crate::analysis::env::{EnvCheck, is_secret_name};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "client-exposed-secret",
    severity: Severity::Error,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "A secret-looking variable is exposed to the browser bundle",
    source: include_str!("client_exposed_secret.rs"),
    check: Check::Env(check),
};

/// Prefixes frameworks inline into client code.
const PUBLIC_PREFIXES: &[&str] = &[
    "NEXT_PUBLIC_",
    "NUXT_PUBLIC_",
    "VITE_",
    "PUBLIC_",
    "REACT_APP_",
];

const HELP: &str = "Keep it on the server: drop the public prefix, declare it under `server:`, and rotate it if it was ever deployed.";

fn check(env: &EnvCheck<'_>, out: &mut Vec<Finding>) {
    let file = env.file;
    let fields = file.schemas.iter().flat_map(|s| &s.fields);
    for field in fields.clone() {
        let name = field.env_name();
        let why = match public_prefix(name) {
            Some(prefix) => format!("the `{prefix}` prefix"),
            None if field.client => "t3-env's `client:`".to_string(),
            None => continue,
        };
        if is_secret_name(name) {
            out.push(exposed(field.name_range.clone(), name, &why));
        }
    }
    // A variable the file declares is reported where it is declared.
    let declared = |name: &str| fields.clone().any(|f| f.env_name() == name);
    for read in &file.reads {
        let Some(name) = read.name.as_deref() else {
            continue;
        };
        if let Some(prefix) = public_prefix(name)
            && is_secret_name(name)
            && !declared(name)
        {
            let why = format!("the `{prefix}` prefix");
            out.push(exposed(read.key.clone(), name, &why));
        }
    }
}

fn exposed(range: std::ops::Range<usize>, name: &str, why: &str) -> Finding {
    RULE.finding(
        range,
        format!("`{name}` looks like a secret, and {why} puts it in the browser bundle"),
    )
    .with_help(HELP)
}

fn public_prefix(name: &str) -> Option<&'static str> {
    PUBLIC_PREFIXES
        .iter()
        .copied()
        .find(|p| name.len() > p.len() && name.starts_with(p))
}
