//! SQLAlchemy as Alembic renders it for PostgreSQL: column types, columns
//! (`sa.Column(...)`) and server defaults.

use tree_sitter::Node;

use super::call::{PyCall, last_name, py_bool, py_int, py_str};
use crate::analysis::migration::{AddColumn, ColumnDef};

/// The PostgreSQL type SQLAlchemy emits for a type expression: `sa.String(50)`
/// → `varchar(50)`, `sa.DateTime(timezone=True)` → `timestamptz`.
pub fn column_type(node: Node<'_>, source: &str) -> Option<String> {
    let (name, call) = match PyCall::new(node, source) {
        Some(call) => (call.last_name(source).to_string(), Some(call)),
        None => (last_name(source.get(node.byte_range())?).to_string(), None),
    };
    let int = |index: usize, keyword: &str| {
        call.as_ref()
            .and_then(|c| c.arg(index, keyword))
            .and_then(|n| py_int(n, source))
    };
    let flag = |keyword: &str| call.as_ref().and_then(|c| c.flag(keyword, source));
    let sized = |base: &str, keyword: &str| match int(0, keyword) {
        Some(n) => format!("{base}({n})"),
        None => base.to_string(),
    };
    Some(match name.as_str() {
        "Integer" | "INTEGER" | "INT" => "integer".into(),
        "BigInteger" | "BIGINT" => "bigint".into(),
        "SmallInteger" | "SMALLINT" => "smallint".into(),
        "String" | "VARCHAR" | "Unicode" | "NVARCHAR" | "AutoString" => sized("varchar", "length"),
        "CHAR" | "NCHAR" | "CHARACTER" => sized("char", "length"),
        "Text" | "TEXT" | "UnicodeText" | "CITEXT" => {
            name.to_ascii_lowercase().replace("unicodetext", "text")
        }
        "Boolean" | "BOOLEAN" => "boolean".into(),
        "DateTime" | "TIMESTAMP" => {
            let tz = flag("timezone") == Some(true);
            (if tz { "timestamptz" } else { "timestamp" }).into()
        }
        "Date" | "DATE" => "date".into(),
        "Time" | "TIME" => "time".into(),
        "Float" | "FLOAT" | "Double" | "DOUBLE" | "DOUBLE_PRECISION" => "double precision".into(),
        "REAL" => "real".into(),
        "Numeric" | "NUMERIC" | "DECIMAL" => match (int(0, "precision"), int(1, "scale")) {
            (Some(p), Some(s)) => format!("numeric({p},{s})"),
            (Some(p), None) => format!("numeric({p})"),
            _ => "numeric".into(),
        },
        "JSON" => "json".into(),
        "JSONB" => "jsonb".into(),
        "UUID" | "Uuid" => "uuid".into(),
        "LargeBinary" | "BYTEA" | "BLOB" => "bytea".into(),
        "Interval" | "INTERVAL" => "interval".into(),
        "ARRAY" => {
            let element = call
                .as_ref()
                .and_then(|c| c.arg(0, "item_type"))
                .and_then(|n| column_type(n, source))?;
            format!("{element}[]")
        }
        "Enum" | "ENUM" => call
            .as_ref()
            .and_then(|c| c.keyword("name"))
            .and_then(|n| py_str(n, source))
            .unwrap_or_else(|| "enum".into()),
        // PostgreSQL's own names: `postgresql.INET`, `TSVECTOR`.
        other => other.to_ascii_lowercase(),
    })
}

/// What `sa.Column(...)` declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub data_type: String,
    pub not_null: bool,
    pub default: Option<String>,
    pub primary_key: bool,
    pub unique: bool,
    pub index: bool,
    /// `sa.ForeignKey("orgs.id")`: the referenced table.
    pub references: Option<(Option<String>, String)>,
    pub identity: bool,
    pub serial: bool,
    /// `sa.Computed(...)`, stored.
    pub stored_generated: bool,
    /// The conditions of `sa.CheckConstraint(...)` among its arguments.
    pub checks: Vec<String>,
}

