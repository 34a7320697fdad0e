//! The variant presets: the only sizes variants come in.

/// A variant's width: never more than the original's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Preset {
    Thumb,
    Card,
    Wide,
}

impl Preset {
    pub const ALL: [Self; 3] = [Self::Thumb, Self::Card, Self::Wide];

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|preset| preset.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Thumb => "thumb",
            Self::Card => "card",
            Self::Wide => "wide",
        }
    }

    pub fn width(self) -> u32 {
        match self {
            Self::Thumb => 320,
            Self::Card => 800,
            Self::Wide => 1600,
        }
    }
}
