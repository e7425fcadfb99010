//! Rewrites of TypeScript env schemas: giving an envalid validator an
//! option (`default:`, `devDefault:`), appending a zod method
//! (`.optional()`, `.default(...)`), and taking a literal default out of a
//! secret. Built from the ranges the env model keeps of each validator, so
//! they need no syntax tree.

use crate::analysis::env::Validator;
use crate::finding::Edit;

/// A value of the validator's type that passes it and means "not set":
/// `""` for strings, `0` for numbers and ports, `false` for booleans, an
/// enum's first choice. `None` where no such value exists (`url()`,
/// `z.string().min(1)`, a custom validator).
pub fn empty_value(validator: &Validator) -> Option<String> {
    match validator {
        Validator::Envalid { name, .. } => match name.as_str() {
            "str" | "email" | "host" | "url" => Some("\"\"".into()),
            "num" | "port" => Some("0".into()),
            "bool" => Some("false".into()),
            _ => None,
        },
        Validator::Zod {
            base,
            methods,
            first_choice,
            ..
        } => {
            // A refinement (`.url()`, `.min(1)`) may reject the empty value.
            if !methods.is_empty() {
                return None;
            }
            match base.as_str() {
                "string" => Some("\"\"".into()),
                "number" | "coerce.number" => Some("0".into()),
                "boolean" | "coerce.boolean" => Some("false".into()),
                "enum" => first_choice.clone(),
                _ => None,
            }
        }
    }
}

/// `str()` → `str({ key: value })`, `str({ desc })` → `str({ key: value,
/// desc })`. `None` for a zod validator.
pub fn envalid_option(validator: &Validator, key: &str, value: &str) -> Option<Edit> {
    let Validator::Envalid {
        arguments,
        options,
        first_option,
        ..
    } = validator
    else {
        return None;
    };
    let option = format!("{key}: {value}");
    Some(match (options, first_option) {
        (Some(_), Some(first)) => Edit::insert(first.start, format!("{option}, ")),
        (Some(object), None) => Edit::replace(object.clone(), format!("{{ {option} }}")),
        // Options are the first argument: only `str()` takes them this way.
        (None, _) if arguments.len() == 2 => {
            Edit::replace(arguments.clone(), format!("({{ {option} }})"))
        }
        (None, _) => return None,
    })
}

/// `z.string()` → `z.string().method`. `None` for an envalid validator.
pub fn zod_method(validator: &Validator, method: &str) -> Option<Edit> {
    match validator {
        Validator::Zod { end, .. } => Some(Edit::insert(*end, format!(".{method}"))),
        Validator::Envalid { .. } => None,
    }
}

/// A secret's literal default taken out: envalid `default:` becomes
/// `devDefault:` (development keeps its value, production requires the
/// variable); zod's `.default(...)` is removed.
pub fn drop_secret_default(validator: &Validator) -> Option<Edit> {
    match validator {
        Validator::Envalid {
            default_key: Some(key),
            dev_default: false,
            ..
        } => Some(Edit::replace(key.clone(), "devDefault")),
        Validator::Zod {
            default_call: Some(call),
            ..
        } => Some(Edit::replace(call.clone(), "")),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
