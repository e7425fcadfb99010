//! ## What it does
//! Flags a secret (a name with the word `secret`, `password`, `passwd`,
//! `token`, `credentials` or `dsn`, or `api_key`, `private_key`,
//! `secret_key`) given a non-empty literal default: a settings field
//! (`SECRET_KEY: str = "changeme"`, `SecretStr("changeme")`, envalid
//! `str({ default: "securekey" })`, zod `.default("changeme")`) or a read
//! (`os.environ.get("SECRET_KEY", "changeme")`,
//! `process.env.SECRET_KEY ?? "changeme"`). Names that describe a secret
//! rather than hold it (`TOKEN_URL`, `ACCESS_TOKEN_EXPIRE_MINUTES`) are not
//! secrets. envalid's `devDefault`, which production never uses, is the
//! safe form and is not flagged.
//!
//! ## Why it matters
//! A deployment that forgets the variable starts anyway and runs with a
//! secret everyone who read the repository knows: sessions can be forged,
//! the database opened.
//!
//! ## Example
//! ```python
//! class Settings(BaseSettings):
//!     SECRET_KEY: str = "super secret jwt secret"
//! ```
//!
//! ```ts
//! cleanEnv(process.env, { JWT_SECRET: str({ default: "securekey" }) });
//! ```
//!
//! ## Safe alternative
//! No default, so a missing secret stops the startup; for local work, an
//! untracked `.env` file, envalid `devDefault:` (the code action turns
//! `default:` into it), or a validator that rejects placeholders outside
//! development.

use crate::analysis::env::{
    Dialect, EnvCheck, EnvRead, Field, FieldDefault, Validator, Value, ValueKind, is_secret_name,
};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::fixes::env::{python, typescript};
use crate::rules::{Check, Rule, reviewed_fix};

pub static RULE: Rule = Rule {
    id: "secret-with-default",
    severity: Severity::Error,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "A secret has a literal default",
    source: include_str!("secret_with_default.rs"),
    check: Check::Env(check),
};

fn check(env: &EnvCheck<'_>, out: &mut Vec<Finding>) {
    let file = env.file;
    let fields = file.schemas.iter().flat_map(|s| &s.fields).filter_map(|f| {
        let FieldDefault::Value(value) = &f.default else {
            return None;
        };
        let secret = is_secret_name(&f.name) || is_secret_name(f.env_name());
        secret.then_some((f.env_name(), value, Written::Field(f)))
    });
    let reads = file.reads.iter().filter_map(|r| {
        let name = r.name.as_deref()?;
        Some((name, r.default.as_ref()?, Written::Read(r))).filter(|_| is_secret_name(name))
    });
    let python = file.dialect == Dialect::Python;
    for (name, value, written) in fields.chain(reads) {
        if !has_literal(value) {
            continue;
        }
        const REMOVE: &str = "Remove the default so a missing secret stops the startup.";
        let (help, fix) = match written {
            Written::Field(Field {
                validator: Some(v @ Validator::Envalid { .. }),
                ..
            }) => (
                "Use `devDefault:` so only development gets a value, or remove the default.",
                reviewed_fix(
                    "Make it `devDefault:` (development only)",
                    typescript::drop_secret_default(v).map(|e| vec![e]),
                ),
            ),
            Written::Field(Field {
                validator: Some(v @ Validator::Zod { .. }),
                ..
            }) => (
                "Remove `.default(...)` so a missing secret stops the startup.",
                reviewed_fix(
                    "Remove the default",
                    typescript::drop_secret_default(v).map(|e| vec![e]),
                ),
            ),
            Written::Field(field) if python => (REMOVE, python::remove_default(env.source, field)),
            Written::Read(read) if python => (
                REMOVE,
                python::fail_fast(
                    env.source,
                    read,
                    format!("Remove the default of `{name}`: `os.environ[...]` fails when unset"),
                ),
            ),
            _ => (REMOVE, None),
        };
        out.push(
            RULE.finding(
                value.range.clone(),
                format!("`{name}` is a secret with a default: a deployment without it runs with this known value"),
            )
            .with_help(help)
            .with_fix(fix),
        );
    }
}

/// Where a secret's default is written, for its fix.
enum Written<'f> {
    Field(&'f Field),
    Read(&'f EnvRead),
}

fn has_literal(value: &Value) -> bool {
    match &value.kind {
        ValueKind::Str(text) | ValueKind::SecretStr(text) => !text.trim().is_empty(),
        _ => false,
    }
}
