//! The hover over an environment variable's name, wherever it is written: a
//! read's key or a settings field in source code (through the env model, so
//! any front end's file), a `KEY=` line of an env file, a key of a workflow's
//! `env:` mapping. It gathers what the project knows about the variable:
//! the settings fields it sets (with their effective names, default and
//! whether startup needs it), where code reads it, and which example file
//! documents it. Byte ranges here; the LSP edge converts them.

use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::Analysis;
use crate::analysis::env::project::{self, Declared, Mention, Project};
use crate::analysis::env::{EnvFile, Field, FieldDefault, ValueKind};
use crate::syntax::trees;
use crate::syntax::yaml::{Node, YamlFile};
use crate::text::Language;

/// What a hover shows: the name's bytes and Markdown about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvHover {
    pub range: Range<usize>,
    pub markdown: String,
}

/// How many places a list names before "and N more".
const LISTED: usize = 8;

/// The hover for the variable named at `offset` of the analysed document,
/// with `project` (which holds the document's own facts) around it.
pub fn env_hover(analysis: &Analysis, project: &Project, offset: usize) -> Option<EnvHover> {
    let target = target_at(analysis, project, offset)?;
    let markdown = describe(&target, project, analysis.path());
    Some(EnvHover {
        range: target.range,
        markdown,
    })
}

/// A variable's name under the cursor.
struct Target {
    range: Range<usize>,
    /// The variables it stands for: one, or a field's names.
    names: Vec<String>,
}

fn target_at(analysis: &Analysis, project: &Project, offset: usize) -> Option<Target> {
    let text = &analysis.text;
    let at = |range: &Range<usize>| range.start <= offset && offset <= range.end;
    if let Some(file) = env_file(analysis, project) {
        if let Some(read) = file.reads.iter().find(|r| at(&r.key)) {
            return Some(Target {
                range: read.key.clone(),
                names: vec![read.name.clone()?],
            });
        }
        let field = file
            .schemas
            .iter()
            .flat_map(|s| &s.fields)
            .find(|f| at(&f.name_range))?;
        return Some(Target {
            range: field.name_range.clone(),
            names: field.env_names.clone(),
        });
    }
    let path = analysis.path()?;
    if is_env_file(path) {
        let range = dotenv_key_at(text, offset)?;
        return Some(Target {
            names: vec![text.get(range.clone())?.to_string()],
            range,
        });
    }
    if analysis.document.language() == Language::Yaml {
        return yaml_env_key_at(text, offset);
    }
    None
}

/// The env model of a source document, its classes resolved against the
/// project's; `None` for a document no front end reads.
fn env_file(analysis: &Analysis, project: &Project) -> Option<EnvFile> {
    let language = analysis.document.language();
    if !super::env::applies(language, &analysis.text) {
        return None;
    }
    let parsed;
    let tree = match analysis.host_tree() {
        Some(tree) => tree.tree(),
        None => {
            parsed = trees::parse(language, &analysis.text)?;
            &parsed
        }
    };
    let mut file = super::env::read(language, tree, &analysis.text);
    if !file.classes.is_empty() {
        let path = analysis.path().map(super::workspace::absolute);
        file.schemas = project::resolve(&file.classes, &project.classes_except(path.as_deref()));
    }
    Some(file)
}

/// Whether a file holds `KEY=value` lines: `.env`, `.env.example`,
/// `.env.production`, `env.example`, `app.env`.
fn is_env_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    name.starts_with(".env") || name.ends_with(".env") || name == "env.example"
}

/// The `KEY` of a `KEY=value` line (after `export` or a commenting `#`)
/// when `offset` is on it.
fn dotenv_key_at(text: &str, offset: usize) -> Option<Range<usize>> {
    let offset = offset.min(text.len());
    let start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let line = text[start..].split('\n').next().unwrap_or_default();
    let indent = line.len() - line.trim_start().len();
    let mut key_start = indent;
    for prefix in ["#", "export "] {
        if let Some(rest) = line[key_start..].strip_prefix(prefix) {
            key_start = line.len() - rest.trim_start().len();
        }
    }
    let key_len = line[key_start..]
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'))
        .unwrap_or(line.len() - key_start);
    let after = line[key_start + key_len..].trim_start();
    let range = start + key_start..start + key_start + key_len;
    (key_len > 0 && after.starts_with('=') && range.start <= offset && offset <= range.end)
        .then_some(range)
}

