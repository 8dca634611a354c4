//! The JSON API under `/api/v1` (contract in DESIGN.md). Bodies are the store's and
//! the domain's own serde shapes, so the API and `hearth journal export` agree; errors
//! are `application/problem+json`.

use crate::AppState;
use crate::error::{ApiError, Failure, NO_CHILD, NO_CONTACT, WebError, problem};
use crate::pages::{LIST_LIMIT, child_id, clean_query, store_query, today};
use crate::routes::API_PREFIX;
use crate::session::Caller;
use axum::Extension;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hearth_app::due::{DueBody, Listing, parse_request};
use hearth_app::intake::read_json;
use hearth_app::{AppError, CandidateView, ChildDecision, ContactError, ContactView};
use hearth_domain::access::SearchResults;
use hearth_domain::amounts::Pence;
use hearth_domain::codes::{Agency, ContactOutcome, PrimaryNeed, Rag};
use hearth_domain::contact::{ContactState, ContactStatus, IntakeError, IntakeProblem};
use hearth_domain::event::{ContactRouted, EventData, OccurredAt};
use hearth_domain::forms;
use hearth_domain::ids::{
    Actor, ChildId, ContactId, EventId, FamilyId, PersonRef, TeamId, WorkerId,
};
use hearth_domain::journey::ChildState;
use hearth_domain::people::{Name, PersonDetails};
use hearth_store::{ChildSummary, HeldBy, StoreError, Version};
use jiff::civil::Date;
use serde::de::DeserializeOwned;
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
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct ChildBody<'a> {
    /// The journey's version: how many events it holds.
    #[schema(value_type = u64)]
    version: Version,
    #[serde(flatten)]
    state: &'a ChildState,
}

pub(crate) fn json<T: Serialize>(value: &T) -> Result<Response, WebError> {
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
    let found = app
        .cases
        .search(
            &caller.doing(SEARCH_ACTION),
            (app.clock)(),
            &store_query(&q),
            limit,
        )
        .await?;
    match caller.role.search_results() {
        SearchResults::Summary => Ok(json(&found)?),
        SearchResults::IdentityOnly => {
            let identities: Vec<ChildIdentity> = found.iter().map(ChildIdentity::of).collect();
            Ok(json(&identities)?)
        }
    }
}

/// Who a child is, and where to see who opened their record: all that search shows
/// someone who may not read records (`SearchResults::IdentityOnly`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct ChildIdentity<'a> {
    id: &'a ChildId,
    name: &'a Name,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_of_birth: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expected_date_of_birth: Option<Date>,
    /// Where to see who opened the record: `/children/ID/access-log`.
    access_log: String,
}

impl<'a> ChildIdentity<'a> {
    fn of(child: &'a ChildSummary) -> Self {
        ChildIdentity {
            id: &child.id,
            name: &child.name,
            date_of_birth: child.date_of_birth,
            expected_date_of_birth: child.expected_date_of_birth,
            access_log: format!("/children/{}/access-log", child.id),
        }
    }
}

