//! Recording an event on a child's journey through a page (issue 14 item 1): choose what
//! to record from the kinds the journey would take now, then the kind's form, drawn
//! from its declaration (`hearth_domain::forms`) and read back through it. A good form
//! goes through `App::record_event` and back to the child with a banner; bad input comes
//! back with the error summary, a message by each field and what was typed, writing
//! nothing; a record someone else saved to first shows what they saved, keeping the
//! input to save again (item 8). Needs `RecordEvents`.

use crate::AppState;
use crate::chronology::describe_in_journey;
use crate::error::{Failure, NO_CHILD, PageError};
use crate::pages::{child_id, today};
use crate::session::{Account, Caller};
use crate::templates;
use axum::Extension;
use axum::extract::rejection::{FormRejection, PathRejection};
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use hearth_app::drafts::DRAFTED;
use hearth_app::{AppError, NewEvent};
use hearth_domain::event::{Event, OccurredAt};
use hearth_domain::forms::{self, EventForm, FieldError, Input, Stage, Submitted};
use hearth_domain::ids::{ChildId, EventId};
use hearth_domain::journey::Problem;
use hearth_domain::org::Organisation;
use hearth_store::{StoreError, Version};
use jiff::civil::Date;
use serde::Serialize;

/// What the access log says the pages were for.
const RECORD_ACTION: &str = "record event";

/// The form's field carrying the version of the journey the form was drawn from.
const VERSION: &str = "version";

/// The correction form's field saying why.
const REASON: &str = "reason";

/// Code lists up to this long are radios; longer ones a select.
const MAX_RADIOS: usize = 10;

#[derive(Debug, Serialize)]
struct Choice {
    kind: &'static str,
    title: &'static str,
}

#[derive(Debug, Serialize)]
struct Group {
    stage: &'static str,
    choices: Vec<Choice>,
}

#[derive(Debug, Serialize)]
struct ChoosePage {
    title: &'static str,
    id: String,
    name: String,
    groups: Vec<Group>,
}

#[derive(Debug, Serialize)]
struct Opt {
    value: String,
    text: String,
    checked: bool,
}

