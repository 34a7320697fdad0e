//! Where an article lives for its readers: the absolute link that feeds and the sitemap
//! give, built from the site's address (`FOLIO_SITE_URL`) and the path of an article on
//! it (`FOLIO_ARTICLE_PATH`), or, with no site configured, the API's own by-slug URL.

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

/// `FOLIO_ARTICLE_PATH` when unset.
pub const DEFAULT_ARTICLE_PATH: &str = "/{section}/{slug}";
/// Where the API answers an article by slug, below its own origin.
const API_ARTICLE_PATH: &str = "/api/v1/articles/slug/";
/// Where the API lists articles: the "site" of a feed when no site is configured.
const API_ARTICLES: &str = "/api/v1/articles";

/// What a path segment must not hold as it is (RFC 3986 `pchar` keeps the rest).
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

fn segment(value: &str) -> String {
    utf8_percent_encode(value, SEGMENT).to_string()
}

/// The site's address: an absolute http(s) URL, perhaps with a path, without a query,
/// a fragment, credentials or a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteUrl {
    url: String,
    host: String,
}

impl SiteUrl {
    /// `text` as a site address; `Err` says what is wrong with it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let url = url::Url::parse(text)
            .map_err(|err| format!("expected an absolute URL like https://example.com, got '{text}' ({err})"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("expected an http or https URL, got '{text}'"));
        }
        let Some(host) = url.host_str().filter(|host| !host.is_empty()).map(str::to_owned) else {
            return Err(format!("expected a URL with a host, got '{text}'"));
        };
        if url.query().is_some() || url.fragment().is_some() {
            return Err(format!("expected a URL without a query or fragment, got '{text}'"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("expected a URL without credentials".to_owned());
        }
        Ok(Self { url: url.as_str().trim_end_matches('/').to_owned(), host })
    }

    /// The URL, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// Its host name (or address), without a port.
    pub fn host(&self) -> &str {
        &self.host
    }
}

/// One piece of a path segment: text as written, or a placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Section,
    Slug,
    Locale,
}

/// `FOLIO_ARTICLE_PATH`: the path of an article on the site, with `{section}`, `{slug}`
/// and `{locale}` standing for the article's. A segment that comes out empty (no
/// section) is left out, so `/{section}/{slug}` is `/{slug}` for an article without one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticlePath {
    template: String,
    segments: Vec<Vec<Part>>,
    trailing_slash: bool,
}

impl ArticlePath {
    /// `text` as a path template; `Err` says what is wrong with it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let Some(rest) = text.strip_prefix('/') else {
            return Err(format!("must start with '/', like {DEFAULT_ARTICLE_PATH}; got '{text}'"));
        };
        if !text.contains("{slug}") {
            return Err(format!("must contain {{slug}}, like {DEFAULT_ARTICLE_PATH}; got '{text}'"));
        }
        if text.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '?' | '#' | '\\')) {
            return Err(format!("must be a path without spaces, '?', '#' or '\\'; got '{text}'"));
        }
        let mut pieces: Vec<&str> = rest.split('/').collect();
        let trailing_slash = pieces.len() > 1 && pieces.last() == Some(&"");
        if trailing_slash {
            pieces.pop();
        }
        if pieces.contains(&"") {
            return Err(format!("must not have an empty segment ('//'); got '{text}'"));
        }
        let segments = pieces.into_iter().map(parts).collect::<Result<Vec<_>, _>>()?;
        Ok(Self { template: text.to_owned(), segments, trailing_slash })
    }

    /// The path of the article with `slug`, in the section with slug `section` if any,
    /// in `locale` (`None` for the site's default, which `{locale}` leaves out). A
    /// translation's path is prefixed with `/{locale}` when the template has no
    /// `{locale}`, so two translations sharing a slug never share a path.
    fn expand(&self, section: Option<&str>, slug: &str, locale: Option<&str>) -> String {
        let mut path = String::new();
        let has_locale = self.segments.iter().flatten().any(|part| *part == Part::Locale);
        if let (Some(locale), false) = (locale, has_locale) {
            path.push('/');
            path.push_str(&segment(locale));
        }
        for pieces in &self.segments {
            let mut text = String::new();
            for part in pieces {
                match part {
                    Part::Text(literal) => text.push_str(literal),
                    Part::Section => text.push_str(&segment(section.unwrap_or_default())),
                    Part::Slug => text.push_str(&segment(slug)),
                    Part::Locale => text.push_str(&segment(locale.unwrap_or_default())),
                }
            }
            if !text.is_empty() {
                path.push('/');
                path.push_str(&text);
            }
        }
        if self.trailing_slash {
            path.push('/');
        }
        path
    }
}

