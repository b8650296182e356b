//! Plain types and rules, no I/O.

pub mod article;
pub mod cursor;
pub mod id_list;
pub mod slug;

/// What kind of thing was not found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    /// An article.
    Article,
    /// A section.
    Section,
    /// A tag.
    Tag,
    /// An author.
    Author,
}
