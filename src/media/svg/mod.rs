//! SVG uploads rebuilt from an allow-list: only known drawing elements and attributes
//! are kept, so no script, event handler, `<foreignObject>` or external reference
//! survives. `href` may point inside the document (`#id`) or hold an embedded raster
//! image (`data:image/png;base64,…`, not SVG, which could carry its own script); `url(…)`
//! in any attribute or style only `#id`. Comments, processing instructions and the
//! DOCTYPE are dropped, and entities other than XML's five and character references are
//! refused, so nothing is expanded.

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Decoder, Reader, XmlVersion};

use self::allowed::{ATTRIBUTES, DATA_IMAGES, ELEMENTS, PAGE_ELEMENTS};
use super::refused::Refused;

mod allowed;

fn unsupported(why: &str) -> Refused {
    Refused::Unsupported(format!("not an accepted file: {why}; upload JPEG, PNG, WebP, GIF, AVIF, SVG or PDF"))
}

fn invalid(why: impl Into<String>) -> Refused {
    Refused::Invalid(format!("the SVG cannot be taken: {}", why.into()))
}

/// Whether every `url(…)` in `value` points inside the document.
fn urls_are_local(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(at) = rest.find("url(") {
        let target = rest[at + 4..].trim_start().trim_start_matches(['"', '\'']);
        if !target.starts_with('#') {
            return false;
        }
        rest = &rest[at + 4..];
    }
    true
}

/// CSS (a `style` attribute or element) that loads nothing and runs nothing.
fn css_is_safe(css: &str) -> bool {
    let lower = css.to_ascii_lowercase();
    let squeezed: String = lower.chars().filter(|c| !c.is_whitespace()).collect();
    urls_are_local(&lower)
        && !["@import", "expression(", "javascript:", "-moz-binding", "behavior:", "image-set("]
            .iter()
            .any(|bad| squeezed.contains(bad))
        && !squeezed.contains('\\')
}

fn href_is_safe(value: &str) -> bool {
    let value = value.trim();
    value.starts_with('#')
        || DATA_IMAGES
            .iter()
            .any(|prefix| value.len() > prefix.len() && value[..prefix.len()].eq_ignore_ascii_case(prefix))
}

/// Whether the attribute `name` with `value` is kept.
fn keep_attribute(name: &str, value: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.starts_with("on") {
        return false;
    }
    let known = ATTRIBUTES.contains(&name) || lower.starts_with("aria-") || lower.starts_with("data-");
    if !known {
        return false;
    }
    match name {
        "href" | "xlink:href" => href_is_safe(value),
        "style" => css_is_safe(value),
        "xmlns" => value == "http://www.w3.org/2000/svg",
        "xmlns:xlink" => value == "http://www.w3.org/1999/xlink",
        _ => urls_are_local(value) && !value.to_ascii_lowercase().contains("javascript:"),
    }
}

/// An element's local name, when it is in no namespace or the SVG one (`svg:` prefix).
fn element_name(start: &BytesStart) -> Result<String, Refused> {
    let name = std::str::from_utf8(start.name().as_ref()).map_err(|_| invalid("a name is not UTF-8"))?.to_owned();
    Ok(match name.split_once(':') {
        Some(("svg", local)) => local.to_owned(),
        Some(_) => String::new(),
        None => name,
    })
}

/// The start tag of a kept element, with the attributes kept.
fn start_tag(out: &mut String, name: &str, start: &BytesStart, empty: bool, decoder: Decoder) -> Result<(), Refused> {
    out.push('<');
    out.push_str(name);
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| invalid(e.to_string()))?;
        let key = std::str::from_utf8(attribute.key.as_ref()).map_err(|_| invalid("a name is not UTF-8"))?;
        let value = attribute
            .decoded_and_normalized_value(XmlVersion::Implicit1_0, decoder)
            .map_err(|e| invalid(e.to_string()))?;
        if keep_attribute(key, &value) {
            out.push(' ');
            out.push_str(key);
            out.push_str("=\"");
            out.push_str(&quick_xml::escape::escape(value.as_ref()));
            out.push('"');
        }
    }
    out.push_str(if empty { "/>" } else { ">" });
    Ok(())
}

