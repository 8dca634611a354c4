//! The JSON API under `/api/v1` (contract in DESIGN.md). Bodies are the store's and
//! the domain's own serde shapes, so the API and `hearth journal export` agree; errors
//! are `application/problem+json`.

use crate::AppState;
use crate::due::{DueBody, due_list, parse_request};
use crate::error::{ApiError, Failure, NO_CHILD, WebError, problem};
use crate::pages::{LIST_LIMIT, Listing, child_id, clean_query, store_query, today};
use crate::reader::Reader;
use crate::session::Caller;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use hearth_domain::event::{Event, EventData, OccurredAt};
use hearth_domain::ids::{Actor, ChildId, EventId, Subject};
use hearth_domain::journey::ChildState;
use hearth_store::{StoreError, Version};
use serde::{Deserialize, Serialize};

/// The most children one search returns.
pub const MAX_LIMIT: u32 = 500;

const ACTION: &str = "api read";
const WRITE_ACTION: &str = "api write";
/// Logged for each child a due list names.
const DUE_ACTION: &str = "api due list";
const SEARCH_ACTION: &str = "api search";

#[derive(Debug, Deserialize)]
pub(crate) struct SearchParams {
    #[serde(default)]
    q: String,
    limit: Option<u32>,
}

/// A child's folded state and the journal version it reflects: `{"version": N, ...}`.
#[derive(Debug, Serialize)]
struct ChildBody<'a> {
    version: Version,
    #[serde(flatten)]
    state: &'a ChildState,
}

