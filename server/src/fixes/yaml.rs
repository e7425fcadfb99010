//! Format-preserving YAML edits: each builder returns byte-range edits that
//! touch only the lines that change, written in the surrounding indentation,
//! so comments, quoting and the layout of the rest of the file are kept.
//! Each returns `None` when the YAML is not in a shape it edits safely
//! (flow-style mappings, merged keys, a value on a `- ` line it would orphan).

use std::ops::Range;

use crate::finding::Edit;
use crate::syntax::yaml::scalar::Style;
use crate::syntax::yaml::{Entry, Kind, Node};

/// The offset after the line break that ends the line holding `offset`
/// (the text's end when the last line has none).
fn after_line(text: &str, offset: usize) -> usize {
    if offset > 0 && text.as_bytes().get(offset - 1) == Some(&b'\n') {
        return offset;
    }
    text.get(offset..)
        .and_then(|rest| rest.find('\n'))
        .map_or(text.len(), |i| offset + i + 1)
}

fn line_start(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .and_then(|before| before.rfind('\n'))
        .map_or(0, |i| i + 1)
}

/// Column of `offset` on its line.
fn column(text: &str, offset: usize) -> usize {
    offset - line_start(text, offset)
}

/// Whether only blanks stand between the line's start and `offset`.
fn starts_line(text: &str, offset: usize) -> bool {
    text.get(line_start(text, offset)..offset)
        .is_some_and(|lead| lead.trim().is_empty())
}

/// `block` (lines relative to column 0) indented by `indent` spaces, each line
/// ending in a line break.
pub fn indented(block: &str, indent: usize) -> String {
    let pad = " ".repeat(indent);
    block
        .lines()
        .map(|line| {
            if line.is_empty() {
                "\n".to_string()
            } else {
                format!("{pad}{line}\n")
            }
        })
        .collect()
}

/// Entries written in this mapping (not folded in by a merge key).
fn written(map: &Node) -> impl Iterator<Item = &Entry> {
    map.entries().iter().filter(|e| !e.merged)
}

/// Inserts `block` (`key: value`, possibly several lines) as a new entry of
/// the block mapping `map`: after the first of `after` that is present and
/// fits on one line, else after the mapping's last entry.
pub fn insert_entry(text: &str, map: &Node, after: &[&str], block: &str) -> Option<Edit> {
    if map.flow || !map.is_map() {
        return None;
    }
    let first = written(map).next()?;
    let indent = column(text, first.key_range.start);
    let anchor = after
        .iter()
        .filter_map(|key| written(map).find(|e| e.key.text == *key))
        .find(|e| !text.get(e.range.clone()).unwrap_or("\n").contains('\n'))
        .or_else(|| written(map).max_by_key(|e| e.range.end))?;
    let at = after_line(text, anchor.range.end);
    let mut insert = indented(block, indent);
    if at == text.len() && !text.ends_with('\n') {
        insert.insert(0, '\n');
    }
    Some(Edit::insert(at, insert))
}

/// Inserts `block` as a new entry of the block mapping `map`, on the lines
/// before its entry `key` (which must start its line).
pub fn insert_before(text: &str, map: &Node, key: &str, block: &str) -> Option<Edit> {
    if map.flow {
        return None;
    }
    let entry = written(map).find(|e| e.key.text == key)?;
    let start = entry.key_range.start;
    if !starts_line(text, start) {
        return None;
    }
    Some(Edit::insert(
        line_start(text, start),
        indented(block, column(text, start)),
    ))
}

/// Replaces a scalar value (or fills an empty one) with `new`, written as is.
pub fn set_value(value: &Node, new: &str) -> Option<Edit> {
    match value.kind {
        Kind::Scalar(_) => Some(Edit::replace(value.range.clone(), new)),
        Kind::Null => Some(Edit::insert(value.range.end, format!(" {new}"))),
        _ => None,
    }
}

/// Removes an entry of a block mapping with its line (and a comment on it).
/// An entry on a `- ` line is removed up to the next entry, which moves up.
pub fn remove_entry(text: &str, map: &Node, key: &str) -> Option<Edit> {
    if map.flow {
        return None;
    }
    let entries: Vec<&Entry> = written(map).collect();
    let index = entries.iter().position(|e| e.key.text == key)?;
    let entry = entries[index];
    let end = after_line(text, entry.range.end);
    if starts_line(text, entry.key_range.start) {
        return Some(Edit::replace(
            line_start(text, entry.key_range.start)..end,
            "",
        ));
    }
    let next = entries.get(index + 1)?;
    Some(Edit::replace(
        entry.key_range.start..next.key_range.start,
        "",
    ))
}

