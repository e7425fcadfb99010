//! ## What it does
//! Flags a t3-env `createEnv` whose `runtimeEnv` gives a schema key the
//! value of another variable (`AUTH_SECRET: process.env.NEXTAUTH_SECRET`),
//! and a key of `server:` / `client:` / `shared:` that `runtimeEnv` leaves
//! out. With `runtimeEnvStrict` the type checker already demands every key,
//! so only the first case is checked there; `experimental__runtimeEnv`
//! lists only the client keys.
//!
//! ## Why it matters
//! t3-env validates the values `runtimeEnv` hands it, not the environment:
//! a renamed read validates one variable while the docs, the deploy and
//! the schema name another, and a key left out is validated as `undefined`
//! (a startup failure for a required key, a silently absent value for an
//! optional one; in Next.js, a client value that is never inlined). In a
//! `.mjs` or `.js` env file no type checker catches either.
//!
//! ## Example
//! ```js
//! export const env = createEnv({
//!   server: { AUTH_SECRET: z.string(), DATABASE_URL: z.string().url() },
//!   runtimeEnv: { AUTH_SECRET: process.env.NEXTAUTH_SECRET },
//! });
//! ```
//!
//! ## Safe alternative
//! Give every key `process.env.<SAME_KEY>`:
//! `runtimeEnv: { AUTH_SECRET: process.env.AUTH_SECRET, DATABASE_URL:
//! process.env.DATABASE_URL }`.

use crate::analysis::env::EnvCheck;
use crate::finding::{Edit, Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule, reviewed_fix};

pub static RULE: Rule = Rule {
    id: "t3-runtimeenv-mismatch",
    severity: Severity::Error,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "A t3-env `runtimeEnv` reads a different variable than its key, or leaves a key out",
    source: include_str!("t3_runtimeenv_mismatch.rs"),
    check: Check::Env(check),
};

fn check(env: &EnvCheck<'_>, out: &mut Vec<Finding>) {
    let file = env.file;
    for validation in &file.validations {
        let (Some(runtime), Some(schema)) = (
            &validation.runtime_env,
            validation.schema.and_then(|i| file.schemas.get(i)),
        ) else {
            continue;
        };
        for entry in &runtime.entries {
            let Some(read) = entry.reads.as_deref() else {
                continue;
            };
            if read == entry.key || !schema.fields.iter().any(|f| f.name == entry.key) {
                continue;
            }
            let key = &entry.key;
            out.push(
                RULE.finding(
                    entry.value.clone(),
                    format!("`{key}` is validated from `process.env.{read}`, a different variable"),
                )
                .with_help(format!(
                    "Read `process.env.{key}`, or rename the key to `{read}` everywhere."
                ))
                .with_fix(reviewed_fix(
                    format!("Read `process.env.{key}`"),
                    Some(vec![Edit::replace(
                        entry.value.clone(),
                        format!("process.env.{key}"),
                    )]),
                )),
            );
        }
        if runtime.strict {
            continue;
        }
        for field in &schema.fields {
            let listed = runtime.entries.iter().any(|e| e.key == field.name);
            if listed || (runtime.client_only && !field.client) {
                continue;
            }
            out.push(
                RULE.finding(
                    field.name_range.clone(),
                    format!(
                        "`{}` is missing from `runtimeEnv`: t3-env validates `undefined` in its place",
                        field.name
                    ),
                )
                .with_help(format!(
                    "Add `{0}: process.env.{0},` to `runtimeEnv`.",
                    field.name
                )),
            );
        }
    }
}
