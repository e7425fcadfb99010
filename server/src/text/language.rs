use std::path::Path;

/// The front end a document goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    Sql,
    Python,
    TypeScript,
    JavaScript,
    Yaml,
    Toml,
    /// `KEY=value` files: `.env`, `.env.example`, `.env.production`...
    Dotenv,
    Other,
}

impl Language {
    /// What starts a line comment, where the language has one.
    pub fn line_comment(self) -> Option<&'static str> {
        match self {
            Language::Sql => Some("--"),
            Language::Python | Language::Yaml | Language::Toml | Language::Dotenv => Some("#"),
            Language::TypeScript | Language::JavaScript => Some("//"),
            Language::Other => None,
        }
    }

    /// From an LSP `languageId`, falling back to the file name when the client
    /// sends an id we do not know (clients disagree on ids such as `pgsql`).
    pub fn detect(language_id: Option<&str>, path: Option<&Path>) -> Self {
        let by_id = match language_id.unwrap_or("") {
            "sql" | "pgsql" | "postgres" | "postgresql" | "plpgsql" => Language::Sql,
            "python" => Language::Python,
            "typescript" | "typescriptreact" => Language::TypeScript,
            "javascript" | "javascriptreact" => Language::JavaScript,
            "yaml" | "github-actions-workflow" => Language::Yaml,
            "toml" => Language::Toml,
            "dotenv" => Language::Dotenv,
            _ => Language::Other,
        };
        if by_id != Language::Other {
            return by_id;
        }
        path.map_or(Language::Other, Language::from_path)
    }

    pub fn from_path(path: &Path) -> Self {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if is_dotenv_name(name) {
            return Language::Dotenv;
        }
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        match ext.to_ascii_lowercase().as_str() {
            "sql" | "pgsql" | "psql" => Language::Sql,
            "py" | "pyi" => Language::Python,
            "ts" | "tsx" | "mts" | "cts" => Language::TypeScript,
            "js" | "jsx" | "mjs" | "cjs" => Language::JavaScript,
            "yaml" | "yml" => Language::Yaml,
            "toml" => Language::Toml,
            _ => Language::Other,
        }
    }
}

/// Dotenv files go by name, not extension: `.env`, `.env.<anything>`
/// (`.env.example`, `.env.production`), `<anything>.env` (`.example.env`,
/// `docker.env`) and `env.example`. direnv's `.envrc` is shell, not dotenv.
fn is_dotenv_name(name: &str) -> bool {
    name == ".env"
        || name == "env.example"
        || name
            .strip_prefix(".env.")
            .is_some_and(|rest| !rest.is_empty())
        || name
            .strip_suffix(".env")
            .is_some_and(|stem| !stem.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_wins_then_extension() {
        assert_eq!(Language::detect(Some("sql"), None), Language::Sql);
        assert_eq!(
            Language::detect(Some("plaintext"), Some(Path::new("m/001_init.up.SQL"))),
            Language::Sql
        );
        assert_eq!(
            Language::detect(None, Some(Path::new("README"))),
            Language::Other
        );
    }

    #[test]
    fn dotenv_files_by_name() {
        for name in [
            ".env",
            ".env.example",
            ".env.production",
            ".example.env",
            "env.example",
            "config/docker.env",
        ] {
            assert_eq!(
                Language::from_path(Path::new(name)),
                Language::Dotenv,
                "{name}"
            );
        }
        for name in [".envrc", "env.py", ".env.", "environment.yml", "venv"] {
            assert_ne!(
                Language::from_path(Path::new(name)),
                Language::Dotenv,
                "{name}"
            );
        }
    }
}
