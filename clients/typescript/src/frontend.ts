// A program that uses the client the way a frontend does. `npm run check` type-checks
// it with --strict: the @ts-expect-error lines prove that mistakes do not compile.
import { createFolio, whole, type Article, type ArticleSummary } from "./index";
import type { paths } from "./schema";

const folio = createFolio("http://127.0.0.1:8080");

export async function latestInSection(section: string) {
  const { data, error } = await folio.GET("/api/v1/articles", {
    params: { query: { section, tag: ["dry-needling"], sort: "-published_at", status: "published", per_page: 10 } },
  });
  if (error) throw new Error(error.detail);
  // Without fields= every item is whole: `whole` says so to the type checker.
  return data.data.map(whole<ArticleSummary>).map((a) => ({
    title: a.title,
    // published_at is always sent (null for a draft), so no `?? ""` dance.
    date: a.published_at === null ? null : new Date(a.published_at),
    // section is always sent, possibly null: `?.` for null only.
    section: a.section?.name ?? "Uncategorised",
    total: data.meta.total,
  }));
}

export async function articleBySlug(slug: string): Promise<Article> {
  const { data, error } = await folio.GET("/api/v1/articles/slug/{slug}", { params: { path: { slug } } });
  if (error) throw new Error(`${error.status} ${error.title}: ${error.detail}`);
  return whole<Article>(data);
}

export function describe(article: Article): string {
  const published: Date | null = article.published_at === null ? null : new Date(article.published_at);
  const section: string | undefined = article.section?.name;
  const bio: string | null = article.author.bio;
  const cover: string | null = article.cover_image === null ? null : article.cover_image.alt;
  const metaTitle: string | null = article.seo.meta_title;
  // metadata is a free JSON object: any key can be read.
  const hero: unknown = article.metadata.hero_variant;
  const toc = article.toc.map((entry) => `<a href="#${entry.anchor}">${entry.text}</a>`).join("");
  return [article.title, published?.toISOString(), section, bio, cover, metaTitle, String(hero), toc].join("\n");
}

export async function createSectionAndDraft(token: string) {
  const admin = createFolio("http://127.0.0.1:8080", token);
  // Only the name: position and the rest have defaults.
  const section = await admin.POST("/api/v1/sections", { body: { name: "Blogs" } });
  const article = await admin.POST("/api/v1/articles", {
    body: { title: "Hello", body_markdown: "Text.", section: "blogs", metadata: { hero_variant: "wide", layout: { columns: 2 } } },
  });
  const changed = await admin.PATCH("/api/v1/articles/{id}", {
    params: { path: { id: article.data?.id ?? 0 } },
    body: { metadata: { hero_variant: "narrow" }, status: "published", version: article.data?.version ?? 1 },
  });
  return [section.data?.slug, changed.data?.status];
}

// --- Delivery for frontends (issue 19) ---

type Change = Awaited<ReturnType<typeof changesSince>>["changes"][number];

/** One run of a static-site build: what changed since the last run's cursor (none: from the start). */
export async function changesSince(since: string | null) {
  const changes: Array<{ type: string; resource: string; id: number; slug: string; at: Date }> = [];
  let cursor = since;
  for (;;) {
    const { data, error, response } = await folio.GET("/api/v1/changes", {
      params: { query: cursor === null ? { limit: 1000 } : { since: cursor, limit: 1000 } },
    });
    // 410: the cursor is older than the events kept; rebuild everything.
    if (response.status === 410) return { resync: true as const, changes, next: null };
    if (error) throw new Error(`${error.status} ${error.title}: ${error.detail}`);
    for (const c of data.data) {
      changes.push({ type: c.type, resource: c.resource, id: c.id, slug: c.slug, at: new Date(c.occurred_at) });
    }
    // next_cursor is always a string: keep it for the next run; an empty page means caught up.
    cursor = data.next_cursor;
    if (data.data.length === 0) return { resync: false as const, changes, next: cursor };
  }
}

