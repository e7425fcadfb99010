//! Walks `fixtures/` and checks every file's inline expectations both ways:
//! each `-- expect: rule-a, rule-b` (`# expect:` in YAML and Python,
//! `// expect:` in TypeScript and JavaScript, and `-- expect:` inside their
//! SQL literals) names the findings whose range starts on the next line that
//! is neither blank nor another expectation; every finding must be expected
//! and every expectation found. A correctly gated pipeline or manifest
//! carries no expectation and must produce nothing.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use preflight::config;
use preflight::engine::{self, Analysis, workspace::Workspace};
use preflight::text::{Document, Language};

/// The expectation comments of a fixture in `language`: its own, and SQL's
/// for lines inside its SQL literals.
fn markers(language: Language) -> Vec<String> {
    let own = format!("{} expect:", language.line_comment().unwrap_or("--"));
    let sql = "-- expect:".to_string();
    if own == sql {
        vec![sql]
    } else {
        vec![own, sql]
    }
}

fn fixture_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            fixture_files(&path, out);
        } else if engine::handles(&path) {
            out.push(path);
        }
    }
}

/// (1-based line, rule) → count, from the expectation comments.
fn expectations(text: &str, markers: &[String]) -> BTreeMap<(usize, String), usize> {
    let lines: Vec<&str> = text.lines().collect();
    let expectation = |line: &str| {
        let line = line.trim();
        markers
            .iter()
            .find_map(|m| line.strip_prefix(m.as_str()))
            .map(str::to_string)
    };
    let mut expected = BTreeMap::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(rules) = expectation(line) else {
            continue;
        };
        let target = (i + 1..lines.len())
            .find(|&j| !lines[j].trim().is_empty() && expectation(lines[j]).is_none())
            .unwrap_or_else(|| panic!("expectation on line {} has no line after it", i + 1));
        for rule in rules.split(',').map(str::trim).filter(|r| !r.is_empty()) {
            *expected.entry((target + 1, rule.to_string())).or_insert(0) += 1;
        }
    }
    expected
}

fn findings_by_line(
    path: &Path,
    text: &str,
    workspace: &Arc<Workspace>,
) -> BTreeMap<(usize, String), usize> {
    let dir = path.parent().expect("fixture has a parent");
    let config = config::discover(dir, &|id| preflight::rules::find(id).is_some())
        .unwrap_or_else(|e| panic!("{e}"))
        .map(|(_, c)| c)
        .unwrap_or_default();
    let document = Document::new(text, 0, Language::Sql);
    let index = document.line_index();
    let mut found = BTreeMap::new();
    let language = Language::from_path(path);
    let mut analysis = Analysis::new(Some(path.to_path_buf()), Document::new(text, 0, language))
        .with_workspace(Arc::clone(workspace));
    for finding in analysis.findings(&config) {
        let (line, _) = index.line_col(finding.range.start);
        *found.entry((line, finding.rule.to_string())).or_insert(0) += 1;
    }
    found
}

#[test]
fn every_fixture_meets_its_expectations() {
    let root = common::workspace_root().join("fixtures");
    let mut files = Vec::new();
    fixture_files(&root, &mut files);
    assert!(files.len() >= 10, "fixtures went missing: {files:?}");
    // One workspace per group (`fixtures/env`, `fixtures/k8s`...), as a
    // project's files see each other: a PDB in one manifest, a settings
    // mixin or an env example file in another.
    let mut workspaces: BTreeMap<PathBuf, Arc<Workspace>> = BTreeMap::new();
    let mut failures = Vec::new();
    for path in &files {
        let group = path
            .strip_prefix(&root)
            .ok()
            .and_then(|p| p.components().next())
            .map(|c| root.join(c))
            .expect("fixture lies under fixtures/");
        let workspace = workspaces
            .entry(group.clone())
            .or_insert_with(|| Arc::new(Workspace::scan(&[group])));
        let text = std::fs::read_to_string(path).expect("fixture is UTF-8");
        let expected = expectations(&text, &markers(Language::from_path(path)));
        let found = findings_by_line(path, &text, workspace);
        if expected != found {
            let name = path.strip_prefix(&root).unwrap_or(path).display();
            failures.push(format!(
                "{name}\n  expected: {expected:?}\n  found:    {found:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The expectation reader itself must see what it is given, or the test above
/// could pass vacuously.
#[test]
fn expectations_bind_to_the_next_code_line() {
    let text = "-- expect: a, b\n-- expect: a\n\nSELECT 1;\nSELECT 2;\n";
    let expected = expectations(text, &markers(Language::Sql));
    assert_eq!(expected.get(&(4, "a".to_string())), Some(&2));
    assert_eq!(expected.get(&(4, "b".to_string())), Some(&1));
    assert_eq!(expected.len(), 2);
    let python = "def upgrade():\n    # expect: a\n    op.execute('''\n    -- expect: b\n    DROP TABLE t''')\n";
    let expected = expectations(python, &markers(Language::Python));
    assert_eq!(expected.get(&(3, "a".to_string())), Some(&1));
    assert_eq!(expected.get(&(5, "b".to_string())), Some(&1));
    assert_eq!(markers(Language::TypeScript)[0], "// expect:");
}