/// Removes the source of `span` (a decoded range of scalar `value`) and the
/// blanks before it: `pytest || true` becomes `pytest`.
pub fn remove_text(text: &str, value: &Node, span: Range<usize>) -> Option<Edit> {
    let scalar = value.scalar()?;
    let range = scalar.source_range(span);
    let before = text.get(..range.start)?;
    let start = before.trim_end_matches([' ', '\t']).len();
    // Keep a line's indentation: only blanks on the same line are taken.
    let start = if before[start..].contains('\n') {
        range.start
    } else {
        start
    };
    Some(Edit::replace(start..range.end, ""))
}

/// Replaces decoded `span` of scalar `value` with `new`, written as the
/// scalar's style needs (quotes doubled or escaped). `None` when the span's
/// source is not its text as is (an escape, a folded line break), or when
/// `new` cannot stand there in a plain scalar.
pub fn replace_text(text: &str, value: &Node, span: Range<usize>, new: &str) -> Option<Edit> {
    let scalar = value.scalar()?;
    let range = scalar.source_range(span.clone());
    if text.get(range.clone())? != scalar.text.get(span)? || new.contains('\n') {
        return None;
    }
    let written = match scalar.style {
        Style::Literal | Style::Folded => new.to_string(),
        Style::SingleQuoted => new.replace('\'', "''"),
        Style::DoubleQuoted => new.replace('\\', "\\\\").replace('"', "\\\""),
        Style::Plain => {
            let starts = range.start == value.range.start;
            if (starts && new.starts_with(['"', '\'', '&', '*', '!', '|', '>', '%', '@', '`']))
                || new.contains(": ")
                || new.contains(" #")
            {
                return None;
            }
            new.to_string()
        }
    };
    Some(Edit::replace(range, written))
}

/// `value` as a YAML scalar on one line: plain when it reads back as itself,
/// else single-quoted.
pub fn scalar(value: &str) -> String {
    let plain = !value.is_empty()
        && !value.contains(": ")
        && !value.contains(" #")
        && !value.ends_with(':')
        && !value.starts_with([
            '"', '\'', '&', '*', '!', '|', '>', '%', '@', '`', '#', '-', '?', '[', '{', ' ',
        ])
        && !value.ends_with(' ');
    if plain {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', "''"))
    }
}

/// Adds `values` to the list under `key` of mapping `map` (`needs:`),
/// keeping the list's style; creates `key: [values]` when absent.
pub fn add_to_list(
    text: &str,
    map: &Node,
    key: &str,
    values: &[String],
    after: &[&str],
) -> Option<Edit> {
    let Some(entry) = written(map).find(|e| e.key.text == key) else {
        return insert_entry(text, map, after, &format!("{key}: [{}]", values.join(", ")));
    };
    let list = &entry.value;
    match &list.kind {
        Kind::Seq(items) if list.flow => {
            let close = list.range.end.checked_sub(1)?;
            let separator = if items.is_empty() { "" } else { ", " };
            Some(Edit::insert(
                close,
                format!("{separator}{}", values.join(", ")),
            ))
        }
        Kind::Seq(_) => {
            let items: Vec<String> = values.iter().map(|v| format!("- {v}")).collect();
            append_items(text, list, &items)
        }
        Kind::Scalar(scalar) => {
            let mut all = vec![
                text.get(list.range.clone())
                    .unwrap_or(&scalar.text)
                    .to_string(),
            ];
            all.extend(values.iter().cloned());
            Some(Edit::replace(
                list.range.clone(),
                format!("[{}]", all.join(", ")),
            ))
        }
        _ => None,
    }
}

/// Appends `items` (each `- ...`, possibly several lines) after the last
/// item of the block sequence `list`, at its dashes' indentation.
pub fn append_items(text: &str, list: &Node, items: &[String]) -> Option<Edit> {
    let Kind::Seq(written) = &list.kind else {
        return None;
    };
    if list.flow {
        return None;
    }
    let last = written.last()?;
    let indent = column(text, last.dash.start);
    let at = after_line(text, last.range.end);
    let mut insert: String = items.iter().map(|item| indented(item, indent)).collect();
    if at == text.len() && !text.ends_with('\n') {
        insert.insert(0, '\n');
    }
    Some(Edit::insert(at, insert))
}