/// One field as the template draws it.
#[derive(Debug, Serialize)]
struct FieldView {
    name: &'static str,
    label: &'static str,
    hint: Option<&'static str>,
    /// "text", "postcode", "number", "money", "textarea", "radios", "select" or
    /// "checkboxes".
    control: &'static str,
    required: bool,
    value: String,
    options: Vec<Opt>,
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct DateView {
    day: String,
    month: String,
    year: String,
    time: String,
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct Shown {
    field: String,
    message: String,
}

#[derive(Debug, Serialize)]
struct FormPage {
    title: &'static str,
    id: String,
    name: String,
    kind: &'static str,
    version: Version,
    when: DateView,
    fields: Vec<FieldView>,
    errors: Vec<Shown>,
    /// Saved by someone else since the form was drawn, when that stopped this save.
    changed: Vec<String>,
    /// Where the form posts to.
    action: String,
    /// Set when the form corrects an earlier event: its sentence, and the reason typed.
    correcting: Option<String>,
    reason: String,
    reason_error: Option<String>,
    /// Set for a kind whose drafts are kept (a case note): where drafts are saved, and
    /// when the author's draft shown was saved.
    draft: Option<DraftView>,
}

#[derive(Debug, Serialize)]
struct DraftView {
    url: String,
    saved: Option<String>,
}

/// A child's record as the pages read it: name, state, journey and version; not found
/// if the caller may not see them.
async fn read(
    app: &AppState,
    caller: &Caller,
    id: &ChildId,
) -> Result<(String, hearth_store::ChildRecord, Vec<Event>), PageError> {
    let who = caller.doing(RECORD_ACTION);
    let Some((record, journey)) = app.cases.chronology(&who, (app.clock)(), id).await? else {
        return Err(Failure::NotFound(NO_CHILD).into());
    };
    let name = record
        .state
        .details
        .as_ref()
        .map_or_else(|| String::from("Name not recorded"), |d| d.name.to_string());
    Ok((name, record, journey))
}

/// `GET /children/{id}/record`: what may be recorded on the child now, by stage.
pub(crate) async fn choose(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Html<String>, PageError> {
    let id = child_id(path)?;
    let (name, record, _) = read(&app, &caller, &id).await?;
    let fitting = forms::fitting(&record.state, today((app.clock)()));
    let groups = Stage::ALL
        .iter()
        .map(|stage| Group {
            stage: stage.label(),
            choices: fitting
                .iter()
                .filter(|f| f.stage == *stage)
                .map(|f| Choice {
                    kind: f.kind,
                    title: f.title,
                })
                .collect(),
        })
        .filter(|g| !g.choices.is_empty())
        .collect();
    let page = ChoosePage {
        title: "What do you want to record?",
        id: id.to_string(),
        name,
        groups,
    };
    Ok(Html(templates::render_for(
        "record/choose.html",
        &Account::of(&caller),
        &page,
    )?))
}

/// The kind's form, or not found.
fn form_of(kind: &str) -> Result<EventForm, PageError> {
    forms::form(kind).ok_or_else(|| Failure::NotFound("No such form").into())
}

/// The kind in the path with the child's id.
fn kind_path(
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<(ChildId, EventForm), PageError> {
    let Ok(Path((id, kind))) = path else {
        return Err(Failure::NotFound(NO_CHILD).into());
    };
    let id = ChildId::parse(&id).map_err(|_| Failure::NotFound(NO_CHILD))?;
    Ok((id, form_of(&kind)?))
}

/// `GET /children/{id}/record/{kind}`: the kind's form, dated today.
pub(crate) async fn show(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, PageError> {
    let (id, form) = kind_path(path)?;
    let (name, record, _) = read(&app, &caller, &id).await?;
    let now = (app.clock)();
    let day = today(now);
    // The author's draft, if they left one: what they typed, as they left it.
    let draft = if DRAFTED.contains(&form.kind) {
        let who = caller.doing(RECORD_ACTION);
        app.cases.my_draft(&who, now, &id, form.kind).await?
    } else {
        None
    };
    let typed: Vec<(String, String)> = match &draft {
        Some(d) => d.fields.clone(),
        None => forms::write_occurred_at(OccurredAt::on(day))
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    };
    let org = app.cases.authority(day).await?;
    let mut page = page(
        &form,
        &id,
        name,
        record.version,
        &typed,
        org.organisation.as_ref(),
        day,
        Vec::new(),
    );
    if let (Some(view), Some(d)) = (page.draft.as_mut(), &draft) {
        view.saved = Some(saved_at(d.saved_at));
    }
    render(&caller, &page, StatusCode::OK)
}

fn render(caller: &Caller, page: &FormPage, status: StatusCode) -> Result<Response, PageError> {
    let html = templates::render_for("record/form.html", &Account::of(caller), page)?;
    Ok((status, Html(html)).into_response())
}

/// The form page for `form`, filled in with what was `typed`, with `errors`.
#[allow(clippy::too_many_arguments)]
fn page(
    form: &EventForm,
    id: &ChildId,
    name: String,
    version: Version,
    typed: &[(String, String)],
    org: Option<&Organisation>,
    day: Date,
    errors: Vec<FieldError>,
) -> FormPage {
    let submitted = Submitted::new(typed);
    let first = |name: &str| {
        submitted
            .values(name)
            .first()
            .map_or_else(String::new, |v| (*v).to_owned())
    };
    let error_for = |name: &str| {
        errors
            .iter()
            .find(|e| e.field == name)
            .map(|e| e.message.clone())
    };
    let fields = form
        .fields
        .iter()
        .map(|f| {
            let given = submitted.values(f.name);
            let options = |list: &[(String, String)]| {
                list.iter()
                    .map(|(value, text)| Opt {
                        checked: given.contains(&value.as_str()),
                        value: value.clone(),
                        text: text.clone(),
                    })
                    .collect::<Vec<_>>()
            };
            let (control, options) = match f.input {
                Input::Text => ("text", Vec::new()),
                Input::LongText => ("textarea", Vec::new()),
                Input::Postcode => ("postcode", Vec::new()),
                Input::Number { .. } => ("number", Vec::new()),
                Input::Money => ("money", Vec::new()),
                Input::YesNo => (
                    "radios",
                    options(&[
                        (String::from("yes"), String::from("Yes")),
                        (String::from("no"), String::from("No")),
                    ]),
                ),
                Input::Code(list) | Input::Codes(list) => {
                    let coded: Vec<(String, String)> = list
                        .options
                        .iter()
                        .map(|(code, label)| ((*code).to_owned(), format!("{label} ({code})")))
                        .collect();
                    let control = if matches!(f.input, Input::Codes(_)) {
                        "checkboxes"
                    } else if coded.len() <= MAX_RADIOS {
                        "radios"
                    } else {
                        "select"
                    };
                    (control, options(&coded))
                }
                Input::Worker => match org {
                    Some(org) => (
                        "select",
                        options(
                            &org.workers
                                .iter()
                                .filter(|w| {
                                    w.start_date <= day && w.end_date.is_none_or(|end| end >= day)
                                })
                                .map(|w| (w.id.to_string(), format!("{} ({})", w.name, w.id)))
                                .collect::<Vec<_>>(),
                        ),
                    ),
                    None => ("text", Vec::new()),
                },
                Input::Team => match org {
                    Some(org) => (
                        "select",
                        options(
                            &org.teams()
                                .map(|(_, _, t)| {
                                    (t.id.to_string(), format!("{} ({})", t.name, t.id))
                                })
                                .collect::<Vec<_>>(),
                        ),
                    ),
                    None => ("text", Vec::new()),
                },
            };
            FieldView {
                name: f.name,
                label: f.label,
                hint: f.hint,
                control,
                required: f.required,
                value: first(f.name),
                options,
                error: error_for(f.name),
            }
        })
        .collect();
    let reason_error = error_for(REASON);
    FormPage {
        title: form.title,
        id: id.to_string(),
        name,
        kind: form.kind,
        version,
        when: DateView {
            day: first(forms::DAY),
            month: first(forms::MONTH),
            year: first(forms::YEAR),
            time: first(forms::TIME),
            error: error_for(forms::OCCURRED_AT),
        },
        fields,
        errors: errors
            .into_iter()
            .map(|e| Shown {
                // The date input's first box is the one to jump to.
                field: if e.field == forms::OCCURRED_AT {
                    String::from(forms::DAY)
                } else {
                    e.field.to_owned()
                },
                message: e.message,
            })
            .collect(),
        changed: Vec::new(),
        action: format!("/children/{id}/record/{}", form.kind),
        correcting: None,
        reason: first(REASON),
        reason_error,
        draft: DRAFTED.contains(&form.kind).then(|| DraftView {
            url: format!("/children/{id}/record/{}/draft", form.kind),
            saved: None,
        }),
    }
}

/// Where the journey's or the organisation's refusal of an event is shown: by the field
/// it concerns, or by the date when it is about when or where on the journey it falls.
fn refusal_field(form: &EventForm, problem: &Problem) -> &'static str {
    let input_field = |wanted: fn(&Input) -> bool| {
        form.fields
            .iter()
            .find(|f| wanted(&f.input))
            .map_or(forms::OCCURRED_AT, |f| f.name)
    };
    match problem {
        Problem::UnknownWorker(_) | Problem::NotInPost(_) => {
            input_field(|i| matches!(i, Input::Worker))
        }
        Problem::UnknownTeam(_) => input_field(|i| matches!(i, Input::Team)),
        Problem::ChangeOfWorkerNeedsReason => "reason",
        Problem::TooLong { field, .. } | Problem::TooManyLines { field, .. } => form
            .fields
            .iter()
            .find(|f| f.name == *field)
            .map_or(forms::OCCURRED_AT, |f| f.name),
        _ => forms::OCCURRED_AT,
    }
}

/// `POST /children/{id}/record/{kind}`: record the event, or say what is wrong. A save
/// that goes through reads nothing first (the write is checked, applied and logged in
/// one commit); the record is read, and logged, only to draw the form again.
pub(crate) async fn save(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<(String, String)>, PathRejection>,
    body: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, PageError> {
    let (id, form) = kind_path(path)?;
    let typed = body.map(|Form(pairs)| pairs).unwrap_or_default();
    let now = (app.clock)();
    let day = today(now);
    let submitted = Submitted::new(&typed);
    let version: Option<Version> = submitted
        .values(VERSION)
        .first()
        .and_then(|v| v.parse().ok());
    let when = forms::read_occurred_at(&submitted);
    let data = forms::parse(form.kind, &submitted);
    let mut errors: Vec<FieldError> = when.as_ref().err().cloned().into_iter().collect();
    if let Some(Err(field_errors)) = &data {
        errors.extend(field_errors.iter().cloned());
    }
    // The form again, with `errors`, at the version read now unless `at` is given, and
    // with what changed since `since`, if given.
    let again = async |errors, at: Option<Version>, since: Option<Version>, status| {
        let (name, record, journey) = read(&app, &caller, &id).await?;
        let org = app.cases.authority(day).await?;
        let mut page = page(
            &form,
            &id,
            name,
            at.unwrap_or(record.version),
            &typed,
            org.organisation.as_ref(),
            day,
            errors,
        );
        if let Some(since) = since {
            let since = usize::try_from(since).unwrap_or(usize::MAX);
            page.changed = journey
                .get(since..)
                .unwrap_or_default()
                .iter()
                .map(|e| {
                    format!(
                        "{}: {}",
                        crate::chronology::when(e.occurred_at),
                        describe_in_journey(e, &journey, Some(&*org))
                    )
                })
                .collect();
        }
        render(&caller, &page, status)
    };
    let (Some(version), Ok(occurred_at), Some(Ok(data))) = (version, when, data) else {
        if errors.is_empty() {
            // Only the version was missing: a form not drawn by this page.
            errors.push(FieldError {
                field: forms::OCCURRED_AT,
                message: String::from(
                    "The form was incomplete: check your answers and save again.",
                ),
            });
        }
        return again(errors, version, None, StatusCode::BAD_REQUEST).await;
    };
    let new = NewEvent {
        version,
        id: event_id(&id, version),
        occurred_at,
        data,
    };
    let who = caller.doing(RECORD_ACTION);
    let refused = match app.cases.record_event(&who, now, &id, new).await {
        Ok(_) => {
            return Ok(
                Redirect::to(&format!("/children/{id}?recorded={}", form.kind)).into_response(),
            );
        }
        Err(e) => e,
    };
    let one = |field, message: String| vec![FieldError { field, message }];
    match refused {
        AppError::NotRecordable(e) | AppError::Store(StoreError::Invalid(e)) => {
            let field = refusal_field(&form, &e.problem);
            let message = format!("This cannot be recorded as it stands: {}.", e.problem);
            again(
                one(field, message),
                None,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        AppError::Store(StoreError::Conflict { .. } | StoreError::DuplicateEvent(_)) => {
            // Someone else saved first: show what they saved, and keep what was typed,
            // drawn at the version read now so that saving again can go through.
            let message = String::from(
                "Someone else saved to this record after you opened this form. Check what changed, then save again.",
            );
            again(
                one(forms::OCCURRED_AT, message),
                None,
                Some(version),
                StatusCode::CONFLICT,
            )
            .await
        }
        AppError::Refused(hearth_domain::access::Permission::AllocateCases) => {
            let message = String::from(
                "Only a team manager may move this child to another worker: step up and step down keep the worker",
            );
            again(one("worker", message), None, None, StatusCode::FORBIDDEN).await
        }
        AppError::NoChild => Err(Failure::NotFound(NO_CHILD).into()),
        other => Err(other.into()),
    }
}

/// The id of an event recorded through a form on `child`'s journey read at `version`:
/// unique, as a child's id is and its version only grows.
fn event_id(child: &ChildId, version: Version) -> EventId {
    EventId::parse(&format!("{child}-{}-form", version + 1))
        .unwrap_or_else(|_| unreachable!("an id, a number and a word make an event id"))
}

/// The event in the path on the child's journey as it stands (amendments applied), with
/// its form, if it may be corrected through one: recorded through a form, not
/// retracted. Not found otherwise.
fn correctable(journey: &[Event], target: &str) -> Result<(Event, EventForm), PageError> {
    let gone = || PageError::from(Failure::NotFound("No such event to correct"));
    let effective = hearth_domain::journey::effective_events(journey).map_err(|_| gone())?;
    let event = effective
        .into_iter()
        .find(|e| e.id.as_str() == target)
        .ok_or_else(gone)?;
    let form = forms::form(event.kind()).ok_or_else(gone)?;
    Ok((event, form))
}

/// The child and event ids in the path.
fn event_path(
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<(ChildId, String), PageError> {
    let Ok(Path((id, event))) = path else {
        return Err(Failure::NotFound(NO_CHILD).into());
    };
    let id = ChildId::parse(&id).map_err(|_| Failure::NotFound(NO_CHILD))?;
    Ok((id, event))
}

/// The correction form for `event`, filled in with `typed`.
#[allow(clippy::too_many_arguments)]
fn correction_page(
    form: &EventForm,
    event: &Event,
    journey: &[Event],
    id: &ChildId,
    name: String,
    version: Version,
    typed: &[(String, String)],
    org: &hearth_app::due::Authority,
    day: Date,
    errors: Vec<FieldError>,
) -> FormPage {
    let mut page = page(
        form,
        id,
        name,
        version,
        typed,
        org.organisation.as_ref(),
        day,
        errors,
    );
    page.action = format!("/children/{id}/events/{}/correct", event.id);
    // A correction is short, and recorded at once: no draft is kept of it.
    page.draft = None;
    page.correcting = Some(format!(
        "{}: {}",
        crate::chronology::when(event.occurred_at),
        describe_in_journey(event, journey, Some(org))
    ));
    page
}

/// `GET /children/{id}/events/{event}/correct`: the event's form as it stands, to
/// amend it or retract it, saying why.
pub(crate) async fn correct(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, PageError> {
    let (id, target) = event_path(path)?;
    let (name, record, journey) = read(&app, &caller, &id).await?;
    let (event, form) = correctable(&journey, &target)?;
    let typed: Vec<(String, String)> = forms::write_occurred_at(event.occurred_at)
        .into_iter()
        .chain(forms::write(&event.data).unwrap_or_default())
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    let day = today((app.clock)());
    let org = app.cases.authority(day).await?;
    let page = correction_page(
        &form,
        &event,
        &journey,
        &id,
        name,
        record.version,
        &typed,
        &org,
        day,
        Vec::new(),
    );
    render(&caller, &page, StatusCode::OK)
}

/// `POST /children/{id}/events/{event}/correct`: amend the event with what the form
/// now says (`action=amend`), or retract it (`action=retract`), with the reason given.
pub(crate) async fn save_correction(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<(String, String)>, PathRejection>,
    body: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, PageError> {
    let (id, target) = event_path(path)?;
    let typed = body.map(|Form(pairs)| pairs).unwrap_or_default();
    let now = (app.clock)();
    let day = today(now);
    let (name, record, journey) = read(&app, &caller, &id).await?;
    let (event, form) = correctable(&journey, &target)?;
    let org = app.cases.authority(day).await?;
    let submitted = Submitted::new(&typed);
    let retract = submitted.values("action").first() == Some(&"retract");
    let version: Option<Version> = submitted
        .values(VERSION)
        .first()
        .and_then(|v| v.parse().ok());
    let reason = submitted.values(REASON).first().map(|r| (*r).to_owned());
    let mut errors = Vec::new();
    if reason.is_none() {
        errors.push(FieldError {
            field: REASON,
            message: String::from("Say why you are correcting it."),
        });
    }
    let when = forms::read_occurred_at(&submitted);
    let data = forms::parse(form.kind, &submitted);
    if !retract {
        if let Err(e) = &when {
            errors.push(e.clone());
        }
        if let Some(Err(field_errors)) = &data {
            errors.extend(field_errors.iter().cloned());
        }
    }
    let show = |errors: Vec<FieldError>, status| {
        let page = correction_page(
            &form,
            &event,
            &journey,
            &id,
            name.clone(),
            version.unwrap_or(record.version),
            &typed,
            &org,
            day,
            errors,
        );
        render(&caller, &page, status)
    };
    let (Some(version), Some(reason), true) = (version, reason, errors.is_empty()) else {
        if errors.is_empty() {
            errors.push(FieldError {
                field: forms::OCCURRED_AT,
                message: String::from(
                    "The form was incomplete: check your answers and save again.",
                ),
            });
        }
        return show(errors, StatusCode::BAD_REQUEST);
    };
    let correction = if retract {
        hearth_domain::event::EventData::EventRetracted(hearth_domain::event::EventRetracted {
            event: event.id.clone(),
            reason,
        })
    } else {
        let occurred_at = when.ok().filter(|at| *at != event.occurred_at);
        let amended = data
            .and_then(Result::ok)
            .filter(|d| *d != event.data)
            .map(Box::new);
        hearth_domain::event::EventData::EventAmended(hearth_domain::event::EventAmended {
            event: event.id.clone(),
            reason,
            occurred_at,
            amended,
        })
    };
    let new = NewEvent {
        version,
        id: EventId::parse(&format!("{id}-{}-correct", version + 1))
            .unwrap_or_else(|_| unreachable!("an id, a number and a word make an event id")),
        occurred_at: OccurredAt::on(day),
        data: correction,
    };
    let who = caller.doing(RECORD_ACTION);
    let refused = match app.cases.record_event(&who, now, &id, new).await {
        Ok(_) => {
            let done = if retract { "retracted" } else { "amended" };
            return Ok(Redirect::to(&format!("/children/{id}?corrected={done}")).into_response());
        }
        Err(e) => e,
    };
    let one = |field, message: String| vec![FieldError { field, message }];
    match refused {
        AppError::Refused(hearth_domain::access::Permission::CorrectOthersEvents) => show(
            one(
                REASON,
                String::from(
                    "Only whoever recorded this event, or a team manager, may correct it.",
                ),
            ),
            StatusCode::FORBIDDEN,
        ),
        AppError::NotRecordable(e) | AppError::Store(StoreError::Invalid(e)) => {
            let field = match e.problem {
                Problem::TooLong {
                    field: "reason", ..
                }
                | Problem::TooManyLines {
                    field: "reason", ..
                } => REASON,
                ref problem => refusal_field(&form, problem),
            };
            let message = format!("This cannot be recorded as it stands: {}.", e.problem);
            show(one(field, message), StatusCode::UNPROCESSABLE_ENTITY)
        }
        AppError::Store(StoreError::Conflict { .. } | StoreError::DuplicateEvent(_)) => show(
            one(
                REASON,
                String::from(
                    "Someone else saved to this record after you opened this form. Check the record, then correct it again.",
                ),
            ),
            StatusCode::CONFLICT,
        ),
        AppError::NoChild => Err(Failure::NotFound(NO_CHILD).into()),
        other => Err(other.into()),
    }
}

/// When a draft was saved, as its author reads it: "14:32 on 7 December 2026", in
/// England's time.
pub(crate) fn saved_at(at: jiff::Timestamp) -> String {
    let local =
        at.to_zoned(jiff::tz::TimeZone::get("Europe/London").unwrap_or(jiff::tz::TimeZone::UTC));
    local.strftime("%H:%M on %-d %B %Y").to_string()
}

/// The form's own fields, as a draft keeps them: not the CSRF token, the version read
/// or the button pressed.
fn draft_fields(typed: Vec<(String, String)>) -> Vec<(String, String)> {
    typed
        .into_iter()
        .filter(|(k, _)| !matches!(k.as_str(), crate::session::CSRF_FIELD | VERSION | "action"))
        .collect()
}

/// `POST /children/{id}/record/{kind}/draft`: keep what was typed into a note's form as
/// the author's draft. The form's "Save draft" button posts here and is sent back to
/// the form, which shows the draft; the page's script posts here as the author types,
/// asking for JSON, and is told when it was saved. A form with nothing typed into it
/// is not kept.
pub(crate) async fn save_draft(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    body: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, PageError> {
    let (id, form) = kind_path(path)?;
    if !DRAFTED.contains(&form.kind) {
        return Err(Failure::NotFound("No such form").into());
    }
    let script = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    let typed = draft_fields(body.map(|Form(pairs)| pairs).unwrap_or_default());
    let now = (app.clock)();
    let blank = {
        let submitted = Submitted::new(&typed);
        form.fields
            .iter()
            .all(|f| submitted.values(f.name).is_empty())
    };
    if blank {
        if script {
            return Ok(StatusCode::BAD_REQUEST.into_response());
        }
        let (name, record, _) = read(&app, &caller, &id).await?;
        let day = today(now);
        let org = app.cases.authority(day).await?;
        let error = FieldError {
            field: form.fields.get(1).map_or(forms::OCCURRED_AT, |f| f.name),
            message: String::from("Write something in the note before you save a draft."),
        };
        let page = page(
            &form,
            &id,
            name,
            record.version,
            &typed,
            org.organisation.as_ref(),
            day,
            vec![error],
        );
        return render(&caller, &page, StatusCode::BAD_REQUEST);
    }
    let who = caller.doing("save draft");
    let saved = match app.cases.save_draft(&who, now, &id, form.kind, typed).await {
        Ok(saved) => saved,
        Err(AppError::NoChild) => return Err(Failure::NotFound(NO_CHILD).into()),
        Err(other) => return Err(other.into()),
    };
    if script {
        let body = serde_json::json!({ "saved": saved_at(saved) });
        return Ok(axum::Json(body).into_response());
    }
    Ok(Redirect::to(&format!("/children/{id}/record/{}", form.kind)).into_response())
}
