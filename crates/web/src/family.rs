//! The family page (`/families/{id}`) and `GET /api/v1/families/{id}`: every child and
//! adult, the professionals working with the family, the one plan, the family network
//! as a picture and a table, and the family's chronology: its journey with its
//! children's, newest first, each entry naming the child, narrowed by the child's
//! chronology's filters (`?area=&from=&to=`) and printed with its stylesheet.
//! What is read, hidden and logged is `App::family`'s; these handlers only shape it.

use crate::AppState;
use crate::chronology::describe_in_journey;
use crate::error::{ApiError, Failure, PageError};
use crate::network::{self, Network, Person, Tie};
use crate::pages::today;
use crate::pages::{ChronologyParams, Entry, FieldError, Filter, entries};
use crate::session::{Account, Caller};
use crate::templates;
use axum::Extension;
use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use hearth_app::{AllocateError, AppError, Family, FamilyAllocation, FamilyRead, Names};
use hearth_domain::event::OccurredAt;
use hearth_domain::ids::{ChildId, FamilyId, PersonRef, Subject, WorkerId};
use hearth_domain::people::Address;
use hearth_store::StoreError;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// What the user is told when there is no family with the ID they asked for.
pub const NO_FAMILY: &str = "No family with that ID";
/// What the access log says a family page or call was for.
const ACTION: &str = "view family";

/// One entry of the family's journey.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub(crate) struct FamilyEvent {
    /// `family:ID`, or the `child:ID` whose journey it is on.
    #[schema(value_type = String)]
    subject: Subject,
    #[schema(value_type = String)]
    occurred_at: OccurredAt,
    kind: &'static str,
    /// The event in words, as the chronology says it.
    sentence: String,
}

/// The answer of `GET /api/v1/families/{id}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct FamilyBody {
    #[serde(flatten)]
    family: Family,
    /// The family's events and its children's, newest first.
    journey: Vec<FamilyEvent>,
}

pub(crate) fn family_id(path: Result<Path<String>, PathRejection>) -> Result<FamilyId, Failure> {
    let Ok(Path(raw)) = path else {
        return Err(Failure::NotFound(NO_FAMILY));
    };
    FamilyId::parse(&raw).map_err(|_| Failure::NotFound(NO_FAMILY))
}

/// The journeys' events newest first by business date (journal order kept within a
/// day, the family's before its children's), corrections shown where they were made.
fn journey(read: &FamilyRead, names: &dyn Names) -> Vec<FamilyEvent> {
    let mut all: Vec<(OccurredAt, usize, usize, FamilyEvent)> = Vec::new();
    for (j, (subject, events)) in read.journeys.iter().enumerate() {
        for (i, e) in events.iter().enumerate() {
            all.push((
                e.occurred_at,
                j,
                i,
                FamilyEvent {
                    subject: subject.clone(),
                    occurred_at: e.occurred_at,
                    kind: e.kind(),
                    sentence: describe_in_journey(e, events, Some(names)),
                },
            ));
        }
    }
    all.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(b.2.cmp(&a.2)));
    all.into_iter().map(|(_, _, _, e)| e).collect()
}

async fn read(
    app: &AppState,
    caller: &Caller,
    path: Result<Path<String>, PathRejection>,
) -> Result<(FamilyRead, std::sync::Arc<hearth_app::due::Authority>), Failure> {
    let id = family_id(path)?;
    let now = (app.clock)();
    let Some(read) = app.cases.family(&caller.doing(ACTION), now, &id).await? else {
        return Err(Failure::NotFound(NO_FAMILY));
    };
    let authority = app.cases.authority(today(now)).await?;
    Ok((read, authority))
}

/// `GET /api/v1/families/{id}`.
pub(crate) async fn api(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let (read, authority) = read(&app, &caller, path).await?;
    let journey = journey(&read, authority.as_ref());
    Ok(crate::api::json(&FamilyBody {
        family: read.family,
        journey,
    })?)
}

#[derive(Debug, Serialize)]
struct TieRow {
    from: String,
    relationship: &'static str,
    to: String,
}

#[derive(Debug, Serialize)]
struct HouseholdRow {
    address: String,
    members: Vec<String>,
}

#[derive(Debug, Serialize)]
struct FamilyPage<'a> {
    family: &'a Family,
    plan: Option<String>,
    households: Vec<HouseholdRow>,
    ties: Vec<TieRow>,
    network: Network,
    professionals: usize,
    entries: Vec<Entry>,
    filter: Filter,
    /// Whether to offer the allocation form (team managers).
    may_allocate: bool,
    /// How many children were just allocated, for the banner.
    allocated: Option<u32>,
}

/// `?allocated=N`: the children just allocated with the family; and the chronology's
/// filters.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct FamilyParams {
    // A string: a number does not read through `flatten`.
    #[serde(default)]
    allocated: String,
    #[serde(flatten)]
    filters: ChronologyParams,
}

fn address_text(address: Option<&Address>) -> String {
    address.map_or_else(
        || String::from("Address not recorded"),
        |a| {
            let mut parts = a.lines.clone();
            parts.push(a.town.clone());
            parts.push(a.postcode.to_string());
            parts.retain(|p| !p.trim().is_empty());
            parts.join(", ")
        },
    )
}

