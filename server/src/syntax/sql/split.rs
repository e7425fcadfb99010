//! STUB: being implemented.
use std::ops::Range;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Split {
    pub statements: Vec<Range<usize>>,
    pub comments: Vec<Range<usize>>,
}

pub fn split(_text: &str) -> Split {
    Split::default()
}