/// `GET /api/v1/children/{id}`: the folded journey and its version.
pub(crate) async fn child(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let id = child_id(path)?;
    let who = caller.doing(ACTION);
    let Some(record) = app.cases.child_record(&who, (app.clock)(), &id).await? else {
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
    let who = caller.doing(ACTION);
    let Some((events, _version)) = app.cases.child_journey(&who, (app.clock)(), &id).await? else {
        return Err(Failure::NotFound(NO_CHILD).into());
    };
    Ok(json(&events)?)
}

#[derive(Debug, Deserialize)]
pub(crate) struct DueParams {
    as_at: Option<String>,
    team: Option<String>,
    worker: Option<String>,
    offset: Option<usize>,
    limit: Option<usize>,
}

/// How many obligations a page of the whole authority's due list holds unless asked
/// for fewer, and the most any page holds: a county's whole list is thousands.
pub const DUE_PAGE: usize = 500;

/// `GET /api/v1/due?as_at=YYYY-MM-DD[&team=ID|&worker=ID][&offset=N&limit=N]`: what is
/// overdue, what falls due in the next ten working days and what was met late in the
/// last month, as at the day (default today), per team and worker, and each obligation
/// with its rule: the whole authority's a page of [`DUE_PAGE`] at a time, with `count`,
/// `offset` and `limit` saying where the page is. Every child the page names is written
/// to the access log first, in one go.
pub(crate) async fn due(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    params: Result<Query<DueParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    due_body(app, caller, params, false).await
}

/// `GET /api/v1/due/counts`: the same document without the obligations, for someone who
/// may see figures but no child (a performance analyst). It names no child, so nothing
/// is written to the access log.
pub(crate) async fn due_counts(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    params: Result<Query<DueParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    due_body(app, caller, params, true).await
}

async fn due_body(
    app: AppState,
    caller: Caller,
    params: Result<Query<DueParams>, QueryRejection>,
    counts_only: bool,
) -> Result<Response, ApiError> {
    let Ok(Query(params)) = params else {
        return Ok(problem(
            StatusCode::BAD_REQUEST,
            "The query string could not be read: use as_at=YYYY-MM-DD, team or worker, and offset and limit as whole numbers.",
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
    // The whole authority's list comes a page at a time; a team's or a worker's whole,
    // unless a page is asked for.
    let offset = params.offset.unwrap_or(0);
    let limit = match (params.limit, &held_by) {
        (Some(limit), _) => Some(limit.min(DUE_PAGE)),
        (None, HeldBy::Anyone) => Some(DUE_PAGE),
        (None, _) => None,
    };
    let listing = if counts_only {
        Listing::CountsOnly
    } else {
        Listing::Page {
            offset,
            limit: limit.unwrap_or(usize::MAX),
        }
    };
    let authority = app.cases.authority(as_at).await?;
    // Every child the page names is logged as it is drawn up, before it is sent.
    let who = caller.doing(DUE_ACTION);
    let list = match app
        .cases
        .due_list(&who, now, &authority, as_at, &held_by, listing)
        .await
    {
        Ok(list) => list,
        Err(AppError::Due(e)) if e.is_bad_request() => {
            return Ok(problem(
                StatusCode::BAD_REQUEST,
                &format!("{}.", capitalised(&e)),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    if listing == Listing::CountsOnly {
        return Ok(json(&DueBody {
            obligations: &[],
            ..DueBody::new(&list, &held_by)
        })?);
    }
    Ok(json(&DueBody::page(&list, &held_by, offset, limit))?)
}

/// What a client sends to record one event on a child's journey: the event as the
/// journal export writes it, less what the server decides (the subject, from the path;
/// when it was recorded, and by whom), plus the journey version it was based on.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(crate) struct NewEvent {
    /// The version of the journey the event was based on: how many events it held.
    #[schema(value_type = u64)]
    version: Version,
    id: EventId,
    occurred_at: OccurredAt,
    #[serde(flatten)]
    data: EventData,
}

/// The body of a write sent as JSON, or the answer refusing it: too large, cut short,
/// or not sent as JSON. `what` names what the body is ("event").
fn json_body(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    what: &str,
) -> Result<Bytes, Box<Response>> {
    let body = match body {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Err(Box::new(too_large()));
        }
        Err(_) => {
            return Err(Box::new(problem(
                StatusCode::BAD_REQUEST,
                &format!("The {what} could not be read: the body did not arrive whole."),
            )));
        }
    };
    if !is_json(headers) {
        return Err(Box::new(problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            &format!("Send the {what} as JSON, with Content-Type: application/json."),
        )));
    }
    Ok(body)
}

/// The body of a write as a `T`, or the answer refusing it: as [`json_body`], or a 400
/// saying what is wrong with it in a plain phrase naming the field. `what` names what
/// the body is ("link").
fn read_body<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    what: &str,
) -> Result<T, Box<Response>> {
    let body = json_body(headers, body, what)?;
    let refused = |why: String| {
        Box::new(problem(
            StatusCode::BAD_REQUEST,
            &format!("The {what} could not be read: {why}."),
        ))
    };
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return Err(refused(String::from("the body is not JSON")));
    };
    serde_path_to_error::deserialize::<_, T>(&value)
        .map_err(|e| refused(describe(&e.path().to_string(), &e.inner().to_string())))
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| {
            let t = t.trim();
            t.eq_ignore_ascii_case("application/json")
                || (t.starts_with("application/") && t.ends_with("+json"))
        })
}

/// The body as a [`NewEvent`], or what is wrong with it in plain sentences: for a kind
/// a practitioner records through a form, a payload the form would refuse is refused
/// in the form's own words (`hearth_domain::forms`), so the page and the API cannot
/// disagree; anything else names the field, never in the parser's own words, which
/// describe Rust types, not the API.
fn read_event(body: &[u8]) -> Result<NewEvent, String> {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body)
        && let Some(refused) = refused_by_form(&value)
    {
        return Err(refused);
    }
    read_envelope(body).map_err(|why| format!("The event could not be read: {why}."))
}

/// What the kind's form says is wrong with the event's `data`, if it has a form and
/// the data is an object of its fields with values a form could have sent (text,
/// yes or no, numbers, lists of them); otherwise the reading of the JSON judges it.
fn refused_by_form(value: &serde_json::Value) -> Option<String> {
    use serde_json::Value as J;
    let kind = value.get("kind")?.as_str()?;
    let form = forms::form(kind)?;
    let data = value.get("data")?.as_object()?;
    let text = |v: &J| match v {
        J::String(s) => Some(s.clone()),
        J::Bool(b) => Some(String::from(if *b { "yes" } else { "no" })),
        J::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let mut pairs = Vec::new();
    for (name, v) in data {
        let field = form.fields.iter().find(|f| f.name == name)?;
        // Money is whole pence in JSON, pounds and pence on a form.
        if matches!(field.input, forms::Input::Money)
            && let Some(pence) = v.as_u64()
        {
            let pence = u32::try_from(pence).ok()?;
            pairs.push((name.clone(), Pence(pence).pounds()));
            continue;
        }
        match v {
            J::Null => {}
            J::Array(items) => {
                for item in items {
                    pairs.push((name.clone(), text(item)?));
                }
            }
            other => pairs.push((name.clone(), text(other)?)),
        }
    }
    let errors = forms::parse(kind, &forms::Submitted::new(&pairs))?.err()?;
    Some(
        errors
            .iter()
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// The body as a [`NewEvent`], or what is wrong with it in a plain phrase naming the
/// field.
fn read_envelope(body: &[u8]) -> Result<NewEvent, String> {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Err(String::from("the body is not JSON"));
    };
    let Some(object) = value.as_object() else {
        return Err(String::from(
            "send one JSON object, the event and the version it was based on",
        ));
    };
    let envelope = match serde_path_to_error::deserialize::<_, NewEvent>(&value) {
        Ok(new) => return Ok(new),
        Err(e) => e,
    };
    let envelope_path = envelope.path().to_string();
    if !is_root(&envelope_path) {
        return Err(describe(&envelope_path, &envelope.inner().to_string()));
    }
    // The payload is flattened into the event, and serde cannot say where in it a
    // value failed; read the kind and data again on their own, where it can.
    if let (Some(kind), Some(data)) = (object.get("kind"), object.get("data")) {
        // Kind first, as text: given the data before the kind, serde buffers it and
        // loses the path.
        let payload = format!(r#"{{"kind":{kind},"data":{data}}}"#);
        let mut json = serde_json::Deserializer::from_str(&payload);
        if let Err(e) = serde_path_to_error::deserialize::<_, EventData>(&mut json) {
            return Err(describe(&e.path().to_string(), &e.inner().to_string()));
        }
    }
    Err(describe(&envelope_path, &envelope.inner().to_string()))
}

fn is_root(path: &str) -> bool {
    path.is_empty() || path == "."
}

/// A plain phrase for serde's `message` about the value at `path`.
fn describe(path: &str, message: &str) -> String {
    let within = |name: &str| {
        if is_root(path) {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        }
    };
    // A field name is quoted only when it is one an event could have: anything else
    // was typed by the caller, and is not echoed.
    let quoted = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|rest| rest.split_once('`'))
            .map(|(name, _)| name)
            .filter(|name| {
                !name.is_empty()
                    && name.len() <= 40
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            })
    };
    if let Some(name) = quoted("missing field `") {
        return format!("the field `{}` is missing", within(name));
    }
    if message.starts_with("unknown field `") {
        return match quoted("unknown field `") {
            Some(name) => format!("the field `{}` is not one this event has", within(name)),
            None => String::from("it has a field no event has"),
        };
    }
    if is_root(path) {
        if message.starts_with("unknown variant") {
            return String::from("the field `kind` is not valid");
        }
        return String::from("it is not an event this API knows");
    }
    format!("the field `{path}` is not valid")
}

/// The journey's version once an event is written.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct Written {
    /// The journey's version with the event written.
    #[schema(value_type = u64)]
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
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let id = child_id(path)?;
    let body = match json_body(&headers, body, "event") {
        Ok(body) => body,
        Err(refused) => return Ok(*refused),
    };
    let new = match read_event(&body) {
        Ok(new) => new,
        Err(detail) => return Ok(problem(StatusCode::BAD_REQUEST, &detail)),
    };
    let new = hearth_app::NewEvent {
        version: new.version,
        id: new.id,
        occurred_at: new.occurred_at,
        data: new.data,
    };
    let who = caller.doing(WRITE_ACTION);
    let version = match app.cases.record_event(&who, (app.clock)(), &id, new).await {
        Ok(version) => version,
        Err(AppError::NoChild) => return Err(Failure::NotFound(NO_CHILD).into()),
        // These messages name ids, kinds, dates and versions, never a person's details.
        Err(AppError::NotRecordable(e)) => {
            return Ok(problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("{}.", capitalised(&e)),
            ));
        }
        Err(AppError::Store(e @ (StoreError::Conflict { .. } | StoreError::DuplicateEvent(_)))) => {
            return Ok(problem(
                StatusCode::CONFLICT,
                &format!("{}.", capitalised(&e)),
            ));
        }
        Err(AppError::Store(e @ (StoreError::Invalid(_) | StoreError::MixedSubjects))) => {
            return Ok(problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("{}.", capitalised(&e)),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let mut response = json(&Written { version })?;
    *response.status_mut() = StatusCode::CREATED;
    Ok(response)
}

/// Logged for each contact a partner is shown.
const PARTNER_ACTION: &str = "partner outcome";

/// The contact id in the path, or not found.
fn contact_id(path: Result<Path<String>, PathRejection>) -> Result<ContactId, Failure> {
    let Ok(Path(raw)) = path else {
        return Err(Failure::NotFound(NO_CONTACT));
    };
    ContactId::parse(&raw).map_err(|_| Failure::NotFound(NO_CONTACT))
}

/// The answer to a front-door use case's refusal: the one rule's names the field (422),
/// a step the contact's journey refuses names ids and kinds (422), a contact changed
/// since it was read is a conflict (409).
fn contact_refusal(e: ContactError) -> Result<Response, ApiError> {
    match e {
        ContactError::App(e) => Err(e.into()),
        ContactError::NoContact => Err(Failure::NotFound(NO_CONTACT).into()),
        ContactError::Intake(e) => Ok(intake_refusal(&e)),
        ContactError::NotAllowed(e) => Ok(problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!("{}.", capitalised(&e)),
        )),
        ContactError::Changed => Ok(problem(
            StatusCode::CONFLICT,
            &format!("{}.", capitalised(&ContactError::Changed)),
        )),
    }
}

/// A contact the readers or the one rule refused: 400 for a body that is not JSON at
/// all, otherwise 422, the detail naming the field and never what it held.
fn intake_refusal(e: &IntakeError) -> Response {
    let status = match e.problem {
        IntakeProblem::NotJson { .. } | IntakeProblem::NotUtf8 => StatusCode::BAD_REQUEST,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    problem(status, &format!("The contact was refused: {e}."))
}

/// A contact received: its new id, and where to ask for its outcome.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct ContactCreated {
    id: ContactId,
    /// Where the partner who sent it asks for its outcome:
    /// `/api/v1/contacts/ID/outcome`.
    outcome: String,
}

/// `POST /api/v1/contacts`: receive a contact (a [`ContactSubmission`]). 201 with its id
/// and `Location: /api/v1/contacts/ID`; a body the one rule refuses is 422 naming the
/// field, and nothing is written.
pub(crate) async fn submit_contact(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = match json_body(&headers, body, "contact") {
        Ok(body) => body,
        Err(refused) => return Ok(*refused),
    };
    let now = (app.clock)();
    let contact = match read_json(&body, today(now)) {
        Ok(contact) => contact,
        Err(e) => return Ok(intake_refusal(&e)),
    };
    let who = caller.doing(WRITE_ACTION);
    let id = match app.cases.receive_contact(&who, now, contact).await {
        Ok(id) => id,
        Err(e) => return contact_refusal(e),
    };
    let location = format!("{API_PREFIX}/contacts/{id}");
    let mut response = json(&ContactCreated {
        outcome: format!("{location}/outcome"),
        id,
    })?;
    *response.status_mut() = StatusCode::CREATED;
    if let Ok(location) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// `GET /api/v1/contacts`: the contacts the caller sent in, newest first, as a partner
/// sees them. Each is logged.
pub(crate) async fn my_contacts(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, ApiError> {
    let who = caller.doing(PARTNER_ACTION);
    match app.cases.my_contacts(&who, (app.clock)()).await {
        Ok(views) => Ok(json(&views)?),
        Err(e) => contact_refusal(e),
    }
}

/// `GET /api/v1/contacts/{id}/outcome`: what became of a contact the caller sent in.
/// Anyone else's reads as not found. Logged.
pub(crate) async fn contact_outcome(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let id = contact_id(path)?;
    let who = caller.doing(PARTNER_ACTION);
    match app.cases.contact_outcome(&who, (app.clock)(), &id).await {
        Ok(view) => Ok(json(&view)?),
        Err(e) => contact_refusal(e),
    }
}

/// Logged for each contact a screener reads or changes (and each child shown with it).
const SCREEN_ACTION: &str = "api front door";

/// A contact as a screener reads it: its state and version, and for each person it
/// gives who they are linked to and the records that may be them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct ContactBody<'a> {
    /// The version to link at: how many events the contact's journey holds.
    #[schema(value_type = u64)]
    version: Version,
    status: ContactStatus,
    /// Who sent it in.
    #[schema(required = true)]
    submitted_by: Option<&'a Actor>,
    contact: &'a ContactState,
    /// One for each person the contact gives, in its order.
    people: Vec<GivenBody<'a>>,
    /// The fingerprint of the matching model that scored the candidates.
    model: &'a str,
}

/// One person as the contact gives them (`given`: their place among its people).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct GivenBody<'a> {
    given: u8,
    #[schema(required = true)]
    linked: Option<&'a PersonRef>,
    /// Best first, each at least as likely as the organisation's suggestion threshold.
    candidates: Vec<CandidateBody<'a>>,
}

/// A record that may be the person given, with why, and what the service knows of them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct CandidateBody<'a> {
    person: &'a PersonRef,
    /// The match weight (log2 of the odds).
    weight: f64,
    probability: f64,
    /// At least as likely as the organisation's "likely" threshold; never linked on its
    /// own.
    likely: bool,
    /// One sentence for each field compared.
    reasons: &'a [String],
    /// For a child: who they are and what the service is doing with them.
    #[schema(required = true)]
    child: Option<InvolvementBody<'a>>,
    /// For an adult: who they are and the family they are known in.
    #[schema(required = true)]
    adult: Option<KnownAdultBody<'a>>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct InvolvementBody<'a> {
    #[schema(required = true)]
    details: Option<&'a PersonDetails>,
    #[schema(required = true)]
    family: Option<&'a FamilyId>,
    /// Open episodes, in words ("Child in need", ...).
    open_work: &'a [&'static str],
    #[schema(required = true)]
    worker: Option<&'a WorkerId>,
    #[schema(required = true)]
    team: Option<&'a TeamId>,
    /// Other contacts and referrals in the 12 months to today.
    contacts_last_year: u32,
    referrals_last_year: u32,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct KnownAdultBody<'a> {
    family: &'a FamilyId,
    details: &'a PersonDetails,
}

impl<'a> ContactBody<'a> {
    fn of(view: &'a ContactView) -> Self {
        ContactBody {
            version: view.version,
            status: view.status,
            submitted_by: view.submitted_by.as_ref(),
            contact: &view.contact,
            people: view
                .people
                .iter()
                .map(|p| GivenBody {
                    given: p.given,
                    linked: p.linked.as_ref(),
                    candidates: p.candidates.iter().map(CandidateBody::of).collect(),
                })
                .collect(),
            model: &view.model,
        }
    }
}

impl<'a> CandidateBody<'a> {
    fn of(c: &'a CandidateView) -> Self {
        CandidateBody {
            person: &c.person,
            weight: c.weight,
            probability: c.probability,
            likely: c.likely,
            reasons: &c.reasons,
            child: c.child.as_ref().map(|i| InvolvementBody {
                details: i.details.as_ref(),
                family: i.family.as_ref(),
                open_work: &i.open_work,
                worker: i.worker.as_ref(),
                team: i.team.as_ref(),
                contacts_last_year: i.contacts_last_year,
                referrals_last_year: i.referrals_last_year,
            }),
            adult: c.adult.as_ref().map(|a| KnownAdultBody {
                family: &a.family,
                details: &a.details,
            }),
        }
    }
}

/// `GET /api/v1/contacts/{id}`: the contact with the candidates for each person it
/// gives. The contact and each child shown are logged.
pub(crate) async fn contact(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let id = contact_id(path)?;
    let who = caller.doing(SCREEN_ACTION);
    match app.cases.contact(&who, (app.clock)(), &id).await {
        Ok(view) => Ok(json(&ContactBody::of(&view))?),
        Err(e) => contact_refusal(e),
    }
}

/// Link one person a contact gives to a record, at the version of the contact read.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LinkRequest {
    /// The person's place among the contact's people (from 0).
    given: u8,
    /// The record: `child:ID`, or `adult:ID` for an adult a family names.
    person: PersonRef,
    /// The contact's version as read.
    #[schema(value_type = u64)]
    version: Version,
}

