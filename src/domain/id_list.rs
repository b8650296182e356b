//! Lists of ids kept as text (`"3,17,42"`) in read-copy columns.

/// `[3, 17, 42]` → `"3,17,42"`.
pub fn encode(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// `"3,17,42"` → `[3, 17, 42]`; anything unparsable is skipped.
pub fn decode(text: &str) -> Vec<i64> {
    text.split(',')
        .filter_map(|part| part.trim().parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        assert_eq!(encode(&[]), "");
        assert_eq!(decode(""), Vec::<i64>::new());
        assert_eq!(decode(&encode(&[3, 17, 42])), vec![3, 17, 42]);
    }
}
