//! ## What it does
//! Flags lines of an env file (`.env.example`, a committed `.env`) that the
//! tools reading it disagree on or misread: a key set twice, a key without
//! `=`, a quote left open or closed with the other quote character, spaces
//! around `=`, a key starting with a digit, `-` or `.`, a `${` without `}`.
//! These are the high-signal checks of dotenv-linter (`DuplicatedKey`,
//! `KeyWithoutValue`, `QuoteCharacter`, `SpaceCharacter`,
//! `LeadingCharacter`, `SubstitutionKey`); its style checks (key order,
//! unquoted values) are left out.
//!
//! ## Why it matters
//! python-dotenv, Node's `dotenv`, docker compose and `docker --env-file`
//! each parse the file their own way: `KEY = value` sets `KEY` for the
//! first two and `KEY ` (with the space) for Docker; an open quote swallows
//! the following lines; of a key set twice only one value is used, so the
//! other is a trap for whoever edits it. The variable the app gets is not
//! the one the file seems to set.
//!
//! ## Example
//! ```dotenv
//! DATABASE_URL = postgres://localhost/app
//! API_KEY="abc'
//! DEBUG=false
//! DEBUG=true
//! ```
//!
//! ## Safe alternative
//! ```dotenv
//! DATABASE_URL=postgres://localhost/app
//! API_KEY="abc"
//! DEBUG=false
//! ```

use std::collections::HashMap;

use crate::analysis::env::EnvCheck;
use crate::finding::{Applicability, Edit, Finding, Fix, MigrationClass, Severity};
use crate::rules::{Check, Rule};
use crate::syntax::dotenv::ProblemKind;

pub static RULE: Rule = Rule {
    id: "dotenv-syntax",
    severity: Severity::Warning,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "An env file line that parsers read differently: duplicated key, key without `=`, stray quote, spaces around `=`",
    source: include_str!("dotenv_syntax.rs"),
    check: Check::Env(check),
};

fn check(env: &EnvCheck<'_>, out: &mut Vec<Finding>) {
    let Some(dotenv) = &env.file.dotenv else {
        return;
    };
    for problem in &dotenv.file.problems {
        let range = problem.range.clone();
        let finding = match &problem.kind {
            ProblemKind::KeyWithoutEquals => RULE
                .finding(
                    range,
                    "A key without `=`: python-dotenv reads it as unset, `dotenv` skips it",
                )
                .with_help("Write `KEY=` for an empty value, or make the line a `#` comment."),
            ProblemKind::EmptyKey => RULE.finding(range, "A value without a key"),
            ProblemKind::UnclosedQuote(quote) => RULE
                .finding(
                    range,
                    format!(
                        "The value's `{}` is never closed: parsers disagree on where it ends",
                        quote.char()
                    ),
                )
                .with_help("Close the quote on the same line."),
            ProblemKind::MixedQuotes => RULE
                .finding(
                    range,
                    "The value opens with one quote character and ends with another",
                )
                .with_help("Use the same quote character on both ends."),
            ProblemKind::SpaceAroundEquals => RULE
                .finding(
                    range.clone(),
                    "Spaces around `=`: Docker's `--env-file` keeps them in the name and the value",
                )
                .with_fix(Some(Fix {
                    title: "Remove the spaces around `=`".into(),
                    applicability: Applicability::Safe,
                    edits: vec![Edit::replace(range, "=")],
                })),
            ProblemKind::LeadingCharacter => RULE
                .finding(
                    range,
                    "A key starting with a digit, `-` or `.`: no shell can set or read it",
                )
                .with_help("Start the key with a letter or `_`."),
            ProblemKind::UnclosedSubstitution => RULE
                .finding(
                    range,
                    "`${` without a closing `}`: the substitution is taken literally or fails",
                )
                .with_help("Write `${NAME}`."),
        };
        out.push(finding);
    }
    let mut first: HashMap<&str, u32> = HashMap::new();
    for entry in dotenv.file.active() {
        match first.get(entry.key.as_str()) {
            Some(line) => out.push(
                RULE.finding(
                    entry.key_range.clone(),
                    format!(
                        "`{}` is set again (first on line {}): only one of the values is used",
                        entry.key,
                        line + 1
                    ),
                )
                .with_help(
                    "Keep one entry; comment the other out if both values are worth showing.",
                ),
            ),
            None => {
                first.insert(&entry.key, entry.line);
            }
        }
    }
}