fn json<T: Serialize>(value: &T) -> Result<Response, WebError> {
    let body = serde_json::to_vec(value)?;
    let mut response = (StatusCode::OK, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(response)
}

/// `GET /api/v1/children?q=…&limit=…`: matching children as `ChildSummary` objects.
pub(crate) async fn search(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Ok(Query(params)) = params else {
        return Ok(problem(
            StatusCode::BAD_REQUEST,
            "The query string could not be read: use q for the search and limit for a whole number of results.",
        ));
    };
    let limit = params.limit.unwrap_or(LIST_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Ok(problem(
            StatusCode::BAD_REQUEST,
            &format!("limit must be from 1 to {MAX_LIMIT}."),
        ));
    }
    let q = clean_query(&params.q);
    // Each child in the results is logged before they are sent.
    let found = reader(&app, &caller)
        .await?
        .search(&store_query(&q), limit, SEARCH_ACTION)
        .await?;
    Ok(json(&found)?)
}

async fn reader<'a>(app: &'a AppState, caller: &'a Caller) -> Result<Reader<'a>, WebError> {
    Ok(Reader::new(app.store.as_ref(), caller, (app.clock)()).await?)
}

/// `GET /api/v1/children/{id}`: the folded journey and its version.
pub(crate) async fn child(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let id = child_id(path)?;
    let Some(record) = reader(&app, &caller).await?.record(&id, ACTION).await? else {
        return Err(Failure::NotFound(NO_CHILD).into());
    };
    Ok(json(&ChildBody {
        version: record.version,
        state: &record.state,
    })?)
}

/// `GET /api/v1/children/{id}/journey`: the events, in journal order, exactly as serde
/// writes `Event`.
pub(crate) async fn journey(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let id = child_id(path)?;
    let Some((events, _version)) = reader(&app, &caller).await?.journey(&id, ACTION).await? else {
        return Err(Failure::NotFound(NO_CHILD).into());
    };
    Ok(json(&events)?)
}

#[derive(Debug, Deserialize)]
pub(crate) struct DueParams {
    as_at: Option<String>,
    team: Option<String>,
    worker: Option<String>,
}

/// `GET /api/v1/due?as_at=YYYY-MM-DD[&team=ID|&worker=ID]`: what is overdue, what falls
/// due in the next ten working days and what was met late in the last month, as at the
/// day (default today), per team and worker, and each obligation with its rule. Every
/// child the list names is written to the access log first, in one go.
pub(crate) async fn due(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    params: Result<Query<DueParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    due_body(app, caller, params, Listing::Children).await
}

/// `GET /api/v1/due/counts`: the same document without the obligations, for someone who
/// may see figures but no child (a performance analyst). It names no child, so nothing
/// is written to the access log.
pub(crate) async fn due_counts(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    params: Result<Query<DueParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    due_body(app, caller, params, Listing::CountsOnly).await
}

async fn due_body(
    app: AppState,
    caller: Caller,
    params: Result<Query<DueParams>, QueryRejection>,
    listing: Listing,
) -> Result<Response, ApiError> {
    let Ok(Query(params)) = params else {
        return Ok(problem(
            StatusCode::BAD_REQUEST,
            "The query string could not be read: use as_at=YYYY-MM-DD, and team or worker.",
        ));
    };
    let now = (app.clock)();
    let request = parse_request(
        params.as_at.as_deref(),
        params.team.as_deref(),
        params.worker.as_deref(),
        today(now),
    );
    let (as_at, held_by) = match request {
        Ok(request) => request,
        Err(e) => {
            return Ok(problem(
                StatusCode::BAD_REQUEST,
                &format!("{}.", capitalised(&e)),
            ));
        }
    };
    let authority = app.authority.get(app.store.as_ref()).await?;
    let mut list = match due_list(app.store.as_ref(), &authority, as_at, &held_by).await {
        Ok(list) => list,
        Err(e) if e.is_bad_request() => {
            return Ok(problem(
                StatusCode::BAD_REQUEST,
                &format!("{}.", capitalised(&e)),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let reader = reader(&app, &caller).await?;
    reader.hide_restricted(&mut list).await?;
    if listing == Listing::CountsOnly {
        return Ok(json(&DueBody {
            obligations: &[],
            ..DueBody::new(&list, &held_by)
        })?);
    }
    let shown: Vec<ChildId> = list.children.keys().cloned().collect();
    reader.log_shown(&shown, DUE_ACTION).await?;
    Ok(json(&DueBody::new(&list, &held_by))?)
}

/// What a client sends to record one event on a child's journey: the event as the
/// journal export writes it, less what the server decides (the subject, from the path;
/// when it was recorded, and by whom), plus the journey version it was based on.
#[derive(Debug, Deserialize)]
pub(crate) struct NewEvent {
    version: Version,
    id: EventId,
    occurred_at: OccurredAt,
    #[serde(flatten)]
    data: EventData,
}

/// The journey's version once an event is written.
#[derive(Debug, Serialize)]
struct Written {
    version: Version,
}

/// `POST /api/v1/children/{id}/events`: append one event, provided the journey is still
/// at the version the client read. 201 with the new version; 409 if the journey moved
/// on or the event id is taken; 422 if the domain refuses the event; the journal is
/// unchanged by any refusal.
pub(crate) async fn append(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<String>, PathRejection>,
    body: Result<Json<NewEvent>, JsonRejection>,
) -> Result<Response, ApiError> {
    let id = child_id(path)?;
    let new = match body {
        Ok(Json(new)) => new,
        Err(rejection) => {
            return Ok(problem(
                StatusCode::BAD_REQUEST,
                &format!("The event could not be read: {}.", rejection.body_text()),
            ));
        }
    };
    // Writing to a record one may not see would tell whether it exists.
    let reader = reader(&app, &caller).await?;
    if !reader.allowed(&id, WRITE_ACTION).await? {
        return Err(Failure::NotFound(NO_CHILD).into());
    }
    let subject = Subject::Child(id.clone());
    let event = Event {
        id: new.id,
        subject: subject.clone(),
        occurred_at: new.occurred_at,
        recorded_at: (app.clock)(),
        recorded_by: actor(&caller),
        data: new.data,
    };
    let version = match app.store.append(new.version, vec![event]).await {
        Ok(version) => version,
        // These messages name ids, kinds, dates and versions, never a person's details.
        Err(e @ (StoreError::Conflict { .. } | StoreError::DuplicateEvent(_))) => {
            return Ok(problem(
                StatusCode::CONFLICT,
                &format!("{}.", capitalised(&e)),
            ));
        }
        Err(e @ (StoreError::Invalid(_) | StoreError::MixedSubjects)) => {
            return Ok(problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("{}.", capitalised(&e)),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    reader.log(&id, WRITE_ACTION).await?;
    let mut response = json(&Written { version })?;
    *response.status_mut() = StatusCode::CREATED;
    Ok(response)
}

/// `GET /api/v1/openapi.json`: the API described (`crate::openapi`).
pub(crate) async fn openapi() -> Result<Response, ApiError> {
    Ok(json(&crate::openapi::document())?)
}

/// Who the journal names as recording an API write: the signed-in user.
fn actor(caller: &Caller) -> Actor {
    // A user name is letters, digits, '.', '-', '_' and '@', all of which an actor
    // name allows (a test pins it), so parsing cannot fail.
    Actor::parse(caller.actor()).unwrap_or_else(|_| unreachable!("a user name is an actor name"))
}

pub(crate) fn capitalised(e: &dyn std::fmt::Display) -> String {
    let message = e.to_string();
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_user_name_is_an_actor_name() {
        for name in [
            "sam.patel",
            "a",
            "sam_patel-2",
            "sam@kent.gov.uk",
            &"x".repeat(64),
        ] {
            assert!(
                hearth_domain::access::UserName::parse(name).is_ok(),
                "{name}"
            );
            assert!(hearth_domain::ids::Actor::parse(name).is_ok(), "{name}");
        }
    }
}
