//! The HTML pages: the list of children with its search, and a child's chronology.
//! Handlers fetch, log access, and turn records into plain view models for the
//! templates; what a record means is decided in the domain, never here.

use crate::AppState;
use crate::chronology::{describe_in_journey, when};
use crate::error::{Failure, NO_CHILD, PageError};
use crate::templates;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{Html, IntoResponse, Response};
use hearth_domain::event::{Event, EventData};
use hearth_domain::identifiers::NhsNumber;
use hearth_domain::ids::{ChildId, EventId, Subject, TeamId, WorkerId};
use hearth_domain::journey::ChildState;
use hearth_domain::org::Organisation;
use hearth_domain::people::age_in_years;
use hearth_store::ChildSummary;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// How many children the list shows when nobody has searched.
pub const LIST_LIMIT: u32 = 50;
/// How many matches a search shows.
pub const SEARCH_LIMIT: u32 = 100;
/// Longer search terms are cut: nobody's name, NHS number or ID is this long.
const MAX_QUERY_CHARS: usize = 200;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SearchParams {
    #[serde(default)]
    pub q: String,
}

/// The search term as typed, trimmed and cut to a sane length.
pub(crate) fn clean_query(q: &str) -> String {
    q.trim().chars().take(MAX_QUERY_CHARS).collect()
}

/// What to ask the store for: an NHS number typed with spaces ("943 476 5919") is
/// searched for in its 10-digit form, since the store matches word by word.
pub(crate) fn store_query(q: &str) -> String {
    match NhsNumber::parse(q) {
        Ok(nhs) => nhs.as_str().to_owned(),
        Err(_) => q.to_owned(),
    }
}

/// The child's ID from the path, or "not found": a malformed ID names no child.
pub(crate) fn child_id(path: Result<Path<String>, PathRejection>) -> Result<ChildId, Failure> {
    let Ok(Path(raw)) = path else {
        return Err(Failure::NotFound(NO_CHILD));
    };
    ChildId::parse(&raw).map_err(|_| Failure::NotFound(NO_CHILD))
}

/// "Today" for ages: the date in England at the injected clock's instant. The time zone
/// database is bundled (jiff `tzdb-bundle-always`), so UTC is only a last resort.
fn today(now: Timestamp) -> Date {
    let tz = TimeZone::get("Europe/London").unwrap_or(TimeZone::UTC);
    now.to_zoned(tz).date()
}

/// 123456 → "123,456".
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{} {many}", thousands(n))
    }
}

fn born(date_of_birth: Option<Date>, expected: Option<Date>) -> String {
    match (date_of_birth, expected) {
        (Some(dob), _) => dob.to_string(),
        (None, Some(due)) => format!("Unborn (due {due})"),
        (None, None) => String::from("Not recorded"),
    }
}

fn allocated(
    worker: Option<&WorkerId>,
    team: Option<&TeamId>,
    org: Option<&Organisation>,
) -> String {
    let worker_name = |id: &WorkerId| {
        org.and_then(|o| o.worker(id))
            .map_or_else(|| id.to_string(), |w| w.name.clone())
    };
    let team_name = |id: &TeamId| {
        org.and_then(|o| o.team(id))
            .map_or_else(|| id.to_string(), |t| t.name.clone())
    };
    match (worker, team) {
        (Some(w), Some(t)) => format!("{} ({})", worker_name(w), team_name(t)),
        (Some(w), None) => worker_name(w),
        (None, Some(t)) => format!("Unallocated ({})", team_name(t)),
        (None, None) => String::from("Unallocated"),
    }
}

fn open_work(work: &[&str]) -> String {
    if work.is_empty() {
        String::from("None")
    } else {
        work.join(", ")
    }
}

#[derive(Debug, Serialize)]
struct Row {
    id: String,
    name: String,
    born: String,
    postcode: String,
    open_work: String,
    allocated: String,
}

impl Row {
    fn new(child: &ChildSummary, org: Option<&Organisation>) -> Self {
        let work: Vec<&str> = child.open_work.iter().map(String::as_str).collect();
        Row {
            id: child.id.to_string(),
            name: child.name.to_string(),
            born: born(child.date_of_birth, child.expected_date_of_birth),
            postcode: child.postcode.clone().unwrap_or_default(),
            open_work: open_work(&work),
            allocated: allocated(child.worker.as_ref(), child.team.as_ref(), org),
        }
    }
}

