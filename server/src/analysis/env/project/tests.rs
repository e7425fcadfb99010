use std::path::Path;
use std::sync::Arc;

use super::*;
use crate::analysis::env::python;
use crate::syntax::trees::SourceTree;
use crate::text::Language;

fn file(source: &str) -> EnvFile {
    let tree = SourceTree::parse(Language::Python, source).expect("parses");
    python::read(tree.tree(), source)
}

fn project(files: &[(&str, &str)]) -> Project {
    Project::new(
        files
            .iter()
            .map(|(path, source)| (PathBuf::from(path), Arc::new(EnvFacts::of(&file(source)))))
            .collect(),
    )
}

fn names(declared: &[Declared<'_>], path: &str) -> Vec<String> {
    declared
        .iter()
        .filter(|d| d.path == Path::new(path))
        .map(|d| {
            format!(
                "{}.{}={}",
                d.schema,
                d.field.name,
                d.field.env_names.join("|")
            )
        })
        .collect()
}

#[test]
fn a_mixin_in_another_file_is_named_by_the_settings_class_using_it() {
    let project = project(&[
        (
            "app/settings/db.py",
            "from pydantic import BaseModel\nclass DatabaseMixin(BaseModel):\n    database_url: str\n    pool_size: int = 5\n",
        ),
        (
            "app/settings/__init__.py",
            "from pydantic_settings import BaseSettings, SettingsConfigDict\nfrom .db import DatabaseMixin\nclass Settings(DatabaseMixin, BaseSettings):\n    model_config = SettingsConfigDict(env_prefix='app_')\n    debug: bool = False\n",
        ),
    ]);
    let declared = project.declared();
    assert_eq!(
        names(&declared, "app/settings/db.py"),
        [
            "Settings.database_url=APP_DATABASE_URL",
            "Settings.pool_size=APP_POOL_SIZE"
        ]
    );
    assert_eq!(
        names(&declared, "app/settings/__init__.py"),
        ["Settings.debug=APP_DEBUG"]
    );
    let required: Vec<_> = declared
        .iter()
        .filter(|d| d.required())
        .map(|d| &d.field.name)
        .collect();
    assert_eq!(required, ["database_url"]);
}

#[test]
fn a_base_settings_class_elsewhere_makes_a_subclass_settings_and_lends_its_config() {
    let base = "from pydantic_settings import BaseSettings\nclass AppBase(BaseSettings):\n    class Config:\n        env_prefix = 'SVC_'\n        case_sensitive = True\n";
    let leaf = "from .base import AppBase\nclass Settings(AppBase):\n    port: int\n";
    let project = project(&[("base.py", base), ("settings.py", leaf)]);
    assert_eq!(
        names(&project.declared(), "settings.py"),
        ["Settings.port=SVC_port"]
    );
    // Alone, the leaf is no settings class: its base is unknown.
    assert!(file(leaf).schemas.is_empty());
}

#[test]
fn each_field_is_named_by_the_first_settings_class_declaring_or_including_it() {
    let source = "class Base(BaseSettings):\n    model_config = SettingsConfigDict(env_prefix='A_')\n    x: str\n    y: str\nclass Settings(Base):\n    model_config = SettingsConfigDict(env_prefix='B_')\n    y: str = 'd'\n";
    let schemas = file(source).schemas;
    let fields: Vec<_> = schemas
        .iter()
        .flat_map(|s| &s.fields)
        .map(|f| {
            (
                f.env_name().to_string(),
                f.default == FieldDefault::Required,
            )
        })
        .collect();
    // `Base` is a settings class too (real projects instantiate both):
    // each declaration once, under its own class's configuration.
    assert_eq!(
        fields,
        [
            ("A_X".to_string(), true),
            ("A_Y".to_string(), true),
            ("B_Y".to_string(), false)
        ]
    );
}

#[test]
fn aliases_choices_and_nested_models_give_every_name_read() {
    let source = "class Db(BaseModel):\n    host: str\nclass Settings(BaseSettings):\n    model_config = SettingsConfigDict(env_prefix='APP_', env_nested_delimiter='__', env_file=('.env', '.env.prod'))\n    redis: str = Field(validation_alias=AliasChoices('REDIS_URL', 'CACHE_URL'))\n    db: Db\n";
    let schemas = file(source).schemas;
    let settings = schemas
        .iter()
        .find(|s| s.name == "Settings")
        .expect("settings");
    assert_eq!(settings.env_files, [".env", ".env.prod"]);
    let redis = &settings
        .fields
        .iter()
        .find(|f| f.name == "redis")
        .expect("redis");
    assert_eq!(redis.env_names, ["REDIS_URL", "CACHE_URL"]);
    assert!(redis.read_from("cache_url", false));
    assert!(!redis.read_from("APP_REDIS", false));
    let db = settings.fields.iter().find(|f| f.name == "db").expect("db");
    assert_eq!(db.nested.as_deref(), Some("APP_DB__"));
    assert!(db.read_from("APP_DB__HOST", false));
    assert!(db.read_from("APP_DB", false));
    assert!(!db.read_from("APP_DB__", false));
}

#[test]
fn cycles_and_unknown_bases_end() {
    let source = "class A(B):\n    x: str\nclass B(A):\n    y: str\nclass C(Unknown, BaseSettings):\n    z: str\n";
    let schemas = file(source).schemas;
    assert_eq!(schemas.len(), 1);
    assert_eq!(schemas[0].fields[0].env_name(), "Z");
}

#[test]
fn moving_lines_keeps_the_names_but_a_new_field_does_not() {
    let a = EnvFacts::of(&file("class S(BaseSettings):\n    x: str\n"));
    let b = EnvFacts::of(&file("\n\nclass S(BaseSettings):\n\n    x: str\n"));
    let c = EnvFacts::of(&file("class S(BaseSettings):\n    x: str\n    y: str\n"));
    assert_ne!(a, b);
    assert!(a.same_names(&b));
    assert!(!a.same_names(&c));
    assert!(a.settings_module);
}

#[test]
fn a_base_class_is_looked_up_nearest_first_across_a_monorepo() {
    let base = |prefix: &str| {
        format!(
            "class Settings(BaseSettings):\n    model_config = SettingsConfigDict(env_prefix='{prefix}')\n"
        )
    };
    let (billing, shop) = (base("BILLING_"), base("SHOP_"));
    let worker =
        "from .settings import Settings\nclass WorkerSettings(Settings):\n    queue: str\n";
    // The worker's own service comes first, another service's `Settings`
    // after it: the name must still resolve to the nearer one.
    let project = project(&[
        ("services/billing/settings.py", billing.as_str()),
        ("services/shop/settings.py", shop.as_str()),
        ("services/billing/worker.py", worker),
    ]);
    let declared = project.declared();
    let queue = declared
        .iter()
        .find(|d| d.field.name == "queue")
        .expect("the worker's field");
    assert_eq!(queue.field.env_name(), "BILLING_QUEUE");
}
