use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a user may do: `admin` everything, `editor` all content, `author` their own drafts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Editor,
    Author,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Editor => "editor",
            Self::Author => "author",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "admin" => Some(Self::Admin),
            "editor" => Some(Self::Editor),
            "author" => Some(Self::Author),
            _ => None,
        }
    }

    /// Editors and admins manage all content: any article, sections, tags, publishing.
    pub fn manages_content(self) -> bool {
        matches!(self, Self::Admin | Self::Editor)
    }

    pub fn is_admin(self) -> bool {
        self == Self::Admin
    }
}
