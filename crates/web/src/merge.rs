//! The merge pages: a screener merges a second record of a child into the one they
//! are on (the duplicate's id and why, then a check page, then the merge), and undoes
//! a wrong merge. Needs `MergePersons`; each record read or written is logged by the
//! use cases.

use crate::AppState;
use crate::api::capitalised;
use crate::error::{Failure, NO_CHILD, PageError};
use crate::pages::child_id;
use crate::session::{Account, Caller};
use crate::templates;
use axum::Extension;
use axum::extract::rejection::{FormRejection, PathRejection};
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use hearth_app::AppError;
use hearth_domain::event::EventData;
use hearth_domain::ids::ChildId;
use hearth_store::StoreError;
use serde::{Deserialize, Serialize};

/// What the access log says the pages were for.
const MERGE_ACTION: &str = "merge records";

#[derive(Debug, Default, Deserialize, Serialize)]
pub(crate) struct MergeForm {
    #[serde(default)]
    duplicate: String,
    #[serde(default)]
    reason: String,
    /// The two versions the check page showed, as "survivor-duplicate".
    #[serde(default)]
    versions: String,
    /// "merge" from the check page; anything else asks for the check page.
    #[serde(default, skip_serializing)]
    action: String,
}

#[derive(Debug, Serialize)]
struct Problem {
    field: String,
    message: String,
}

#[derive(Debug, Serialize)]
struct Item {
    label: String,
    value: String,
}

#[derive(Debug, Serialize)]
struct MergePage<'a> {
    title: &'static str,
    id: String,
    name: String,
    check: bool,
    form: &'a MergeForm,
    answers: Vec<Item>,
    merged: Vec<Standing>,
    errors: Vec<Problem>,
}

/// A merge that stands on this record, and what was recorded here since: those events
/// stay with this record when the merge is undone, to be retracted here and recorded
/// again on the other record if they were about that child.
#[derive(Debug, Serialize)]
struct Standing {
    duplicate: String,
    since: Vec<String>,
}

/// A child's record as the merge pages show it: their name and date of birth, the
/// merges that stand on it and the version read; not found if the caller may not see
/// them.
async fn read(
    app: &AppState,
    caller: &Caller,
    id: &ChildId,
) -> Result<(String, Vec<Standing>, u64), PageError> {
    let who = caller.doing(MERGE_ACTION);
    let Some((record, journey)) = app.cases.chronology(&who, (app.clock)(), id).await? else {
        return Err(Failure::NotFound(NO_CHILD).into());
    };
    let name = record.state.details.as_ref().map_or_else(
        || String::from("Name not recorded"),
        |d| match d.date_of_birth {
            Some(born) => format!("{}, born {born}", d.name),
            None => d.name.to_string(),
        },
    );
    let merged = record
        .state
        .merged
        .iter()
        .map(|duplicate| {
            let merged_at = journey.iter().rposition(
                |e| matches!(&e.data, EventData::PersonsMerged(m) if m.duplicate == *duplicate),
            );
            let since = merged_at
                .map(|at| &journey[at + 1..])
                .unwrap_or_default()
                .iter()
                .map(|e| format!("{} {}", e.occurred_at, e.kind().replace('_', " ")))
                .collect();
            Standing {
                duplicate: duplicate.to_string(),
                since,
            }
        })
        .collect();
    Ok((name, merged, record.version))
}

/// The form (or, with `check`, the check page) for child `id`, with `errors`.
async fn render(
    app: &AppState,
    caller: &Caller,
    id: &ChildId,
    form: &MergeForm,
    answers: Option<Vec<Item>>,
    errors: Vec<Problem>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let (name, merged, _) = read(app, caller, id).await?;
    let check = answers.is_some();
    let page = MergePage {
        title: if check {
            "Check the records before merging them"
        } else {
            "Merge a duplicate record"
        },
        id: id.to_string(),
        name,
        check,
        form,
        answers: answers.unwrap_or_default(),
        merged,
        errors,
    };
    let html = templates::render_for("merge.html", &Account::of(caller), &page)?;
    Ok((status, Html(html)).into_response())
}

fn problem(field: impl Into<String>, message: impl Into<String>) -> Vec<Problem> {
    vec![Problem {
        field: field.into(),
        message: message.into(),
    }]
}

/// A refusal of the use case, in one sentence for the page; other failures as errors.
fn refusal(e: AppError) -> Result<(StatusCode, String), PageError> {
    Ok(match e {
        AppError::NoChild => (
            StatusCode::UNPROCESSABLE_ENTITY,
            String::from("There is no child with that ID."),
        ),
        AppError::NotRecordable(e) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("{}.", capitalised(&e.problem)),
        ),
        AppError::Store(StoreError::Conflict { .. }) => (
            StatusCode::CONFLICT,
            String::from("One of the records has changed since you checked it: check them again."),
        ),
        other => return Err(other.into()),
    })
}