#[derive(Debug, Serialize)]
struct ListPage {
    q: String,
    summary: String,
    rows: Vec<Row>,
}

/// `GET /`: the children, or those matching `q`.
pub(crate) async fn children(
    State(app): State<AppState>,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Html<String>, PageError> {
    // A query string we cannot read is treated as no search at all.
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let q = clean_query(&params.q);
    let org = app.store.organisation().await?;
    let (found, summary) = if q.is_empty() {
        let found = app.store.search_children("", LIST_LIMIT).await?;
        let total = app.store.count_children().await?;
        let summary = format!(
            "Showing {} of {}",
            thousands(found.len() as u64),
            plural(total, "child", "children")
        );
        (found, summary)
    } else {
        let mut found = app
            .store
            .search_children(&store_query(&q), SEARCH_LIMIT + 1)
            .await?;
        let summary = if found.len() > SEARCH_LIMIT as usize {
            found.truncate(SEARCH_LIMIT as usize);
            format!(
                "Showing the first {SEARCH_LIMIT} children found. Add to your search to narrow it."
            )
        } else {
            format!("{} found", plural(found.len() as u64, "child", "children"))
        };
        (found, summary)
    };
    let page = ListPage {
        rows: found.iter().map(|c| Row::new(c, org.as_ref())).collect(),
        q,
        summary,
    };
    Ok(Html(templates::render("children.html", &page)?))
}

#[derive(Debug, Serialize)]
struct Item {
    label: &'static str,
    value: String,
}

#[derive(Debug, Serialize)]
struct Entry {
    when: String,
    datetime: String,
    sentence: String,
    note: Option<&'static str>,
}

#[derive(Debug, Serialize)]
struct ChildPage {
    id: String,
    name: String,
    facts: Vec<Item>,
    counts: Vec<Item>,
    entries: Vec<Entry>,
}

fn facts(state: &ChildState, org: Option<&Organisation>, today: Date) -> Vec<Item> {
    let mut facts = Vec::new();
    let details = state.details.as_ref();
    match details.map(|d| (d.date_of_birth, d.expected_date_of_birth)) {
        Some((Some(dob), _)) => {
            let age = match (state.date_of_death, age_in_years(dob, today)) {
                (Some(_), _) => String::new(),
                (None, Some(age)) => format!(" (age {age})"),
                (None, None) => String::new(),
            };
            facts.push(Item {
                label: "Date of birth",
                value: format!("{dob}{age}"),
            });
        }
        Some((None, Some(due))) => facts.push(Item {
            label: "Expected date of birth",
            value: format!("{due} (unborn)"),
        }),
        _ => facts.push(Item {
            label: "Date of birth",
            value: String::from("Not recorded"),
        }),
    }
    if let Some(dod) = state.date_of_death {
        facts.push(Item {
            label: "Date of death",
            value: dod.to_string(),
        });
    }
    facts.push(Item {
        label: "NHS number",
        value: details
            .and_then(|d| d.nhs_number.as_ref())
            .map_or_else(|| String::from("Not recorded"), |n| n.display_spaced()),
    });
    facts.push(Item {
        label: "Open work",
        value: open_work(&state.open_work()),
    });
    let (worker, team) = match &state.allocation {
        Some(a) => (Some(&a.worker), Some(&a.team)),
        None => (None, None),
    };
    let mut allocation = allocated(worker, team, org);
    if let Some(a) = &state.allocation {
        allocation.push_str(&format!(", since {}", a.since));
    } else if let Some(since) = state.unallocated_since {
        allocation.push_str(&format!(" since {since}"));
    }
    facts.push(Item {
        label: "Allocated to",
        value: allocation,
    });
    facts
}

fn counts(state: &ChildState) -> Vec<Item> {
    let h = &state.history;
    [
        ("Contacts", h.contacts),
        ("Referrals", h.referrals),
        ("Child protection plans", h.cp_plans),
        ("Periods in care", h.looked_after_periods),
        ("Placements", h.placements),
        ("Changes of worker", h.worker_changes),
    ]
    .into_iter()
    .map(|(label, n)| Item {
        label,
        value: n.to_string(),
    })
    .collect()
}

/// The journey newest first by business date (journal order kept within a moment),
/// with the events that were later retracted or amended marked as such.
fn entries(journey: &[Event], org: Option<&Organisation>) -> Vec<Entry> {
    let mut retracted: HashSet<&EventId> = HashSet::new();
    let mut amended: HashSet<&EventId> = HashSet::new();
    for e in journey {
        match &e.data {
            EventData::EventRetracted(r) => {
                retracted.insert(&r.event);
            }
            EventData::EventAmended(a) => {
                amended.insert(&a.event);
            }
            _ => {}
        }
    }
    let mut order: Vec<(usize, &Event)> = journey.iter().enumerate().collect();
    order.sort_by(|(i, a), (j, b)| b.occurred_at.cmp(&a.occurred_at).then(j.cmp(i)));
    order
        .into_iter()
        .map(|(_, e)| Entry {
            when: when(e.occurred_at),
            datetime: e.occurred_at.to_string(),
            sentence: describe_in_journey(e, journey, org),
            note: if retracted.contains(&e.id) {
                Some("Retracted")
            } else if amended.contains(&e.id) {
                Some("Amended")
            } else {
                None
            },
        })
        .collect()
}

/// `GET /children/{id}`: the child's chronology. The view is logged before the page is
/// sent; if it cannot be logged, the page is not shown.
pub(crate) async fn child(
    State(app): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Html<String>, PageError> {
    let id = child_id(path)?;
    let Some(record) = app.store.child(&id).await? else {
        return Err(Failure::NotFound(NO_CHILD).into());
    };
    let subject = Subject::Child(id.clone());
    let now = (app.clock)();
    app.store
        .log_access(now, crate::ANONYMOUS, &subject, "view chronology")
        .await?;
    let (journey, _version) = app.store.journey(&subject).await?;
    let org = app.store.organisation().await?;
    let state = &record.state;
    let page = ChildPage {
        id: id.to_string(),
        name: state
            .details
            .as_ref()
            .map_or_else(|| String::from("Name not recorded"), |d| d.name.to_string()),
        facts: facts(state, org.as_ref(), today(now)),
        counts: counts(state),
        entries: entries(&journey, org.as_ref()),
    };
    Ok(Html(templates::render("child.html", &page)?))
}

/// Any other address: a plain "not found", as a page or, under `/api/`, as a problem.
pub(crate) async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        crate::error::problem(
            axum::http::StatusCode::NOT_FOUND,
            "There is nothing at this address.",
        )
    } else {
        PageError(Failure::NotFound("Page not found")).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(123_456), "123,456");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(plural(1, "child", "children"), "1 child");
        assert_eq!(plural(12_345, "child", "children"), "12,345 children");
    }

    #[test]
    fn spaced_nhs_numbers_are_searched_as_digits() {
        assert_eq!(store_query("943 476 5919"), "9434765919");
        assert_eq!(store_query("Smith"), "Smith");
        assert_eq!(clean_query("  Ava Smith  "), "Ava Smith");
        assert_eq!(clean_query(&"x".repeat(500)).len(), MAX_QUERY_CHARS);
    }

    #[test]
    fn born_and_allocated_read_plainly() {
        let d = jiff::civil::date(2015, 6, 1);
        assert_eq!(born(Some(d), None), "2015-06-01");
        assert_eq!(born(None, Some(d)), "Unborn (due 2015-06-01)");
        assert_eq!(allocated(None, None, None), "Unallocated");
        let w = WorkerId::parse("W1").unwrap();
        let t = TeamId::parse("T1").unwrap();
        assert_eq!(allocated(Some(&w), Some(&t), None), "W1 (T1)");
    }

    #[test]
    fn today_is_the_date_in_england() {
        // 23:30 UTC on 30 June is already 1 July in London (BST).
        let ts: Timestamp = "2024-06-30T23:30:00Z".parse().unwrap();
        assert_eq!(today(ts), jiff::civil::date(2024, 7, 1));
        // In winter London is on UTC.
        let ts: Timestamp = "2024-12-31T23:30:00Z".parse().unwrap();
        assert_eq!(today(ts), jiff::civil::date(2024, 12, 31));
    }
}
