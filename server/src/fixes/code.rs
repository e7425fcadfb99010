//! Edits of Python and TypeScript code that the framework rewrites share:
//! setting a keyword argument, wrapping statements in a block, inserting a
//! statement at the top of a body, writing a string literal.

use std::ops::Range;

use crate::finding::Edit;
use crate::syntax::literal::{Quote, encode};
use crate::syntax::trees;
use crate::text::Language;

/// The start of the line holding `offset`.
pub fn line_start(source: &str, offset: usize) -> usize {
    source[..offset.min(source.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1)
}

/// The indentation of the line holding `offset`.
pub fn indentation(source: &str, offset: usize) -> &str {
    let start = line_start(source, offset);
    let line = &source[start..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// Wraps the lines of `statement` in a Python block opened by `header`
/// (`with op.get_context().autocommit_block():`): the header at the
/// statement's indentation, each of its lines one level deeper.
pub fn wrap_in_block(source: &str, statement: Range<usize>, header: &str) -> Vec<Edit> {
    let start = line_start(source, statement.start);
    let indent = indentation(source, statement.start);
    let mut edits = vec![Edit::insert(start, format!("{indent}{header}\n"))];
    let mut line = start;
    while line < statement.end {
        let end = source[line..].find('\n').map_or(source.len(), |i| line + i);
        if !source[line..end].trim().is_empty() {
            edits.push(Edit::insert(line, "    "));
        }
        line = end + 1;
    }
    edits
}

/// `lines` (each without indentation) inserted before the statement that
/// starts at `statement`, at its indentation.
pub fn insert_before(source: &str, statement: usize, lines: &[String]) -> Edit {
    let indent = indentation(source, statement);
    let text: String = lines.iter().map(|l| format!("{indent}{l}\n")).collect();
    Edit::insert(line_start(source, statement), text)
}

/// A Python string literal holding `text`: one line in double quotes, or a
/// triple-quoted block.
pub fn python_string(text: &str) -> String {
    let delimiter = if text.contains('\n') { "\"\"\"" } else { "\"" };
    let quote = Quote {
        delimiter,
        raw: false,
        format: false,
    };
    let body = encode(text, quote).unwrap_or_default();
    format!("{delimiter}{body}{delimiter}")
}

/// `text` as a Python literal whose lines, when it has several, are
/// indented by `indent` in a triple-quoted block (SQL ignores the spaces).
pub fn python_block_string(text: &str, indent: &str) -> String {
    let text = text.trim();
    if !text.contains('\n') {
        return python_string(text);
    }
    let body: String = text
        .lines()
        .map(|l| match l.trim().is_empty() {
            true => "\n".to_string(),
            false => format!("{indent}{l}\n"),
        })
        .collect();
    python_string(&format!("\n{body}{indent}"))
}

/// A JavaScript string literal holding `text`: double quotes on one line, a
/// template across several or around double quotes (SQL's quoted names).
pub fn javascript_string(text: &str) -> String {
    let delimiter = if text.contains(['\n', '"']) {
        "`"
    } else {
        "\""
    };
    let quote = Quote {
        delimiter,
        raw: false,
        format: false,
    };
    let body = encode(text, quote).unwrap_or_default();
    format!("{delimiter}{body}{delimiter}")
}

/// Sets `name=value` in the Python call at `call`: its value replaced when
/// the keyword is there, else the argument appended in the call's style
/// (after a trailing comma, on a line of its own).
pub fn set_keyword(source: &str, call: Range<usize>, name: &str, value: &str) -> Option<Edit> {
    let text = source.get(call.clone())?;
    let tree = trees::parse(Language::Python, text)?;
    let mut node = tree.root_node();
    while node.kind() != "call" {
        node = node.named_child(0)?;
    }
    let arguments = node.child_by_field_name("arguments")?;
    let mut cursor = arguments.walk();
    let children: Vec<_> = arguments
        .named_children(&mut cursor)
        .filter(|c| c.kind() != "comment")
        .collect();
    for argument in &children {
        if argument.kind() == "keyword_argument"
            && argument
                .child_by_field_name("name")
                .and_then(|n| text.get(n.byte_range()))
                == Some(name)
        {
            let value_node = argument.child_by_field_name("value")?;
            let range = value_node.byte_range();
            return Some(Edit::replace(
                call.start + range.start..call.start + range.end,
                value,
            ));
        }
    }
    let close = call.start + arguments.end_byte() - 1;
    let Some(last) = children.last() else {
        return Some(Edit::insert(close, format!("{name}={value}")));
    };
    let last_end = call.start + last.end_byte();
    let between = &source[last_end..close];
    match between.find(',') {
        // A trailing comma: the new argument on a line of its own.
        Some(comma) if between[comma..].contains('\n') => {
            let indent = indentation(source, call.start + last.start_byte());
            Some(Edit::insert(
                last_end + comma + 1,
                format!("\n{indent}{name}={value},"),
            ))
        }
        Some(comma) => Some(Edit::insert(
            last_end + comma + 1,
            format!(" {name}={value}"),
        )),
        None => Some(Edit::insert(last_end, format!(", {name}={value}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixes::apply::apply_edits;

    fn applied(source: &str, edits: Vec<Edit>) -> String {
        let mut edits: Vec<&Edit> = edits.iter().collect();
        edits.sort_by_key(|e| e.range.start);
        apply_edits(source, edits)
    }

    #[test]
    fn keywords_are_set_in_the_call_style() {
        let one_line = "op.create_index('i', 't', ['c'])";
        let edit = set_keyword(
            one_line,
            0..one_line.len(),
            "postgresql_concurrently",
            "True",
        )
        .unwrap();
        assert_eq!(
            applied(one_line, vec![edit]),
            "op.create_index('i', 't', ['c'], postgresql_concurrently=True)"
        );
        let source = "    op.create_index(\n        'i', 't',\n        ['c'],\n    )\n";
        let call = 4..source.len() - 1;
        let edit = set_keyword(source, call.clone(), "postgresql_concurrently", "True").unwrap();
        assert_eq!(
            applied(source, vec![edit]),
            "    op.create_index(\n        'i', 't',\n        ['c'],\n        postgresql_concurrently=True,\n    )\n"
        );
        let present = "f(a, flag=False)";
        let edit = set_keyword(present, 0..present.len(), "flag", "True").unwrap();
        assert_eq!(applied(present, vec![edit]), "f(a, flag=True)");
        let empty = "f()";
        let edit = set_keyword(empty, 0..3, "x", "1").unwrap();
        assert_eq!(applied(empty, vec![edit]), "f(x=1)");
    }

    #[test]
    fn blocks_wrap_every_line_of_the_statement() {
        let source = "def upgrade():\n    op.create_index(\n        'i', 't', ['c'],\n    )\n    op.drop_table('x')\n";
        let start = source.find("op.create_index").unwrap();
        let end = source.find("    )\n").unwrap() + 5;
        let edits = wrap_in_block(
            source,
            start..end,
            "with op.get_context().autocommit_block():",
        );
        assert_eq!(
            applied(source, edits),
            "def upgrade():\n    with op.get_context().autocommit_block():\n        op.create_index(\n            'i', 't', ['c'],\n        )\n    op.drop_table('x')\n"
        );
    }

    #[test]
    fn string_literals_escape_what_they_must() {
        assert_eq!(
            python_string("SET lock_timeout = '2s'"),
            "\"SET lock_timeout = '2s'\""
        );
        assert_eq!(
            python_string("a \"b\"\nc\\"),
            "\"\"\"a \\\"b\\\"\nc\\\\\"\"\""
        );
        assert_eq!(javascript_string("x `y`\n"), "`x \\`y\\`\n`");
    }
}