export function slugsToRebuild(changes: Change[]): { rebuild: string[]; remove: string[] } {
  const articles = changes.filter((c) => c.resource === "article");
  return {
    rebuild: articles.filter((c) => c.type !== "article.removed").map((c) => c.slug),
    remove: articles.filter((c) => c.type === "article.removed").map((c) => c.slug),
  };
}

/** Every published article of a section, page by page by cursor: stable while articles are published meanwhile. */
export async function everyArticleInSection(section: string): Promise<ArticleSummary[]> {
  const all: ArticleSummary[] = [];
  let cursor: string | null = null;
  do {
    const query: NonNullable<paths["/api/v1/articles"]["get"]["parameters"]["query"]> = {
      section, sort: "-published_at", per_page: 100,
    };
    if (cursor !== null) query.cursor = cursor;
    const { data, error } = await folio.GET("/api/v1/articles", { params: { query } });
    if (error) throw new Error(error.detail);
    all.push(...data.data.map(whole<ArticleSummary>));
    // null on the last page.
    cursor = data.meta.next_cursor;
  } while (cursor !== null);
  return all;
}

/**
 * fields=: only the named top-level fields, and id. The schema describes the whole item, so the
 * names are typed as its keys and the answer as just those fields: reading another one does not compile.
 */
export async function articleCards<K extends keyof ArticleSummary>(fields: readonly K[]) {
  const { data, error } = await folio.GET("/api/v1/articles", {
    params: { query: { fields: fields.join(","), per_page: 20 } },
  });
  if (error) throw new Error(error.detail);
  return data.data as Array<Pick<ArticleSummary, K | "id">>;
}

export async function cardTitles() {
  const cards = await articleCards(["title", "slug", "published_at"] as const);
  return cards.map((c) => `${c.id} ${c.title} /${c.slug} ${c.published_at ?? "draft"}`);
}

/** An editor's "share preview" button: a token for one article, and the link a reviewer opens without a login. */
export async function sharePreview(accessToken: string, articleId: number, pageUrl: string) {
  const editor = createFolio("http://127.0.0.1:8080", accessToken);
  const { data, error } = await editor.POST("/api/v1/articles/{id}/preview-token", {
    params: { path: { id: articleId } },
    body: { expires_in_seconds: 24 * 3600 },
  });
  if (error) throw new Error(`${error.status} ${error.title}: ${error.detail}`);
  const expires: Date = new Date(data.expires_at);
  return { link: `${pageUrl}?preview=${encodeURIComponent(data.token)}`, expires };
}

/** The reviewer's page: the article as it is now, drafts included, no login. */
export async function articleByPreviewToken(token: string): Promise<Article> {
  const { data, error } = await folio.GET("/api/v1/preview/{token}", { params: { path: { token } } });
  // 404 alike for an unknown, expired or revoked token.
  if (error) throw new Error(`${error.status} ${error.title}: ${error.detail}`);
  return data;
}

export async function revokePreviews(accessToken: string, articleId: number) {
  const editor = createFolio("http://127.0.0.1:8080", accessToken);
  const { response } = await editor.DELETE("/api/v1/articles/{id}/preview-tokens", { params: { path: { id: articleId } } });
  return response.ok;
}

type FeedPath = "/api/v1/feeds/articles.rss" | "/api/v1/feeds/articles.atom" | "/api/v1/feeds/articles.json";
type FeedQuery = NonNullable<paths[FeedPath]["get"]["parameters"]["query"]>;

/** The href of a page's <link rel="alternate">: the path is one of the spec's feeds, the query its parameters. */
export function feedUrl(baseUrl: string, path: FeedPath, query: FeedQuery = {}): string {
  const url = new URL(path, baseUrl);
  if (query.section !== undefined) url.searchParams.set("section", query.section);
  if (query.tag !== undefined) url.searchParams.set("tag", query.tag);
  return url.toString();
}

export async function sectionFeed(section: string): Promise<{ href: string; xml: string }> {
  const href = feedUrl("http://127.0.0.1:8080", "/api/v1/feeds/articles.rss", { section });
  // The body is RSS XML, not JSON: read it as text.
  const { data, error } = await folio.GET("/api/v1/feeds/articles.rss", { params: { query: { section } }, parseAs: "text" });
  if (error) throw new Error(error.detail);
  return { href, xml: data };
}