/// Ask a partner agency for a check.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CheckRequest {
    agency: Agency,
    /// How urgent: its deadline comes from the organisation's rules.
    rag: Rag,
}

/// A partner agency's answer to a check.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CheckAnswer {
    /// What the agency found, briefly; none when it knows nothing.
    #[serde(default)]
    findings: Option<String>,
}

/// A screener's step written: 201 with the contact's new version.
fn written(version: Result<Version, ContactError>) -> Result<Response, ApiError> {
    match version {
        Ok(version) => {
            let mut response = json(&Written { version })?;
            *response.status_mut() = StatusCode::CREATED;
            Ok(response)
        }
        Err(e) => contact_refusal(e),
    }
}

/// `POST /api/v1/contacts/{id}/links`: link a person the contact gives to a record.
/// For a child, the contact appears on their journey in the same write.
pub(crate) async fn link(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let id = contact_id(path)?;
    let request: LinkRequest = match read_body(&headers, body, "link") {
        Ok(request) => request,
        Err(refused) => return Ok(*refused),
    };
    let who = caller.doing(SCREEN_ACTION);
    written(
        app.cases
            .link_person(
                &who,
                (app.clock)(),
                &id,
                request.given,
                request.person,
                request.version,
            )
            .await,
    )
}

/// `POST /api/v1/contacts/{id}/checks`: ask an agency for a check.
pub(crate) async fn request_check(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let id = contact_id(path)?;
    let request: CheckRequest = match read_body(&headers, body, "check") {
        Ok(request) => request,
        Err(refused) => return Ok(*refused),
    };
    let who = caller.doing(SCREEN_ACTION);
    written(
        app.cases
            .request_check(&who, (app.clock)(), &id, request.agency, request.rag)
            .await,
    )
}

