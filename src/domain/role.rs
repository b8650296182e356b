//! Who may do what: the roles a token carries and the capabilities they grant.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The role of an API token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including tokens.
    Admin,
    /// Articles, sections, tags and authors.
    Editor,
    /// Comments.
    Moderator,
    /// Read-only partner access (own rate limits).
    Partner,
}

/// What a route needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// Write articles and the taxonomy; read drafts and revisions.
    Editorial,
    /// Moderate comments.
    Moderation,
    /// Create, list and revoke tokens.
    ManageTokens,
    /// Read the change feed.
    Syndication,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 4] = [Role::Admin, Role::Editor, Role::Moderator, Role::Partner];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Moderator => "moderator",
            Role::Partner => "partner",
        }
    }

    /// Parses a stored or typed name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// Whether this role grants `capability` (an admin has every one).
    pub fn can(self, capability: Capability) -> bool {
        match self {
            Role::Admin => true,
            Role::Editor => capability == Capability::Editorial,
            Role::Moderator => capability == Capability::Moderation,
            Role::Partner => capability == Capability::Syndication,
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Role::parse(s).ok_or_else(|| {
            format!(
                "unknown role {s:?}: one of {}",
                Role::ALL.map(Role::as_str).join(", ")
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_capability_matrix() {
        use Capability::*;
        let table = [
            (Role::Admin, [true, true, true]),
            (Role::Editor, [true, false, false]),
            (Role::Moderator, [false, true, false]),
            (Role::Partner, [false, false, false]),
        ];
        for (role, expected) in table {
            let got = [Editorial, Moderation, ManageTokens].map(|c| role.can(c));
            assert_eq!(got, expected, "{role:?}");
        }
    }

    #[test]
    fn names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
        assert!("Admin".parse::<Role>().is_err());
    }
}
