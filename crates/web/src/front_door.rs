//! The front door's pages: a contact as a screener sees it (what was given, who each
//! person may be, the links and the partner checks) with the forms that screen it, and
//! a partner's own contacts with what became of each.
//!
//! Every form posts to its own address and, once the use case has written, redirects
//! back to the contact (post, redirect, get) with a banner saying what was done; a step
//! refused re-renders the contact with an error summary naming the field. Which steps a
//! contact allows is the use cases' business: this module only reads their answers.

use crate::AppState;
use crate::api::capitalised;
use crate::chronology::when;
use crate::error::{Failure, NO_CONTACT, PageError};
use crate::pages::today;
use crate::session::{Account, Caller};
use crate::templates;
use axum::Extension;
use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use hearth_app::due::Authority;
use hearth_app::{AppError, ContactError};
use hearth_app::{
    CandidateView, ChildDecision, ContactView, GivenView, PartnerStatus, PartnerView,
};
use hearth_domain::access::Permission;
use hearth_domain::codes::{
    Agency, Channel, Consent, ContactOutcome, GivenRole, PrimaryNeed, Rag, ReferralSource, Urgency,
};
use hearth_domain::contact::{
    ContactStatus, GivenAddress, GivenPerson, Intake, NewContact, Referrer,
};
use hearth_domain::event::OccurredAt;
use hearth_domain::identifiers::Postcode;
use hearth_domain::ids::{ContactId, FamilyId, PersonRef, TeamId, WorkerId};
use hearth_domain::org::Service;
use hearth_domain::people::{Address, PersonDetails};
use hearth_domain::timescales::Due;
use hearth_store::QueueFilter;
use serde::{Deserialize, Serialize};

/// Logged for each contact page shown, and for each step written from it.
const SCREEN_ACTION: &str = "screen contact";
/// Logged for each contact a partner is shown.
const PARTNER_ACTION: &str = "partner outcome";

/// The contact id in the path, or not found: a malformed id names no contact.
fn contact_id(raw: &str) -> Result<ContactId, Failure> {
    ContactId::parse(raw).map_err(|_| Failure::NotFound(NO_CONTACT))
}

/// The contact named by a `/contacts/{id}` path, or not found.
fn path_contact(path: Result<Path<IdPath>, PathRejection>) -> Result<ContactId, Failure> {
    let Ok(Path(IdPath { id })) = path else {
        return Err(Failure::NotFound(NO_CONTACT));
    };
    contact_id(&id)
}

/// Where a contact stands, as the page says it.
fn status_text(status: ContactStatus) -> &'static str {
    match status {
        ContactStatus::New => "New",
        ContactStatus::AwaitingChecks => "Awaiting checks",
        ContactStatus::AwaitingDecision => "Awaiting decision",
        ContactStatus::AwaitingSignOff => "Awaiting sign-off",
        ContactStatus::Decided => "Decided",
    }
}

/// The kind of service, as a partner is told it.
fn service_text(service: Service) -> &'static str {
    match service {
        Service::FrontDoor => "Front door",
        Service::EarlyHelp => "Early help",
        Service::FamilySupport => "Family support",
        Service::Assessment => "Assessment",
        Service::ChildInNeed => "Child in need",
        Service::ChildProtection => "Child protection",
        Service::ChildrenInCare => "Children in care",
        Service::CareLeavers => "Care leavers",
        Service::Adoption => "Adoption",
        Service::Reviewing => "Reviewing",
    }
}

/// How long a partner check of each urgency may take (common MASH practice).
fn rag_hint(rag: Rag) -> &'static str {
    match rag {
        Rag::Red => "Within 4 hours",
        Rag::Amber => "Within 24 hours",
        Rag::Green => "Within 72 hours",
    }
}

/// A label and its value, for a summary list.
#[derive(Debug, Serialize)]
struct Item {
    label: &'static str,
    value: String,
}

fn item(label: &'static str, value: impl Into<String>) -> Item {
    Item {
        label,
        value: value.into(),
    }
}

/// A radio button or select option.
#[derive(Debug, Serialize)]
struct Choice {
    value: String,
    text: String,
    hint: Option<String>,
    /// Chosen: `checked` as a radio button, `selected` as an option of a select.
    checked: bool,
    selected: bool,
}

fn choice(value: &str, text: &str, hint: Option<&str>, chosen: bool) -> Choice {
    Choice {
        value: value.to_owned(),
        text: text.to_owned(),
        hint: hint.map(str::to_owned),
        checked: chosen,
        selected: chosen,
    }
}

fn given_address(a: &GivenAddress) -> String {
    let mut parts: Vec<&str> = a.lines.iter().map(String::as_str).collect();
    parts.push(&a.town);
    if let Some(postcode) = &a.postcode {
        parts.push(postcode.as_str());
    }
    parts.retain(|p| !p.trim().is_empty());
    parts.join(", ")
}

fn address(a: &Address) -> String {
    let mut parts: Vec<&str> = a.lines.iter().map(String::as_str).collect();
    parts.push(&a.town);
    parts.push(a.postcode.as_str());
    parts.retain(|p| !p.trim().is_empty());
    parts.join(", ")
}

/// What the contact says of one person.
fn given_facts(person: &GivenPerson) -> Vec<Item> {
    let mut facts = vec![item("Role", person.role.label())];
    if let Some(relationship) = &person.relationship {
        facts.push(item("Relationship", relationship.as_str()));
    }
    if !person.other_names.is_empty() {
        facts.push(item("Other names", person.other_names.join(", ")));
    }
    match (person.date_of_birth, person.expected_date_of_birth) {
        (Some(dob), _) => facts.push(item("Date of birth", dob.to_string())),
        (None, Some(due)) => facts.push(item("Expected date of birth", due.to_string())),
        (None, None) => facts.push(item("Date of birth", "Not given")),
    }
    if let Some(sex) = person.sex {
        facts.push(item("Sex", sex.label()));
    }
    if let Some(nhs) = &person.nhs_number {
        facts.push(item("NHS number", nhs.display_spaced()));
    }
    facts.push(item(
        "Address",
        person
            .address
            .as_ref()
            .map_or_else(|| String::from("Not given"), given_address),
    ));
    facts
}

/// What Hearth already holds of a candidate.
fn known_facts(details: Option<&PersonDetails>) -> Vec<Item> {
    let Some(d) = details else {
        return Vec::new();
    };
    let born = match (d.date_of_birth, d.expected_date_of_birth) {
        (Some(dob), _) => dob.to_string(),
        (None, Some(due)) => format!("Unborn (due {due})"),
        (None, None) => String::from("Not recorded"),
    };
    vec![
        item("Date of birth", born),
        item(
            "Address",
            d.address
                .as_ref()
                .map_or_else(|| String::from("Not recorded"), address),
        ),
    ]
}

fn worker_text(worker: Option<&WorkerId>, team: Option<&TeamId>, org: &Authority) -> String {
    match (worker, team) {
        (Some(w), Some(t)) => format!("{} ({})", org.worker_name(w), org.team_name(t)),
        (Some(w), None) => org.worker_name(w),
        (None, Some(t)) => format!("Unallocated ({})", org.team_name(t)),
        (None, None) => String::from("Unallocated"),
    }
}

