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
    Other,
}

impl Language {
    /// What starts a line comment, where the language has one.
    pub fn line_comment(self) -> Option<&'static str> {
        match self {
            Language::Sql => Some("--"),
            Language::Python | Language::Yaml | Language::Toml => Some("#"),
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
            _ => Language::Other,
        };
        if by_id != Language::Other {
            return by_id;
        }
        path.map_or(Language::Other, Language::from_path)
    }

    pub fn from_path(path: &Path) -> Self {
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
}
