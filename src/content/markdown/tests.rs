use super::text::EXCERPT_MAX_CHARS;
use super::*;
use crate::content::front_matter;
use proptest::prelude::*;

const SEED: &str = include_str!("../../../tests/fixtures/seed-article.md");

/// XSS filter-evasion vectors, mostly from the OWASP cheat sheet.
const XSS: &[&str] = &[
    "<script>alert(1)</script>",
    "<<SCRIPT>alert(\"XSS\");//<</SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    "<IMG \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\">",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;\
     &#58;&#97;&#108;&#101;&#114;&#116;&#40;&#49;&#41;\">x</a>",
    "<IMG SRC=&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099\
     &#0000114&#0000105&#0000112&#0000116&#0000058&#0000097>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61>",
    "<a href=\"javascript&colon;alert(1)\">x</a> <a href=\"  javascript:alert(1)\">y</a>",
    "[x](javascript:alert(1)) [y](JaVaScRiPt:alert(1)) [z](<javascript:alert(1)>)",
    "[x](&#106;avascript:alert(1)) [v](vbscript:msgbox(1)) [t](java\tscript:alert(1))",
    "![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](data:text/html,<script>alert(1)</script>)",
    "<svg/onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<img src=x onerror=alert(1)>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<body onload=alert(1)>",
    "<div style=\"background:url(javascript:alert(1))\" class=\"x\">x</div>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<object data=\"javascript:alert(1)\"></object><embed src=\"javascript:alert(1)\">",
    "<form action=\"javascript:alert(1)\"><button formaction=javascript:alert(1)>x</button></form>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\"><base href=\"javascript:/\">",
    "<h2 id=\"x\" onclick=\"alert(1)\">raw</h2>\n\n# Real <img src=x onerror=alert(1)>",
    "<a title=\"x onmouseover=alert(1)\" href=\"#\">t</a>",
    "<details open ontoggle=alert(1)>",
];

const DANGEROUS_TAGS: &str = "script iframe svg math object embed style form button meta base body noscript";

fn assert_safe(html: &str) {
    assert!(!html.to_lowercase().contains("<script"), "{html}");
    for tag in start_tags(html) {
        let name = tag.name.to_ascii_lowercase();
        assert!(!DANGEROUS_TAGS.split(' ').any(|t| t == name), "{html}");
        for (attr, value) in tag.attrs {
            let attr = attr.to_ascii_lowercase();
            assert!(!attr.starts_with("on"), "{html}");
            assert!(attr != "style" && attr != "class", "{html}");
            let value = value.trim().to_ascii_lowercase();
            for scheme in ["javascript:", "data:", "vbscript:"] {
                assert!(!value.starts_with(scheme), "{html}");
            }
        }
    }
}

/// The toc must name exactly the headings that carry an id, in order,
/// and nothing but those headings may carry one.
fn assert_toc_matches(rendered: &Rendered) {
    let tags = start_tags(&rendered.html);
    let ids: Vec<&str> = tags.iter().filter_map(|t| t.attr("id")).collect();
    let heading_ids: Vec<&str> = tags.iter().filter(|t| is_heading(t.name)).filter_map(|t| t.attr("id")).collect();
    let anchors: Vec<&str> = rendered.toc.iter().map(|e| e.anchor.as_str()).collect();
    assert_eq!(anchors, heading_ids, "{}", rendered.html);
    assert_eq!(ids, heading_ids, "{}", rendered.html);
    let unique: HashSet<&str> = anchors.iter().copied().collect();
    assert_eq!(unique.len(), anchors.len());
    for entry in &rendered.toc {
        assert!((1..=6).contains(&entry.level) && slug::is_valid(&entry.anchor));
    }
}

fn anchors(markdown: &str) -> Vec<String> {
    render(markdown).unwrap().toc.into_iter().map(|e| e.anchor).collect()
}

#[test]
fn seed_article() {
    let body = front_matter::parse(SEED).unwrap().body;
    let rendered = render(&body).unwrap();
    let html = &rendered.html;
    assert_eq!(html.matches("<h2 ").count(), 7);
    assert_eq!(html.matches("<h2 id=\"").count(), 7);
    assert_eq!(html.matches("<h3 ").count(), 15);
    assert_eq!(html.matches("<h3 id=\"").count(), 15);
    assert_eq!(html.matches("<li>").count(), 44);
    let levels: Vec<u8> =
        start_tags(html).iter().filter(|t| is_heading(t.name)).map(|t| t.name[1..].parse().unwrap()).collect();
    let toc_levels: Vec<u8> = rendered.toc.iter().map(|e| e.level).collect();
    assert_eq!(toc_levels.len(), 22);
    assert_eq!(toc_levels, levels);
    // The seed's headings are plain `## Text` lines, so the source says
    // what the toc must be, independently of the HTML scanner.
    let source: Vec<(u8, &str)> = body
        .lines()
        .filter_map(|line| line.split_once(' '))
        .filter(|(hashes, _)| !hashes.is_empty() && hashes.bytes().all(|b| b == b'#'))
        .map(|(hashes, text)| (u8::try_from(hashes.len()).unwrap(), text.trim()))
        .collect();
    let toc: Vec<(u8, &str)> = rendered.toc.iter().map(|e| (e.level, e.text.as_str())).collect();
    assert_eq!(toc, source);
    assert_toc_matches(&rendered);
    assert_safe(html);
    assert_eq!(rendered.toc[0].anchor, "understanding-muscle-damage-and-the-recovery-challenge");
    eprintln!("seed article word_count = {}", rendered.word_count);
    assert!((2000..=2600).contains(&rendered.word_count));
    assert!(rendered.excerpt.starts_with("Muscle recovery can feel challenging"));
    assert!(rendered.excerpt.ends_with('…') && rendered.excerpt.chars().count() <= 301);
}

