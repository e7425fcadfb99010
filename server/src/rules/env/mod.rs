//! Rules over environment variables and settings schemas: the env model of
//! one file (`analysis::env`), whatever language wrote it.

mod client_exposed_secret;
mod dotenv_syntax;
mod env_example_unused;
mod env_read_outside_settings;
mod envvar_default_type;
mod getenv_unvalidated;
mod missing_from_env_example;
mod new_required_setting;
mod no_startup_validation;
mod prefix_alias_mismatch;
mod real_secret_in_example;
mod required_setting_not_provided_to_deploy;
mod required_setting_without_default;
mod secret_with_default;
mod t3_runtimeenv_mismatch;

use super::Rule;
use crate::finding::Finding;

pub static RULES: &[&Rule] = &[
    &getenv_unvalidated::RULE,
    &env_read_outside_settings::RULE,
    &envvar_default_type::RULE,
    &secret_with_default::RULE,
    &required_setting_without_default::RULE,
    &new_required_setting::RULE,
    &required_setting_not_provided_to_deploy::RULE,
    &missing_from_env_example::RULE,
    &env_example_unused::RULE,
    &dotenv_syntax::RULE,
    &prefix_alias_mismatch::RULE,
    &real_secret_in_example::RULE,
    &no_startup_validation::RULE,
    &t3_runtimeenv_mismatch::RULE,
    &client_exposed_secret::RULE,
];

/// The rule that needs the base branch's schemas: the engine asks git for
/// them only while it is on.
pub static NEW_REQUIRED_SETTING: &Rule = &new_required_setting::RULE;

/// One finding per field: a `new-required-setting` error replaces the
/// `required-setting-without-default` info on the same field (the info
/// stays when the error is off or suppressed).
pub fn drop_superseded(findings: &mut Vec<Finding>) {
    let raised: Vec<_> = findings
        .iter()
        .filter(|f| f.rule == new_required_setting::RULE.id)
        .map(|f| f.range.clone())
        .collect();
    findings.retain(|f| {
        f.rule != required_setting_without_default::RULE.id || !raised.contains(&f.range)
    });
}

/// A variable's name for messages: `` `X` ``, or "a computed name".
fn shown(name: Option<&str>) -> String {
    name.map_or_else(|| "a computed name".to_string(), |n| format!("`{n}`"))
}
