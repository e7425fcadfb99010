//! The models of a Django app as its earlier migrations left them: what an
//! `AlterField` is compared with. Pure: the engine reads the files.

use rustc_hash::FxHashMap as HashMap;
use tree_sitter::{Node, Tree};

use super::call::{PyCall, py_dict_value, py_elements, py_str, py_strings};
use super::django::{database_operations, migration_class};
use super::django_fields::{Field, table_name};
use crate::syntax::trees;
use crate::text::Language;

/// The fields, `unique_together` and `index_together` of each model as the
/// app's earlier migrations left them, by model name in lower case.
#[derive(Debug, Clone, Default)]
pub struct History {
    fields: HashMap<(String, String), Field>,
    /// By (option, model): `unique_together` or `index_together`.
    together: HashMap<(&'static str, String), Vec<Vec<String>>>,
    tables: HashMap<String, String>,
}

/// The `Meta` options that list sets of fields, and the operations that alter them.
const TOGETHER: [(&str, &str); 2] = [
    ("unique_together", "AlterUniqueTogether"),
    ("index_together", "AlterIndexTogether"),
];

/// The models (in lower case) whose earlier state the migration in `tree`
/// needs: those it alters (`AlterField`, `AlterUniqueTogether`,
/// `AlterIndexTogether`) and those its new foreign keys reference in the
/// app (their primary key's type is the column's). The engine reads only
/// the earlier migrations that mention them.
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
                "AlterUniqueTogether" | "AlterIndexTogether" => "name",
                "AddField" => {
                    let to = call.arg(2, "field").and_then(|f| PyCall::new(f, source))?;
                    let target = py_str(to.arg(0, "to")?, source)?;
                    // `app.Model` or `Model`: the model's name is what the files mention.
                    let model = target.rsplit('.').next()?;
                    return Some(model.to_ascii_lowercase());
                }
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

    /// The sets of fields a model's `option` (`unique_together`,
    /// `index_together`) lists.
    pub(super) fn together(&self, option: &'static str, model: &str) -> &[Vec<String>] {
        self.together
            .get(&(option, model.to_ascii_lowercase()))
            .map_or(&[], Vec::as_slice)
    }

    /// `field` with the column type of the primary key its foreign key
    /// references, when a model of the app known here has that table (a
    /// `ForeignKey` to a model with an `AutoField` id is an `integer`, to a
    /// `UUIDField` key a `uuid`); Django's `bigint` otherwise.
    pub(super) fn with_key_type(&self, app: &str, mut field: Field) -> Field {
        let Some(references) = &field.references else {
            return field;
        };
        let key = self
            .fields
            .iter()
            .find(|((model, _), f)| f.primary_key && self.table(app, model) == references.name);
        if let Some(data_type) = key.and_then(|(_, f)| f.data_type.as_deref()) {
            // An identity key's column type, without what makes it one.
            let base = data_type.split(" GENERATED").next().unwrap_or(data_type);
            field.data_type = Some(base.to_string());
        }
        field
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
                let options = call.arg(2, "options");
                if let Some(table) = options
                    .and_then(|o| py_dict_value(o, "db_table", source))
                    .and_then(|n| py_str(n, source))
                {
                    self.tables.insert(model.clone(), table);
                }
                for (option, _) in TOGETHER {
                    if let Some(sets) = options.and_then(|o| py_dict_value(o, option, source)) {
                        let sets = unique_sets(sets, source);
                        self.together.insert((option, model.clone()), sets);
                    }
                }
                for (name, field) in model_fields(call, app, source) {
                    let field = self.with_key_type(app, field);
                    self.fields.insert((model.clone(), name), field);
                }
            }
            "AddField" | "AlterField" => {
                if let (Some(model), Some(name), Some(node)) =
                    (text(0, "model_name"), text(1, "name"), call.arg(2, "field"))
                    && let Some(field) = Field::read(node, &name, app, source)
                {
                    let field = self.with_key_type(app, field);
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
            name => {
                let option = TOGETHER.iter().find(|(_, op)| *op == name).map(|(o, _)| *o);
                if let (Some(option), Some(model)) = (option, text(0, "name").map(lower)) {
                    let sets = call
                        .arg(1, option)
                        .map(|n| unique_sets(n, source))
                        .unwrap_or_default();
                    self.together.insert((option, model), sets);
                }
            }
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
