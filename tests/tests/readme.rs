//! The README's rule table is generated from the registry; this test keeps
//! them equal. `PREFLIGHT_UPDATE_README=1 cargo test --test readme` rewrites it.

mod common;

const START: &str = "<!-- rules:start -->";
const END: &str = "<!-- rules:end -->";

fn rule_table() -> String {
    let mut table = String::from("| rule | default | class | what it flags |\n|---|---|---|---|\n");
    for rule in preflight::rules::all() {
        let severity = if rule.default_enabled {
            rule.severity.as_str()
        } else {
            "off"
        };
        table.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            rule.id, severity, rule.class, rule.summary
        ));
    }
    table
}

#[test]
fn readme_rule_table_matches_the_registry() {
    let path = common::workspace_root().join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md is readable");
    let start = readme
        .find(START)
        .expect("README has the rules start marker")
        + START.len();
    let end = readme.find(END).expect("README has the rules end marker");
    let expected = format!("\n{}", rule_table());
    if readme[start..end] == expected {
        return;
    }
    if std::env::var_os("PREFLIGHT_UPDATE_README").is_some() {
        let updated = format!("{}{expected}{}", &readme[..start], &readme[end..]);
        std::fs::write(&path, updated).expect("README.md is writable");
        return;
    }
    panic!(
        "README.md's rule table differs from the registry; run \
         `PREFLIGHT_UPDATE_README=1 cargo test --test readme` and commit the result"
    );
}

#[test]
fn readme_lists_the_two_commands() {
    let readme = std::fs::read_to_string(common::workspace_root().join("README.md"))
        .expect("README.md is readable");
    assert!(readme.contains("cargo run --release -- check examples/"));
    assert!(readme.contains("cargo test --workspace"));
}