/// One record a given person may be.
#[derive(Debug, Serialize)]
struct Candidate {
    /// `child:C1` or `adult:A1`, as the link form sends it.
    person: String,
    id: String,
    name: String,
    /// Whether it is a child's record (the page links to it).
    child: bool,
    /// "Likely match" or "Possible match".
    score: &'static str,
    percent: String,
    reasons: Vec<String>,
    facts: Vec<Item>,
}

fn percent(probability: f64) -> String {
    // A score shown as 100% would claim a certainty the model never has.
    let p = (probability * 100.0).round().clamp(0.0, 99.0);
    format!("{p:.0}%")
}

fn candidate(c: &CandidateView, org: &Authority) -> Candidate {
    let (id, is_child) = match &c.person {
        PersonRef::Child(child) => (child.to_string(), true),
        PersonRef::Adult(adult) => (adult.to_string(), false),
    };
    let mut facts;
    let name;
    if let Some(known) = &c.child {
        name = known
            .details
            .as_ref()
            .map_or_else(|| String::from("Name not recorded"), |d| d.name.to_string());
        facts = known_facts(known.details.as_ref());
        let work = if known.open_work.is_empty() {
            String::from("None")
        } else {
            known.open_work.join(", ")
        };
        facts.push(item("Open work", work));
        facts.push(item(
            "Allocated to",
            worker_text(known.worker.as_ref(), known.team.as_ref(), org),
        ));
        facts.push(item(
            "Contacts in the last 12 months",
            known.contacts_last_year.to_string(),
        ));
        facts.push(item(
            "Referrals in the last 12 months",
            known.referrals_last_year.to_string(),
        ));
        if let Some(family) = &known.family {
            facts.push(item("Family", family.to_string()));
        }
    } else if let Some(adult) = &c.adult {
        name = adult.details.name.to_string();
        facts = known_facts(Some(&adult.details));
        facts.push(item("Family", adult.family.to_string()));
    } else {
        name = id.clone();
        facts = Vec::new();
    }
    Candidate {
        person: c.person.to_string(),
        id,
        name,
        child: is_child,
        score: if c.likely {
            "Likely match"
        } else {
            "Possible match"
        },
        percent: percent(c.probability),
        reasons: c.reasons.clone(),
        facts,
    }
}

/// Who a given person is linked to.
#[derive(Debug, Serialize)]
struct Linked {
    id: String,
    /// Whether it is a child's record (the page links to it).
    child: bool,
}

/// One person the contact gives, and who they may be.
#[derive(Debug, Serialize)]
struct Person {
    given: u8,
    heading: String,
    facts: Vec<Item>,
    linked: Option<Linked>,
    candidates: Vec<Candidate>,
    /// What was typed as the reason for unlinking, shown back on a refusal.
    reason: String,
    reason_error: Option<String>,
    link_error: Option<String>,
    /// The family a new record for this person joins: a linked child's.
    family: Option<String>,
}

fn person(given: &GivenView, person: Option<&GivenPerson>, org: &Authority) -> Person {
    let n = usize::from(given.given) + 1;
    let heading = match person {
        Some(p) => format!("{n}. {} {}", p.given_name, p.family_name),
        None => format!("Person {n}"),
    };
    Person {
        given: given.given,
        heading,
        facts: person.map(given_facts).unwrap_or_default(),
        linked: given.linked.as_ref().map(|p| match p {
            PersonRef::Child(c) => Linked {
                id: c.to_string(),
                child: true,
            },
            PersonRef::Adult(a) => Linked {
                id: a.to_string(),
                child: false,
            },
        }),
        candidates: given.candidates.iter().map(|c| candidate(c, org)).collect(),
        reason: String::new(),
        reason_error: None,
        link_error: None,
        family: None,
    }
}

/// A partner check asked of the contact.
#[derive(Debug, Serialize)]
struct CheckRow {
    agency: &'static str,
    code: &'static str,
    rag: &'static str,
    requested: String,
    returned: Option<String>,
    findings: Option<String>,
    /// What was typed as the findings, shown back on a refusal.
    typed: String,
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct ContactPage {
    id: String,
    version: u64,
    status: &'static str,
    /// When the first duty it still owes falls due, and whether any is overdue now.
    due: Option<String>,
    overdue: bool,
    banner: Option<&'static str>,
    errors: Vec<Problem>,
    details: Vec<Item>,
    referrer: Vec<Item>,
    narrative: String,
    people: Vec<Person>,
    checks: Vec<CheckRow>,
    /// Agencies that may be asked for a check now (none asked, or answered).
    agencies: Vec<Choice>,
    rags: Vec<Choice>,
    agency_error: Option<String>,
    rag_error: Option<String>,
    decided: bool,
    decisions: Vec<DecisionRow>,
    proposals: Vec<DecisionRow>,
    routes: Vec<RouteRow>,
    /// Whether the caller may decide contacts, and sign decisions off.
    may_decide: bool,
    may_sign_off: bool,
    accept_error: Option<String>,
    sign_off_reasons: String,
    sign_off_error: Option<String>,
}

/// A decision taken or proposed on the contact.
#[derive(Debug, Serialize)]
struct DecisionRow {
    about: String,
    outcome: &'static str,
    level: String,
    primary_need: String,
    reasons: String,
    by: String,
    on: String,
}

fn decision_row(d: &hearth_domain::contact::Decision) -> DecisionRow {
    DecisionRow {
        about: d
            .child
            .as_ref()
            .map_or_else(|| String::from("The whole contact"), ToString::to_string),
        outcome: d.outcome.label(),
        level: d.level.clone().unwrap_or_default(),
        primary_need: d
            .primary_need
            .map_or_else(String::new, |n| n.label().to_owned()),
        reasons: d.reasons.clone().unwrap_or_default(),
        by: match &d.proposed_by {
            Some(p) => format!("{p}, signed off by {}", d.by),
            None => d.by.to_string(),
        },
        on: when(d.on),
    }
}

/// Where a decided child (or the contact) went.
#[derive(Debug, Serialize)]
struct RouteRow {
    about: String,
    to: String,
    why: &'static str,
    on: String,
}

fn contact_page(view: &ContactView, org: &Authority) -> ContactPage {
    let state = &view.contact;
    let intake = state.intake.as_ref();
    let mut details = vec![item(
        "Received",
        state.received.map_or_else(String::new, when),
    )];
    if let Some(source) = state.source {
        details.push(item("Source", source.label()));
    }
    if let Some(i) = intake {
        details.push(item("Came in by", i.via.label()));
        details.push(item("Urgency", i.urgency.label()));
        details.push(item("Consent", i.consent.label()));
        if let Some(r) = &i.partner_ref {
            details.push(item("Their reference", r.as_str()));
        }
    }
    let mut referrer = Vec::new();
    if let Some(r) = intake.map(|i| &i.referrer) {
        referrer.push(item("Name", r.name.as_str()));
        for (label, value) in [
            ("Organisation", &r.organisation),
            ("Role", &r.role),
            ("Phone", &r.phone),
            ("Email", &r.email),
        ] {
            if let Some(v) = value {
                referrer.push(item(label, v.as_str()));
            }
        }
    }
    let given = intake.map_or(&[][..], |i| i.people.as_slice());
    let mut people: Vec<Person> = view
        .people
        .iter()
        .map(|g| person(g, given.get(usize::from(g.given)), org))
        .collect();
    // Someone new named alongside a child already linked joins that child's family.
    let family = view.people.iter().find_map(|g| {
        let linked = g.linked.as_ref()?;
        g.candidates
            .iter()
            .find(|c| &c.person == linked)?
            .child
            .as_ref()?
            .family
            .as_ref()
            .map(ToString::to_string)
    });
    for p in &mut people {
        p.family = family.clone();
    }
    let checks = state
        .checks
        .iter()
        .map(|(agency, c)| CheckRow {
            agency: agency.label(),
            code: agency.code(),
            rag: c.rag.label(),
            requested: when(c.requested),
            returned: c.returned.map(when),
            findings: c.findings.clone(),
            typed: String::new(),
            error: None,
        })
        .collect();
    let open = |a: &Agency| state.checks.get(a).is_none_or(|c| c.returned.is_some());
    ContactPage {
        id: state.id.to_string(),
        due: view.due.map(due_text),
        overdue: view.overdue,
        version: view.version,
        status: status_text(view.status),
        banner: None,
        errors: Vec::new(),
        details,
        referrer,
        narrative: intake.map_or_else(String::new, |i| i.narrative.clone()),
        people,
        checks,
        agencies: Agency::ALL
            .iter()
            .filter(|a| open(a))
            .map(|a| choice(a.code(), a.label(), None, false))
            .collect(),
        rags: Rag::ALL
            .iter()
            .map(|r| choice(r.code(), r.label(), Some(rag_hint(*r)), false))
            .collect(),
        agency_error: None,
        rag_error: None,
        decided: view.status == ContactStatus::Decided,
        decisions: state.decisions.iter().map(decision_row).collect(),
        proposals: state.proposals.iter().map(decision_row).collect(),
        routes: state
            .routes
            .iter()
            .map(|r| RouteRow {
                about: r
                    .child
                    .as_ref()
                    .map_or_else(|| String::from("The whole contact"), ToString::to_string),
                to: worker_text(r.worker.as_ref(), Some(&r.team), org),
                why: r.reason.label(),
                on: when(r.on),
            })
            .collect(),
        may_decide: false,
        may_sign_off: false,
        accept_error: None,
        sign_off_reasons: String::new(),
        sign_off_error: None,
    }
}

/// What a redirect back to the contact says was done.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Done {
    #[serde(default)]
    done: String,
}

