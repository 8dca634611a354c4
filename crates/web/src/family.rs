//! The family page (`/families/{id}`) and `GET /api/v1/families/{id}`: every child and
//! adult, the professionals working with the family, the one plan, the family network
//! as a picture and a table, and the family's journey with its children's, newest first.
//! What is read, hidden and logged is `App::family`'s; these handlers only shape it.

use crate::AppState;
use crate::chronology::{describe_in_journey, when};
use crate::error::{ApiError, Failure, PageError};
use crate::network::{self, Network, Person, Tie};
use crate::pages::today;
use crate::session::{Account, Caller};
use crate::templates;
use axum::Extension;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::{Html, Response};
use hearth_app::{Family, FamilyRead, Names};
use hearth_domain::event::OccurredAt;
use hearth_domain::ids::{FamilyId, PersonRef, Subject};
use hearth_domain::people::Address;
use serde::Serialize;
use std::collections::BTreeMap;

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

fn family_id(path: Result<Path<String>, PathRejection>) -> Result<FamilyId, Failure> {
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
struct Entry {
    when: String,
    datetime: String,
    sentence: String,
    /// The child whose journey it is on, by name; none for the family's own.
    child: Option<String>,
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

/// `GET /families/{id}`.
pub(crate) async fn page(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Html<String>, PageError> {
    let (read, authority) = read(&app, &caller, path).await?;
    let entries = journey(&read, authority.as_ref());
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
        entries: entries
            .into_iter()
            .map(|e| Entry {
                when: when(e.occurred_at),
                datetime: e.occurred_at.to_string(),
                sentence: e.sentence,
                child: child_names.get(&e.subject.to_string()).cloned(),
            })
            .collect(),
    };
    Ok(Html(templates::render_for(
        "family.html",
        &Account::of(&caller),
        &page,
    )?))
}