/// The SVG in `bytes`, rebuilt from what the allow-list keeps; refused (415) when it is
/// not an SVG document at all or holds a page.
pub fn sanitise(bytes: &[u8]) -> Result<Vec<u8>, Refused> {
    let text = std::str::from_utf8(bytes).map_err(|_| unsupported("the bytes are no known type"))?;
    let mut reader = Reader::from_str(text.trim_start_matches('\u{feff}'));
    let mut out = String::with_capacity(text.len());
    // Open kept elements, and how deep inside a dropped one the reader is.
    let mut open: Vec<String> = Vec::new();
    let mut dropped = 0usize;
    let mut seen_root = false;
    let mut closed_root = false;
    let mut in_style = false;
    loop {
        let event =
            reader.read_event().map_err(|e| if seen_root { invalid(e.to_string()) } else { unsupported("not XML") })?;
        match event {
            Event::Start(ref start) | Event::Empty(ref start) => {
                let empty = matches!(event, Event::Empty(_));
                let name = element_name(start)?;
                if PAGE_ELEMENTS.contains(&name.to_ascii_lowercase().as_str()) {
                    return Err(unsupported("an HTML page inside the SVG"));
                }
                if !seen_root {
                    if name != "svg" {
                        return Err(unsupported("the document is not an SVG"));
                    }
                    seen_root = true;
                } else if closed_root {
                    return Err(invalid("content after the root element"));
                }
                if dropped > 0 || !ELEMENTS.contains(&name.as_str()) {
                    dropped += usize::from(!empty);
                    continue;
                }
                start_tag(&mut out, &name, start, empty, reader.decoder())?;
                if !empty {
                    in_style = name == "style";
                    open.push(name);
                }
            }
            Event::End(_) if dropped > 0 => dropped -= 1,
            Event::End(_) => {
                let name = open.pop().ok_or_else(|| invalid("an end tag without a start"))?;
                in_style = false;
                out.push_str("</");
                out.push_str(&name);
                out.push('>');
                closed_root = open.is_empty();
            }
            Event::Text(text) if dropped == 0 && seen_root && !open.is_empty() => {
                let raw = text.decode().map_err(|e| invalid(e.to_string()))?;
                if in_style && !css_is_safe(&raw) {
                    return Err(invalid("a style element loads or runs something"));
                }
                out.push_str(&quick_xml::escape::partial_escape(raw.as_ref()));
            }
            Event::CData(data) if dropped == 0 && seen_root && !open.is_empty() => {
                let raw = data.decode().map_err(|e| invalid(e.to_string()))?;
                if in_style && !css_is_safe(&raw) {
                    return Err(invalid("a style element loads or runs something"));
                }
                out.push_str(&quick_xml::escape::partial_escape(raw.as_ref()));
            }
            Event::GeneralRef(reference) => {
                let name = reference.decode().map_err(|e| invalid(e.to_string()))?;
                let written = if reference.is_char_ref() {
                    let c = reference.resolve_char_ref().map_err(|e| invalid(e.to_string()))?;
                    c.map(|c| quick_xml::escape::partial_escape(c.to_string().as_str()).into_owned())
                } else if ["amp", "lt", "gt", "quot", "apos"].contains(&name.as_ref()) {
                    Some(format!("&{name};"))
                } else {
                    None
                };
                let written = written.ok_or_else(|| invalid(format!("the entity &{name}; is not accepted")))?;
                if dropped == 0 && seen_root && !open.is_empty() {
                    out.push_str(&written);
                }
            }
            Event::Eof => break,
            // Declarations, comments, processing instructions, the DOCTYPE, and text
            // outside kept elements.
            _ => {}
        }
    }
    if !seen_root {
        return Err(unsupported("the bytes are no known type"));
    }
    if !open.is_empty() {
        return Err(invalid("the document ends inside an element"));
    }
    Ok(out.into_bytes())
}