#[test]
fn duplicate_headings_get_unique_anchors() {
    assert_eq!(anchors("# A\n# A\n# A-1"), ["a", "a-1", "a-1-1"]);
    assert_eq!(anchors("# Intro\n## Intro\n### Intro"), ["intro", "intro-1", "intro-2"]);
    assert_eq!(anchors("# x-1\n# x\n# x"), ["x-1", "x", "x-2"]);
    assert_eq!(anchors("#\n# !!!\n# 中"), ["section", "section-1", "zhong"]);
}

#[test]
fn heading_text_is_plain() {
    let rendered = render("## Hello *big* `code` [link](http://x.test) <b>raw</b>\n").unwrap();
    assert_eq!(rendered.toc[0].text, "Hello big code link raw");
    assert_eq!(rendered.toc[0].anchor, "hello-big-code-link-raw");
}

#[test]
fn xss_vectors_are_neutralised() {
    for vector in XSS {
        let rendered = render(vector).unwrap();
        assert_safe(&rendered.html);
        assert_toc_matches(&rendered);
    }
}

#[test]
fn only_generated_headings_keep_ids() {
    let rendered = render("<h2 id=\"intro\">Raw</h2>\n\n# Intro\n").unwrap();
    assert_eq!(rendered.html.matches(" id=").count(), 1);
    assert_toc_matches(&rendered);
    // An unclosed inline <textarea> swallows the heading after it.
    let swallowed = render("x <textarea>\n\n# Gone\n").unwrap();
    assert!(swallowed.toc.is_empty(), "{}", swallowed.html);
    assert_eq!(swallowed.html, render("x <textarea>\n\n# Gone\n").unwrap().html);
    assert!(swallowed.html.contains("id=\"gone\""), "{}", swallowed.html);
}

#[test]
fn tag_scanner_skips_quoted_values() {
    let tags = start_tags("<p title=\"<h2 id=&quot;x&quot;>\">t</p><h3 id=\"y\" x=z>");
    let names: Vec<&str> = tags.iter().map(|t| t.name).collect();
    assert_eq!(names, ["p", "h3"]);
    assert_eq!(tags[1].attrs, [("id", "y"), ("x", "z")]);
}

#[test]
fn plain_text_has_no_markup() {
    let md = "# Title\n\nSee [the docs](http://secret.test) \
              <span title=\"hidden\">now</span>.\n\n\
              - one\n  - two\n\n| a | b |\n|:--|--:|\n| c | d |\n\n```\nlet x = 1;\n```\n";
    let rendered = render(md).unwrap();
    assert_eq!(rendered.text, "Title\nSee the docs now.\none\ntwo\na b\nc d\nlet x = 1;");
    assert_eq!(rendered.word_count, 14);
    assert!(!rendered.html.contains("style="));
}

#[test]
fn excerpt_is_the_first_top_level_paragraph() {
    assert_eq!(render("# Hi\n\nSome *text* and `code`.\n").unwrap().excerpt, "Some text and code.");
    assert_eq!(render("# H\n\n- item\n\n> quote\n\nFirst  para\nline.\n\nNext.").unwrap().excerpt, "First para line.");
    assert_eq!(render("# Only a heading\n\n- and a list").unwrap().excerpt, "");
    let long = "word ".repeat(100);
    let excerpt = render(&long).unwrap().excerpt;
    assert!(excerpt.ends_with("word…") && excerpt.chars().count() <= 301, "{excerpt}");
    let unbroken = render(&"x".repeat(400)).unwrap().excerpt;
    assert_eq!(unbroken.chars().count(), 301);
}

#[test]
fn reading_time() {
    assert_eq!(reading_time_minutes(0), 1);
    assert_eq!(reading_time_minutes(230), 1);
    assert_eq!(reading_time_minutes(231), 2);
    assert_eq!(reading_time_minutes(u32::MAX), u32::MAX.div_ceil(230));
}

/// Pieces that, glued together at random, hit the interesting parsers.
const FRAGMENTS: &[&str] = &[
    "# Intro\n",
    "## Intro\n",
    "### ",
    "#\n",
    "intro-1",
    "\n\n",
    "\n",
    " ",
    "text ",
    "*em* ",
    "`code`",
    "- item\n",
    "1. item\n",
    "> quote\n",
    "| a | b |\n|---|:-:|\n",
    "```\n",
    "<h2 id=\"intro\">",
    "</h2>",
    "<textarea>",
    "<script>",
    "</script>",
    "<!--",
    "-->",
    "<table>",
    "<a href=\"javascript:alert(1)\">",
    "[x](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "\"",
    "<",
    ">",
    "&#106;",
    "Setext\n===\n",
    "<div>",
    "</div>",
    "<pre>",
    "<math><style>",
];

fn check_invariants(markdown: &str) {
    // A body past the limits is refused, which is safe too.
    let Ok(rendered) = render(markdown) else { return };
    assert_safe(&rendered.html);
    assert_toc_matches(&rendered);
    assert!(rendered.excerpt.chars().count() <= EXCERPT_MAX_CHARS + 1);
}

proptest! {
    #[test]
    fn any_string_renders_safely(markdown in any::<String>()) {
        check_invariants(&markdown);
    }

    #[test]
    fn ascii_soup_renders_safely(markdown in "[ -~\n]{0,300}") {
        check_invariants(&markdown);
    }

    #[test]
    fn fragment_soup_renders_safely(
        parts in proptest::collection::vec(proptest::sample::select(FRAGMENTS), 0..30)
    ) {
        check_invariants(&parts.concat());
    }
}