/// One segment of a template as its parts; placeholders other than the three known are refused.
fn parts(text: &str) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let Some(open) = rest.find(['{', '}']) else {
            parts.push(Part::Text(rest.to_owned()));
            break;
        };
        if rest[open..].starts_with('}') {
            return Err(format!("has a '}}' without its '{{' in '{text}'"));
        }
        if open > 0 {
            parts.push(Part::Text(rest[..open].to_owned()));
        }
        let Some(close) = rest[open..].find('}').map(|at| open + at) else {
            return Err(format!("has a '{{' without its '}}' in '{text}'"));
        };
        parts.push(match &rest[open + 1..close] {
            "section" => Part::Section,
            "slug" => Part::Slug,
            "locale" => Part::Locale,
            other => {
                return Err(format!(
                    "has an unknown placeholder {{{other}}}; the known are {{section}}, {{slug}} and {{locale}}"
                ))
            }
        });
        rest = &rest[close + 1..];
    }
    Ok(parts)
}

/// How articles are linked: on the configured site, or at the API itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Links {
    site: Option<SiteUrl>,
    article_path: ArticlePath,
    /// The site's default locale, which paths leave out.
    default_locale: String,
}

impl Links {
    pub fn new(site: Option<SiteUrl>, article_path: ArticlePath, default_locale: &str) -> Self {
        Self { site, article_path, default_locale: default_locale.to_owned() }
    }

    /// The absolute link of the article with `slug` in `locale` (in the section with slug
    /// `section`): on the site, or without one at `api`, the API's own origin
    /// (`https://api.example`), where a translation's by-slug URL names its locale.
    pub fn article(&self, api: &str, section: Option<&str>, slug: &str, locale: &str) -> String {
        let translation = (!locale.eq_ignore_ascii_case(&self.default_locale)).then_some(locale);
        match (&self.site, translation) {
            (Some(site), _) => format!("{}{}", site.as_str(), self.article_path.expand(section, slug, translation)),
            (None, None) => format!("{api}{API_ARTICLE_PATH}{}", segment(slug)),
            (None, Some(locale)) => format!("{api}{API_ARTICLE_PATH}{}?locale={}", segment(slug), segment(locale)),
        }
    }

    /// The site's home page, or without a site the API's list of articles.
    pub fn home(&self, api: &str) -> String {
        match &self.site {
            Some(site) => site.as_str().to_owned(),
            None => format!("{api}{API_ARTICLES}"),
        }
    }

    /// The site's host, when a site is configured.
    pub fn site_host(&self) -> Option<&str> {
        self.site.as_ref().map(SiteUrl::host)
    }