/// The family's chronology: the family's journey and each child's as the child's
/// chronology shows them (corrections under what they correct), merged newest first,
/// the family's before its children's within a moment, each child's entry naming them.
fn chronology(
    read: &FamilyRead,
    authority: &hearth_app::due::Authority,
    child_names: &BTreeMap<String, String>,
) -> Vec<Entry> {
    let mut all = Vec::new();
    for (subject, events) in &read.journeys {
        let child = child_names.get(&subject.to_string());
        all.extend(entries(events, authority).into_iter().map(|mut e| {
            e.child = child.cloned();
            e
        }));
    }
    // Stable: each journey keeps its own order within a moment.
    all.sort_by_key(|e| std::cmp::Reverse(e.at));
    all
}

/// `GET /families/{id}?area=&from=&to=`.
pub(crate) async fn page(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<String>, PathRejection>,
    params: Result<Query<FamilyParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let (read, authority) = read(&app, &caller, path).await?;
    let family = &read.family;
    let mut names: BTreeMap<PersonRef, String> = BTreeMap::new();
    for a in &family.adults {
        names.insert(PersonRef::Adult(a.id.clone()), a.name.clone());
    }
    for c in &family.children {
        names.insert(PersonRef::Child(c.id.clone()), c.name.clone());
    }
    let name = |p: &PersonRef| names.get(p).cloned().unwrap_or_else(|| p.to_string());
    let child_names: BTreeMap<String, String> = family
        .children
        .iter()
        .map(|c| (Subject::Child(c.id.clone()).to_string(), c.name.clone()))
        .collect();
    let drawn: Vec<(String, Vec<Person>)> = family
        .households
        .iter()
        .map(|h| {
            (
                address_text(h.address.as_ref()),
                h.members
                    .iter()
                    .map(|p| Person {
                        person: p.clone(),
                        name: name(p),
                    })
                    .collect(),
            )
        })
        .collect();
    let ties: Vec<Tie> = family
        .relationships
        .iter()
        .map(|t| Tie {
            from: t.from.clone(),
            to: t.to.clone(),
            label: t.relationship.label().to_owned(),
        })
        .collect();
    let plan = family.plan.as_ref().map(|p| {
        let who: Vec<String> = p
            .children
            .iter()
            .map(|c| name(&PersonRef::Child(c.clone())))
            .collect();
        format!(
            "Early help family plan since {}, for {}",
            p.since,
            who.join(", ")
        )
    });
    let mut entries = chronology(&read, authority.as_ref(), &child_names);
    let mut filter = Filter::new(&params.filters);
    filter.apply(&mut entries);
    let page = FamilyPage {
        family,
        plan,
        households: drawn
            .iter()
            .map(|(address, people)| HouseholdRow {
                address: address.clone(),
                members: people.iter().map(|p| p.name.clone()).collect(),
            })
            .collect(),
        ties: family
            .relationships
            .iter()
            .map(|t| TieRow {
                from: name(&t.from),
                relationship: t.relationship.label(),
                to: name(&t.to),
            })
            .collect(),
        network: network::layout(&drawn, &ties),
        professionals: family.professionals.len(),
        entries,
        filter,
        may_allocate: caller
            .role
            .may(hearth_domain::access::Permission::AllocateCases),
        allocated: params.allocated.parse().ok(),
    };
    let status = if page.filter.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let html = templates::render_for("family.html", &Account::of(&caller), &page)?;
    Ok((status, Html(html)).into_response())
}

/// What the access log says the allocation page and its write were for.
const ALLOCATE_ACTION: &str = "allocate family";

/// An option of the form: a worker to choose, or a child to tick.
#[derive(Debug, Serialize)]
struct Choice {
    value: String,
    text: String,
    selected: bool,
}

#[derive(Debug, Serialize)]
struct AllocatePage {
    id: String,
    workers: Vec<Choice>,
    reason: String,
    /// The children with open work, each ticked unless the manager unticked them.
    children: Vec<Choice>,
    /// Children with no open work, by name: nothing to allocate.
    left: Vec<String>,
    errors: Vec<FieldError>,
    worker_error: Option<String>,
    reason_error: Option<String>,
    children_error: Option<String>,
}

