// A typed folio client: `createFolio("https://cms.example")` and every path, query
// and body is checked against openapi/openapi.json (via src/schema.d.ts).
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type Article = Schemas["ArticleResponse"];
export type ArticleSummary = Schemas["ArticleSummary"];

export function createFolio(baseUrl: string, accessToken?: string) {
  const headers: Record<string, string> = accessToken ? { Authorization: `Bearer ${accessToken}` } : {};
  return createClient<paths>({ baseUrl, headers });
}
