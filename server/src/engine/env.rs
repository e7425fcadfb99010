//! The narrow path for modules that read environment variables or declare
//! settings: the host's syntax tree (kept across edits by [`super::host`])
//! read into the env model, the env rules, and `#` suppressions. Migrations
//! never come here: their files are judged as migrations.

use super::{Analysis, configure_engine_finding, run_rule};
use crate::analysis::env::{self, EnvFile};
use crate::analysis::suppression::Suppressions;
use crate::config::Config;
use crate::finding::Finding;
use crate::rules::{self, Check};
use crate::text::Language;

/// Whether a document of `language` with this text goes through this path
/// (a cheap test on the text: most modules never mention the environment).
pub(super) fn applies(language: Language, text: &str) -> bool {
    language == Language::Python && env::python::mentions_env(text)
}

impl Analysis {
    /// The env findings of a Python document whose tree `run_host` brought
    /// up to date; empty when it holds no read and no settings class.
    pub(super) fn run_env(&mut self, config: &Config) -> Vec<Finding> {
        let file = match self.host_tree() {
            Some(tree) if applies(self.document.language(), &self.text) => {
                env::python::read(tree.tree(), &self.text)
            }
            _ => EnvFile::default(),
        };
        self.env_found = !file.is_empty();
        if file.is_empty() {
            return Vec::new();
        }
        let mut findings = Vec::new();
        for rule in rules::all() {
            if let Check::Env(check) = rule.check {
                findings.extend(run_rule(rule, config, |out| check(&file, out)));
            }
        }
        let mut findings = Suppressions::parse(&self.text, &file.comments, "#").apply(
            findings,
            &file.statements,
            &|id| rules::find(id).is_some(),
        );
        findings.retain_mut(|f| configure_engine_finding(f, config));
        findings
    }

    /// Whether the last check found environment reads or settings classes.
    pub fn reads_env(&self) -> bool {
        self.env_found
    }
}
