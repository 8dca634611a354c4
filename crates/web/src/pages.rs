//! The HTML pages: the list of children with its search, a child's chronology, and the
//! due list ("Due and overdue").
//! Handlers fetch, log access, and turn records into plain view models for the
//! templates; what a record means is decided in the domain, never here.

use crate::AppState;
use crate::api::capitalised;
use crate::chronology::{Names, describe_correction, describe_in_journey, when};
use crate::error::{Failure, NO_CHILD, PageError};
use crate::session::{Account, Caller};
use crate::templates;
use axum::Extension;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use hearth_app::AppError;
use hearth_app::due::{
    Authority, BadRequest, DueError, Listing, child_outstanding, duty_text, obligation_standing,
    parse_request, standing_text,
};
use hearth_domain::access::SearchResults;
use hearth_domain::area::Area;
use hearth_domain::due::{DUE_SOON_WORKING_DAYS, Standing, Tally, duty_label};
use hearth_domain::event::{Event, EventData, OccurredAt};
use hearth_domain::identifiers::NhsNumber;
use hearth_domain::ids::{ChildId, EventId, TeamId, WorkerId};
use hearth_domain::journey::ChildState;
use hearth_domain::obligations::{Obligation, Status};
use hearth_domain::people::age_in_years;
use hearth_domain::timescales::{Due, SourceKind};
use hearth_store::{ChildSummary, HeldBy};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// How many children the list shows when nobody has searched.
pub const LIST_LIMIT: u32 = 50;
/// How many matches a search shows.
pub const SEARCH_LIMIT: u32 = 100;
/// Nobody's name, NHS number or ID is this long: the search page refuses a longer term
/// (showing it back cut to this length), and the API cuts it.
const MAX_QUERY_CHARS: usize = 200;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SearchParams {
    #[serde(default)]
    pub q: String,
}