/// The root's `width` and `height` in pixels when given as plain numbers (or `px`), else
/// the `viewBox`'s; `None` where neither says.
pub fn dimensions(clean: &[u8]) -> (Option<u32>, Option<u32>) {
    let Ok(text) = std::str::from_utf8(clean) else { return (None, None) };
    let mut reader = Reader::from_str(text);
    let root = loop {
        match reader.read_event() {
            Ok(Event::Start(start) | Event::Empty(start)) => break start.into_owned(),
            Ok(Event::Eof) | Err(_) => return (None, None),
            Ok(_) => {}
        }
    };
    let value = |name: &str| -> Option<String> {
        root.try_get_attribute(name).ok().flatten().and_then(|a| {
            a.decoded_and_normalized_value(XmlVersion::Implicit1_0, reader.decoder()).ok().map(|v| v.into_owned())
        })
    };
    let pixels = |text: &str| -> Option<u32> {
        let number: f64 = text.trim().trim_end_matches("px").trim().parse().ok()?;
        (number.is_finite() && number >= 1.0 && number <= f64::from(u32::MAX)).then(|| number.round() as u32)
    };
    let view_box: Vec<Option<u32>> = value("viewBox")
        .map(|v| v.split([' ', ',']).filter(|p| !p.is_empty()).map(pixels).collect())
        .unwrap_or_default();
    let from_box = |index: usize| view_box.get(index).copied().flatten().filter(|_| view_box.len() == 4);
    let width = value("width").and_then(|w| pixels(&w)).or_else(|| from_box(2));
    let height = value("height").and_then(|h| pixels(&h)).or_else(|| from_box(3));
    (width, height)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(svg: &str) -> String {
        String::from_utf8(sanitise(svg.as_bytes()).unwrap_or_default()).unwrap_or_default()
    }

    #[test]
    fn scripts_handlers_and_external_references_go() {
        let out = clean(concat!(
            r##"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="alert(1)" width="40" height="20">"##,
            r##"<script>alert(1)</script><foreignObject><div>x</div></foreignObject>"##,
            r##"<a href="javascript:alert(1)"><rect width="1" height="1"/></a>"##,
            r##"<use href="https://evil.example/x.svg#a"/><use xlink:href="#local"/>"##,
            r##"<rect fill="url(https://evil.example/p)" stroke="url(#g)" style="fill:url(http://x)"/>"##,
            r##"<image href="data:image/svg+xml;base64,PHN2Zz4="/><image href="data:image/png;base64,iVBO"/>"##,
            r##"<text>a &lt; b &#x41;</text></svg>"##
        ));
        for gone in ["script", "alert", "onload", "foreignObject", "evil", "javascript", "svg+xml", "<a"] {
            assert!(!out.contains(gone), "{gone} survived: {out}");
        }
        for kept in [r##"xlink:href="#local""##, r##"stroke="url(#g)""##, "data:image/png;base64", "a &lt; b A"] {
            assert!(out.contains(kept), "{kept} was lost: {out}");
        }
        assert_eq!(dimensions(out.as_bytes()), (Some(40), Some(20)));
    }

    #[test]
    fn pages_and_other_documents_are_not_svg() {
        for text in ["<html><svg/></html>", "<svg><html/></svg>", "<note/>", "hello", "<svg><body/></svg>"] {
            assert!(matches!(sanitise(text.as_bytes()), Err(Refused::Unsupported(_))), "{text}");
        }
    }

    #[test]
    fn declared_entities_are_refused_not_expanded() {
        let bomb =
            r#"<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg"><text>&a;</text></svg>"#;
        assert!(matches!(sanitise(bomb.as_bytes()), Err(Refused::Invalid(_))));
    }

    #[test]
    fn dimensions_fall_back_to_the_view_box() {
        assert_eq!(dimensions(br#"<svg viewBox="0 0 300 150"/>"#), (Some(300), Some(150)));
        assert_eq!(dimensions(br#"<svg width="50%" viewBox="0 0 300 150"/>"#), (Some(300), Some(150)));
        assert_eq!(dimensions(br#"<svg/>"#), (None, None));
    }
}
