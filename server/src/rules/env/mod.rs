//! Rules over environment variables and settings schemas: the env model of
//! one file (`analysis::env`), whatever language wrote it.

mod client_exposed_secret;
mod dotenv_syntax;
mod env_example_unused;
mod env_read_outside_settings;
mod envvar_default_type;
mod getenv_unvalidated;
mod missing_from_env_example;
mod no_startup_validation;
mod prefix_alias_mismatch;
mod real_secret_in_example;
mod required_setting_not_provided_to_deploy;
mod required_setting_without_default;
mod secret_with_default;
mod t3_runtimeenv_mismatch;

use super::Rule;

pub static RULES: &[&Rule] = &[
    &getenv_unvalidated::RULE,
    &env_read_outside_settings::RULE,
    &envvar_default_type::RULE,
    &secret_with_default::RULE,
    &required_setting_without_default::RULE,
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

/// A variable's name for messages: `` `X` ``, or "a computed name".
fn shown(name: Option<&str>) -> String {
    name.map_or_else(|| "a computed name".to_string(), |n| format!("`{n}`"))
}