/// `GET /children/{id}/merge`: the duplicate's id and why, and a form to undo each
/// merge that stands.
pub(crate) async fn show(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, PageError> {
    let id = child_id(path)?;
    let form = MergeForm::default();
    render(&app, &caller, &id, &form, None, Vec::new(), StatusCode::OK).await
}

/// `POST /children/{id}/merge`: the check page for the duplicate given, or, from the
/// check page, the merge; back to the child once merged.
pub(crate) async fn merge(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<String>, PathRejection>,
    form: Result<Form<MergeForm>, FormRejection>,
) -> Result<Response, PageError> {
    let id = child_id(path)?;
    let mut form = form.map(|Form(f)| f).unwrap_or_default();
    let bad = StatusCode::BAD_REQUEST;
    let Ok(duplicate) = ChildId::parse(form.duplicate.trim()) else {
        let errors = problem("duplicate", "Enter the ID of the duplicate record.");
        return render(&app, &caller, &id, &form, None, errors, bad).await;
    };
    if form.reason.trim().is_empty() {
        let errors = problem("reason", "Say why they are the same child.");
        return render(&app, &caller, &id, &form, None, errors, bad).await;
    }
    if form.action != "merge" {
        let (survivor_name, _, survivor_version) = read(&app, &caller, &id).await?;
        let (duplicate_name, _, duplicate_version) = match read(&app, &caller, &duplicate).await {
            Ok(read) => read,
            Err(_) => {
                let errors = problem("duplicate", "There is no child with that ID.");
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                return render(&app, &caller, &id, &form, None, errors, status).await;
            }
        };
        form.versions = format!("{survivor_version}-{duplicate_version}");
        let answers = vec![
            Item {
                label: format!("Kept: {id}"),
                value: survivor_name,
            },
            Item {
                label: format!("Merged into it: {duplicate}"),
                value: duplicate_name,
            },
            Item {
                label: String::from("Why"),
                value: form.reason.trim().to_owned(),
            },
        ];
        return render(
            &app,
            &caller,
            &id,
            &form,
            Some(answers),
            Vec::new(),
            StatusCode::OK,
        )
        .await;
    }
    let versions = form
        .versions
        .split_once('-')
        .and_then(|(s, d)| Some((s.parse().ok()?, d.parse().ok()?)));
    let Some(versions) = versions else {
        let errors = problem(
            "duplicate",
            "The form was incomplete: check the records again.",
        );
        return render(&app, &caller, &id, &form, None, errors, bad).await;
    };
    let who = caller.doing(MERGE_ACTION);
    let written = app
        .cases
        .merge_children(&who, (app.clock)(), &id, &duplicate, &form.reason, versions)
        .await;
    match written {
        Ok(_) => Ok(Redirect::to(&format!("/children/{id}")).into_response()),
        Err(e) => {
            let (status, message) = refusal(e)?;
            let errors = problem("duplicate", message);
            render(&app, &caller, &id, &form, None, errors, status).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct UnmergeForm {
    #[serde(default)]
    duplicate: String,
    #[serde(default)]
    reason: String,
}

/// `POST /children/{id}/unmerge`: undo the merge of a duplicate into this child,
/// saying why, at the versions the records have now; back to the child once undone.
pub(crate) async fn unmerge(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<String>, PathRejection>,
    form: Result<Form<UnmergeForm>, FormRejection>,
) -> Result<Response, PageError> {
    let id = child_id(path)?;
    let form = form.map(|Form(f)| f).unwrap_or_default();
    let shown = MergeForm::default();
    let bad = StatusCode::BAD_REQUEST;
    let Ok(duplicate) = ChildId::parse(form.duplicate.trim()) else {
        let errors = problem("duplicate", "Choose the merge to undo.");
        return render(&app, &caller, &id, &shown, None, errors, bad).await;
    };
    let field = format!("reason-{duplicate}");
    if form.reason.trim().is_empty() {
        let errors = problem(field, "Say why they are not the same child.");
        return render(&app, &caller, &id, &shown, None, errors, bad).await;
    }
    let (_, _, survivor_version) = read(&app, &caller, &id).await?;
    let who = caller.doing(MERGE_ACTION);
    let duplicate_version = match app
        .cases
        .child_record(&who, (app.clock)(), &duplicate)
        .await?
    {
        Some(record) => record.version,
        None => 0,
    };
    let written = app
        .cases
        .unmerge_children(
            &who,
            (app.clock)(),
            &id,
            &duplicate,
            &form.reason,
            (survivor_version, duplicate_version),
        )
        .await;
    match written {
        Ok(_) => Ok(Redirect::to(&format!("/children/{id}")).into_response()),
        Err(e) => {
            let (status, message) = refusal(e)?;
            let errors = problem(field, message);
            render(&app, &caller, &id, &shown, None, errors, status).await
        }
    }
}
