//! Links between list pages.

use url::form_urlencoded;

/// `path?query` with some parameters replaced (`Some`) or removed (`None`).
/// Replacing `cursor` drops `page` and the reverse, so links never carry both.
pub fn page_link(path: &str, query: &str, overrides: &[(&str, Option<String>)]) -> String {
    let drops: Vec<&str> = overrides
        .iter()
        .flat_map(|(k, _)| match *k {
            "cursor" => vec!["cursor", "page"],
            "page" => vec!["page", "cursor"],
            other => vec![other],
        })
        .collect();
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        if !drops.contains(&k.as_ref()) {
            out.append_pair(&k, &v);
        }
    }
    for (k, v) in overrides {
        if let Some(v) = v {
            out.append_pair(k, v);
        }
    }
    let query = out.finish();
    if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{query}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_keeps() {
        assert_eq!(
            page_link(
                "/api/v1/articles",
                "section=politics&page=2",
                &[("page", Some("3".into()))]
            ),
            "/api/v1/articles?section=politics&page=3"
        );
        assert_eq!(
            page_link(
                "/a",
                "page=2&per_page=5",
                &[("cursor", Some("n1_2".into()))]
            ),
            "/a?per_page=5&cursor=n1_2"
        );
        assert_eq!(page_link("/a", "", &[]), "/a");
    }
}