    /// The settings as text: what a validator of linked content must change with.
    pub fn settings(&self) -> String {
        format!("{} {}", self.site.as_ref().map_or("", SiteUrl::as_str), self.article_path.template)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(site: &str, path: &str) -> Links {
        Links::new(Some(SiteUrl::parse(site).unwrap()), ArticlePath::parse(path).unwrap(), "en")
    }

    #[test]
    fn an_article_without_a_section_drops_that_segment() {
        let links = links("https://clinic.example/", DEFAULT_ARTICLE_PATH);
        assert_eq!(links.article("", Some("blogs"), "dry-needling", "en"), "https://clinic.example/blogs/dry-needling");
        assert_eq!(links.article("", None, "dry-needling", "en"), "https://clinic.example/dry-needling");
    }

    #[test]
    fn the_default_locale_expands_to_nothing_and_its_segment_goes() {
        let links = links("https://clinic.example/site", "/{locale}/{section}/{slug}/");
        assert_eq!(links.article("", Some("blogs"), "a", "en"), "https://clinic.example/site/blogs/a/");
        assert_eq!(links.article("", None, "a", "en"), "https://clinic.example/site/a/");
        assert_eq!(links.article("", Some("blogs"), "a", "fr"), "https://clinic.example/site/fr/blogs/a/");
        let links = self::links("https://clinic.example", "/read/{section}-{slug}.html");
        assert_eq!(links.article("", Some("news"), "b", "en"), "https://clinic.example/read/news-b.html");
    }

    #[test]
    fn a_translation_gets_a_locale_prefix_when_the_template_has_no_locale() {
        let links = links("https://clinic.example", DEFAULT_ARTICLE_PATH);
        assert_eq!(links.article("", Some("blogs"), "a", "de-CH"), "https://clinic.example/de-CH/blogs/a");
        assert_eq!(links.article("", Some("blogs"), "a", "en"), "https://clinic.example/blogs/a");
        let links = self::links("https://clinic.example", "/{slug}.{locale}.html");
        assert_eq!(links.article("", None, "a", "fr"), "https://clinic.example/a.fr.html");
    }

    #[test]
    fn without_a_site_links_point_at_the_api() {
        let links = Links::new(None, ArticlePath::parse(DEFAULT_ARTICLE_PATH).unwrap(), "en");
        assert_eq!(
            links.article("http://127.0.0.1:8080", Some("blogs"), "a", "en"),
            "http://127.0.0.1:8080/api/v1/articles/slug/a"
        );
        assert_eq!(
            links.article("http://127.0.0.1:8080", None, "a", "fr"),
            "http://127.0.0.1:8080/api/v1/articles/slug/a?locale=fr"
        );
        assert_eq!(links.home("http://127.0.0.1:8080"), "http://127.0.0.1:8080/api/v1/articles");
        assert_eq!(links.site_host(), None);
    }

    #[test]
    fn values_are_escaped_as_path_segments() {
        let links = links("https://clinic.example", "/{slug}");
        assert_eq!(links.article("", None, "a b/c?d", "en"), "https://clinic.example/a%20b%2Fc%3Fd");
    }

    #[test]
    fn bad_paths_are_refused_with_a_reason() {
        for (path, reason) in [
            ("{section}/{slug}", "start with '/'"),
            ("/{section}", "contain {slug}"),
            ("/{category}/{slug}", "unknown placeholder {category}"),
            ("/{section/{slug}", "without its '}'"),
            ("/x}/{slug}", "without its '{'"),
            ("/a//{slug}", "empty segment"),
            ("/{slug}?x=1", "without spaces"),
            ("/", "contain {slug}"),
        ] {
            let err = ArticlePath::parse(path).expect_err(path);
            assert!(err.contains(reason), "{path}: {err}");
        }
    }

    #[test]
    fn site_urls_are_absolute_http_without_query_and_lose_the_trailing_slash() {
        let site = SiteUrl::parse("HTTPS://Clinic.Example:8443/blog/").unwrap();
        assert_eq!((site.as_str(), site.host()), ("https://clinic.example:8443/blog", "clinic.example"));
        for bad in
            ["clinic.example", "ftp://clinic.example", "https://clinic.example/?a=1", "https://u:p@x.example", "/x"]
        {
            assert!(SiteUrl::parse(bad).is_err(), "{bad} must be refused");
        }
    }
}
