//! Rewrite builders shared by rules. A builder turns a finding's source text
//! into a [`Fix`](crate::finding::Fix); it returns `None` when the text is not
//! in the shape it rewrites, so a rule never offers a wrong edit.

pub mod sql;
