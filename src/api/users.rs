//! Users (admin only): list, create, read, change, delete.

use actix_web::http::StatusCode;
use actix_web::web::{Data, Path};
use actix_web::HttpResponse;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::admin;
use super::caller::Caller;
use super::error::{ApiError, Problem, Reply};
use super::json::{self, Validating};
use super::query::{FromQuery, Query, QueryReader};
use super::respond;
use super::state::AppState;
use crate::auth::password;
use crate::auth::Role;
use crate::domain::{Description, DisplayName, Email, Password};
use crate::store::audit::Change;
use crate::store::users::{self, NewUser, User, UserChanges};

/// A user account. The password hash never leaves the server.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserResponse {
    #[schema(example = 1)]
    pub id: i64,
    /// Lower-cased; unique case-insensitively.
    #[schema(example = "nick@example.com")]
    pub email: String,
    #[schema(example = "Nick Lorem")]
    pub display_name: String,
    pub role: Role,
    #[schema(required = true, example = "Physiotherapist and clinic director.")]
    pub bio: Option<String>,
    /// A disabled user cannot log in and their tokens stop working.
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<User> for UserResponse {
    fn from(user: User) -> Self {
        Self {
            id: user.id,
            email: user.email,
            display_name: user.display_name,
            role: user.role,
            bio: user.bio,
            disabled: user.disabled,
            created_at: user.created_at.and_utc(),
            updated_at: user.updated_at.and_utc(),
        }
    }
}

/// A new user.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub email: Email,
    /// At least 12 characters.
    pub password: Password,
    pub display_name: DisplayName,
    pub role: Role,
    pub bio: Option<Description>,
}

json::patch_body! {
    /// Changes to a user; absent fields stay as they are. A new password, role or
    /// `disabled` revokes the user's refresh tokens.
    pub struct UpdateUser {
        email: Email as Email,
        password: Password as Password,
        display_name: DisplayName as DisplayName,
        role: Role as Role,
        /// `null` clears it.
        bio: Description as Option<Description>,
        disabled: bool as bool,
    }
}

#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteUserParams {
    /// The user who receives the deleted user's articles; needed when they have any.
    #[param(minimum = 1)]
    pub reassign_to: Option<i64>,
}

impl FromQuery for DeleteUserParams {
    fn read(query: &mut QueryReader) -> Self {
        Self { reassign_to: query.int("reassign_to", 1, i64::MAX) }
    }
}

admin::reads! {
    UserList of UserResponse from users,
        last_modified |user: &UserResponse| user.updated_at, allowed require_admin;
    tag "users", path "/api/v1/users";
    /// List users.
    list "list_users", page "A page of users", all "Users in all";
    /// Get a user.
    get "get_user", id "The user's id", one "The user"
}

/// Hashes on the hash lane, like every password check (503 when it is full).
async fn hash(state: &AppState, password: Password) -> Result<String, ApiError> {
    state
        .hashes
        .run(move || password::hash(password.as_str()))
        .await?
        .map_err(|e| ApiError::internal(anyhow::anyhow!("hashing failed: {e}")))
}

/// Create a user.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", operation_id = "create_user",
    request_body = CreateUser,
    responses(
        (status = 201, description = "The new user", body = UserResponse,
            headers(("Location" = String, description = "The user's URL"))),
        (status = 409, description = "The email is taken", body = Problem, content_type = "application/problem+json"),
        super::responses::HashesBusy, super::responses::BodyRefused, super::responses::NotAllowed,
    ),
    security(("bearer" = [])))]
pub async fn create(state: Data<AppState>, caller: Caller, body: Validating<CreateUser>) -> Reply {
    caller.require_admin()?;
    let Validating { body: input, errors } = body;
    errors.finish(()).map_err(ApiError::invalid)?;
    let password_hash = hash(&state, input.password).await?;
    let user = state
        .write_audited(
            caller.actor(),
            |u: &User| Change::new("create", "user", u.id),
            move |c| {
                users::create(
                    c,
                    NewUser {
                        email: input.email.as_str(),
                        password_hash: &password_hash,
                        display_name: input.display_name.as_str(),
                        role: input.role.as_str(),
                        bio: input.bio.as_ref().map(Description::as_str),
                    },
                )
            },
        )
        .await?;
    respond::created(format!("/api/v1/users/{}", user.id), &UserResponse::from(user))
}

/// Change a user.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", operation_id = "update_user",
    params(("id" = i64, Path, description = "The user's id", minimum = 1)),
    request_body = UpdateUser,
    responses(
        (status = 200, description = "The changed user", body = UserResponse),
        (status = 409, description = "The email is taken, or an admin tried to demote or disable themself", body = Problem, content_type = "application/problem+json"),
        super::responses::HashesBusy, super::responses::BodyRefused, super::responses::GuardedOne,
    ),
    security(("bearer" = [])))]
pub async fn update(state: Data<AppState>, caller: Caller, id: Path<i64>, body: Validating<UpdateUser>) -> Reply {
    caller.require_admin()?;
    let id = id.into_inner();
    let Validating { body: input, mut errors } = body;
    let new_password = input.password.required(&mut errors, "/password");
    let mut changes = UserChanges {
        email: input.email.required(&mut errors, "/email").map(String::from),
        display_name: input.display_name.required(&mut errors, "/display_name").map(String::from),
        role: input.role.required(&mut errors, "/role").map(|role| role.as_str().to_owned()),
        disabled: input.disabled.required(&mut errors, "/disabled"),
        bio: input.bio.nullable().map(|bio| bio.map(String::from)),
        ..UserChanges::default()
    };
    errors.finish(()).map_err(ApiError::invalid)?;
    if id == caller.id
        && (changes.role.as_deref().is_some_and(|r| r != caller.role.as_str()) || changes.disabled == Some(true))
    {
        return Err(ApiError::Conflict("an admin cannot demote or disable themself; ask another admin".into()));
    }
    if let Some(p) = new_password {
        changes.password_hash = Some(hash(&state, p).await?);
    }
    let user = state
        .write_audited(
            caller.actor(),
            move |_| Change::new("update", "user", id),
            move |c| users::update(c, id, changes),
        )
        .await?;
    Ok(respond::json(StatusCode::OK, respond::tagged(&UserResponse::from(user))?))
}

/// Delete a user.
#[utoipa::path(delete, path = "/api/v1/users/{id}", tag = "users", operation_id = "delete_user",
    params(("id" = i64, Path, description = "The user's id", minimum = 1), DeleteUserParams),
    responses(
        (status = 204, description = "Deleted; their articles, if any, now belong to `reassign_to`"),
        (status = 409, description = "The user has articles and no `reassign_to` was given, or the admin named themself", body = Problem, content_type = "application/problem+json"),
        (status = 422, response = super::responses::Invalid),
        super::responses::GuardedOne,
    ),
    security(("bearer" = [])))]
pub async fn delete(state: Data<AppState>, caller: Caller, id: Path<i64>, params: Query<DeleteUserParams>) -> Reply {
    caller.require_admin()?;
    let id = id.into_inner();
    let reassign_to = params.0.reassign_to;
    if id == caller.id {
        return Err(ApiError::Conflict("an admin cannot delete themself".into()));
    }
    state
        .write_audited(
            caller.actor(),
            move |_| Change::new("delete", "user", id),
            move |c| users::delete(c, id, reassign_to),
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
