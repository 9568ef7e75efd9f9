use std::fmt;

/// A room name: 1 to 64 characters of `A-Z a-z 0-9 _ -`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoomId(String);

/// The room name broke the rules of [`RoomId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a room name is 1 to 64 characters of A-Z a-z 0-9 _ -")]
pub struct BadRoom;

impl RoomId {
    /// Longest room name, in characters.
    pub const MAX_LEN: usize = 64;

    /// Validates a room name.
    pub fn parse(name: &str) -> Result<Self, BadRoom> {
        let valid_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
        if (1..=Self::MAX_LEN).contains(&name.len()) && name.chars().all(valid_char) {
            Ok(RoomId(name.to_owned()))
        } else {
            Err(BadRoom)
        }
    }

    /// A fresh unguessable room: 128 random bits as 32 hex digits.
    pub fn random() -> Self {
        RoomId(crate::random_token())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RoomId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
