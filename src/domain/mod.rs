//! Plain types and rules, no I/O.

pub mod arabic;
pub mod article;
pub mod client;
pub mod comment;
pub mod cursor;
pub mod html;
pub mod id_list;
pub mod period;
pub mod role;
pub mod search;
pub mod slug;
pub mod token;

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
    /// An API token.
    Token,
    /// A revision of an article.
    Revision,
    /// A comment (as its reader or moderator may see it).
    Comment,
}

/// One bad input field, in both languages (the response picks one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The parameter or body field, e.g. `per_page`.
    pub field: String,
    /// Stable snake_case code, e.g. `out_of_range`.
    pub code: &'static str,
    /// English message.
    pub en: String,
    /// Arabic message.
    pub ar: String,
}

impl FieldError {
    /// A bad field with its messages.
    pub fn new(
        field: &str,
        code: &'static str,
        en: impl Into<String>,
        ar: impl Into<String>,
    ) -> Self {
        FieldError {
            field: field.to_string(),
            code,
            en: en.into(),
            ar: ar.into(),
        }
    }
}