impl Column {
    pub fn read(node: Node<'_>, source: &str) -> Option<Column> {
        let call = PyCall::new(node, source)?;
        if call.last_name(source) != "Column" {
            return None;
        }
        let name = py_str(call.arg(0, "name")?, source)?;
        let type_node = call
            .positional()
            .get(1)
            .copied()
            .filter(|n| !is_schema_item(*n, source))
            .or_else(|| call.keyword("type_"));
        let mut data_type = type_node
            .and_then(|n| column_type(n, source))
            .unwrap_or_default();
        let primary_key = call.flag("primary_key", source) == Some(true);
        let nullable = call.flag("nullable", source);
        let mut column = Column {
            name,
            data_type: String::new(),
            not_null: nullable == Some(false) || (primary_key && nullable != Some(true)),
            default: call
                .keyword("server_default")
                .and_then(|n| server_default(n, source)),
            primary_key,
            unique: call.flag("unique", source) == Some(true),
            index: call.flag("index", source) == Some(true),
            references: None,
            identity: false,
            serial: false,
            stored_generated: false,
            checks: Vec::new(),
        };
        for item in call.positional().iter().skip(1) {
            let Some(item) = PyCall::new(*item, source) else {
                continue;
            };
            match item.last_name(source) {
                "ForeignKey" => {
                    column.references = item
                        .arg(0, "column")
                        .and_then(|n| py_str(n, source))
                        .map(|target| referenced_table(&target));
                }
                "Identity" => column.identity = true,
                "Computed" => {
                    column.stored_generated = item.flag("persisted", source) != Some(false);
                }
                "CheckConstraint" => {
                    column
                        .checks
                        .extend(item.arg(0, "sqltext").and_then(|n| py_str(n, source)));
                }
                _ => {}
            }
        }
        // SQLAlchemy makes a lone integer primary key (or an explicit
        // `autoincrement=True`) a serial column.
        let autoincrement = call.flag("autoincrement", source);
        let integer = matches!(data_type.as_str(), "integer" | "bigint" | "smallint");
        if integer
            && !column.identity
            && (autoincrement == Some(true) || (primary_key && autoincrement != Some(false)))
        {
            column.serial = true;
            data_type = match data_type.as_str() {
                "bigint" => "bigserial",
                "smallint" => "smallserial",
                _ => "serial",
            }
            .into();
        }
        if column.identity {
            data_type.push_str(" GENERATED BY DEFAULT AS IDENTITY");
        }
        column.data_type = data_type;
        Some(column)
    }

    /// The `ADD COLUMN` Alembic emits (constraints other than the primary
    /// key follow as statements of their own).
    pub fn add_column(&self) -> AddColumn {
        AddColumn {
            if_not_exists: false,
            column: self.name.clone(),
            data_type: self.data_type.clone(),
            not_null: self.not_null,
            default: self.default.clone(),
            auto_filled: self.identity || self.serial || self.stored_generated,
            auto_increment: self.identity || self.serial,
            stored_generated: self.stored_generated,
            inline_constraint: self.primary_key.then_some("PRIMARY KEY"),
            key: self.primary_key || self.references.is_some(),
        }
    }

    pub fn definition(&self) -> ColumnDef {
        ColumnDef {
            name: self.name.clone(),
            data_type: self.data_type.clone(),
            key: self.primary_key || self.references.is_some(),
            not_null: self.not_null,
        }
    }
}

/// `sa.ForeignKey(...)`, `sa.Identity()` and the like, which may follow the
/// name where the type is optional.
fn is_schema_item(node: Node<'_>, source: &str) -> bool {
    PyCall::new(node, source).is_some_and(|c| {
        matches!(
            c.last_name(source),
            "ForeignKey" | "Identity" | "Computed" | "CheckConstraint" | "Sequence"
        )
    })
}

/// `"orgs.id"` → (no schema, `orgs`); `"billing.orgs.id"` → (`billing`, `orgs`).
pub fn referenced_table(target: &str) -> (Option<String>, String) {
    let parts: Vec<&str> = target.split('.').collect();
    match parts.as_slice() {
        [schema, table, _column] => (Some(schema.to_string()), table.to_string()),
        [table, _column] => (None, table.to_string()),
        _ => (None, target.to_string()),
    }
}

/// The `DEFAULT` a server default renders: `sa.text("now()")` as written, a
/// plain string quoted, `sa.func.now()` as the call.
pub fn server_default(node: Node<'_>, source: &str) -> Option<String> {
    if node.kind() == "none" {
        return None;
    }
    if let Some(call) = PyCall::new(node, source) {
        let function = call.function(source);
        if let Some((_, function)) = function.split_once("func.") {
            let arguments = call
                .node
                .child_by_field_name("arguments")
                .and_then(|a| source.get(a.byte_range()))
                .unwrap_or("()");
            return Some(format!("{function}{arguments}"));
        }
        if matches!(call.last_name(source), "text" | "literal_column") {
            return py_str(call.arg(0, "text")?, source);
        }
        return match call.last_name(source) {
            "true" => Some("true".into()),
            "false" => Some("false".into()),
            _ => source.get(node.byte_range()).map(str::to_string),
        };
    }
    if let Some(value) = py_str(node, source) {
        return Some(format!("'{}'", value.replace('\'', "''")));
    }
    match py_bool(node, source) {
        Some(b) => Some(b.to_string()),
        None => source.get(node.byte_range()).map(str::to_string),
    }
}
