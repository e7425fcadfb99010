//! ## What it does
//! Flags a secret (a name with the word `secret`, `password`, `passwd`,
//! `token`, `credentials` or `dsn`, or `api_key`, `private_key`,
//! `secret_key`) given a non-empty literal default: a settings field
//! (`SECRET_KEY: str = "changeme"`, `SecretStr("changeme")`) or a read
//! (`os.environ.get("SECRET_KEY", "changeme")`). Names that describe a
//! secret rather than hold it (`TOKEN_URL`, `ACCESS_TOKEN_EXPIRE_MINUTES`)
//! are not secrets.
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
//! ## Safe alternative
//! No default, so a missing secret stops the startup; for local work, an
//! untracked `.env` file, or a validator that rejects placeholders outside
//! development.

use crate::analysis::env::{
    EnvCheck, EnvRead, Field, FieldDefault, Value, ValueKind, is_secret_name,
};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};

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
        secret.then_some((f.env_name(), value, Fixer::Field(f)))
    });
    let reads = file.reads.iter().filter_map(|r| {
        let name = r.name.as_deref()?;
        Some((name, r.default.as_ref()?, Fixer::Read(r))).filter(|_| is_secret_name(name))
    });
    for (name, value, fixer) in fields.chain(reads) {
        if !has_literal(value) {
            continue;
        }
        let fix = match fixer {
            Fixer::Field(field) => fixes::env::remove_default(env.source, field),
            Fixer::Read(read) => fixes::env::fail_fast(
                env.source,
                read,
                format!("Remove the default of `{name}`: `os.environ[...]` fails when unset"),
            ),
        };
        out.push(
            RULE.finding(
                value.range.clone(),
                format!("`{name}` is a secret with a default: a deployment without it runs with this known value"),
            )
            .with_help("Remove the default so a missing secret stops the startup.")
            .with_fix(fix),
        );
    }
}

/// Where a secret's default is written, for its fix.
enum Fixer<'f> {
    Field(&'f Field),
    Read(&'f EnvRead),
}

fn has_literal(value: &Value) -> bool {
    match &value.kind {
        ValueKind::Str(text) | ValueKind::SecretStr(text) => !text.trim().is_empty(),
        _ => false,
    }
}
