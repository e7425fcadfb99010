//! The rule registry. One file per rule, grouped by family; each rule is data (a
//! [`Rule`] static) plus a pure check function. A rule's documentation is the
//! `//!` comment at the top of its file.

use std::ops::Range;
use std::sync::LazyLock;

use crate::analysis::deploy_env::DeployCheck;
use crate::analysis::env::EnvCheck;
use crate::analysis::manifest::Manifests;
use crate::analysis::migration::Migration;
use crate::analysis::pipeline::Pipeline;
use crate::finding::{Applicability, Edit, Finding, Fix, MigrationClass, Severity};
use crate::syntax::yaml::{self, Anchor, Doc, YamlPath};

pub mod engine;
pub mod env;
pub mod k8s;
pub mod sql;
pub mod workflow;

/// What a rule looks at.
#[derive(Debug, Clone, Copy)]
pub enum Check {
    /// Migration operations in order, with their context (any front end).
    Migration(fn(&Migration<'_>, &mut Vec<Finding>)),
    /// A CI pipeline: GitHub workflow, composite action or GitLab CI file.
    Pipeline(fn(&Pipeline<'_>, &mut Vec<Finding>)),
    /// The Kubernetes objects of a manifest file, with the workspace's.
    Manifest(fn(&Manifests<'_>, &mut Vec<Finding>)),
    /// The env reads and settings schemas of a source file, with the
    /// project's.
    Env(fn(&EnvCheck<'_>, &mut Vec<Finding>)),
    /// Where a deploy sets the environment, with the project's settings.
    Deploy(fn(&DeployCheck<'_>, &mut Vec<Finding>)),
    /// Produced by the engine itself (suppression and configuration problems).
    Engine,
}

#[derive(Debug)]
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    pub class: MigrationClass,
    /// Off unless selected in the configuration (hygiene and design rules).
    pub default_enabled: bool,
    /// One line for `preflight rules` and the README.
    pub summary: &'static str,
    /// The rule's source file; its leading `//!` block is the documentation.
    pub source: &'static str,
    pub check: Check,
}

impl Rule {
    /// A finding of this rule at its default severity.
    pub fn finding(&'static self, range: Range<usize>, message: impl Into<String>) -> Finding {
        Finding {
            rule: self.id,
            severity: self.severity,
            class: self.class,
            range,
            message: message.into(),
            help: None,
            fixes: Vec::new(),
        }
    }

    /// A finding at a YAML path of `docs`, resolved to the bytes `anchor`
    /// names; `None` when the path is not in this file (an included job).
    pub fn finding_at(
        &'static self,
        docs: &[Doc],
        path: &YamlPath,
        anchor: Anchor,
        message: impl Into<String>,
    ) -> Option<Finding> {
        let range = yaml::path::locate(docs, path, &anchor)?;
        Some(self.finding(range, message))
    }

    /// The rule's documentation in Markdown: the `//!` comment of its file.
    pub fn docs(&self) -> String {
        doc_comment(self.source)
    }
}

fn doc_comment(source: &str) -> String {
    let mut out = String::new();
    for line in source.lines() {
        let Some(rest) = line.strip_prefix("//!") else {
            break;
        };
        out.push_str(rest.strip_prefix(' ').unwrap_or(rest));
        out.push('\n');
    }
    out.trim_end().to_string()
}

/// A fix whose edits change behaviour (a gate starts to hold, a probe is
/// added), so it waits for a human: offered in the editor and applied by
/// `--unsafe-fixes`, never by `--fix`. `None` without edits.
pub(crate) fn reviewed_fix(
    title: impl Into<std::borrow::Cow<'static, str>>,
    edits: Option<Vec<Edit>>,
) -> Option<Fix> {
    Some(Fix {
        title: title.into(),
        applicability: Applicability::Unsafe,
        edits: edits.filter(|e| !e.is_empty())?,
    })
}

/// Every rule, in the order `preflight rules` lists them.
pub fn all() -> &'static [&'static Rule] {
    static ALL: LazyLock<Vec<&'static Rule>> = LazyLock::new(|| {
        sql::RULES
            .iter()
            .chain(workflow::RULES)
            .chain(k8s::RULES)
            .chain(env::RULES)
            .chain(engine::RULES)
            .copied()
            .collect()
    });
    &ALL
}

pub fn find(id: &str) -> Option<&'static Rule> {
    all().iter().copied().find(|r| r.id == id)
}
