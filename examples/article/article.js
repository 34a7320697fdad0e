// Renders one published article from a running folio, the way a frontend would.
//   index.html?api=http://127.0.0.1:8080&slug=the-science-behind-dry-needling-for-muscle-recovery
// With ?locale=fr it reads the slug in that locale, and a language switcher (with hreflang links
// in the head) leads to each translation the article lists.
// With ?preview=TOKEN (from POST /api/v1/articles/{id}/preview-token) it renders the token's
// article instead, drafts included, under a "Preview" banner: no login, the token is the key.
// folio must allow this page's origin: FOLIO_CORS_ORIGINS=http://127.0.0.1:<this page's port>.

const DEMO_SLUG = "the-science-behind-dry-needling-for-muscle-recovery";

const params = new URLSearchParams(location.search);
const api = (params.get("api") || "http://127.0.0.1:8080").replace(/\/+$/, "");
const slug = params.get("slug") || DEMO_SLUG;
const preview = params.get("preview");
const locale = params.get("locale");

const FEEDS = { "application/rss+xml": "rss", "application/atom+xml": "atom", "application/feed+json": "json" };

/** A feed of folio's published articles: format rss, atom or json; section narrows it (unknown: 404). */
function feedUrl(format, section) {
  const url = new URL(`${api}/api/v1/feeds/articles.${format}`);
  if (section) url.searchParams.set("section", section);
  return url.toString();
}

/** The <link rel="alternate"> feeds in the head, pointed at this folio: discovery for feed readers. */
function pointFeedLinks() {
  for (const link of document.head.querySelectorAll('link[rel="alternate"]')) {
    const format = FEEDS[link.type];
    if (format) link.href = feedUrl(format, null);
  }
}

/** The section's own RSS feed, listed after the site's. */
function addSectionFeedLink(section) {
  document.head.append(el("link", null, {
    rel: "alternate",
    type: "application/rss+xml",
    title: `${section.name} (RSS)`,
    href: feedUrl("rss", section.slug),
  }));
}

/** An element with text content (never parsed as HTML) and attributes. */
function el(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = text;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

function byline(article) {
  const p = el("p", null, { class: "byline" });
  p.append(el("span", article.author.display_name, { class: "author" }), " · ");
  if (article.published_at !== null) {
    const date = new Date(article.published_at);
    const shown = date.toLocaleDateString("en-GB", { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });
    p.append(el("time", shown, { datetime: article.published_at, class: "date" }), " · ");
  }
  p.append(el("span", `${article.reading_time_minutes} min read`, { class: "reading-time" }));
  if (article.section !== null) p.append(" · ", el("span", article.section.name, { class: "section" }));
  // The visible feed link: the article's section, or every article when it has none.
  const feed = article.section === null ? feedUrl("rss", null) : feedUrl("rss", article.section.slug);
  p.append(" · ", el("a", "RSS feed", { class: "feed", href: feed, type: "application/rss+xml" }));
  return p;
}

function tags(article) {
  const list = el("ul");
  for (const tag of article.tags) list.append(el("li", `#${tag.name}`, { "data-slug": tag.slug }));
  const wrapper = el("div", null, { class: "tags" });
  wrapper.append(list);
  return wrapper;
}

/** The headings as nested lists: an entry goes inside the nearest entry above it of a lower level. */
function tableOfContents(article) {
  const nav = el("nav", null, { class: "toc", "aria-label": "Contents" });
  nav.append(el("h2", "Contents"));
  const root = el("ol");
  // The entries still open, each with its sub-list once it has one.
  const open = [{ level: 0, item: null, list: root }];
  for (const entry of article.toc) {
    while (open.length > 1 && open[open.length - 1].level >= entry.level) open.pop();
    const parent = open[open.length - 1];
    if (parent.list === null) {
      parent.list = el("ol");
      parent.item.append(parent.list);
    }
    const item = el("li", null, { class: `level-${entry.level}` });
    item.append(el("a", entry.text, { href: `#${entry.anchor}` }));
    parent.list.append(item);
    open.push({ level: entry.level, item, list: null });
  }
  nav.append(root);
  return nav;
}

/** This page for the article with `slug` in `locale`. */
function pageFor(slug, locale) {
  const url = new URL(location.href);
  url.search = new URLSearchParams({ api, slug, locale }).toString();
  return url.toString();
}

/** The language switcher: a link to each translation the article lists (what the reader may
 * read now), and the hreflang alternates in the head that search engines read, itself included. */
function languageSwitcher(article) {
  const nav = el("nav", null, { class: "languages", "aria-label": "Languages" });
  nav.append(el("span", article.locale, { class: "current", lang: article.locale }));
  const all = [{ locale: article.locale, slug: article.slug, title: article.title }, ...article.translations];
  for (const translation of all) {
    const href = pageFor(translation.slug, translation.locale);
    document.head.append(el("link", null, { rel: "alternate", hreflang: translation.locale, href }));
    if (translation.locale === article.locale) continue;
    nav.append(" · ", el("a", translation.title, { href, hreflang: translation.locale, lang: translation.locale }));
  }
  return nav;
}

/** The banner over a preview: what the reader sees is not (or not yet) what the public sees. */
function previewBanner(article) {
  const status = article.status === "published" ? "published" : `${article.status}, not public yet`;
  return el("p", `Preview (${status}): the article as it is now, for whoever holds this link until it expires.`, {
    class: "preview-banner",
    role: "status",
  });
}

async function main() {
  const app = document.getElementById("app");
  pointFeedLinks();
  if (preview) {
    // Keep previews out of search engines (folio also sends X-Robots-Tag: noindex on the API).
    document.head.append(el("meta", null, { name: "robots", content: "noindex" }));
  }
  // A preview token reads its article as it is now, drafts included; without one, the public slug URL.
  const url = preview
    ? `${api}/api/v1/preview/${encodeURIComponent(preview)}`
    : `${api}/api/v1/articles/slug/${encodeURIComponent(slug)}` + (locale ? `?locale=${encodeURIComponent(locale)}` : "");
  try {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      throw new Error(`${response.status} ${problem.title ?? ""}: ${problem.detail ?? ""}`);
    }
    const article = await response.json();
    if (article.section !== null) addSectionFeedLink(article.section);
    document.title = (preview ? "Preview: " : "") + (article.seo.meta_title ?? article.title);
    document.documentElement.lang = article.locale;
    const header = el("header");
    header.append(el("h1", article.title), byline(article), tags(article));
    if (article.translations.length > 0) header.append(languageSwitcher(article));
    const body = el("div", null, { class: "body" });
    // body_html is rendered and sanitised by folio; headings carry the ids the TOC links to.
    body.innerHTML = article.body_html;
    const page = el("article");
    page.append(header, tableOfContents(article), body);
    app.replaceChildren(...(preview ? [previewBanner(article), page] : [page]));
    document.body.dataset.state = "ready";
  } catch (error) {
    app.replaceChildren(el("p", `Could not load the article from ${api}: ${error.message}`));
    document.body.dataset.state = "error";
  }
}

main();
