//! Rules over Kubernetes manifests.

use super::Rule;

pub static RULES: &[&Rule] = &[];
