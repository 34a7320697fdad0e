//! Why an upload is refused: the one error inspecting and sanitising give.

/// Why an upload is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// Not a type folio takes (415).
    #[error("{0}")]
    Unsupported(String),
    /// A type folio takes, but this file cannot be taken (422).
    #[error("{0}")]
    Invalid(String),
}