fn banner(done: &str) -> Option<&'static str> {
    Some(match done {
        "linked" => "The person was linked to the record.",
        "created" => "A new record was made and linked.",
        "unlinked" => "The link was undone.",
        "requested" => "The check was asked for.",
        "returned" => "The check's return was recorded.",
        "decided" => "The contact was decided.",
        "proposed" => "The decision was proposed: a manager signs it off.",
        "signed" => "The decision was signed off.",
        "returned-decision" => "The decision was sent back to be decided again.",
        _ => return None,
    })
}

fn see_contact(id: &ContactId, done: &str) -> Response {
    Redirect::to(&format!("/contacts/{id}?done={done}")).into_response()
}

/// A problem with one field of a form, shown in the summary at the top (linking to
/// the field) and beside the field.
#[derive(Debug, Serialize)]
struct Problem {
    field: String,
    message: String,
}

/// A step refused: where on the page to say so, and why.
struct Refusal {
    status: StatusCode,
    /// The form field the message is about (also its anchor on the page).
    field: String,
    message: String,
}

impl Refusal {
    fn bad(field: impl Into<String>, message: impl Into<String>) -> Refusal {
        Refusal {
            status: StatusCode::BAD_REQUEST,
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Render the contact page, with `refusal` (if any) at the top and by its field, and
/// what the user typed (`typed`: the field and its text) kept in the box.
async fn render_contact(
    app: &AppState,
    caller: &Caller,
    id: &ContactId,
    banner: Option<&'static str>,
    refusal: Option<Refusal>,
    typed: Option<(&str, &str)>,
) -> Result<Response, PageError> {
    let now = (app.clock)();
    let who = caller.doing(SCREEN_ACTION);
    let view = match app.cases.contact(&who, now, id).await {
        Ok(view) => view,
        Err(e) => return Err(e.into()),
    };
    let authority = app.cases.authority(today(now)).await?;
    let mut page = contact_page(&view, &authority);
    page.banner = banner;
    page.may_decide = caller.role.may(Permission::DecideContacts);
    page.may_sign_off = caller.role.may(Permission::SignOffDecisions);
    let mut status = StatusCode::OK;
    if let Some(r) = refusal {
        status = r.status;
        let message = r.message.clone();
        let field = r.field.as_str();
        match field {
            "agency" => page.agency_error = Some(message.clone()),
            "rag" => page.rag_error = Some(message.clone()),
            "accept" => page.accept_error = Some(message.clone()),
            "sign-off-reasons" => page.sign_off_error = Some(message.clone()),
            _ => {}
        }
        for p in &mut page.people {
            if field == format!("reason-{}", p.given) {
                p.reason_error = Some(message.clone());
            } else if field == format!("person-{}", p.given) {
                p.link_error = Some(message.clone());
            }
        }
        for c in &mut page.checks {
            if field == format!("findings-{}", c.code) {
                c.error = Some(message.clone());
            }
        }
        page.errors.push(Problem {
            field: r.field.clone(),
            message,
        });
    }
    if let Some((field, text)) = typed {
        if field == "sign-off-reasons" {
            page.sign_off_reasons = text.to_owned();
        }
        for p in &mut page.people {
            if field == format!("reason-{}", p.given) {
                p.reason = text.to_owned();
            }
        }
        for c in &mut page.checks {
            if field == format!("findings-{}", c.code) {
                c.typed = text.to_owned();
            }
        }
    }
    let html = templates::render_for("front_door/contact.html", &Account::of(caller), &page)?;
    Ok((status, Html(html)).into_response())
}

/// The answer to a step written from the contact page: back to the contact saying
/// `done`, or the contact again with the refusal by `field`.
async fn answer(
    app: &AppState,
    caller: &Caller,
    id: &ContactId,
    written: Result<(), ContactError>,
    done: &str,
    field: &str,
    typed: Option<(&str, &str)>,
) -> Result<Response, PageError> {
    let refusal = match written {
        Ok(()) => return Ok(see_contact(id, done)),
        Err(ContactError::Changed) => Refusal {
            status: StatusCode::CONFLICT,
            field: String::from("people"),
            message: String::from(
                "The contact has changed since you opened it. Check it again below, then repeat what you did.",
            ),
        },
        Err(ContactError::NotAllowed(e)) => Refusal {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            field: field.to_owned(),
            message: format!("{}.", capitalised(&e)),
        },
        Err(ContactError::Intake(e)) => Refusal {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            field: field.to_owned(),
            message: format!("{}.", capitalised(&e)),
        },
        Err(ContactError::App(AppError::NoChild)) => Refusal {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            field: field.to_owned(),
            message: String::from("There is no such child to link to."),
        },
        Err(e) => return Err(e.into()),
    };
    render_contact(app, caller, id, None, Some(refusal), typed).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct IdPath {
    id: String,
}

/// `GET /contacts/{id}`: the contact as given, who each person may be, and the forms
/// that screen it. Needs `ScreenContacts`; the view is logged by the use case.
pub(crate) async fn contact(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<IdPath>, PathRejection>,
    done: Result<Query<Done>, QueryRejection>,
) -> Result<Response, PageError> {
    let id = path_contact(path)?;
    let done = done.map(|Query(d)| d).unwrap_or_default();
    render_contact(&app, &caller, &id, banner(&done.done), None, None).await
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct LinkForm {
    #[serde(default)]
    given: String,
    #[serde(default)]
    person: String,
    #[serde(default)]
    version: String,
}

/// The given person's place, as a form sends it.
fn given_of(raw: &str) -> Option<u8> {
    raw.trim().parse().ok()
}

/// `POST /contacts/{id}/links`: link a given person to a record, at the version the
/// page showed.
pub(crate) async fn link(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<IdPath>, PathRejection>,
    form: Result<Form<LinkForm>, FormRejection>,
) -> Result<Response, PageError> {
    let id = path_contact(path)?;
    let form = form.map(|Form(f)| f).unwrap_or_default();
    let Some(given) = given_of(&form.given) else {
        let refusal = Refusal::bad("people", "Choose the record to link the person to.");
        return render_contact(&app, &caller, &id, None, Some(refusal), None).await;
    };
    let field = format!("person-{given}");
    let Ok(person) = PersonRef::parse(form.person.trim()) else {
        let refusal = Refusal::bad(field, "Choose the record to link the person to.");
        return render_contact(&app, &caller, &id, None, Some(refusal), None).await;
    };
    let Ok(version) = form.version.trim().parse() else {
        let refusal = Refusal::bad(field, "The form was incomplete: open the contact again.");
        return render_contact(&app, &caller, &id, None, Some(refusal), None).await;
    };
    let who = caller.doing(SCREEN_ACTION);
    let written = app
        .cases
        .link_person(&who, (app.clock)(), &id, given, person, version)
        .await
        .map(drop);
    answer(&app, &caller, &id, written, "linked", &field, None).await
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct CreateForm {
    #[serde(default)]
    given: String,
    /// The family of a child the contact is already linked to, for the new record to join.
    #[serde(default)]
    family: String,
}

/// `POST /contacts/{id}/people`: register a given person as someone new and link them.
pub(crate) async fn create(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<IdPath>, PathRejection>,
    form: Result<Form<CreateForm>, FormRejection>,
) -> Result<Response, PageError> {
    let id = path_contact(path)?;
    let form = form.map(|Form(f)| f).unwrap_or_default();
    let Some(given) = given_of(&form.given) else {
        let refusal = Refusal::bad("people", "Choose the person to make a new record for.");
        return render_contact(&app, &caller, &id, None, Some(refusal), None).await;
    };
    let who = caller.doing(SCREEN_ACTION);
    let family = match optional_text(&form.family) {
        None => None,
        Some(f) => match FamilyId::parse(&f) {
            Ok(f) => Some(f),
            Err(_) => {
                let refusal = Refusal::bad(
                    format!("person-{given}"),
                    "The form was incomplete: open the contact again.",
                );
                return render_contact(&app, &caller, &id, None, Some(refusal), None).await;
            }
        },
    };
    let written = app
        .cases
        .create_person(&who, (app.clock)(), &id, given, family)
        .await
        .map(drop);
    let field = format!("person-{given}");
    answer(&app, &caller, &id, written, "created", &field, None).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct UnlinkPath {
    id: String,
    given: String,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct UnlinkForm {
    #[serde(default)]
    reason: String,
}

/// `POST /contacts/{id}/links/{given}/unlink`: undo a wrong link, saying why.
pub(crate) async fn unlink(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<UnlinkPath>, PathRejection>,
    form: Result<Form<UnlinkForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Ok(Path(UnlinkPath { id, given })) = path else {
        return Err(Failure::NotFound(NO_CONTACT).into());
    };
    let id = contact_id(&id)?;
    let Some(given) = given_of(&given) else {
        return Err(Failure::NotFound("No such person on the contact").into());
    };
    let form = form.map(|Form(f)| f).unwrap_or_default();
    let field = format!("reason-{given}");
    let reason = form.reason.trim();
    if reason.is_empty() {
        let refusal = Refusal::bad(field, "Enter why the link is wrong.");
        return render_contact(&app, &caller, &id, None, Some(refusal), None).await;
    }
    let who = caller.doing(SCREEN_ACTION);
    let written = app
        .cases
        .unlink_person(&who, (app.clock)(), &id, given, reason)
        .await
        .map(drop);
    answer(
        &app,
        &caller,
        &id,
        written,
        "unlinked",
        &field,
        Some((&field, reason)),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct CheckForm {
    #[serde(default)]
    agency: String,
    #[serde(default)]
    rag: String,
}

/// `POST /contacts/{id}/checks`: ask an agency for a check, of a RAG urgency.
pub(crate) async fn request_check(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<IdPath>, PathRejection>,
    form: Result<Form<CheckForm>, FormRejection>,
) -> Result<Response, PageError> {
    let id = path_contact(path)?;
    let form = form.map(|Form(f)| f).unwrap_or_default();
    let Ok(agency) = Agency::from_code(form.agency.trim()) else {
        let refusal = Refusal::bad("agency", "Choose the agency to ask for a check.");
        return render_contact(&app, &caller, &id, None, Some(refusal), None).await;
    };
    let Ok(rag) = Rag::from_code(form.rag.trim()) else {
        let refusal = Refusal::bad(
            "rag",
            "Choose how urgent the check is: red, amber or green.",
        );
        return render_contact(&app, &caller, &id, None, Some(refusal), None).await;
    };
    let who = caller.doing(SCREEN_ACTION);
    let written = app
        .cases
        .request_check(&who, (app.clock)(), &id, agency, rag)
        .await
        .map(drop);
    answer(&app, &caller, &id, written, "requested", "agency", None).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct ReturnPath {
    id: String,
    agency: String,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ReturnForm {
    #[serde(default)]
    findings: String,
}

/// `POST /contacts/{id}/checks/{agency}`: record what an agency's check found.
pub(crate) async fn record_check(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<ReturnPath>, PathRejection>,
    form: Result<Form<ReturnForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Ok(Path(ReturnPath { id, agency })) = path else {
        return Err(Failure::NotFound(NO_CONTACT).into());
    };
    let id = contact_id(&id)?;
    let Ok(agency) = Agency::from_code(&agency) else {
        return Err(Failure::NotFound("No such agency").into());
    };
    let form = form.map(|Form(f)| f).unwrap_or_default();
    let field = format!("findings-{}", agency.code());
    let findings = form.findings.trim();
    if findings.is_empty() {
        let refusal = Refusal::bad(
            field,
            format!("Enter what {} found, or \"Nothing known\".", agency.label()),
        );
        return render_contact(&app, &caller, &id, None, Some(refusal), None).await;
    }
    let who = caller.doing(SCREEN_ACTION);
    let written = app
        .cases
        .record_check(&who, (app.clock)(), &id, agency, Some(findings.to_owned()))
        .await
        .map(drop);
    answer(
        &app,
        &caller,
        &id,
        written,
        "returned",
        &field,
        Some((&field, findings)),
    )
    .await
}

/// One of a partner's contacts, as the partner's pages show it.
#[derive(Debug, Serialize)]
struct PartnerRow {
    id: String,
    received: String,
    status: &'static str,
    outcome: String,
    service: String,
    decided: String,
}

fn partner_row(v: &PartnerView) -> PartnerRow {
    PartnerRow {
        id: v.id.to_string(),
        received: when(v.received),
        status: match v.status {
            PartnerStatus::Received => "Received",
            PartnerStatus::Decided => "Decided",
        },
        outcome: v
            .outcome
            .map_or_else(|| String::from("Not yet decided"), |o| o.label().to_owned()),
        service: v
            .service
            .map_or_else(String::new, |s| service_text(s).to_owned()),
        decided: v.decided.map_or_else(String::new, when),
    }
}

#[derive(Debug, Serialize)]
struct PartnerList {
    rows: Vec<PartnerRow>,
}

/// `GET /partner/contacts`: the contacts the caller sent in, newest first, and what
/// became of each. Needs `ViewOwnContacts`; each contact listed is logged.
pub(crate) async fn partner_contacts(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, PageError> {
    let who = caller.doing(PARTNER_ACTION);
    let views = match app.cases.my_contacts(&who, (app.clock)()).await {
        Ok(views) => views,
        Err(e) => return Err(e.into()),
    };
    let page = PartnerList {
        rows: views.iter().map(partner_row).collect(),
    };
    let html = templates::render_for("front_door/partner_list.html", &Account::of(&caller), &page)?;
    Ok(Html(html).into_response())
}

/// `GET /partner/contacts/{id}`: what became of one contact the caller sent in; anyone
/// else's reads as not found.
pub(crate) async fn partner_contact(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<IdPath>, PathRejection>,
) -> Result<Response, PageError> {
    let id = path_contact(path)?;
    let who = caller.doing(PARTNER_ACTION);
    let view = match app.cases.contact_outcome(&who, (app.clock)(), &id).await {
        Ok(view) => view,
        Err(e) => return Err(e.into()),
    };
    let html = templates::render_for(
        "front_door/partner_contact.html",
        &Account::of(&caller),
        &partner_row(&view),
    )?;
    Ok(Html(html).into_response())
}

/// How many contacts a queue tab lists.
pub const QUEUE_ROWS: u32 = 500;

/// The queue's tabs: their query value, heading, and the statuses each lists.
const TABS: &[(&str, &str)] = &[
    ("new", "New"),
    ("checks", "Awaiting checks"),
    ("decision", "Awaiting decision"),
    ("today", "Decided today"),
];

fn tab_statuses(tab: &str) -> Vec<ContactStatus> {
    match tab {
        "checks" => vec![ContactStatus::AwaitingChecks],
        "decision" => vec![
            ContactStatus::AwaitingDecision,
            ContactStatus::AwaitingSignOff,
        ],
        "today" => vec![ContactStatus::Decided],
        _ => vec![ContactStatus::New],
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct QueueParams {
    #[serde(default)]
    tab: String,
    #[serde(default)]
    locality: String,
    #[serde(default)]
    urgency: String,
}

#[derive(Debug, Serialize)]
struct Tab {
    href: String,
    text: &'static str,
    current: bool,
}

#[derive(Debug, Serialize)]
struct QueueLine {
    id: String,
    received: String,
    people: String,
    urgency: String,
    status: &'static str,
    due: String,
    overdue: bool,
}

#[derive(Debug, Serialize)]
struct QueuePage {
    heading: &'static str,
    tabs: Vec<Tab>,
    tab: String,
    localities: Vec<Choice>,
    urgencies: Vec<Choice>,
    rows: Vec<QueueLine>,
    summary: String,
}

fn due_text(due: Due) -> String {
    match due {
        Due::On(day) => format!("End of {day}"),
        Due::At(at) => format!("{} {:02}:{:02}", at.date(), at.hour(), at.minute()),
    }
}

/// Who the contact names, as given: the children first.
fn given_names(state: &hearth_domain::contact::ContactState) -> String {
    let Some(intake) = &state.intake else {
        return String::new();
    };
    let mut people: Vec<&GivenPerson> = intake.people.iter().collect();
    people.sort_by_key(|p| p.role == GivenRole::Adult);
    people
        .iter()
        .map(|p| format!("{} {}", p.given_name, p.family_name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `GET /front-door?tab=&locality=&urgency=`: the contacts waiting, oldest first, by
/// where they stand (new, awaiting checks, awaiting a decision, decided today), with
/// when each falls due and an overdue tag. Needs `ScreenContacts`; the queue is logged
/// as viewed.
pub(crate) async fn queue(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    params: Result<Query<QueueParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let tab = TABS
        .iter()
        .find(|(t, _)| *t == params.tab)
        .map_or("new", |(t, _)| *t);
    let now = (app.clock)();
    let today = today(now);
    let authority = app.cases.authority(today).await?;
    let locality = params.locality.trim();
    let localities: Vec<String> = authority
        .organisation
        .as_ref()
        .map(|o| {
            o.areas
                .iter()
                .flat_map(|a| a.localities.iter().map(|l| l.name.clone()))
                .collect()
        })
        .unwrap_or_default();
    let locality = localities.iter().find(|l| l.as_str() == locality).cloned();
    let urgency = Urgency::from_code(params.urgency.trim()).ok();
    let filter = QueueFilter {
        statuses: tab_statuses(tab),
        decided_on: (tab == "today").then_some(today),
        locality: locality.clone(),
        urgency,
        limit: QUEUE_ROWS,
    };
    let who = caller.doing("view front-door queue");
    let rows = app.cases.contact_queue(&who, now, &filter).await?;
    let query = |t: &str| {
        let mut q = vec![("tab", t.to_owned())];
        if let Some(l) = &locality {
            q.push(("locality", l.clone()));
        }
        if let Some(u) = urgency {
            q.push(("urgency", u.code().to_owned()));
        }
        serde_urlencoded::to_string(q).unwrap_or_default()
    };
    let heading = TABS
        .iter()
        .find(|(t, _)| *t == tab)
        .map_or("New", |(_, h)| *h);
    let page = QueuePage {
        heading,
        tabs: TABS
            .iter()
            .map(|(t, text)| Tab {
                href: format!("/front-door?{}", query(t)),
                text,
                current: *t == tab,
            })
            .collect(),
        tab: tab.to_owned(),
        localities: localities
            .iter()
            .map(|l| choice(l, l, None, locality.as_ref() == Some(l)))
            .collect(),
        urgencies: Urgency::ALL
            .iter()
            .map(|u| choice(u.code(), u.label(), None, urgency == Some(*u)))
            .collect(),
        summary: match rows.len() {
            0 => String::from("No contacts."),
            1 => String::from("1 contact, oldest first."),
            n => format!("{n} contacts, oldest first."),
        },
        rows: rows
            .iter()
            .map(|r| {
                let state = &r.contact.state;
                QueueLine {
                    id: state.id.to_string(),
                    received: state.received.map_or_else(String::new, when),
                    people: given_names(state),
                    urgency: state
                        .intake
                        .as_ref()
                        .map_or_else(String::new, |i| i.urgency.label().to_owned()),
                    status: status_text(r.status),
                    due: r.due.map_or_else(String::new, due_text),
                    overdue: r.overdue,
                }
            })
            .collect(),
    };
    let html = templates::render_for("front_door/queue.html", &Account::of(&caller), &page)?;
    Ok(Html(html).into_response())
}

/// One decision's fields on the decision form: for a linked child, or (with no child
/// linked) for the whole contact.
#[derive(Debug, Serialize)]
struct DecisionGroup {
    i: usize,
    child: String,
    heading: String,
    outcomes: Vec<Choice>,
    levels: Vec<Choice>,
    needs: Vec<Choice>,
    reasons: String,
    outcome_error: Option<String>,
    level_error: Option<String>,
    reasons_error: Option<String>,
    need_error: Option<String>,
}

#[derive(Debug, Serialize)]
struct DecisionPage {
    id: String,
    version: u64,
    errors: Vec<Problem>,
    groups: Vec<DecisionGroup>,
    decided: bool,
}

/// What was typed into the decision form, by field name.
type Fields = std::collections::HashMap<String, String>;

fn field<'f>(fields: &'f Fields, name: &str, i: usize) -> &'f str {
    fields.get(&format!("{name}-{i}")).map_or("", |v| v.trim())
}

fn decision_page(view: &ContactView, org: &Authority, typed: &Fields) -> DecisionPage {
    let state = &view.contact;
    let given = state
        .intake
        .as_ref()
        .map_or(&[][..], |i| i.people.as_slice());
    let mut children: Vec<(String, String)> = state
        .links
        .iter()
        .filter_map(|(g, p)| match p {
            PersonRef::Child(c) => {
                let name = given.get(usize::from(*g)).map_or_else(String::new, |p| {
                    format!("{} {}", p.given_name, p.family_name)
                });
                Some((c.to_string(), format!("{name} ({c})")))
            }
            PersonRef::Adult(_) => None,
        })
        .collect();
    if children.is_empty() {
        children.push((String::new(), String::from("The whole contact")));
    }
    let levels: &[hearth_domain::org::Level] = org
        .organisation
        .as_ref()
        .map_or(&[], |o| o.threshold.levels.as_slice());
    let groups = children
        .into_iter()
        .enumerate()
        .map(|(i, (child, heading))| {
            let outcome = field(typed, "outcome", i);
            let level = field(typed, "level", i);
            let need = field(typed, "primary_need", i);
            let mut level_choices: Vec<Choice> = levels
                .iter()
                .map(|l| {
                    choice(
                        &l.name,
                        &format!("{} ({})", l.name, l.outcome.label()),
                        Some(&l.label),
                        level == l.name,
                    )
                })
                .collect();
            level_choices.push(choice(
                "",
                "No level",
                None,
                level.is_empty() && !typed.is_empty(),
            ));
            DecisionGroup {
                i,
                child,
                heading,
                outcomes: ContactOutcome::ALL
                    .iter()
                    .map(|o| choice(o.code(), o.label(), None, outcome == o.code()))
                    .collect(),
                levels: level_choices,
                needs: std::iter::once(choice("", "None", None, need.is_empty()))
                    .chain(PrimaryNeed::ALL.iter().map(|n| {
                        choice(
                            n.code(),
                            &format!("{} {}", n.code(), n.label()),
                            None,
                            need == n.code(),
                        )
                    }))
                    .collect(),
                reasons: field(typed, "reasons", i).to_owned(),
                outcome_error: None,
                level_error: None,
                reasons_error: None,
                need_error: None,
            }
        })
        .collect();
    DecisionPage {
        id: state.id.to_string(),
        version: view.version,
        errors: Vec::new(),
        groups,
        decided: view.status == ContactStatus::Decided,
    }
}

/// Render the decision form, with `refusal` (if any) by its field.
async fn render_decision(
    app: &AppState,
    caller: &Caller,
    id: &ContactId,
    typed: &Fields,
    refusal: Option<Refusal>,
) -> Result<Response, PageError> {
    let now = (app.clock)();
    let who = caller.doing(SCREEN_ACTION);
    let view = app.cases.contact(&who, now, id).await?;
    let authority = app.cases.authority(today(now)).await?;
    let mut page = decision_page(&view, &authority, typed);
    let mut status = StatusCode::OK;
    if let Some(r) = refusal {
        status = r.status;
        for g in &mut page.groups {
            let message = Some(r.message.clone());
            if r.field == format!("outcome-{}", g.i) {
                g.outcome_error = message;
            } else if r.field == format!("level-{}", g.i) {
                g.level_error = message;
            } else if r.field == format!("reasons-{}", g.i) {
                g.reasons_error = message;
            } else if r.field == format!("primary_need-{}", g.i) {
                g.need_error = message;
            }
        }
        page.errors.push(Problem {
            field: r.field,
            message: r.message,
        });
    }
    let html = templates::render_for("front_door/decision.html", &Account::of(caller), &page)?;
    Ok((status, Html(html)).into_response())
}

/// `GET /contacts/{id}/decision`: the decision form, one part for each linked child
/// (or one for the whole contact). Needs `DecideContacts`.
pub(crate) async fn decision(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<IdPath>, PathRejection>,
) -> Result<Response, PageError> {
    let id = path_contact(path)?;
    render_decision(&app, &caller, &id, &Fields::new(), None).await
}

/// The decision form's field for a field the use case names (`decisions[0].reasons`).
fn decision_field(named: &str) -> String {
    let Some(rest) = named.strip_prefix("decisions[") else {
        return match named {
            "reasons" | "primary_need" | "level" | "outcome" => format!("{named}-0"),
            _ => String::from("decision"),
        };
    };
    match rest.split_once("].") {
        Some((i, name)) => format!("{name}-{i}"),
        None => String::from("decision"),
    }
}

/// `POST /contacts/{id}/decision`: decide the contact, at the version the form showed.
/// A decision the authority has signed off is written as a proposal.
pub(crate) async fn decide(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<IdPath>, PathRejection>,
    form: Result<Form<Fields>, FormRejection>,
) -> Result<Response, PageError> {
    let id = path_contact(path)?;
    let fields = form.map(|Form(f)| f).unwrap_or_default();
    let mut decisions = Vec::new();
    let mut i = 0;
    while let Some(child) = fields.get(&format!("child-{i}")) {
        let refuse = |name: &str, message: &str| Refusal::bad(format!("{name}-{i}"), message);
        let Ok(outcome) = ContactOutcome::from_code(field(&fields, "outcome", i)) else {
            let r = refuse("outcome", "Choose what happens next.");
            return render_decision(&app, &caller, &id, &fields, Some(r)).await;
        };
        let need = field(&fields, "primary_need", i);
        let primary_need = if need.is_empty() {
            None
        } else if let Ok(need) = PrimaryNeed::from_code(need) {
            Some(need)
        } else {
            let r = refuse("primary_need", "Choose the primary need from the list.");
            return render_decision(&app, &caller, &id, &fields, Some(r)).await;
        };
        let child = if child.trim().is_empty() {
            None
        } else {
            match hearth_domain::ids::ChildId::parse(child.trim()) {
                Ok(c) => Some(c),
                Err(_) => {
                    let r = Refusal::bad(
                        "decision",
                        "The form was incomplete: open the contact again.",
                    );
                    return render_decision(&app, &caller, &id, &fields, Some(r)).await;
                }
            }
        };
        let level = field(&fields, "level", i);
        decisions.push(ChildDecision {
            child,
            outcome,
            level: (!level.is_empty()).then(|| level.to_owned()),
            reasons: field(&fields, "reasons", i).to_owned(),
            primary_need,
        });
        i += 1;
    }
    let Ok(version) = fields.get("version").map_or("", |v| v.trim()).parse() else {
        let r = Refusal::bad(
            "decision",
            "The form was incomplete: open the contact again.",
        );
        return render_decision(&app, &caller, &id, &fields, Some(r)).await;
    };
    let who = caller.doing("decide contact");
    let refusal = match app
        .cases
        .decide(&who, (app.clock)(), &id, decisions, version)
        .await
    {
        Ok(decided) => {
            let done = if decided.proposed {
                "proposed"
            } else {
                "decided"
            };
            return Ok(see_contact(&id, done));
        }
        Err(ContactError::Intake(e)) => Refusal {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            field: decision_field(&e.field),
            message: decision_message(&e),
        },
        Err(ContactError::NotAllowed(e)) => Refusal {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            field: String::from("decision"),
            message: format!("{}.", capitalised(&e)),
        },
        Err(ContactError::Changed) => Refusal {
            status: StatusCode::CONFLICT,
            field: String::from("decision"),
            message: String::from(
                "The contact has changed since you opened it. Check it again, then decide.",
            ),
        },
        Err(e) => return Err(e.into()),
    };
    render_decision(&app, &caller, &id, &fields, Some(refusal)).await
}

/// A refused decision's field, in the words of the form.
fn decision_message(e: &hearth_domain::contact::IntakeError) -> String {
    let field = e.field.rsplit('.').next().unwrap_or(&e.field);
    match field {
        "reasons" => String::from("Enter the reasons for the decision."),
        "primary_need" => String::from("Choose the primary need: a referral needs one."),
        "level" => String::from("Choose one of the authority's levels of need."),
        "decisions" => String::from("Decide for each child linked to the contact."),
        _ => format!("{}.", capitalised(e)),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SignOffForm {
    #[serde(default)]
    accept: String,
    #[serde(default)]
    reasons: String,
    #[serde(default)]
    version: String,
}

/// `POST /contacts/{id}/sign-off`: a manager accepts the decision proposed, or sends it
/// back saying why. Needs `SignOffDecisions`.
pub(crate) async fn sign_off(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<IdPath>, PathRejection>,
    form: Result<Form<SignOffForm>, FormRejection>,
) -> Result<Response, PageError> {
    let id = path_contact(path)?;
    let form = form.map(|Form(f)| f).unwrap_or_default();
    let accept = match form.accept.trim() {
        "yes" => true,
        "no" => false,
        _ => {
            let r = Refusal::bad("accept", "Choose whether to sign the decision off.");
            return render_contact(&app, &caller, &id, None, Some(r), None).await;
        }
    };
    let reasons = form.reasons.trim();
    let Ok(version) = form.version.trim().parse() else {
        let r = Refusal::bad("accept", "The form was incomplete: open the contact again.");
        return render_contact(&app, &caller, &id, None, Some(r), None).await;
    };
    let who = caller.doing("sign off decision");
    let written = match app
        .cases
        .sign_off(&who, (app.clock)(), &id, accept, reasons, version)
        .await
    {
        Ok(_) => Ok(()),
        Err(ContactError::Intake(e)) if e.field == "reasons" => {
            let r = Refusal::bad("sign-off-reasons", "Enter why the decision is sent back.");
            return render_contact(
                &app,
                &caller,
                &id,
                None,
                Some(r),
                Some(("sign-off-reasons", reasons)),
            )
            .await;
        }
        Err(e) => Err(e),
    };
    let done = if accept {
        "signed"
    } else {
        "returned-decision"
    };
    answer(
        &app,
        &caller,
        &id,
        written,
        done,
        "accept",
        Some(("sign-off-reasons", reasons)),
    )
    .await
}

/// A contact as the web form gives it: one child, and an adult if named.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct RaiseForm {
    #[serde(default)]
    referrer_name: String,
    #[serde(default)]
    referrer_organisation: String,
    #[serde(default)]
    referrer_role: String,
    #[serde(default)]
    referrer_phone: String,
    #[serde(default)]
    referrer_email: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    child_given: String,
    #[serde(default)]
    child_family: String,
    #[serde(default)]
    child_dob: String,
    #[serde(default)]
    address_line: String,
    #[serde(default)]
    town: String,
    #[serde(default)]
    postcode: String,
    #[serde(default)]
    adult_given: String,
    #[serde(default)]
    adult_family: String,
    #[serde(default)]
    adult_relationship: String,
    #[serde(default)]
    narrative: String,
    #[serde(default)]
    consent: String,
    #[serde(default)]
    urgency: String,
    /// On the check-answers page: `send`, or `change` to go back to the form.
    #[serde(default, skip_serializing)]
    action: String,
}

fn optional_text(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// The form field for a field the one rule names (`people[0].date_of_birth`).
fn raise_field(named: &str) -> &'static str {
    match named {
        "referrer.name" => "referrer_name",
        "referrer.organisation" => "referrer_organisation",
        "referrer.role" => "referrer_role",
        "referrer.phone" => "referrer_phone",
        "referrer.email" => "referrer_email",
        "narrative" => "narrative",
        "people[0].family_name" => "child_family",
        "people[0].date_of_birth" => "child_dob",
        "people[1].given_name" => "adult_given",
        "people[1].family_name" => "adult_family",
        "people[1].relationship" => "adult_relationship",
        n if n.starts_with("people[0].address") => "postcode",
        n if n.starts_with("people[1]") => "adult_given",
        _ => "child_given",
    }
}

impl RaiseForm {
    /// The contact the form gives, made now, or what is wrong with it.
    fn contact(&self, now: jiff::Timestamp) -> Result<NewContact, Problem> {
        let problem = |field: &str, message: &str| Problem {
            field: field.to_owned(),
            message: message.to_owned(),
        };
        let Ok(source) = ReferralSource::from_code(self.source.trim()) else {
            return Err(problem("source", "Choose who is making the contact."));
        };
        let Ok(date_of_birth) = self.child_dob.trim().parse::<jiff::civil::Date>() else {
            return Err(problem(
                "child_dob",
                "Enter the child's date of birth as YYYY-MM-DD, for example 2015-06-01.",
            ));
        };
        let postcode = match optional_text(&self.postcode) {
            None => None,
            Some(p) => match Postcode::parse(&p) {
                Ok(p) => Some(p),
                Err(_) => {
                    return Err(problem(
                        "postcode",
                        "Enter a real postcode, for example TN23 1AA, or leave it out.",
                    ));
                }
            },
        };
        let Ok(consent) = Consent::from_code(self.consent.trim()) else {
            return Err(problem(
                "consent",
                "Choose whether the family agreed to the contact.",
            ));
        };
        let Ok(urgency) = Urgency::from_code(self.urgency.trim()) else {
            return Err(problem(
                "urgency",
                "Choose how soon the child needs a response.",
            ));
        };
        let address =
            (postcode.is_some() || optional_text(&self.town).is_some()).then(|| GivenAddress {
                lines: optional_text(&self.address_line).into_iter().collect(),
                town: self.town.trim().to_owned(),
                postcode,
            });
        let person = |role, given: &str, family: &str| GivenPerson {
            role,
            given_name: given.trim().to_owned(),
            family_name: family.trim().to_owned(),
            other_names: Vec::new(),
            date_of_birth: None,
            expected_date_of_birth: None,
            sex: None,
            nhs_number: None,
            address: address.clone(),
            relationship: None,
        };
        let mut people = vec![GivenPerson {
            date_of_birth: Some(date_of_birth),
            ..person(GivenRole::Child, &self.child_given, &self.child_family)
        }];
        if optional_text(&self.adult_given).is_some() || optional_text(&self.adult_family).is_some()
        {
            people.push(GivenPerson {
                relationship: optional_text(&self.adult_relationship),
                ..person(GivenRole::Adult, &self.adult_given, &self.adult_family)
            });
        }
        let local = now
            .to_zoned(jiff::tz::TimeZone::get("Europe/London").unwrap_or(jiff::tz::TimeZone::UTC));
        let contact = NewContact {
            received_at: OccurredAt::at(local.date(), local.hour(), local.minute()),
            source,
            intake: Intake {
                via: Channel::Form,
                referrer: Referrer {
                    organisation: optional_text(&self.referrer_organisation),
                    name: self.referrer_name.trim().to_owned(),
                    role: optional_text(&self.referrer_role),
                    phone: optional_text(&self.referrer_phone),
                    email: optional_text(&self.referrer_email),
                },
                people,
                narrative: self.narrative.trim().to_owned(),
                consent,
                urgency,
                partner_ref: None,
            },
        };
        contact.validate(today(now)).map_err(|e| Problem {
            field: raise_field(&e.field).to_owned(),
            message: format!("{}.", capitalised(&e)),
        })?;
        Ok(contact)
    }
}

#[derive(Debug, Serialize)]
struct RaisePage<'f> {
    form: &'f RaiseForm,
    errors: Vec<Problem>,
    sources: Vec<Choice>,
    consents: Vec<Choice>,
    urgencies: Vec<Choice>,
    /// The answers as the check page lists them.
    answers: Vec<Item>,
}

fn raise_page<'f>(form: &'f RaiseForm, errors: Vec<Problem>) -> RaisePage<'f> {
    let code = |s: &str| s.trim().to_owned();
    RaisePage {
        form,
        errors,
        sources: std::iter::once(choice("", "Choose", None, form.source.trim().is_empty()))
            .chain(
                ReferralSource::ALL
                    .iter()
                    .map(|s| choice(s.code(), s.label(), None, code(&form.source) == s.code())),
            )
            .collect(),
        consents: Consent::ALL
            .iter()
            .map(|c| choice(c.code(), c.label(), None, code(&form.consent) == c.code()))
            .collect(),
        urgencies: Urgency::ALL
            .iter()
            .map(|u| choice(u.code(), u.label(), None, code(&form.urgency) == u.code()))
            .collect(),
        answers: Vec::new(),
    }
}

fn answers(contact: &NewContact) -> Vec<Item> {
    let i = &contact.intake;
    let mut rows = vec![
        item("Who is making it", i.referrer.name.as_str()),
        item(
            "Organisation",
            i.referrer.organisation.clone().unwrap_or_default(),
        ),
        item("Source", contact.source.label()),
    ];
    for p in &i.people {
        let mut text = format!("{} {}", p.given_name, p.family_name);
        if let Some(dob) = p.date_of_birth {
            text.push_str(&format!(", born {dob}"));
        }
        if let Some(r) = &p.relationship {
            text.push_str(&format!(" ({r})"));
        }
        rows.push(item(
            if p.role == GivenRole::Adult {
                "Adult"
            } else {
                "Child"
            },
            text,
        ));
    }
    if let Some(a) = i.people.first().and_then(|p| p.address.as_ref()) {
        rows.push(item("Address", given_address(a)));
    }
    rows.push(item("What is the concern", i.narrative.as_str()));
    rows.push(item("Consent", i.consent.label()));
    rows.push(item("Urgency", i.urgency.label()));
    rows
}

fn render_raise(
    caller: &Caller,
    template: &str,
    page: &RaisePage<'_>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let html = templates::render_for(template, &Account::of(caller), page)?;
    Ok((status, Html(html)).into_response())
}

/// `GET /contacts/new`: the form for making a contact with the front door.
pub(crate) async fn raise(Extension(caller): Extension<Caller>) -> Result<Response, PageError> {
    let form = RaiseForm::default();
    render_raise(
        &caller,
        "front_door/raise.html",
        &raise_page(&form, Vec::new()),
        StatusCode::OK,
    )
}

/// `POST /contacts/new`: the answers checked, then shown back to be sent (or the form
/// again, naming what is wrong).
pub(crate) async fn raise_check(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    form: Result<Form<RaiseForm>, FormRejection>,
) -> Result<Response, PageError> {
    let form = form.map(|Form(f)| f).unwrap_or_default();
    match form.contact((app.clock)()) {
        Ok(contact) => {
            let mut page = raise_page(&form, Vec::new());
            page.answers = answers(&contact);
            render_raise(
                &caller,
                "front_door/raise_check.html",
                &page,
                StatusCode::OK,
            )
        }
        Err(problem) => render_raise(
            &caller,
            "front_door/raise.html",
            &raise_page(&form, vec![problem]),
            StatusCode::BAD_REQUEST,
        ),
    }
}

/// `POST /contacts/new/check`: send the contact checked (or go back to change it).
pub(crate) async fn raise_send(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    form: Result<Form<RaiseForm>, FormRejection>,
) -> Result<Response, PageError> {
    let form = form.map(|Form(f)| f).unwrap_or_default();
    let now = (app.clock)();
    let contact = match form.contact(now) {
        Ok(contact) if form.action == "send" => contact,
        Ok(_) => {
            return render_raise(
                &caller,
                "front_door/raise.html",
                &raise_page(&form, Vec::new()),
                StatusCode::OK,
            );
        }
        Err(problem) => {
            return render_raise(
                &caller,
                "front_door/raise.html",
                &raise_page(&form, vec![problem]),
                StatusCode::BAD_REQUEST,
            );
        }
    };
    let who = caller.doing("make contact");
    match app.cases.receive_contact(&who, now, contact).await {
        Ok(id) => Ok(Redirect::to(&format!("/contacts/sent/{id}")).into_response()),
        Err(ContactError::Intake(e)) => render_raise(
            &caller,
            "front_door/raise.html",
            &raise_page(
                &form,
                vec![Problem {
                    field: raise_field(&e.field).to_owned(),
                    message: format!("{}.", capitalised(&e)),
                }],
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => Err(e.into()),
    }
}

/// `GET /contacts/sent/{id}`: the contact was sent, and its reference. Reads nothing.
pub(crate) async fn raise_sent(
    Extension(caller): Extension<Caller>,
    path: Result<Path<IdPath>, PathRejection>,
) -> Result<Response, PageError> {
    let id = path_contact(path)?;
    let html = templates::render_for(
        "front_door/raise_sent.html",
        &Account::of(&caller),
        &serde_json::json!({
            "id": id.to_string(),
            "may_follow": caller.role.may(Permission::ViewOwnContacts),
        }),
    )?;
    Ok(Html(html).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_score_is_never_shown_as_certain() {
        assert_eq!(percent(0.999), "99%");
        assert_eq!(percent(0.5), "50%");
        assert_eq!(percent(0.734), "73%");
    }

    #[test]
    fn only_known_steps_get_a_banner() {
        assert_eq!(
            banner("linked"),
            Some("The person was linked to the record.")
        );
        assert_eq!(banner("<script>"), None);
        assert_eq!(banner(""), None);
    }

    #[test]
    fn a_refusal_is_shown_by_the_form_field_it_is_about() {
        assert_eq!(decision_field("decisions[1].reasons"), "reasons-1");
        assert_eq!(
            decision_field("decisions[0].primary_need"),
            "primary_need-0"
        );
        assert_eq!(decision_field("reasons"), "reasons-0");
        assert_eq!(decision_field("decisions"), "decision");
        assert_eq!(raise_field("people[0].date_of_birth"), "child_dob");
        assert_eq!(raise_field("people[0].address.postcode"), "postcode");
        assert_eq!(raise_field("people[1].family_name"), "adult_family");
        assert_eq!(raise_field("referrer.email"), "referrer_email");
        assert_eq!(raise_field("people"), "child_given");
    }
}
