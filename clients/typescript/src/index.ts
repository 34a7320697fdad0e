// A typed folio client: `createFolio("https://cms.example")` and every path, query
// and body is checked against openapi/openapi.json (via src/schema.d.ts).
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type Article = Schemas["ArticleResponse"];
export type ArticleSummary = Schemas["ArticleSummary"];
/** An article or list item cut by `fields=` to `id` and the fields named. */
export type ArticleSelection = Schemas["ArticleSelection"];

/**
 * Reads and list items are whole unless `fields=` was sent, and the spec says they may be
 * either: this says which for a request without `fields=` (and checks it).
 */
export function whole<T extends Article | ArticleSummary>(item: T | ArticleSelection): T {
  if (!("updated_at" in item && "slug" in item && "version" in item)) {
    throw new Error(`article ${item.id} came cut to some fields`);
  }
  return item as T;
}

export function createFolio(baseUrl: string, accessToken?: string) {
  const headers: Record<string, string> = accessToken ? { Authorization: `Bearer ${accessToken}` } : {};
  return createClient<paths>({ baseUrl, headers });
}
