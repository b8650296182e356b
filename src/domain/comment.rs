//! Comment rules without I/O: statuses, the hold policy (links, blocked
//! words, first-time commenters) and the text checks it needs.

use crate::domain::arabic;

/// Where a comment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommentStatus {
    /// Public, counted in the article's `comment_count`.
    Approved,
    /// Held for a moderator.
    Pending,
    /// Spam (the honeypot was filled, or a moderator said so).
    Spam,
    /// Thrown away by a moderator.
    Trash,
    /// Deleted while replies hang under it: a placeholder without text.
    Deleted,
}

impl CommentStatus {
    /// The statuses a moderator can set or filter by.
    pub const MODERATED: [CommentStatus; 4] = [
        CommentStatus::Approved,
        CommentStatus::Pending,
        CommentStatus::Spam,
        CommentStatus::Trash,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            CommentStatus::Approved => "approved",
            CommentStatus::Pending => "pending",
            CommentStatus::Spam => "spam",
            CommentStatus::Trash => "trash",
            CommentStatus::Deleted => "deleted",
        }
    }

    /// Parses a stored name.
    pub fn from_db(text: &str) -> Self {
        match text {
            "approved" => CommentStatus::Approved,
            "spam" => CommentStatus::Spam,
            "trash" => CommentStatus::Trash,
            "deleted" => CommentStatus::Deleted,
            _ => CommentStatus::Pending,
        }
    }

    /// Parses a status a moderator may name (not `deleted`).
    pub fn parse_moderated(text: &str) -> Option<Self> {
        Self::MODERATED.into_iter().find(|s| s.as_str() == text)
    }
}

/// Why a comment is held for moderation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldReason {
    /// More links than the policy allows.
    TooManyLinks,
    /// A word of the block list.
    BlockedWord,
    /// No approved comment with this e-mail yet.
    FirstTime,
}

/// Words and phrases that hold a comment, matched as whole words on
/// normalised text (see `comment_blocklist.txt`).
#[derive(Debug, Clone, Default)]
pub struct BlockList {
    entries: Vec<Vec<String>>,
}

/// The built-in list.
pub const DEFAULT_BLOCKLIST: &str = include_str!("comment_blocklist.txt");

impl BlockList {
    /// From the built-in file's format (one entry a line, `#` comments)
    /// plus `extra` entries (from the configuration).
    pub fn new(text: &str, extra: &[String]) -> Self {
        let entries = text
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .chain(extra.iter().map(String::as_str))
            .map(words)
            .filter(|tokens| !tokens.is_empty())
            .collect();
        BlockList { entries }
    }

    /// How many entries the list has.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether `text` contains an entry as a run of whole words.
    pub fn matches(&self, text: &str) -> bool {
        let tokens = words(text);
        self.entries.iter().any(|entry| {
            tokens
                .windows(entry.len())
                .any(|window| window == entry.as_slice())
        })
    }
}

/// The words of `text` as compared: normalised, then light-stemmed (so
/// "الكازينو" matches "كازينو").
fn words(text: &str) -> Vec<String> {
    arabic::tokenize(&arabic::normalize(text))
        .iter()
        .map(|t| arabic::stem(t))
        .collect()
}

/// Links in a comment's text: words that contain `://` or start with `www.`.
pub fn link_count(text: &str) -> usize {
    text.split_whitespace()
        .filter(|w| {
            let w = w.to_ascii_lowercase();
            w.contains("://") || w.starts_with("www.")
        })
        .count()
}

/// The hold policy of new comments.
#[derive(Debug, Clone)]
pub struct HoldPolicy {
    /// Most links a comment may carry before it is held.
    pub max_links: usize,
    /// Words that hold a comment.
    pub blocklist: BlockList,
    /// Whether a commenter's first comment (no approved one with that
    /// e-mail) is held.
    pub hold_first_time: bool,
}

impl HoldPolicy {
    /// Why a comment with these texts (`body` first) is held, if it is;
    /// `known` says whether its e-mail has an approved comment already.
    pub fn hold(&self, body: &str, other_fields: &[&str], known: bool) -> Option<HoldReason> {
        if link_count(body) > self.max_links {
            return Some(HoldReason::TooManyLinks);
        }
        if std::iter::once(body)
            .chain(other_fields.iter().copied())
            .any(|t| self.blocklist.matches(t))
        {
            return Some(HoldReason::BlockedWord);
        }
        if self.hold_first_time && !known {
            return Some(HoldReason::FirstTime);
        }
        None
    }
}

/// An e-mail address as compared (first-time check): trimmed, lower-cased.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip() {
        for s in CommentStatus::MODERATED {
            assert_eq!(CommentStatus::parse_moderated(s.as_str()), Some(s));
            assert_eq!(CommentStatus::from_db(s.as_str()), s);
        }
        assert_eq!(CommentStatus::parse_moderated("deleted"), None);
        assert_eq!(CommentStatus::from_db("deleted"), CommentStatus::Deleted);
    }

    #[test]
    fn links_are_counted_by_word() {
        assert_eq!(link_count("no links here"), 0);
        assert_eq!(link_count("see https://a.example and www.b.example"), 2);
        assert_eq!(link_count("HTTP://A.EXAMPLE/x ftp://c"), 2);
    }

    #[test]
    fn the_block_list_matches_whole_normalised_words() {
        let list = BlockList::new(DEFAULT_BLOCKLIST, &["كلمة ممنوعة".into()]);
        assert!(list.len() >= 10);
        assert!(list.matches("best Online   CASINO here"));
        assert!(
            list.matches("العب في الكازينو"),
            "the article is stemmed away"
        );
        assert!(list.matches("هذه كلمةٌ ممنوعة"), "diacritics are folded");
        assert!(!list.matches("casinos"), "whole words only");
        assert!(!list.matches("مقال عادي"));
    }

    #[test]
    fn the_policy_holds_for_links_words_and_first_comments() {
        let policy = HoldPolicy {
            max_links: 2,
            blocklist: BlockList::new("viagra", &[]),
            hold_first_time: true,
        };
        let links = "https://a https://b https://c";
        assert_eq!(
            policy.hold(links, &[], true),
            Some(HoldReason::TooManyLinks)
        );
        assert_eq!(policy.hold("https://a https://b", &[], true), None);
        assert_eq!(
            policy.hold("ok", &["Viagra"], true),
            Some(HoldReason::BlockedWord)
        );
        assert_eq!(policy.hold("ok", &[], false), Some(HoldReason::FirstTime));
    }
}
