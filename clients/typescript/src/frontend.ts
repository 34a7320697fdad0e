// A program that uses the client the way a frontend does. `npm run check` type-checks
// it with --strict: the @ts-expect-error lines prove that mistakes do not compile.
import { createFolio, type Article } from "./index";

const folio = createFolio("http://127.0.0.1:8080");

export async function latestInSection(section: string) {
  const { data, error } = await folio.GET("/api/v1/articles", {
    params: { query: { section, tag: ["dry-needling"], sort: "-published_at", status: "published", per_page: 10 } },
  });
  if (error) throw new Error(error.detail);
  return data.data.map((a) => ({
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
  return data;
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
}