/// The key of an `env:` mapping (of a workflow, a job or a step) at
/// `offset`.
fn yaml_env_key_at(text: &str, offset: usize) -> Option<Target> {
    let file = YamlFile::parse(text);
    let mut stack: Vec<&Node> = Vec::new();
    let documents = file.documents();
    stack.extend(documents.iter().filter_map(|d| d.root.as_ref()));
    while let Some(node) = stack.pop() {
        if !(node.range.start <= offset && offset <= node.range.end) {
            continue;
        }
        for entry in node.entries() {
            if entry.key.text == "env" {
                let key = entry.value.entries().iter().find(|e| {
                    !e.merged && e.key_range.start <= offset && offset <= e.key_range.end
                });
                if let Some(key) = key {
                    return Some(Target {
                        range: key.key_range.clone(),
                        names: vec![key.key.text.clone()],
                    });
                }
            }
            stack.push(&entry.value);
        }
        stack.extend(node.items().iter().map(|i| &i.value));
    }
    None
}

/// The Markdown for `target`.
fn describe(target: &Target, project: &Project, document: Option<&Path>) -> String {
    let root = common_root(project, document);
    let place = |path: &Path, line: u32| {
        let shown = path.strip_prefix(&root).unwrap_or(path);
        format!("`{}:{}`", shown.display(), line + 1)
    };
    let names = &target.names;
    let mut out = format!(
        "**preflight** environment variable {}",
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let declared: Vec<Declared<'_>> = project
        .declared()
        .into_iter()
        .filter(|d| names.iter().any(|n| d.field.read_from(n, d.case_sensitive)))
        .collect();
    out.push_str("\n\n");
    if declared.is_empty() {
        out.push_str("Declared in no settings schema.\n");
    }
    for d in &declared {
        let _ = writeln!(
            out,
            "- `{}.{}` ({}){}",
            d.schema,
            d.field.name,
            place(d.path, d.field.line),
            field_facts(&d.field, d.case_sensitive)
        );
    }
    let mentioned = |pick: fn(&project::EnvFacts) -> &[Mention]| -> Vec<String> {
        project
            .files()
            .flat_map(|(path, facts)| {
                pick(facts)
                    .iter()
                    .filter(|m| names.contains(&m.name))
                    .map(move |m| place(path, m.line))
            })
            .collect()
    };
    let reads = mentioned(|f| &f.reads);
    let documented = mentioned(|f| &f.documented);
    let provided = mentioned(|f| &f.provided);
    out.push_str(&listed(
        "Read at",
        &reads,
        "Read by no code of the project.",
    ));
    let undocumented = if project
        .files()
        .any(|(_, f)| f.example.is_some() || !f.documented.is_empty())
    {
        "Not documented in the env example file."
    } else {
        "No env example file documents it (none found)."
    };
    out.push_str(&listed("Documented at", &documented, undocumented));
    if !provided.is_empty() {
        out.push_str(&listed("Set for deploys at", &provided, ""));
    }
    out.trim_end().to_string()
}

/// A field's names, default and whether startup needs it, as one line's tail.
fn field_facts(field: &Field, case_sensitive: bool) -> String {
    let mut facts = Vec::new();
    let names: Vec<String> = field.env_names.iter().map(|n| format!("`{n}`")).collect();
    let via = if field.aliases.is_empty() {
        ""
    } else {
        " (alias)"
    };
    facts.push(format!("read from {}{via}", names.join(" or ")));
    if let Some(nested) = &field.nested {
        facts.push(format!("sub-fields from `{nested}*`"));
    }
    if !case_sensitive {
        facts.push("matched case-insensitively".to_string());
    }
    facts.push(match &field.default {
        FieldDefault::Required if field.optional => {
            "**required** (may be set to null, but must be set)".to_string()
        }
        FieldDefault::Required => "**required**: startup fails without it".to_string(),
        FieldDefault::Factory => "default from a factory".to_string(),
        FieldDefault::Development(_) => {
            "**required** in production (`devDefault` covers development only)".to_string()
        }
        FieldDefault::Value(value) => match &value.kind {
            ValueKind::Str(s) => format!("default `{s:?}`"),
            ValueKind::SecretStr(_) => "default: a literal secret".to_string(),
            ValueKind::None => "default `None`".to_string(),
            ValueKind::NotStr(what) => format!("default: {what}"),
            ValueKind::Unknown => "default: computed".to_string(),
        },
    });
    let mut out = format!(": {}", facts.join("; "));
    if let Some(description) = &field.description {
        let _ = write!(out, "\n  {description}");
    }
    out
}

/// "label: a, b, … and N more", or `none` when the list is empty.
fn listed(label: &str, places: &[String], none: &str) -> String {
    if places.is_empty() {
        return if none.is_empty() {
            String::new()
        } else {
            format!("\n{none}\n")
        };
    }
    let mut out = format!(
        "\n{label} {}",
        places[..places.len().min(LISTED)].join(", ")
    );
    if places.len() > LISTED {
        let _ = write!(out, " and {} more", places.len() - LISTED);
    }
    out.push('\n');
    out
}

/// The directory every file of the project (and the document) is under:
/// paths are shown from there.
fn common_root(project: &Project, document: Option<&Path>) -> PathBuf {
    let mut paths = project
        .files()
        .map(|(p, _)| p.to_path_buf())
        .chain(document.map(super::workspace::absolute));
    let Some(first) = paths.next() else {
        return PathBuf::new();
    };
    let mut root = first.parent().map(Path::to_path_buf).unwrap_or_default();
    for path in paths {
        while !path.starts_with(&root) {
            if !root.pop() {
                return PathBuf::new();
            }
        }
    }
    root
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::Arc;

    use super::*;
    use crate::analysis::env::project::EnvFacts;
    use crate::engine::env::facts_of;
    use crate::text::Document;

    const CONFIG: &str = "from pydantic import Field\nfrom pydantic_settings import BaseSettings, SettingsConfigDict\n\nclass Settings(BaseSettings):\n    model_config = SettingsConfigDict(env_prefix=\"APP_\")\n    database_url: str = Field(description=\"Where the data lives\")\n    debug: bool = False\n";
    const DB: &str = "import os\n\n# Ünïcode before: 🚀\nurl = os.getenv(\"APP_DATABASE_URL\")\n";

    /// The project: the two modules, an example file documenting the URL.
    fn project() -> Project {
        let example = EnvFacts {
            documented: vec![Mention {
                name: "APP_DATABASE_URL".into(),
                line: 1,
            }],
            ..EnvFacts::default()
        };
        Project::new(vec![
            (
                PathBuf::from("/p/app/config.py"),
                Arc::new(facts_of(Path::new("/p/app/config.py"), CONFIG)),
            ),
            (
                PathBuf::from("/p/app/db.py"),
                Arc::new(facts_of(Path::new("/p/app/db.py"), DB)),
            ),
            (PathBuf::from("/p/.env.example"), Arc::new(example)),
        ])
    }

    fn hover(path: &str, text: &str, needle: &str) -> Option<EnvHover> {
        let analysis = Analysis::new(
            Some(path.into()),
            Document::new(text, 0, Language::from_path(Path::new(path))),
        );
        let at = text.find(needle).expect("the needle") + 1;
        env_hover(&analysis, &project(), at)
    }

    /// TypeScript reads and envalid keys go through the same model.
    #[test]
    fn typescript_reads_and_envalid_keys() {
        let env_ts = "import { cleanEnv, url } from 'envalid';\nexport const env = cleanEnv(process.env, {\n  DATABASE_URL: url({ desc: 'Primary database' }),\n});\n";
        let db_ts = "export const url = process.env.DATABASE_URL ?? '';\n";
        let project = Project::new(vec![
            (
                PathBuf::from("/n/src/env.ts"),
                Arc::new(facts_of(Path::new("/n/src/env.ts"), env_ts)),
            ),
            (
                PathBuf::from("/n/src/db.ts"),
                Arc::new(facts_of(Path::new("/n/src/db.ts"), db_ts)),
            ),
        ]);
        let at = |path: &str, text: &str| {
            let analysis = Analysis::new(
                Some(path.into()),
                Document::new(text, 0, Language::TypeScript),
            );
            let offset = text.find("DATABASE_URL").expect("the name") + 1;
            env_hover(&analysis, &project, offset)
                .expect("a hover")
                .markdown
        };
        let read = at("/n/src/db.ts", db_ts);
        assert!(read.contains("`env.DATABASE_URL` (`env.ts:3`)"), "{read}");
        assert!(read.contains("**required**"), "{read}");
        let key = at("/n/src/env.ts", env_ts);
        assert!(key.contains("Read at `db.ts:1`"), "{key}");
    }

    #[test]
    fn a_read_shows_its_field_reads_and_documentation() {
        let read = hover("/p/app/db.py", DB, "\"APP_DATABASE_URL").expect("a hover");
        let key = DB.find("\"APP_").unwrap();
        assert_eq!(read.range, key..key + "\"APP_DATABASE_URL\"".len());
        let md = &read.markdown;
        for part in [
            "environment variable `APP_DATABASE_URL`",
            "`Settings.database_url` (`app/config.py:6`): read from `APP_DATABASE_URL`; matched case-insensitively; **required**",
            "Where the data lives",
            "Read at `app/db.py:4`",
            "Documented at `.env.example:2`",
        ] {
            assert!(md.contains(part), "`{part}` not in:\n{md}");
        }
    }

    #[test]
    fn a_field_shows_its_effective_name_and_default() {
        let field = hover("/p/app/config.py", CONFIG, "debug").expect("a hover");
        let md = &field.markdown;
        assert!(md.contains("`APP_DEBUG`"), "{md}");
        assert!(md.contains("default: a bool"), "{md}");
        assert!(md.contains("Read by no code"), "{md}");
        assert!(
            md.contains("Not documented in the env example file."),
            "{md}"
        );
        assert!(hover("/p/app/config.py", CONFIG, "BaseSettings)").is_none());
    }

    #[test]
    fn env_files_and_workflow_env_keys() {
        let example =
            "# the database\nAPP_DATABASE_URL=postgres://\n# APP_DEBUG=true\nexport OTHER = 1\n";
        let hover_at = |needle| hover("/p/.env.example", example, needle);
        let hovered = hover_at("APP_DATABASE_URL").expect("a key");
        assert!(hovered.markdown.contains("`Settings.database_url`"));
        assert!(
            hover_at("APP_DEBUG")
                .expect("a commented key")
                .markdown
                .contains("APP_DEBUG")
        );
        assert!(
            hover_at("OTHER")
                .expect("an exported key")
                .markdown
                .contains("Declared in no settings schema.")
        );
        assert!(hover_at("postgres").is_none());
        assert!(hover_at("database").is_none());
        let workflow = "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    env:\n      APP_DATABASE_URL: ${{ secrets.DB }}\n    steps:\n      - run: echo\n        env:\n          APP_DEBUG: 'true'\n";
        let path = "/p/.github/workflows/deploy.yml";
        let job = hover(path, workflow, "APP_DATABASE_URL").expect("a job's env key");
        let start = workflow.find("APP_DATABASE_URL").unwrap();
        assert_eq!(job.range, start..start + "APP_DATABASE_URL".len());
        assert!(hover(path, workflow, "APP_DEBUG").is_some());
        assert!(hover(path, workflow, "ubuntu").is_none());
    }

    #[test]
    fn long_lists_are_capped() {
        let reads: String = (0..12).map(|_| "os.getenv('X')\n").collect();
        let text = format!("import os\n{reads}");
        let project = Project::new(vec![(
            PathBuf::from("/q/x.py"),
            Arc::new(facts_of(Path::new("/q/x.py"), &text)),
        )]);
        let analysis = Analysis::new(
            Some("/q/x.py".into()),
            Document::new(&text, 0, Language::Python),
        );
        let hover = env_hover(&analysis, &project, text.find("'X'").unwrap()).expect("a hover");
        assert!(
            hover.markdown.contains("`x.py:9` and 4 more"),
            "{}",
            hover.markdown
        );
        assert!(
            hover.markdown.contains("No env example file"),
            "{}",
            hover.markdown
        );
    }
}