/// `POST /api/v1/contacts/{id}/checks/{agency}`: record the agency's answer.
pub(crate) async fn record_check(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let Ok(Path((id, agency))) = path else {
        return Err(Failure::NotFound(NO_CONTACT).into());
    };
    let id = ContactId::parse(&id).map_err(|_| Failure::NotFound(NO_CONTACT))?;
    let Ok(agency) = Agency::from_code(&agency) else {
        return Err(Failure::NotFound(NO_AGENCY).into());
    };
    let answer: CheckAnswer = match read_body(&headers, body, "answer") {
        Ok(answer) => answer,
        Err(refused) => return Ok(*refused),
    };
    let who = caller.doing(SCREEN_ACTION);
    written(
        app.cases
            .record_check(&who, (app.clock)(), &id, agency, answer.findings)
            .await,
    )
}

/// One decision of a request to decide a contact: for a linked child, or (without
/// `child`) for the whole contact.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DecisionBody {
    /// The linked child it is for; absent for the whole contact (no further action or
    /// advice).
    #[serde(default)]
    child: Option<ChildId>,
    outcome: ContactOutcome,
    /// The authority's level of need, by its name in the organisation's threshold.
    #[serde(default)]
    level: Option<String>,
    /// Why, in a sentence or two.
    reasons: String,
    /// Needed for a referral to children's social care.
    #[serde(default)]
    primary_need: Option<PrimaryNeed>,
}

