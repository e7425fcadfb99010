//! Where an Alembic project keeps its scripts, as its `alembic.ini` says:
//! `script_location` (the directory of `env.py`, whose `versions/` holds the
//! revisions unless `version_locations` names others), paths relative to the
//! ini file's directory with `%(here)s` expanded, as projects write them to
//! run `alembic` from anywhere.
//!
//! Pure: the engine reads the file and passes its text and directory in.

use std::path::{Path, PathBuf};

/// The script directories an `alembic.ini` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptLayout {
    /// The directory of `env.py`.
    pub script_location: PathBuf,
    /// The directories revisions live in.
    pub version_locations: Vec<PathBuf>,
}

impl ScriptLayout {
    /// Whether revisions live in `dir`.
    pub fn holds_revisions(&self, dir: &Path) -> bool {
        self.version_locations.iter().any(|v| same_dir(v, dir))
    }

    /// Where `env.py` is.
    pub fn env_py(&self) -> PathBuf {
        self.script_location.join("env.py")
    }
}

/// The layout `text` (an `alembic.ini` in `here`) describes, or `None` when
/// it has no `[alembic]` `script_location`, or names it as a package
/// resource (`myapp:migrations`), which only Python can resolve.
pub fn layout(text: &str, here: &Path) -> Option<ScriptLayout> {
    let section = section(text, "alembic");
    let value = |key: &str| -> Option<String> {
        let raw = section.iter().find(|(k, _)| k == key).map(|(_, v)| v)?;
        Some(interpolate(raw, here, &section, 2))
    };
    let script = value("script_location")?;
    if is_package_resource(&script) {
        return None;
    }
    let script_location = here.join(script.trim());
    let version_locations = match value("version_locations") {
        Some(list) => {
            let separator = value("version_path_separator").or_else(|| value("path_separator"));
            split_locations(&list, separator.as_deref())
                .map(|l| here.join(l))
                .collect()
        }
        None => vec![script_location.join("versions")],
    };
    Some(ScriptLayout {
        script_location,
        version_locations,
    })
}

/// `key = value` pairs of `[name]` (keys lowercased, as configparser does),
/// continuation lines joined with newlines; comments and other sections left out.
fn section(text: &str, name: &str) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(header) = trimmed.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            inside = header.trim() == name;
            continue;
        }
        if !inside || trimmed.is_empty() || trimmed.starts_with(['#', ';']) {
            continue;
        }
        // An indented line continues the value before it.
        if line.starts_with([' ', '\t'])
            && let Some((_, value)) = pairs.last_mut()
        {
            value.push('\n');
            value.push_str(trimmed);
            continue;
        }
        if let Some(at) = trimmed.find(['=', ':']) {
            let key = trimmed[..at].trim().to_ascii_lowercase();
            pairs.push((key, trimmed[at + 1..].trim().to_string()));
        }
    }
    pairs
}

/// configparser's interpolation: `%(here)s` is the ini file's directory,
/// `%(key)s` another value of the section (itself interpolated, `depth`
/// levels deep at most, so a cycle ends), `%%` a percent sign.
fn interpolate(raw: &str, here: &Path, section: &[(String, String)], depth: usize) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if let Some(after) = rest.strip_prefix("%%") {
            out.push('%');
            rest = after;
        } else if let Some((key, after)) = rest.strip_prefix("%(").and_then(|r| r.split_once(")s"))
        {
            match key {
                "here" => out.push_str(&here.to_string_lossy()),
                _ => match section.iter().find(|(k, _)| k == key) {
                    Some((_, value)) if depth > 0 => {
                        out.push_str(&interpolate(value, here, section, depth - 1));
                    }
                    _ => out.push_str(&rest[..rest.len() - after.len()]),
                },
            }
            rest = after;
        } else {
            out.push('%');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}

/// The directories of a `version_locations` value, split as its
/// `version_path_separator` says (`os`, `space`, `newline`, `:`, `;`, `,`);
/// without one, on spaces and commas, Alembic's legacy reading.
fn split_locations<'a>(
    list: &'a str,
    separator: Option<&str>,
) -> impl Iterator<Item = &'a str> + 'a {
    let separator = separator.map(str::trim).map(str::to_string);
    list.split(move |c: char| match separator.as_deref() {
        Some("space") => c == ' ',
        Some("newline") => c == '\n',
        Some("os") => c == if cfg!(windows) { ';' } else { ':' },
        Some(s @ (":" | ";" | ",")) => s.starts_with(c),
        _ => c.is_whitespace() || c == ',',
    })
    .map(str::trim)
    .filter(|l| !l.is_empty())
}

/// `package:path` (not a Windows drive letter, `C:\...`).
fn is_package_resource(location: &str) -> bool {
    match location.split_once(':') {
        Some((package, _)) => package.len() > 1 && !package.contains(['/', '\\']),
        None => false,
    }
}

/// Two spellings of one directory: `a/./b` and `a/b`.
fn same_dir(a: &Path, b: &Path) -> bool {
    normal(a) == normal(b)
}

fn normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_location_relative_to_the_ini_with_here_expanded() {
        let here = Path::new("/p");
        let ini = "[loggers]\nkeys = root\n\n[alembic]\n# where the scripts are\nscript_location = %(here)s/db/schema\nsqlalchemy.url = driver://u:p@h/db\n";
        let layout = layout(ini, here).unwrap();
        assert_eq!(layout.script_location, Path::new("/p/db/schema"));
        assert_eq!(layout.env_py(), Path::new("/p/db/schema/env.py"));
        assert!(layout.holds_revisions(Path::new("/p/db/schema/./versions")));
        assert!(!layout.holds_revisions(Path::new("/p/alembic/versions")));
        let relative = super::layout("[alembic]\nscript_location: migrations\n", here).unwrap();
        assert_eq!(relative.script_location, Path::new("/p/migrations"));
    }

    #[test]
    fn version_locations_and_their_separators() {
        let here = Path::new("/p");
        let legacy = "[alembic]\nscript_location = s\nversion_locations = %(here)s/a, %(here)s/b\n";
        let layout = layout(legacy, here).unwrap();
        assert_eq!(
            layout.version_locations,
            [PathBuf::from("/p/a"), PathBuf::from("/p/b")]
        );
        let newline = "[alembic]\nscript_location = s\nversion_path_separator = newline\nversion_locations =\n    %(here)s/with space\n    rel\n";
        let layout = super::layout(newline, here).unwrap();
        assert_eq!(
            layout.version_locations,
            [PathBuf::from("/p/with space"), PathBuf::from("/p/rel")]
        );
        let percent = "[alembic]\nbase = %(here)s/x\nscript_location = %(base)s%%\nloop = %(loop)s\nversion_locations = %(loop)s\n";
        assert_eq!(
            super::layout(percent, here).unwrap().script_location,
            Path::new("/p/x%")
        );
        // A value naming itself ends, uninterpolated.
        assert_eq!(
            super::layout(percent, here).unwrap().version_locations,
            [PathBuf::from("/p/%(loop)s")]
        );
    }

    #[test]
    fn no_layout_without_a_path() {
        let here = Path::new("/p");
        assert!(layout("[alembic]\nscript_location = myapp:migrations\n", here).is_none());
        assert!(layout("[other]\nscript_location = s\n", here).is_none());
        assert!(layout("", here).is_none());
        // Odd input reads as nothing, never a panic.
        assert!(layout("[alembic\n=\n%(\n", here).is_none());
        let odd = layout("[alembic]\nscript_location = %(x\n", here).unwrap();
        assert_eq!(odd.script_location, Path::new("/p/%(x"));
    }
}
