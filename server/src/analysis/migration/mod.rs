//! STUB: being implemented.
/// A migration as its runner executes it.
#[derive(Debug, Default)]
pub struct Migration {}