// --- Translations (issue 21) ---

/** The <head> of a page in several languages: one hreflang link for the article and one for each
 * translation the reader may read now (folio lists those in `translations`). */
export function hreflangLinks(article: Article, pageUrl: (slug: string, locale: string) => string): string[] {
  const all = [{ locale: article.locale, slug: article.slug }, ...article.translations];
  return all.map((t) => `<link rel="alternate" hreflang="${t.locale}" href="${pageUrl(t.slug, t.locale)}">`);
}

/** A language switcher from the article's translations: each one's title, in its own language. */
export function languageSwitcher(article: Article): { locale: string; title: string; id: number }[] {
  return article.translations.map(({ id, locale, title }) => ({ id, locale, title }));
}

/** A French reader's front page: French articles, English where no French one exists yet, one per article. */
export async function frenchFirst(page = 1) {
  const { data, error } = await folio.GET("/api/v1/articles", { params: { query: { locale: "fr", fallback: "en", page } } });
  if (error) throw new Error(error.detail);
  return data.data.map(whole<ArticleSummary>).map((a) => ({ title: a.title, locale: a.locale, total: data.meta.total }));
}

/** The same article for a reader who switched language: by id, in their locale (404 when there is none). */
export async function switchTo(id: number, locale: string): Promise<Article | null> {
  const { data, response } = await folio.GET("/api/v1/articles/{id}", { params: { path: { id }, query: { locale } } });
  return response.status === 404 || data === undefined ? null : whole<Article>(data);
}

/** An editor translates an article: the translation takes its group's section and tags. */
export async function translate(token: string, original: number) {
  const editor = createFolio("http://127.0.0.1:8080", token);
  const { data, error } = await editor.POST("/api/v1/articles", {
    body: { title: "La science du dry needling", body_markdown: "Le texte.", translation_of: original, locale: "fr" },
  });
  if (error) throw new Error(error.detail);
  return { id: data.id, locale: data.locale, siblings: data.translations.map((t) => t.locale) };
}

export async function mistakesDoNotCompile() {
  // @ts-expect-error: a misspelt status is not one of the enum's values.
  await folio.GET("/api/v1/articles", { params: { query: { status: "pubished" } } });
  // @ts-expect-error: a misspelt sort is not one of the enum's values.
  await folio.GET("/api/v1/articles", { params: { query: { sort: "-date" } } });
  // @ts-expect-error: include takes only "body".
  await folio.GET("/api/v1/articles", { params: { query: { include: "bodies" } } });
  const article = await articleBySlug("x");
  // @ts-expect-error: published_at may be null, so it must be checked before use.
  new Date(article.published_at).getTime();
  // @ts-expect-error: a body status outside the enum.
  await folio.POST("/api/v1/articles", { body: { title: "t", body_markdown: "b", status: "live" } });
  // @ts-expect-error: /changes takes since, not cursor.
  await folio.GET("/api/v1/changes", { params: { query: { cursor: "x" } } });
  // @ts-expect-error: a field the list does not have is not a field name.
  await articleCards(["titel"]);
  const cards = await articleCards(["title"]);
  // @ts-expect-error: only the fields asked for (and id) are there.
  cards[0]?.body_html;
  // @ts-expect-error: there is no feed of sections.
  feedUrl("http://127.0.0.1:8080", "/api/v1/feeds/sections.rss");
  // @ts-expect-error: the body of a preview token takes expires_in_seconds, nothing else.
  await folio.POST("/api/v1/articles/{id}/preview-token", { params: { path: { id: 1 } }, body: { expires_in: 60 } });
  // @ts-expect-error: a translation is {id, locale, slug, title}: it has no url.
  article.translations[0]?.url;
  // @ts-expect-error: fallback is a comma-separated string, not a list.
  await folio.GET("/api/v1/articles", { params: { query: { locale: "fr", fallback: ["en"] } } });
}
