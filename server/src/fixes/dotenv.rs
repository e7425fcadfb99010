//! Edits to env example files from other files' findings: a key appended to
//! the `.env.example` that documents the file's variables.

use std::path::Path;

use crate::analysis::env::project::Append;
use crate::finding::{Applicability, Edit, Fix};

/// Appends `KEY=` to the example file at `example`, under a `# comment`
/// made of `description` when there is one. Documentation only, so safe.
pub fn append_key(example: &Path, at: Append, key: &str, description: Option<&str>) -> Fix {
    let mut text = String::new();
    if at.newline {
        text.push('\n');
    }
    for line in description
        .into_iter()
        .flat_map(str::lines)
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        text.push_str("# ");
        text.push_str(line);
        text.push('\n');
    }
    text.push_str(key);
    text.push_str("=\n");
    let name = example.file_name().map_or_else(
        || example.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Fix {
        title: format!("Add `{key}=` to {name}").into(),
        applicability: Applicability::Safe,
        edits: vec![Edit {
            file: Some(example.to_path_buf()),
            range: at.at..at.at,
            replacement: text,
            create: false,
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixes::apply::apply_edits;

    #[test]
    fn appends_after_an_unterminated_last_line_with_the_description() {
        let example = "A=1";
        let fix = append_key(
            Path::new("/p/.env.example"),
            Append {
                at: example.len(),
                newline: true,
            },
            "REDIS_URL",
            Some("Where the cache lives.\n  Include the db number."),
        );
        assert_eq!(fix.title, "Add `REDIS_URL=` to .env.example");
        assert_eq!(
            apply_edits(example, &fix.edits),
            "A=1\n# Where the cache lives.\n# Include the db number.\nREDIS_URL=\n"
        );
    }
}
