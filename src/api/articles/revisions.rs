//! An article's revisions: every version, the current one included, newest first,
//! and restoring one as a new version. Editors read all; authors their own articles'.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::model::{ArticleResponse, CoverImage, SectionRef, Seo, TagRef};
use super::{changed, one_article, render};
use crate::api::caller::Caller;
use crate::api::error::{ApiError, Reply};
use crate::api::query::{PageParams, Query, QueryReader};
use crate::api::respond::{self, PageMeta};
use crate::api::state::AppState;
use crate::content::policy;
use crate::content::status::ArticleStatus;
use crate::store::articles;
use crate::store::articles::revisions::{self, Revision};
use crate::store::{Conn, PageRequest, StoreResult};

/// Who made a revision.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangedBy {
    #[schema(example = 2)]
    pub id: i64,
    #[schema(example = "Nick Lorem")]
    pub display_name: String,
}

/// What the article held at that version.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionContent {
    pub title: String,
    pub slug: String,
    pub excerpt: String,
    pub body_markdown: String,
    pub status: ArticleStatus,
    #[schema(required = true)]
    pub published_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub section: Option<SectionRef>,
    pub tags: Vec<TagRef>,
    pub seo: Seo,
    #[schema(required = true)]
    pub cover_image: Option<CoverImage>,
    #[schema(value_type = std::collections::HashMap<String, serde_json::Value>)]
    pub metadata: Value,
}

/// One version of an article.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionResponse {
    #[schema(example = 1)]
    pub version: i32,
    pub created_at: DateTime<Utc>,
    /// Null once that user has been deleted.
    #[schema(required = true)]
    pub changed_by: Option<ChangedBy>,
    pub article: RevisionContent,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionList {
    pub data: Vec<RevisionResponse>,
    pub meta: PageMeta,
}

impl From<Revision> for RevisionResponse {
    fn from(revision: Revision) -> Self {
        let s = revision.snapshot;
        Self {
            version: revision.version,
            created_at: revision.created_at.and_utc(),
            changed_by: revision.changed_by.map(|c| ChangedBy { id: c.id, display_name: c.display_name }),
            article: RevisionContent {
                title: s.title,
                slug: s.slug,
                excerpt: s.excerpt,
                body_markdown: s.body_markdown,
                status: s.status,
                published_at: s.published_at.map(|at| at.and_utc()),
                section: s.section.map(SectionRef::from),
                tags: s.tags.into_iter().map(TagRef::from).collect(),
                seo: s.seo.into(),
                cover_image: s.cover_image.map(CoverImage::from),
                metadata: Value::Object(s.metadata),
            },
        }
    }
}

fn readable(conn: &mut Conn, caller: &Caller, id: i64) -> StoreResult<()> {
    Ok(policy::may_read_history(&caller.who(), &articles::find(conn, id)?.facts())?)
}

/// Revision `version` of article `id`, when the caller may read the article's history.
/// A version beyond `i32` names no revision: 404.
async fn find(state: &AppState, caller: Caller, id: i64, version: i64) -> Result<Revision, ApiError> {
    let version = i32::try_from(version).map_err(|_| ApiError::NotFound)?;
    state
        .read(move |c| {
            readable(c, &caller, id)?;
            revisions::find_version(c, id, version)
        })
        .await
        .map_err(ApiError::from)
}

/// List an article's revisions.
#[utoipa::path(get, path = "/api/v1/articles/{id}/revisions", tag = "articles", operation_id = "list_revisions",
    params(("id" = i64, Path, description = "The article's id", minimum = 1), PageParams),
    responses(
        (status = 200, description = "Every version, the current one included, newest first. A deleted article's revisions go with it.", body = RevisionList, headers(
            ("X-Total-Count" = i64, description = "Revisions in all"))),
        crate::api::responses::ListRefused, crate::api::responses::GuardedOne,
    ),
    security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    page: Query<PageParams>,
    req: HttpRequest,
) -> Reply {
    let page = PageRequest::from(page.0);
    let id = id.into_inner();
    let found = state
        .read(move |c| {
            readable(c, &caller, id)?;
            revisions::list(c, id, page)
        })
        .await?;
    respond::page(&req, page, found, |data, meta| RevisionList { data, meta })
}

/// Get one revision of an article.
#[utoipa::path(get, path = "/api/v1/articles/{id}/revisions/{version}", tag = "articles", operation_id = "get_revision",
    params(
        ("id" = i64, Path, description = "The article's id", minimum = 1),
        ("version" = i64, Path, description = "The version", minimum = 1),
    ),
    responses(
        (status = 200, description = "The revision", body = RevisionResponse,
            headers(("ETag" = String, description = "Strong validator of the representation"))),
        crate::api::responses::ReadOne, crate::api::responses::NotAllowed,
    ),
    security(("bearer" = [])))]
pub async fn get(state: web::Data<AppState>, caller: Caller, path: web::Path<(i64, i64)>, req: HttpRequest) -> Reply {
    QueryReader::new(req.query_string()).finish()?;
    let (id, version) = path.into_inner();
    let body = RevisionResponse::from(find(&state, caller, id, version).await?);
    respond::resource(&req, &body, body.created_at)
}

/// Restore a revision as the article's next version.
#[utoipa::path(post, path = "/api/v1/articles/{id}/revisions/{version}/restore", tag = "articles", operation_id = "restore_revision",
    params(
        ("id" = i64, Path, description = "The article's id", minimum = 1),
        ("version" = i64, Path, description = "The version to bring back", minimum = 1),
    ),
    responses(
        (status = 200, description = "The article at a new version holding that revision's content (itself revertible)", body = ArticleResponse,
            headers(("ETag" = String, description = "Its new strong validator"))),
        (status = 409, description = "Another article now has that revision's slug", body = crate::api::error::Problem, content_type = "application/problem+json"),
        (status = 422, response = crate::api::responses::Invalid),
        crate::api::responses::GuardedOne,
    ),
    security(("bearer" = [])))]
pub async fn restore(state: web::Data<AppState>, caller: Caller, path: web::Path<(i64, i64)>) -> Reply {
    let (id, version) = path.into_inner();
    let revision = find(&state, caller.clone(), id, version).await?;
    let version = revision.version;
    // Rendered before the write, which then checks it is still this revision's body.
    let rendered = render(revision.snapshot.body_markdown).await?;
    let actor = caller.who();
    let article = state
        .write_audited(
            caller.actor(),
            |a| changed("restore", a),
            move |c| revisions::restore(c, id, version, &actor, rendered),
        )
        .await?;
    one_article(StatusCode::OK, article, caller.visibility())
}
