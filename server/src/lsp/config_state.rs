//! Configuration as the server sees it: config files found by walking up from
//! each document (cached per directory until something changes), with the
//! editor's settings layered on top.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};

use serde_json::Value;

use crate::config::{self, Config, ConfigCache, ConfigError, Overrides};
use crate::rules;

/// The configuration one document runs under, and what was wrong on the way.
#[derive(Debug)]
pub struct Resolved {
    pub config: Config,
    /// The governing config file is invalid; `config` is the default then, as
    /// half-applying a broken file would be worse than ignoring it visibly.
    pub error: Option<ConfigError>,
}

#[derive(Debug, Default)]
pub struct ConfigState {
    /// Always valid against the default configuration (checked when set).
    overrides: RwLock<Overrides>,
    /// Bumped on every change, so findings computed under an older configuration
    /// are recognised as stale.
    generation: AtomicU64,
    cache: Mutex<ConfigCache>,
    /// The workspace roots: config files are read only inside them.
    roots: RwLock<Vec<PathBuf>>,
}

fn is_known_rule(id: &str) -> bool {
    rules::find(id).is_some()
}

impl ConfigState {
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Limits config discovery to the workspace roots (none: no limit).
    pub fn set_roots(&self, roots: Vec<PathBuf>) {
        *self.roots.write().unwrap_or_else(|e| e.into_inner()) = roots;
        self.invalidate();
    }

    /// Forgets every config file read so far; the next `resolve` reads from disk.
    pub fn invalidate(&self) {
        let roots = self.roots.read().unwrap_or_else(|e| e.into_inner()).clone();
        *lock(&self.cache) = ConfigCache::within(roots);
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Replaces the editor's settings. Invalid settings are rejected as a whole
    /// (the file configuration then applies alone) and the reason is returned
    /// for the user. Call `invalidate` afterwards.
    pub fn set_overrides(&self, overrides: Overrides) -> Result<(), String> {
        let result = Config::default().with_overrides(&overrides).map(|_| ());
        let accepted = if result.is_ok() {
            overrides
        } else {
            Overrides::default()
        };
        *self.overrides.write().unwrap_or_else(|e| e.into_inner()) = accepted;
        result
    }

    /// The configuration for files in `dir` (`None`: not a file on disk, so only
    /// the defaults and the editor's settings apply). Blocking: reads files.
    pub fn resolve(&self, dir: Option<&Path>) -> Resolved {
        let lookup = match dir {
            Some(dir) => lock(&self.cache).lookup(dir, &is_known_rule),
            None => Ok(None),
        };
        let (base, error) = match lookup {
            Ok(Some(found)) => (found.1.clone(), None),
            Ok(None) => (Config::default(), None),
            Err(error) => (Config::default(), Some(error)),
        };
        let overrides = self.overrides.read().unwrap_or_else(|e| e.into_inner());
        // Settings were validated when set; a failure here would need a file
        // value to make them invalid, which none can, but never lose the file.
        let config = base.with_overrides(&overrides).unwrap_or(base);
        Resolved { config, error }
    }
}

/// A panic elsewhere while holding the cache must not take the server down; the
/// cache is only a cache.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Editor settings → overrides. Clients send either the whole settings tree
/// (`{"preflight": {...}}`) or our section alone; `null` means "no change".
pub fn overrides_from_settings(settings: &Value) -> Result<Option<Overrides>, String> {
    let section = match settings {
        Value::Null => return Ok(None),
        Value::Object(map) => map.get("preflight").unwrap_or(settings),
        _ => return Err("preflight settings must be an object".to_string()),
    };
    if section.is_null() {
        return Ok(None);
    }
    serde_json::from_value(section.clone())
        .map(Some)
        .map_err(|e| format!("invalid preflight settings: {e}"))
}

/// Whether a file is one `resolve` may read, so that a change to it must reload.
pub fn is_config_file(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|name| name == config::CONFIG_FILE || name == config::PYPROJECT_FILE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn settings_section_or_whole() {
        let nested = overrides_from_settings(&json!({"preflight": {"postgresVersion": 13}}));
        assert_eq!(nested.unwrap().unwrap().postgres_version, Some(13));
        let flat = overrides_from_settings(&json!({"ignore": ["a"]}))
            .unwrap()
            .unwrap();
        assert_eq!(flat.ignore, Some(vec!["a".to_string()]));
        assert_eq!(overrides_from_settings(&Value::Null), Ok(None));
        assert!(overrides_from_settings(&json!({"select": 3})).is_err());
        assert!(overrides_from_settings(&json!([1])).is_err());
    }

    #[test]
    fn invalid_overrides_are_dropped() {
        let state = ConfigState::default();
        let bad = Overrides {
            postgres_version: Some(3),
            ..Overrides::default()
        };
        assert!(state.set_overrides(bad).is_err());
        assert_eq!(state.resolve(None).config, Config::default());
        let good = Overrides {
            postgres_version: Some(13),
            ..Overrides::default()
        };
        state.set_overrides(good).unwrap();
        assert_eq!(state.resolve(None).config.postgres_version, 13);
    }
}