/// The search term as typed, trimmed and cut to a sane length, without control
/// characters (no name holds one, and the page shows the term back).
pub(crate) fn clean_query(q: &str) -> String {
    q.chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .chars()
        .take(MAX_QUERY_CHARS)
        .collect()
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

/// "Today" for ages and defaults: the date in England at the injected clock's instant.
pub(crate) use hearth_app::today;

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

fn allocated(worker: Option<&WorkerId>, team: Option<&TeamId>, org: Option<&dyn Names>) -> String {
    let worker_name = |id: &WorkerId| {
        org.and_then(|o| o.worker_name(id))
            .map_or_else(|| id.to_string(), str::to_owned)
    };
    let team_name = |id: &TeamId| {
        org.and_then(|o| o.team_name(id))
            .map_or_else(|| id.to_string(), str::to_owned)
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

/// A child in the list. With `SearchResults::IdentityOnly` the row says only who the
/// child is (the page then leads to who opened their record, not to the record).
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
    fn new(child: &ChildSummary, org: &Authority, shown: SearchResults) -> Self {
        let id = child.id.to_string();
        let name = child.name.to_string();
        let born = born(child.date_of_birth, child.expected_date_of_birth);
        if shown == SearchResults::IdentityOnly {
            return Row {
                id,
                name,
                born,
                postcode: String::new(),
                open_work: String::new(),
                allocated: String::new(),
            };
        }
        let work: Vec<&str> = child.open_work.iter().map(String::as_str).collect();
        Row {
            id,
            name,
            born,
            postcode: child.postcode.clone().unwrap_or_default(),
            open_work: open_work(&work),
            allocated: allocated(child.worker.as_ref(), child.team.as_ref(), Some(org)),
        }
    }
}

#[derive(Debug, Serialize)]
struct ListPage {
    q: String,
    q_error: Option<String>,
    summary: String,
    /// Whether the rows carry the summary (`SearchResults::Summary`) or only who each
    /// child is.
    full_rows: bool,
    rows: Vec<Row>,
}

/// `GET /`: the children, or those matching `q`.
pub(crate) async fn children(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Response, PageError> {
    // A query string we cannot read is treated as no search at all.
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let q = clean_query(&params.q);
    if params.q.trim().chars().count() > MAX_QUERY_CHARS {
        let page = ListPage {
            q,
            q_error: Some(format!(
                "Enter a search of {MAX_QUERY_CHARS} characters or fewer"
            )),
            summary: String::new(),
            full_rows: false,
            rows: Vec::new(),
        };
        let html = templates::render("children.html", &page)?;
        return Ok((StatusCode::BAD_REQUEST, Html(html)).into_response());
    }
    // A list names children and their dates of birth: each one shown is logged.
    let (who, now) = (caller.doing(LIST_ACTION), (app.clock)());
    let authority = app.cases.authority(today(now)).await?;
    let (found, summary) = if q.is_empty() {
        let found = app.cases.search(&who, now, "", LIST_LIMIT).await?;
        let total = app.cases.count_children(&who, now).await?;
        let summary = format!(
            "Showing {} of {}",
            thousands(found.len() as u64),
            plural(total, "child", "children")
        );
        (found, summary)
    } else {
        let mut found = app
            .cases
            .search(&who, now, &store_query(&q), SEARCH_LIMIT + 1)
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
    let shown = caller.role.search_results();
    let page = ListPage {
        rows: found
            .iter()
            .map(|c| Row::new(c, &authority, shown))
            .collect(),
        full_rows: shown == SearchResults::Summary,
        q,
        q_error: None,
        summary,
    };
    Ok(Html(templates::render_for(
        "children.html",
        &Account::of(&caller),
        &page,
    )?)
    .into_response())
}

#[derive(Debug, Serialize)]
struct Item {
    label: &'static str,
    value: String,
}

/// One entry of a chronology: the child's, or the family's (`child` naming whose it is).
#[derive(Debug, Serialize)]
pub(crate) struct Entry {
    when: String,
    datetime: String,
    sentence: String,
    note: Option<&'static str>,
    /// The record merged into this one that the entry comes from, if not this one.
    from: Option<String>,
    /// The event's id, when it may be corrected through its form: recorded through one,
    /// and neither retracted nor a correction itself.
    correct: Option<String>,
    /// The amendments and retractions of this entry, oldest first, each saying when, by
    /// whom and why.
    corrections: Vec<String>,
    /// On the family's chronology, the child whose journey the entry is on, by name;
    /// none for the family's own and on a child's chronology.
    pub(crate) child: Option<String>,
    #[serde(skip)]
    pub(crate) at: OccurredAt,
    #[serde(skip)]
    area: Area,
}

/// A duty the child owes, as the case page's "Due and overdue" shows it.
#[derive(Debug, Serialize)]
struct Owed {
    duty: String,
    /// The time the rule allows ("45 working days").
    within: String,
    /// Where the rule comes from: "Guidance: Working Together to Safeguard Children…".
    source: String,
    due: String,
    /// "Overdue by 3 working days", "Due 2026-04-02".
    standing: String,
    overdue: bool,
}

impl Owed {
    fn new(o: &Obligation) -> Owed {
        let kind = match o.rule.source.kind {
            SourceKind::Statute => "Statute",
            SourceKind::Guidance => "Guidance",
            SourceKind::LocalPolicy => "Local policy",
        };
        Owed {
            duty: duty_label(o.duty).to_owned(),
            within: o.rule.within.to_string(),
            source: format!("{kind}: {}", o.rule.source.title),
            due: match o.due {
                Due::On(day) => day.to_string(),
                Due::At(at) => format!("{} {:02}:{:02}", at.date(), at.hour(), at.minute()),
            },
            standing: obligation_standing(o),
            overdue: matches!(o.status, Status::Overdue { .. }),
        }
    }
}

#[derive(Debug, Serialize)]
struct ChildPage {
    id: String,
    name: String,
    /// The record this one was merged into, while the merge stands.
    merged_into: Option<String>,
    /// Duplicates merged into this record, while each merge stands.
    merged: Vec<String>,
    /// The child's family, for the link to its page.
    family: Option<String>,
    /// Whether to offer the merge page.
    may_merge: bool,
    /// Whether to offer the record pages (never on a record merged into another).
    may_record: bool,
    /// What was just recorded through a form, for the banner.
    recorded: Option<&'static str>,
    facts: Vec<Item>,
    counts: Vec<Item>,
    /// What the child owes now, overdue first; none when it cannot be worked out.
    owed: Option<Vec<Owed>>,
    entries: Vec<Entry>,
    filter: Filter,
}

fn facts(state: &ChildState, org: &Authority, today: Date) -> Vec<Item> {
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
    let mut allocation = allocated(worker, team, Some(org));
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

/// The journey's counts; `hand_offs` are the changes of worker into another team.
fn counts(state: &ChildState, hand_offs: u32) -> Vec<Item> {
    let h = &state.history;
    [
        ("Contacts", h.contacts),
        ("Referrals", h.referrals),
        ("Child protection plans", h.cp_plans),
        ("Periods in care", h.looked_after_periods),
        ("Placements", h.placements),
        ("Changes of worker", h.worker_changes),
        ("Changes of team", hand_offs),
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
/// [`entries`] of a duplicate merged into the record shown, each naming it.
fn entries_from(journey: &[Event], org: &Authority, from: &str) -> Vec<Entry> {
    let mut list = entries(journey, org);
    for entry in &mut list {
        entry.from = Some(from.to_owned());
    }
    list
}

/// The journey newest first by business date (journal order kept within a moment).
/// A correction is shown under the entry it corrects, which is marked "Retracted" or
/// "Amended"; one whose entry is not on this journey stands as an entry of its own.
pub(crate) fn entries(journey: &[Event], org: &Authority) -> Vec<Entry> {
    let on_journey: HashSet<&EventId> = journey.iter().map(|e| &e.id).collect();
    let mut retracted: HashSet<&EventId> = HashSet::new();
    let mut amended: HashSet<&EventId> = HashSet::new();
    let mut corrections: HashMap<&EventId, Vec<String>> = HashMap::new();
    let mut nested: HashSet<&EventId> = HashSet::new();
    for e in journey {
        let target = match &e.data {
            EventData::EventRetracted(r) => {
                retracted.insert(&r.event);
                &r.event
            }
            EventData::EventAmended(a) => {
                amended.insert(&a.event);
                &a.event
            }
            _ => continue,
        };
        if on_journey.contains(target)
            && let Some(text) = describe_correction(e, Some(org))
        {
            corrections.entry(target).or_default().push(text);
            nested.insert(&e.id);
        }
    }
    let mut order: Vec<(usize, &Event)> = journey
        .iter()
        .enumerate()
        .filter(|(_, e)| !nested.contains(&e.id))
        .collect();
    order.sort_by(|(i, a), (j, b)| b.occurred_at.cmp(&a.occurred_at).then(j.cmp(i)));
    order
        .into_iter()
        .map(|(_, e)| Entry {
            from: None,
            child: None,
            correct: (hearth_domain::forms::title(e.kind()).is_some()
                && !retracted.contains(&e.id))
            .then(|| e.id.to_string()),
            corrections: corrections.remove(&e.id).unwrap_or_default(),
            at: e.occurred_at,
            area: Area::of(&e.data),
            when: when(e.occurred_at),
            datetime: e.occurred_at.to_string(),
            sentence: describe_in_journey(e, journey, Some(org)),
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

/// The chronology's filters as asked (`?area=&from=&to=`), what they say, and what is
/// wrong with them.
#[derive(Debug, Default, Serialize)]
pub(crate) struct Filter {
    area: String,
    from: String,
    to: String,
    /// The areas to choose from, for the select box.
    areas: Vec<Choice>,
    pub(crate) errors: Vec<FieldError>,
    area_error: Option<String>,
    from_error: Option<String>,
    to_error: Option<String>,
    /// "Showing 3 of 14 entries: child protection, from 2024-01-01." when filtered.
    summary: Option<String>,
    #[serde(skip)]
    chosen: Option<Area>,
    #[serde(skip)]
    period: (Option<Date>, Option<Date>),
}

impl Filter {
    /// The filters from the query; a field that cannot be read is refused (an error
    /// for the page) and does not filter.
    pub(crate) fn new(params: &ChronologyParams) -> Filter {
        let mut f = Filter {
            area: params.area.trim().to_owned(),
            from: params.from.trim().to_owned(),
            to: params.to.trim().to_owned(),
            ..Filter::default()
        };
        if !f.area.is_empty() {
            f.chosen = Area::parse(&f.area);
            if f.chosen.is_none() {
                f.refuse("area", String::from("Choose a kind of event from the list"));
            }
        }
        let date = |f: &mut Filter, field: &'static str, text: &str, name: &str| {
            if text.is_empty() {
                return None;
            }
            let day = text.parse::<Date>().ok();
            if day.is_none() {
                f.refuse(
                    field,
                    format!("Enter the '{name}' date as a real date, like 2024-03-01"),
                );
            }
            day
        };
        let (from, to) = (f.from.clone(), f.to.clone());
        let from = date(&mut f, "from", &from, "from");
        let to = date(&mut f, "to", &to, "to");
        if let (Some(a), Some(b)) = (from, to)
            && b < a
        {
            f.refuse(
                "to",
                String::from("Enter a 'to' date the same as or after the 'from' date"),
            );
            f.period = (from, None);
        } else {
            f.period = (from, to);
        }
        f.areas = Area::ALL
            .into_iter()
            // A correction is shown with what it corrects, so is not a kind to choose.
            .filter(|a| *a != Area::Corrections)
            .map(|a| Choice {
                value: a.slug().to_owned(),
                label: a.label().to_owned(),
                selected: f.chosen == Some(a),
            })
            .collect();
        f
    }

    fn refuse(&mut self, field: &'static str, message: String) {
        match field {
            "area" => self.area_error = Some(message.clone()),
            "from" => self.from_error = Some(message.clone()),
            _ => self.to_error = Some(message.clone()),
        }
        self.errors.push(FieldError { field, message });
    }

    fn keeps(&self, entry: &Entry) -> bool {
        let day = entry.at.date;
        self.chosen.is_none_or(|a| a == entry.area)
            && self.period.0.is_none_or(|from| from <= day)
            && self.period.1.is_none_or(|to| day <= to)
    }

    /// Keep the entries the filters choose, saying how many of how many when any do.
    pub(crate) fn apply(&mut self, entries: &mut Vec<Entry>) {
        let total = entries.len();
        entries.retain(|e| self.keeps(e));
        let mut what = Vec::new();
        if let Some(area) = self.chosen {
            what.push(lower_first(area.label()));
        }
        if let Some(from) = self.period.0 {
            what.push(format!("from {from}"));
        }
        if let Some(to) = self.period.1 {
            what.push(format!("to {to}"));
        }
        if !what.is_empty() {
            self.summary = Some(format!(
                "Showing {} of {}: {}.",
                thousands(entries.len() as u64),
                plural(total as u64, "entry", "entries"),
                what.join(", ")
            ));
        }
    }
}

/// "Child protection" → "child protection", mid-sentence.
fn lower_first(label: &str) -> String {
    let mut chars = label.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `?area=&from=&to=`: a chronology's filters (an area of the vocabulary, and a
/// period of business dates, both ends included), the child's and the family's.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ChronologyParams {
    #[serde(default)]
    area: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// `?recorded=KIND`: the kind just recorded through its form; `?corrected=amended` or
/// `retracted`: an event just corrected; and the chronology's filters.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ChildParams {
    #[serde(default)]
    recorded: String,
    #[serde(default)]
    corrected: String,
    #[serde(flatten)]
    filters: ChronologyParams,
}

/// `GET /children/{id}`: the child's chronology. The view is logged before the page is
/// sent; if it cannot be logged, the page is not shown.
pub(crate) async fn child(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<String>, PathRejection>,
    params: Result<Query<ChildParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let id = child_id(path)?;
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let now = (app.clock)();
    let who = caller.doing("view chronology");
    let Some((record, journey)) = app.cases.chronology(&who, now, &id).await? else {
        return Err(Failure::NotFound(NO_CHILD).into());
    };
    let authority = app.cases.authority(today(now)).await?;
    let state = &record.state;
    // From the journey just read, under the rules the due list uses: nothing more is read.
    let owed = match child_outstanding(&authority, &id, &journey, today(now)) {
        Ok(owed) => Some(owed.iter().map(Owed::new).collect()),
        Err(e) => {
            // The chronology is still worth showing; the panel says it has no answer.
            tracing::warn!("child page: {e}");
            None
        }
    };
    // While a merge stands, the duplicate's chronology is shown among this one's,
    // newest first, each of its entries saying where it comes from. A duplicate the
    // caller may not see is left out (that refusal is logged by the use case).
    let mut entries = entries(&journey, &authority);
    for duplicate in &state.merged {
        if let Some((events, _)) = app.cases.child_journey(&who, now, duplicate).await? {
            let from = duplicate.to_string();
            entries.extend(entries_from(&events, &authority, &from));
        }
    }
    entries.sort_by_key(|e| std::cmp::Reverse(e.at));
    let mut filter = Filter::new(&params.filters);
    filter.apply(&mut entries);
    let page = ChildPage {
        id: id.to_string(),
        name: state
            .details
            .as_ref()
            .map_or_else(|| String::from("Name not recorded"), |d| d.name.to_string()),
        merged_into: state.merged_into.as_ref().map(ToString::to_string),
        merged: state.merged.iter().map(ToString::to_string).collect(),
        family: state.family.as_ref().map(ToString::to_string),
        may_merge: caller
            .role
            .may(hearth_domain::access::Permission::MergePersons),
        may_record: state.merged_into.is_none()
            && caller
                .role
                .may(hearth_domain::access::Permission::RecordEvents),
        // Only a declared form's title is shown, never what the query said.
        recorded: match params.corrected.as_str() {
            "amended" => Some("an amendment"),
            "retracted" => Some("a retraction"),
            _ => hearth_domain::forms::title(&params.recorded),
        },
        facts: facts(state, &authority, today(now)),
        counts: counts(state, app.cases.hand_offs(&journey).await?),
        owed,
        entries,
        filter,
    };
    let status = if page.filter.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let html = templates::render_for("child.html", &Account::of(&caller), &page)?;
    Ok((status, Html(html)).into_response())
}

/// How many duties the due page lists; a team or worker narrows it.
pub const DUE_ROWS: usize = 200;
/// Logged for each child the due page shows.
const DUE_ACTION: &str = "view due list";
const LIST_ACTION: &str = "view in list";

#[derive(Debug, Default, Deserialize)]
pub(crate) struct DueParams {
    #[serde(default)]
    as_at: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    worker: String,
}

/// An option of a select box, with the names govukSelect's `items` take.
#[derive(Debug, Serialize)]
struct Choice {
    value: String,
    #[serde(rename = "text")]
    label: String,
    selected: bool,
}

/// A problem with one field of the form: shown in the summary at the top, linking to
/// the field, and beside the field itself.
#[derive(Debug, Serialize)]
pub(crate) struct FieldError {
    pub field: &'static str,
    pub message: String,
}

#[derive(Debug, Serialize)]
struct TallyRow {
    name: String,
    worker: bool,
    overdue: u64,
    due_soon: u64,
    met_late: u64,
}

#[derive(Debug, Serialize)]
struct DueRow {
    /// The child's id, or the contact's for a front-door row.
    child: String,
    /// Where the row links (`/{records}/{child}`): "children", or "contacts" for a
    /// contact's own row.
    records: &'static str,
    name: String,
    duty: String,
    timescale: String,
    started: String,
    due: String,
    standing: String,
    overdue: bool,
    allocated: String,
}

#[derive(Debug, Serialize)]
struct DuePage {
    as_at: String,
    team: String,
    worker: String,
    teams: Vec<Choice>,
    workers: Vec<Choice>,
    errors: Vec<FieldError>,
    as_at_error: Option<String>,
    team_error: Option<String>,
    worker_error: Option<String>,
    summary: Option<String>,
    tallies: Vec<TallyRow>,
    rows: Vec<DueRow>,
    more: Option<String>,
    /// Counts only: the form goes to `/due/counts` and no child is listed.
    counts_only: bool,
}

impl DuePage {
    /// The form as asked, with no list yet.
    fn form(params: &DueParams, authority: &Authority, as_at: Date, listing: Listing) -> DuePage {
        let org = authority.organisation.as_ref();
        let teams = org
            .map(|o| {
                o.teams()
                    .map(|(_, locality, t)| Choice {
                        value: t.id.to_string(),
                        label: format!("{} ({})", t.name, locality.name),
                        selected: params.team.trim() == t.id.as_str(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        // A worker is chosen within a team: the team's workers in post on the day.
        let mut workers: Vec<Choice> = org
            .filter(|_| !params.team.trim().is_empty())
            .map(|o| {
                o.workers
                    .iter()
                    .filter(|w| w.team.as_str() == params.team.trim())
                    .filter(|w| w.start_date <= as_at && w.end_date.is_none_or(|end| as_at <= end))
                    .map(|w| Choice {
                        value: w.id.to_string(),
                        label: w.name.clone(),
                        selected: params.worker.trim() == w.id.as_str(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        workers.sort_by(|a, b| a.label.cmp(&b.label));
        DuePage {
            as_at: params.as_at.trim().to_owned(),
            team: params.team.trim().to_owned(),
            worker: params.worker.trim().to_owned(),
            teams,
            workers,
            errors: Vec::new(),
            as_at_error: None,
            team_error: None,
            worker_error: None,
            summary: None,
            tallies: Vec::new(),
            rows: Vec::new(),
            more: None,
            counts_only: listing == Listing::CountsOnly,
        }
    }

    /// Refuse the request, saying what is wrong at the top and beside `field`.
    fn refuse(
        mut self,
        account: &Account,
        field: &'static str,
        message: String,
    ) -> Result<Response, PageError> {
        match field {
            "as_at" => self.as_at_error = Some(message.clone()),
            "team" => self.team_error = Some(message.clone()),
            _ => self.worker_error = Some(message.clone()),
        }
        self.errors.push(FieldError { field, message });
        self.render(account, StatusCode::BAD_REQUEST)
    }

    fn render(self, account: &Account, status: StatusCode) -> Result<Response, PageError> {
        let html = templates::render_for("due.html", account, &self)?;
        Ok((status, Html(html)).into_response())
    }
}

fn tally_row(name: String, worker: bool, t: &Tally) -> TallyRow {
    TallyRow {
        name,
        worker,
        overdue: t.overdue,
        due_soon: t.due_soon,
        met_late: t.met_late,
    }
}

/// `GET /due?as_at=YYYY-MM-DD&team=ID&worker=ID`: "Due and overdue", for a team manager
/// (choose a team) or a worker (then choose yourself): the counts per team and worker,
/// then what is overdue, longest overdue first, and what falls due in the next ten
/// working days. A worker chosen narrows the team to them. Each child shown is written
/// to the access log before the page is sent.
pub(crate) async fn due(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    params: Result<Query<DueParams>, QueryRejection>,
) -> Result<Response, PageError> {
    due_page(app, caller, params, Listing::Rows(DUE_ROWS)).await
}

/// `GET /due/counts`: the same counts, for someone who may see figures but no child
/// (a performance analyst): no child is named, so nothing is written to the access log.
pub(crate) async fn due_counts(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    params: Result<Query<DueParams>, QueryRejection>,
) -> Result<Response, PageError> {
    due_page(app, caller, params, Listing::CountsOnly).await
}

async fn due_page(
    app: AppState,
    caller: Caller,
    params: Result<Query<DueParams>, QueryRejection>,
    listing: Listing,
) -> Result<Response, PageError> {
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let account = Account::of(&caller);
    let now = (app.clock)();
    // The team box keeps the team while a worker in it is chosen.
    let worker = (!params.worker.trim().is_empty()).then_some(params.worker.as_str());
    let team = if worker.is_some() {
        None
    } else {
        Some(params.team.as_str())
    };
    let request = parse_request(Some(params.as_at.as_str()), team, worker, today(now));
    let (as_at, held_by) = match request {
        Ok(request) => request,
        Err(e) => {
            let field = match e {
                BadRequest::Date(_) => "as_at",
                BadRequest::Team(_) => "team",
                BadRequest::Worker(_) | BadRequest::Both => "worker",
            };
            let authority = app.cases.authority(today(now)).await?;
            return DuePage::form(&params, &authority, today(now), listing).refuse(
                &account,
                field,
                capitalised(&e),
            );
        }
    };
    // Teams and workers as the organisation's version in force on the day had them.
    let authority = app.cases.authority(as_at).await?;
    let mut page = DuePage::form(&params, &authority, as_at, listing);
    page.as_at = as_at.to_string();
    // Each child shown is logged as the list is drawn up, before the page is sent.
    let who = caller.doing(DUE_ACTION);
    let list = match app
        .cases
        .due_list(&who, now, &authority, as_at, &held_by, listing)
        .await
    {
        Ok(list) => list,
        Err(AppError::Due(e)) if e.is_bad_request() => {
            let field = match e {
                DueError::UnknownTeam(_) => "team",
                DueError::UnknownWorker(_) => "worker",
                _ => "as_at",
            };
            return page.refuse(&account, field, capitalised(&e));
        }
        Err(e) => return Err(e.into()),
    };
    let w = &list.window;
    page.summary = Some(format!(
        "As at {}: {} overdue, {} due in the next {DUE_SOON_WORKING_DAYS} working days (by {}), {} met late since {}.",
        w.as_at,
        thousands(list.total.overdue),
        thousands(list.total.due_soon),
        w.due_by,
        thousands(list.total.met_late),
        w.met_late_after,
    ));
    for team in &list.teams {
        let name = team
            .team
            .as_ref()
            .map_or_else(|| String::from("Unallocated"), |t| authority.team_name(t));
        page.tallies.push(tally_row(name, false, &team.tally));
        // Workers are counted once the list is narrowed to a team or a worker.
        if held_by != HeldBy::Anyone {
            for worker in &team.workers {
                let name = authority.worker_name(&worker.worker);
                page.tallies.push(tally_row(name, true, &worker.tally));
            }
        }
    }
    if listing == Listing::CountsOnly {
        return page.render(&account, StatusCode::OK);
    }
    let listed = list.due_rows(usize::MAX).count();
    if listed > DUE_ROWS {
        page.more = Some(format!(
            "Showing the first {DUE_ROWS} of {}. Choose a team or a worker to see the rest.",
            thousands(listed as u64)
        ));
    }
    for item in list.due_rows(DUE_ROWS) {
        let o = &item.obligation;
        let (duty, timescale) = duty_text(item);
        // A contact's own row (the front door's) names no child.
        let (id, records, name) = match (&o.child, &o.contact) {
            (Some(child), _) => (
                child.to_string(),
                "children",
                list.children
                    .get(child)
                    .map_or_else(String::new, |c| c.name.to_string()),
            ),
            (None, Some(contact)) => (
                contact.to_string(),
                "contacts",
                format!("Contact {contact}"),
            ),
            (None, None) => (String::new(), "children", String::new()),
        };
        page.rows.push(DueRow {
            child: id,
            records,
            name,
            duty,
            timescale,
            started: when(o.clock_started),
            due: o.due.date().to_string(),
            standing: standing_text(item),
            overdue: item.standing == Standing::Overdue,
            allocated: allocated(item.worker.as_ref(), item.team.as_ref(), Some(&*authority)),
        });
    }
    page.render(&account, StatusCode::OK)
}

#[derive(Debug, Serialize)]
struct AccessRow {
    at: String,
    actor: String,
    action: String,
}

#[derive(Debug, Serialize)]
struct AccessLogPage {
    id: String,
    summary: String,
    rows: Vec<AccessRow>,
}

/// `GET /children/{id}/access-log`: for an auditor, who opened the child's record (or
/// listed them, or was refused), when, and how, oldest first. Looking is logged too; a
/// restricted record's log is seen only by the users named on it, like the record.
pub(crate) async fn access_log(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Html<String>, PageError> {
    let id = child_id(path)?;
    let who = caller.doing("view access log");
    let Some(entries) = app.cases.access_log(&who, (app.clock)(), &id).await? else {
        return Err(Failure::NotFound(NO_CHILD).into());
    };
    let rows: Vec<AccessRow> = entries
        .into_iter()
        .map(|(at, actor, action)| AccessRow { at, actor, action })
        .collect();
    let page = AccessLogPage {
        id: id.to_string(),
        summary: plural(rows.len() as u64, "entry", "entries"),
        rows,
    };
    Ok(Html(templates::render_for(
        "access_log.html",
        &Account::of(&caller),
        &page,
    )?))
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
    use jiff::Timestamp;

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
