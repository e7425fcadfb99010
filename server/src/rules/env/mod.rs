//! Rules over environment variables and settings schemas: the env model of
//! one file (`analysis::env`), whatever language wrote it.

mod client_exposed_secret;
mod envvar_default_type;
mod getenv_unvalidated;
mod no_startup_validation;
mod required_setting_without_default;
mod secret_with_default;
mod t3_runtimeenv_mismatch;

use super::Rule;

pub static RULES: &[&Rule] = &[
    &getenv_unvalidated::RULE,
    &envvar_default_type::RULE,
    &secret_with_default::RULE,
    &required_setting_without_default::RULE,
    &no_startup_validation::RULE,
    &t3_runtimeenv_mismatch::RULE,
    &client_exposed_secret::RULE,
];

/// A variable's name for messages: `` `X` ``, or "a computed name".
fn shown(name: Option<&str>) -> String {
    name.map_or_else(|| "a computed name".to_string(), |n| format!("`{n}`"))
}
