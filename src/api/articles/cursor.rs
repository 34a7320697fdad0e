//! Article list cursors: where the next page starts ([`Key`]), and the order it was
//! made for, as an opaque string.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::store::articles::{Key, Sort};

/// The order a list is in: a `sort` value, or `relevance` (a search without `sort`).
pub fn order_name(sort: Option<Sort>, searching: bool) -> &'static str {
    match sort {
        Some(sort) => Sort::ALL.iter().find(|(_, s)| *s == sort).map_or("-published_at", |(name, _)| name),
        None if searching => "relevance",
        None => "-published_at",
    }
}

#[derive(Serialize, Deserialize)]
struct Cursor {
    /// The order it continues.
    o: String,
    k: Key,
}

pub fn encode(order: &str, key: Key) -> String {
    let json = serde_json::to_vec(&Cursor { o: order.to_owned(), k: key }).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

/// The key of `text`, a cursor made for a list in `order`; else what is wrong with it.
pub fn decode(text: &str, order: &str) -> Result<Key, String> {
    let cursor = URL_SAFE_NO_PAD
        .decode(text)
        .ok()
        .and_then(|json| serde_json::from_slice::<Cursor>(&json).ok())
        .ok_or_else(|| "must be a next_cursor this API gave".to_owned())?;
    if cursor.o != order {
        return Err(format!(
            "was made for a list in the order {}, not {order}: keep the sort it was made with",
            cursor.o
        ));
    }
    let fits = match (&cursor.k, order) {
        (Key::Offset(offset), "relevance") => *offset >= 0,
        (Key::Title { .. }, "title" | "-title") => true,
        (Key::At { .. }, "published_at" | "-published_at" | "updated_at" | "-updated_at") => true,
        _ => false,
    };
    fits.then_some(cursor.k).ok_or_else(|| "must be a next_cursor this API gave".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_in_its_own_order_only() {
        let key = Key::Title { title: "Dry \"needling\" …".into(), id: 7 };
        let text = encode("title", key.clone());
        assert_eq!(decode(&text, "title"), Ok(key));
        assert!(decode(&text, "-title").is_err());
        assert!(decode("not a cursor", "title").is_err());
        assert!(decode(&encode("relevance", Key::Offset(-20)), "relevance").is_err());
        assert!(decode(&encode("title", Key::Offset(20)), "title").is_err());
    }
}