/// The allocation form for `read`'s family: what `form` sent (nothing on first
/// showing, when every child with open work is ticked), and what was wrong with it.
fn allocate_page(
    read: &FamilyRead,
    authority: &hearth_app::due::Authority,
    today: jiff::civil::Date,
    form: &[(String, String)],
    errors: Vec<FieldError>,
) -> AllocatePage {
    let given = |name: &str| {
        form.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let ticked: BTreeSet<&str> = form
        .iter()
        .filter(|(n, _)| n == "child")
        .map(|(_, v)| v.as_str())
        .collect();
    let worker = given("worker");
    let mut workers: Vec<Choice> = authority
        .organisation
        .as_ref()
        .map(|org| {
            org.workers
                .iter()
                .filter(|w| w.start_date <= today && w.end_date.is_none_or(|end| today <= end))
                .map(|w| Choice {
                    value: w.id.to_string(),
                    text: format!("{}, {}", w.name, authority.team_name(&w.team)),
                    selected: w.id.as_str() == worker,
                })
                .collect()
        })
        .unwrap_or_default();
    workers.sort_by(|a, b| a.text.cmp(&b.text));
    let (open, closed): (Vec<_>, Vec<_>) = read
        .family
        .children
        .iter()
        .partition(|c| !c.open_work.is_empty());
    let message = |field: &str| {
        errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.clone())
    };
    AllocatePage {
        id: read.family.id.to_string(),
        workers,
        reason: given("reason"),
        children: open
            .into_iter()
            .map(|c| {
                let now_with = c.worker_name.as_ref().map_or_else(
                    || String::from("not allocated"),
                    |w| format!("now with {w}"),
                );
                Choice {
                    value: c.id.to_string(),
                    text: format!("{} ({}; {now_with})", c.name, c.open_work.join(", ")),
                    selected: form.is_empty() || ticked.contains(c.id.as_str()),
                }
            })
            .collect(),
        left: closed.into_iter().map(|c| c.name.clone()).collect(),
        worker_error: message("worker"),
        reason_error: message("reason"),
        children_error: message("child"),
        errors,
    }
}

/// The allocation form, answered with `status`: 400 for a field left out, 422 for what
/// a child's record refuses, as the record pages answer.
async fn render_allocate(
    app: &AppState,
    caller: &Caller,
    id: &FamilyId,
    form: &[(String, String)],
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let now = (app.clock)();
    let who = caller.doing(ALLOCATE_ACTION);
    let Some(read) = app.cases.family(&who, now, id).await? else {
        return Err(Failure::NotFound(NO_FAMILY).into());
    };
    let authority = app.cases.authority(today(now)).await?;
    let page = allocate_page(&read, &authority, today(now), form, errors);
    let html = templates::render_for("family_allocate.html", &Account::of(caller), &page)?;
    Ok((status, Html(html)).into_response())
}

/// `GET /families/{id}/allocate`: the form to allocate the family's children to one
/// worker, every child with open work ticked.
pub(crate) async fn allocate_form(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, PageError> {
    let id = family_id(path)?;
    render_allocate(&app, &caller, &id, &[], Vec::new(), StatusCode::OK).await
}

/// `POST /families/{id}/allocate`: allocate the ticked children to the worker chosen,
/// with the reason, all or none; back to the family page, or the form with what is
/// wrong (what was typed kept).
pub(crate) async fn allocate(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<String>, PathRejection>,
    body: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, PageError> {
    let id = family_id(path)?;
    let form = body.map(|Form(pairs)| pairs).unwrap_or_default();
    let value = |name: &str| {
        form.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
            .unwrap_or_default()
    };
    let mut errors = Vec::new();
    let worker = WorkerId::parse(value("worker")).ok();
    if worker.is_none() {
        errors.push(FieldError {
            field: "worker",
            message: String::from("Choose the worker to allocate the family to"),
        });
    }
    if value("reason").is_empty() {
        errors.push(FieldError {
            field: "reason",
            message: String::from("Say why the family is allocated to this worker"),
        });
    }
    let children: BTreeSet<ChildId> = form
        .iter()
        .filter(|(n, _)| n == "child")
        .filter_map(|(_, v)| ChildId::parse(v.trim()).ok())
        .collect();
    if children.is_empty() {
        errors.push(FieldError {
            field: "child",
            message: String::from("Choose at least one child with open work to allocate"),
        });
    }
    let Some(worker) = worker.filter(|_| errors.is_empty()) else {
        return render_allocate(&app, &caller, &id, &form, errors, StatusCode::BAD_REQUEST).await;
    };
    let ask = FamilyAllocation {
        worker,
        reason: value("reason").to_owned(),
        children,
    };
    let now = (app.clock)();
    let who = caller.doing(ALLOCATE_ACTION);
    let refusal = match app.cases.allocate_family(&who, now, &id, &ask).await {
        Ok(done) => {
            return Ok(
                Redirect::to(&format!("/families/{id}?allocated={}", done.len())).into_response(),
            );
        }
        Err(AllocateError::Refused(refused)) => refused.to_string(),
        Err(AllocateError::App(AppError::Workforce(_))) => {
            String::from("Choose a worker of the organisation")
        }
        Err(AllocateError::App(AppError::Store(
            StoreError::Conflict { .. } | StoreError::DuplicateEvent(_),
        ))) => String::from(
            "Someone else saved to one of the children's records after you opened this form: check the family's children, then allocate again",
        ),
        Err(AllocateError::NoFamily) => return Err(Failure::NotFound(NO_FAMILY).into()),
        Err(AllocateError::App(other)) => return Err(other.into()),
    };
    let field = if refusal.starts_with("Choose a worker") {
        "worker"
    } else {
        "child"
    };
    let errors = vec![FieldError {
        field,
        message: refusal,
    }];
    render_allocate(
        &app,
        &caller,
        &id,
        &form,
        errors,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}
