//! Rules the engine reports itself, about preflight's own inputs: suppression
//! comments and configuration files. They have no check function; the engine
//! produces their findings while applying suppressions and reading config.

use super::Rule;

pub mod invalid_config;
pub mod invalid_suppression;
pub mod unused_suppression;

pub static RULES: &[&Rule] = &[
    &invalid_suppression::RULE,
    &unused_suppression::RULE,
    &invalid_config::RULE,
];

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn documented_in_the_house_style() {
        for rule in RULES {
            let docs = rule.docs();
            for section in [
                "## What it does",
                "## Why it matters",
                "## Example",
                "## How to fix",
            ] {
                assert!(docs.contains(section), "{} lacks {section}", rule.id);
            }
        }
    }

    #[test]
    fn ids_are_distinct_kebab_case() {
        let ids: HashSet<_> = RULES.iter().map(|r| r.id).collect();
        assert_eq!(ids.len(), RULES.len());
        for id in ids {
            assert!(
                id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{id}"
            );
        }
    }
}
