//! The OpenAPI 3.1 `webhooks` object: every event folio POSTs to a webhook, with its
//! headers and payload. utoipa 5 has no field for it, so it is added to the generated
//! JSON ([`object`]); the payload schemas are components like any other.

use serde_json::{json, Map, Value};

pub use envelopes::{ArticleEvent, MediaEvent, PingEvent, SectionEvent, TagEvent};

/// The bodies as documented; folio builds them in [`crate::webhooks::body`].
mod envelopes {
    #![expect(dead_code, reason = "read by the OpenAPI derive only")]
    use chrono::{DateTime, Utc};
    use utoipa::ToSchema;

    use crate::content::events::{ArticleEventData, MediaEventData, PingEventData, SectionEventData, TagEventData};

    macro_rules! envelopes {
        ($($(#[$attr:meta])* $name:ident: $data:ty, $example:literal;)+) => {$(
            $(#[$attr])*
            #[derive(ToSchema)]
            pub struct $name {
                /// The event type.
                #[serde(rename = "type")]
                #[schema(example = $example)]
                kind: String,
                /// When the event happened (UTC); the same on every attempt.
                timestamp: DateTime<Utc>,
                /// The event's id, increasing with each event: also its `webhook-id` header,
                /// by which a receiver drops a repeated delivery.
                #[schema(example = 42)]
                sequence: i64,
                data: $data,
            }
        )+};
    }

    envelopes! {
        /// An `article.*` event.
        ArticleEvent: ArticleEventData, "article.published";
        /// A `section.*` event.
        SectionEvent: SectionEventData, "section.created";
        /// A `tag.*` event.
        TagEvent: TagEventData, "tag.created";
        /// A `media.*` event.
        MediaEvent: MediaEventData, "media.created";
        /// The test event of `POST /api/v1/webhooks/{id}/test`.
        PingEvent: PingEventData, "ping";
    }
}

/// The security scheme by which a receiver authenticates folio's requests: their
/// Standard Webhooks signature.
pub const SIGNATURE_SCHEME: &str = "webhookSignature";

/// Each event: its name, payload schema and when it is sent.
const EVENTS: [(&str, &str, &str); 13] = [
    ("article.published", "ArticleEvent", "An article became live: published now, or a scheduled article's `published_at` came (within 10 s, with no request to cause it; announced once)."),
    ("article.updated", "ArticleEvent", "A live article changed and is still live."),
    ("article.unpublished", "ArticleEvent", "A live article stopped being live: made a draft, archived, or rescheduled into the future."),
    ("article.deleted", "ArticleEvent", "An article was deleted, whatever its status; `data` is the article as it was."),
    ("section.created", "SectionEvent", "A section was created."),
    ("section.updated", "SectionEvent", "A section was changed."),
    ("section.deleted", "SectionEvent", "A section was deleted; `data` is the section as it was."),
    ("tag.created", "TagEvent", "A tag was created, also when an editor's article named a new one."),
    ("tag.updated", "TagEvent", "A tag was changed."),
    ("tag.deleted", "TagEvent", "A tag was deleted and detached from its articles; `data` is the tag as it was."),
    ("media.created", "MediaEvent", "A file was uploaded (each upload, also of bytes already stored)."),
    ("media.deleted", "MediaEvent", "A media item was deleted; `data` is the item as it was."),
    ("ping", "PingEvent", "Sent to one webhook by `POST /api/v1/webhooks/{id}/test`, whatever its events."),
];

fn header(name: &str, description: &str, example: &str) -> Value {
    json!({"name": name, "in": "header", "required": true, "description": description,
        "schema": {"type": "string"}, "example": example})
}

/// The `webhooks` object of the document.
pub fn object() -> Value {
    let headers = [
        header("webhook-id", "The event's id (its `sequence`), the same on every attempt: deduplicate by it", "42"),
        header("webhook-timestamp", "When this attempt was signed, in Unix seconds", "1764547200"),
        header(
            "webhook-signature",
            "Standard Webhooks 1.0: `v1,` + base64 of HMAC-SHA256 over `{webhook-id}.{webhook-timestamp}.{body}`, \
             keyed with the base64-decoded part of the webhook's secret after `whsec_`",
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        ),
    ];
    let mut webhooks = Map::new();
    for (name, schema, description) in EVENTS {
        let operation = json!({
            "operationId": format!("{}_event", name.replace('.', "_")),
            "tags": ["webhooks"],
            "summary": format!("The `{name}` event"),
            "description": format!("{description} Sent at least once; a 2xx within 10 s ends it, anything \
                else is retried on `FOLIO_WEBHOOK_RETRIES`."),
            "parameters": headers,
            "requestBody": {"required": true, "content": {"application/json": {
                "schema": {"$ref": format!("#/components/schemas/{schema}")}}}},
            "responses": {"2XX": {"description": "Received"}},
            "security": [{SIGNATURE_SCHEME: []}],
        });
        webhooks.insert(name.to_owned(), json!({"post": operation}));
    }
    Value::Object(webhooks)
}