/// Appends a YAML document (`---` and `block`) after the document that ends
/// at `doc_end`.
pub fn append_document(text: &str, doc_end: usize, block: &str) -> Edit {
    let at = after_line(text, doc_end.min(text.len()));
    let lead = if at == text.len() && !text.ends_with('\n') && !text.is_empty() {
        "\n"
    } else {
        ""
    };
    Edit::insert(at, format!("{lead}---\n{block}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixes::apply::apply_edits;
    use crate::syntax::yaml::YamlFile;

    fn root(text: &str) -> Node {
        YamlFile::parse(text).documents().remove(0).root.unwrap()
    }

    fn apply(text: &str, edit: Edit) -> String {
        apply_edits(text, vec![&edit])
    }

    #[test]
    fn entries_go_in_at_the_mapping_indentation() {
        let text = "jobs:\n  deploy:  # ships it\n    runs-on: ubuntu-latest\n    steps:\n      - run: ./deploy.sh\n";
        let job = root(text).at(&["jobs", "deploy"]).unwrap().clone();
        let edit = insert_entry(text, &job, &["runs-on"], "needs: [test]").unwrap();
        assert_eq!(
            apply(text, edit),
            "jobs:\n  deploy:  # ships it\n    runs-on: ubuntu-latest\n    needs: [test]\n    steps:\n      - run: ./deploy.sh\n"
        );
        let edit = insert_entry(text, &job, &[], "environment: production").unwrap();
        assert!(apply(text, edit).ends_with("./deploy.sh\n    environment: production\n"));
    }

    #[test]
    fn lists_keep_their_style() {
        let flow = "j:\n  needs: [a]\n";
        let j = root(flow).get("j").unwrap().clone();
        let edit = add_to_list(flow, &j, "needs", &["b".into()], &[]).unwrap();
        assert_eq!(apply(flow, edit), "j:\n  needs: [a, b]\n");
        let block = "j:\n  needs:\n    - a\n  x: 1\n";
        let j = root(block).get("j").unwrap().clone();
        let edit = add_to_list(block, &j, "needs", &["b".into()], &[]).unwrap();
        assert_eq!(
            apply(block, edit),
            "j:\n  needs:\n    - a\n    - b\n  x: 1\n"
        );
        let scalar = "j:\n  needs: a\n";
        let j = root(scalar).get("j").unwrap().clone();
        let edit = add_to_list(scalar, &j, "needs", &["b".into()], &[]).unwrap();
        assert_eq!(apply(scalar, edit), "j:\n  needs: [a, b]\n");
    }

    #[test]
    fn removals_take_whole_lines_or_move_the_next_entry_up() {
        let text = "steps:\n  - continue-on-error: true\n    run: pytest\n  - run: x\n    continue-on-error: true # flaky\n";
        let steps = root(text).get("steps").unwrap().clone();
        let first = &steps.items()[0].value;
        let edit = remove_entry(text, first, "continue-on-error").unwrap();
        assert_eq!(
            apply(text, edit),
            "steps:\n  - run: pytest\n  - run: x\n    continue-on-error: true # flaky\n"
        );
        let second = &steps.items()[1].value;
        let edit = remove_entry(text, second, "continue-on-error").unwrap();
        assert_eq!(
            apply(text, edit),
            "steps:\n  - continue-on-error: true\n    run: pytest\n  - run: x\n"
        );
    }

    #[test]
    fn text_removal_takes_the_blanks_before() {
        let text = "run: |\n  pytest  || true\n  echo done\n";
        let run = root(text).get("run").unwrap().clone();
        let at = run.str().unwrap().find("||").unwrap();
        let edit = remove_text(text, &run, at..at + 7).unwrap();
        assert_eq!(apply(text, edit), "run: |\n  pytest\n  echo done\n");
    }

    #[test]
    fn replaced_text_is_written_for_the_scalar_style() {
        let cases = [
            ("run: echo ${{ x }}\n", "run: echo \"$X\"\n"),
            ("run: 'echo ${{ x }}'\n", "run: 'echo \"$X''s\"'\n"),
            ("run: \"echo ${{ x }}\"\n", "run: \"echo \\\"$X\\\"\"\n"),
            ("run: |\n  echo ${{ x }}\n", "run: |\n  echo \"$X\"\n"),
        ];
        for (text, expected) in cases {
            let run = root(text).get("run").unwrap().clone();
            let at = run.str().unwrap().find("${{").unwrap();
            let new = if text.contains('\'') {
                "\"$X's\""
            } else {
                "\"$X\""
            };
            let edit = replace_text(text, &run, at..at + 8, new).unwrap();
            assert_eq!(apply(text, edit), expected);
        }
        // A plain scalar cannot start with a quote; an escape is not copied.
        let text = "run: ${{ x }}\n";
        let run = root(text).get("run").unwrap().clone();
        assert!(replace_text(text, &run, 0..8, "\"$X\"").is_none());
        let text = "run: \"echo \\u0024{{ x }}\"\n";
        let run = root(text).get("run").unwrap().clone();
        assert!(replace_text(text, &run, 5..13, "$X").is_none());
        assert_eq!(scalar("${{ github.head_ref }}"), "${{ github.head_ref }}");
        assert_eq!(scalar("${{ a || 'x: y' }}"), "'${{ a || ''x: y'' }}'");
    }
}
