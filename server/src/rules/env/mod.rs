//! Rules over environment variables and settings schemas: the env model of
//! one file (`analysis::env`), whatever language wrote it.

mod env_read_outside_settings;
mod envvar_default_type;
mod getenv_unvalidated;
mod required_setting_not_provided_to_deploy;
mod required_setting_without_default;
mod secret_with_default;

use super::Rule;

pub static RULES: &[&Rule] = &[
    &getenv_unvalidated::RULE,
    &env_read_outside_settings::RULE,
    &envvar_default_type::RULE,
    &secret_with_default::RULE,
    &required_setting_without_default::RULE,
    &required_setting_not_provided_to_deploy::RULE,
];

/// A variable's name for messages: `` `X` ``, or "a computed name".
fn shown(name: Option<&str>) -> String {
    name.map_or_else(|| "a computed name".to_string(), |n| format!("`{n}`"))
}
