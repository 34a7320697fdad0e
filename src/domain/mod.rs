//! Validated domain types. Each is built only by parsing (`TryFrom<String>`, which its
//! `Deserialize` goes through), keeps its limits as constants, and describes itself to
//! OpenAPI from those same constants: one rule, written once, for the API, the CLI and
//! the environment.

pub mod email;
mod password;
mod slug;
pub mod text;
pub mod url;

pub use email::Email;
pub use password::Password;
pub use slug::Slug;
pub use text::{Description, DisplayName, Excerpt, Markdown, Name, ShortText, Title};
pub use url::HttpUrl;

/// Why a value was refused, worded for the client: "must not be empty".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// One example of each type. Each is its type's example in the OpenAPI document, and
/// for a body whose value was refused, one of them stands in for it while the rest of
/// the body is checked (see `api::json`): every type accepts at least its own.
pub const EXAMPLES: [&str; 4] = [Slug::EXAMPLE, Email::EXAMPLE, Password::EXAMPLE, HttpUrl::EXAMPLE];

/// Declares a string type that only `$check` builds, shown in OpenAPI as `$schema`
/// (an `ObjectBuilder` with the rule's constraints) with `$example`.
macro_rules! validated {
    ($(#[$attr:meta])* $name:ident, example = $example:expr, check = $check:expr, schema = $schema:expr $(,)?) => {
        $(#[$attr])*
        #[derive(Clone, PartialEq, Eq, serde::Deserialize)]
        #[serde(try_from = "String")]
        pub struct $name(String);

        impl $name {
            /// A value this type accepts.
            pub const EXAMPLE: &'static str = $example;

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::domain::Refused;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                let check: fn(String) -> Result<String, $crate::domain::Refused> = $check;
                check(value).map(Self)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = $crate::domain::Refused;

            fn try_from(value: &str) -> Result<Self, Self::Error> {
                Self::try_from(value.to_owned())
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl utoipa::PartialSchema for $name {
            #[expect(deprecated, reason = "the rest of the document says `example`, as utoipa's derive writes it")]
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                let schema: utoipa::openapi::ObjectBuilder = $schema;
                schema.example(Some(Self::EXAMPLE.into())).into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}
pub(crate) use validated;

/// A string schema, for the rules to add their constraints to.
fn string() -> utoipa::openapi::ObjectBuilder {
    utoipa::openapi::ObjectBuilder::new().schema_type(utoipa::openapi::Type::String)
}

/// `value` when `valid`, else refused with `why`.
fn accept(valid: bool, value: String, why: impl FnOnce() -> String) -> Result<String, Refused> {
    if valid {
        Ok(value)
    } else {
        Err(Refused(why()))
    }
}

/// The number of characters (not bytes) in `value`.
fn chars(value: &str) -> usize {
    value.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_is_accepted_by_its_type() {
        assert!(Slug::try_from(Slug::EXAMPLE).is_ok());
        assert!(Email::try_from(Email::EXAMPLE).is_ok());
        assert!(Password::try_from(Password::EXAMPLE).is_ok());
        assert!(HttpUrl::try_from(HttpUrl::EXAMPLE).is_ok());
        assert!(Name::try_from(Name::EXAMPLE).is_ok());
        assert!(DisplayName::try_from(DisplayName::EXAMPLE).is_ok());
        assert!(Title::try_from(Title::EXAMPLE).is_ok());
        assert!(Description::try_from(Description::EXAMPLE).is_ok());
        assert!(Excerpt::try_from(Excerpt::EXAMPLE).is_ok());
        assert!(ShortText::try_from(ShortText::EXAMPLE).is_ok());
        assert!(Markdown::try_from(Markdown::EXAMPLE).is_ok());
    }

    /// Whether one of [`EXAMPLES`] can stand in for a refused `T`.
    fn can_stand_in<T: for<'a> TryFrom<&'a str>>() -> bool {
        EXAMPLES.iter().any(|example| T::try_from(example).is_ok())
    }

    #[test]
    fn a_refused_value_of_any_type_can_be_stood_in_for() {
        assert!(can_stand_in::<Slug>() && can_stand_in::<Email>() && can_stand_in::<Password>());
        assert!(can_stand_in::<HttpUrl>() && can_stand_in::<Name>() && can_stand_in::<DisplayName>());
        assert!(can_stand_in::<Title>() && can_stand_in::<Description>() && can_stand_in::<Excerpt>());
        assert!(can_stand_in::<ShortText>() && can_stand_in::<Markdown>());
    }
}
