//! ## What it does
//! Flags a pipeline that deploys (or runs migrations) in a repository that
//! has database migrations (`migrations/`, `alembic/versions/`,
//! `db/migrate/`, `prisma/migrations/`...) when no CI file of the repository
//! lints them: `preflight check`, `squawk`, `alembic check`, `manage.py
//! makemigrations --check`, `atlas migrate lint` or `prisma migrate diff
//! --exit-code`. Other workflows in `.github/workflows/` and the files of a
//! GitLab pipeline count.
//!
//! ## Why it matters
//! An unsafe migration (a table rewrite, an index built with a lock) passes
//! every unit test and takes production down at deploy time.
//!
//! ## Example
//! A repository with `migrations/0042_add_index.sql` and a workflow that
//! tests and deploys but never looks at the migrations.
//!
//! ## Safe alternative
//! A `migration-lint` job running `preflight check` on the migration
//! directories (the quick fix adds one).

use super::{fix, node};
use crate::analysis::pipeline::{self, Pipeline, Provider};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::fixes;
use crate::rules::{Check, Rule};
use crate::syntax::yaml::{Anchor, YamlPath};

pub static RULE: Rule = Rule {
    id: "no-migration-lint",
    severity: Severity::Warning,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "The repository has migrations and no CI step lints them",
    source: include_str!("no_migration_lint.rs"),
    check: Check::Pipeline(check),
};

/// Commands that apply migrations.
fn runs_migrations(command: &crate::syntax::shell::Command) -> bool {
    let words: Vec<&str> = command.argv().iter().map(|w| w.text.as_str()).collect();
    words.windows(2).any(|w| {
        matches!(
            (w[0], w[1]),
            ("alembic", "upgrade")
                | ("migrate", "deploy")
                | ("db:migrate", _)
                | ("migrate", "up")
                | ("migrate", "apply")
        ) || (w[1] == "migrate" && w[0].ends_with("manage.py"))
    })
}

fn check(p: &Pipeline, out: &mut Vec<Finding>) {
    let facts = p.facts;
    if facts.migrations.is_empty()
        || facts.lint_elsewhere
        || p.provider == Provider::CompositeAction
        || pipeline::lints_migrations(p)
    {
        return;
    }
    let deploys = p
        .jobs
        .iter()
        .filter(|j| j.is_local())
        .find(|j| j.is_deploy() || j.commands().any(runs_migrations));
    let Some(deploy) = deploys else { return };
    let (at, anchor) = match (&p.jobs_path, p.provider) {
        (Some(jobs), Provider::GitHub) => (jobs.clone(), Anchor::Key),
        _ => (deploy.path.clone(), Anchor::Key),
    };
    let message = format!(
        "the repository has migrations ({}) and no CI step lints them before `{}` deploys",
        facts.migrations.join(", "),
        deploy.id
    );
    out.extend(
        RULE.finding_at(p.docs, &at, anchor, message)
            .map(|f| f.with_fix(lint_job(p, &facts.migrations))),
    );
}

/// A `migration-lint` job running `preflight check` on the migrations.
fn lint_job(p: &Pipeline, dirs: &[String]) -> Option<crate::finding::Fix> {
    if !p.build_fixes {
        return None;
    }
    let targets = dirs.join(" ");
    let (map, block) = match p.provider {
        Provider::GitLab => (
            node(p, &YamlPath::root(0))?,
            format!(
                "migration-lint:\n  stage: test\n  # preflight must be installed in the image (see its README).\n  script:\n    - preflight check {targets}\n"
            ),
        ),
        _ => (
            node(p, p.jobs_path.as_ref()?)?,
            format!(
                "migration-lint:\n  runs-on: ubuntu-latest\n  permissions:\n    contents: read\n  steps:\n    - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n    # preflight must be on PATH (see its README for installing it).\n    - run: preflight check {targets}\n"
            ),
        ),
    };
    fix(
        "Add a `migration-lint` job running `preflight check`",
        fixes::yaml::insert_entry(p.text, map, &[], &block).map(|e| vec![e]),
    )
}