/// Decide a contact at the version read: one decision for each linked child, or one for
/// the whole contact.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DecisionRequest {
    /// The contact's version as read.
    #[schema(value_type = u64)]
    version: Version,
    decisions: Vec<DecisionBody>,
}

/// What a decision wrote.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct DecisionWritten<'a> {
    /// The contact's version after the write.
    #[schema(value_type = u64)]
    version: Version,
    /// Written as a proposal, waiting for a manager's sign-off (the organisation asks
    /// for one for this outcome).
    proposed: bool,
    /// Where each decided child (or the contact) went, in the order decided; empty for
    /// a proposal.
    routes: &'a [ContactRouted],
    /// The children referred who had a referral less than 12 months before.
    re_referrals: &'a [ChildId],
}

/// `POST /api/v1/contacts/{id}/decision`: decide a contact. 201 with where each child
/// went; a decision the authority has a manager sign off is written as a proposal.
pub(crate) async fn decide(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let id = contact_id(path)?;
    let request: DecisionRequest = match read_body(&headers, body, "decision") {
        Ok(request) => request,
        Err(refused) => return Ok(*refused),
    };
    let decisions = request
        .decisions
        .into_iter()
        .map(|d| ChildDecision {
            child: d.child,
            outcome: d.outcome,
            level: d.level,
            reasons: d.reasons,
            primary_need: d.primary_need,
        })
        .collect();
    let who = caller.doing(SCREEN_ACTION);
    let decided = match app
        .cases
        .decide(&who, (app.clock)(), &id, decisions, request.version)
        .await
    {
        Ok(decided) => decided,
        // The request's own fields, named as it gives them.
        Err(ContactError::Intake(e)) => {
            return Ok(problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("The decision was refused: {e}."),
            ));
        }
        Err(e) => return contact_refusal(e),
    };
    let mut response = json(&DecisionWritten {
        version: decided.version,
        proposed: decided.proposed,
        routes: &decided.routes,
        re_referrals: &decided.re_referrals,
    })?;
    *response.status_mut() = StatusCode::CREATED;
    Ok(response)
}

/// What the user is told when the path names no agency a MASH asks.
const NO_AGENCY: &str = "No agency with that code";

/// The answer to a body over [`crate::MAX_BODY_BYTES`].
pub(crate) fn too_large() -> Response {
    problem(
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!(
            "The request is too large: Hearth takes at most {} KiB in one request.",
            crate::MAX_BODY_BYTES / 1024
        ),
    )
}

/// `GET /api/v1/openapi.json`: the API described (`crate::openapi`).
pub(crate) async fn openapi() -> Result<Response, ApiError> {
    Ok(json(&crate::openapi::document()?)?)
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
