//! The models of a Django app as its earlier migrations left them: what an
//! `AlterField` is compared with. Pure: the engine reads the files.

use rustc_hash::FxHashMap as HashMap;
use tree_sitter::{Node, Tree};

use super::call::{PyCall, py_dict_value, py_elements, py_str, py_strings};
use super::django::{database_operations, migration_class};
use super::django_fields::{Field, table_name};
use crate::syntax::trees;
use crate::text::Language;

/// The fields and `unique_together` of each model as the app's earlier
/// migrations left them, by model name in lower case.
#[derive(Debug, Clone, Default)]
pub struct History {
    fields: HashMap<(String, String), Field>,
    pub(super) unique_together: HashMap<String, Vec<Vec<String>>>,
    tables: HashMap<String, String>,
}

/// The models (in lower case) whose earlier state the migration in `tree`
/// needs: those it alters (`AlterField`, `AlterUniqueTogether`). The engine
/// reads only the earlier migrations that mention them.
pub fn models_needing_history(tree: &Tree, source: &str) -> Vec<String> {
    let Some(class) = migration_class(tree, source) else {
        return Vec::new();
    };
    let mut models: Vec<String> = class
        .operations
        .iter()
        .flat_map(|list| database_operations(*list, source))
        .filter_map(|node| {
            let call = PyCall::new(node, source)?;
            let keyword = match call.last_name(source) {
                "AlterField" => "model_name",
                "AlterUniqueTogether" => "name",
                _ => return None,
            };
            Some(py_str(call.arg(0, keyword)?, source)?.to_ascii_lowercase())
        })
        .collect();
    models.sort();
    models.dedup();
    models
}

/// The state the app's migrations `earlier` (their texts, in order) leave.
pub fn history(app: &str, earlier: &[String]) -> History {
    let mut state = History::default();
    for source in earlier {
        let Some(tree) = trees::parse(Language::Python, source) else {
            continue;
        };
        let Some(class) = migration_class(&tree, source) else {
            continue;
        };
        for operation in class
            .operations
            .iter()
            .flat_map(|list| database_operations(*list, source))
        {
            if let Some(call) = PyCall::new(operation, source) {
                state.apply(&call, app, source);
            }
        }
    }
    state
}

impl History {
    pub(super) fn table(&self, app: &str, model: &str) -> String {
        self.tables
            .get(&model.to_ascii_lowercase())
            .cloned()
            .unwrap_or_else(|| table_name(app, model))
    }

    pub(super) fn field(&self, model: &str, name: &str) -> Option<&Field> {
        self.fields
            .get(&(model.to_ascii_lowercase(), name.to_string()))
    }

    /// Follows an operation's change of the models.
    pub(super) fn apply(&mut self, call: &PyCall<'_>, app: &str, source: &str) {
        let text =
            |index: usize, keyword: &str| call.arg(index, keyword).and_then(|n| py_str(n, source));
        let lower = |s: String| s.to_ascii_lowercase();
        match call.last_name(source) {
            "CreateModel" => {
                let Some(model) = text(0, "name").map(lower) else {
                    return;
                };
                if let Some(table) = call
                    .arg(2, "options")
                    .and_then(|o| py_dict_value(o, "db_table", source))
                    .and_then(|n| py_str(n, source))
                {
                    self.tables.insert(model.clone(), table);
                }
                for (name, field) in model_fields(call, app, source) {
                    self.fields.insert((model.clone(), name), field);
                }
            }
            "AddField" | "AlterField" => {
                if let (Some(model), Some(name), Some(node)) =
                    (text(0, "model_name"), text(1, "name"), call.arg(2, "field"))
                    && let Some(field) = Field::read(node, &name, app, source)
                {
                    self.fields.insert((lower(model), name), field);
                }
            }
            "RemoveField" => {
                if let (Some(model), Some(name)) = (text(0, "model_name"), text(1, "name")) {
                    self.fields.remove(&(lower(model), name));
                }
            }
            "RenameField" => {
                if let (Some(model), Some(old), Some(new)) = (
                    text(0, "model_name"),
                    text(1, "old_name"),
                    text(2, "new_name"),
                ) && let Some(mut field) =
                    self.fields.remove(&(lower(model.clone()), old.clone()))
                {
                    if field.column == old {
                        field.column = new.clone();
                    } else if field.column == format!("{old}_id") {
                        field.column = format!("{new}_id");
                    }
                    self.fields.insert((lower(model), new), field);
                }
            }
            "DeleteModel" => {
                if let Some(model) = text(0, "name").map(lower) {
                    self.fields.retain(|(m, _), _| *m != model);
                }
            }
            "RenameModel" => {
                if let (Some(old), Some(new)) = (text(0, "old_name"), text(1, "new_name")) {
                    let (old, new) = (lower(old), lower(new));
                    let moved: Vec<_> = self
                        .fields
                        .iter()
                        .filter(|((m, _), _)| *m == old)
                        .map(|((_, f), field)| (f.clone(), field.clone()))
                        .collect();
                    self.fields.retain(|(m, _), _| *m != old);
                    for (name, field) in moved {
                        self.fields.insert((new.clone(), name), field);
                    }
                }
            }
            "AlterModelTable" => {
                if let (Some(model), Some(table)) = (text(0, "name"), text(1, "table")) {
                    self.tables.insert(lower(model), table);
                }
            }
            "AlterUniqueTogether" => {
                if let Some(model) = text(0, "name").map(lower) {
                    let sets = call
                        .arg(1, "unique_together")
                        .map(|n| unique_sets(n, source))
                        .unwrap_or_default();
                    self.unique_together.insert(model, sets);
                }
            }
            _ => {}
        }
    }
}

/// The `(name, field)` pairs of `CreateModel(fields=[...])`.
pub(super) fn model_fields(call: &PyCall<'_>, app: &str, source: &str) -> Vec<(String, Field)> {
    let Some(list) = call.arg(1, "fields") else {
        return Vec::new();
    };
    py_elements(list)
        .into_iter()
        .filter_map(|pair| {
            let [name, field] = py_elements(pair)[..] else {
                return None;
            };
            let name = py_str(name, source)?;
            let field = Field::read(field, &name, app, source)?;
            Some((name, field))
        })
        .collect()
}

/// `{("a", "b"), ("c",)}` or `("a", "b")` → the column sets.
pub(super) fn unique_sets(node: Node<'_>, source: &str) -> Vec<Vec<String>> {
    let elements = py_elements(node);
    if elements.iter().all(|e| py_str(*e, source).is_some()) && !elements.is_empty() {
        return vec![py_strings(node, source)];
    }
    elements
        .into_iter()
        .map(|e| py_strings(e, source))
        .collect()
}
