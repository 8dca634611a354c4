//! "My work" and the team pages: a practitioner's own caseload (`/my-work`, where they
//! land after signing in), a team's workers against the limits with its allocation
//! queue (`/teams/{id}`, and `/my-team` for a manager's own), and the same as JSON
//! (`GET /api/v1/caseload`). What a case weighs and what is due come from the use
//! cases (`App::caseload`, `App::team`); these handlers only shape them.

use crate::AppState;
use crate::api::capitalised;
use crate::error::{ApiError, Failure, NO_WORKFORCE, PageError, problem};
use crate::pages::today;
use crate::session::{Account, Caller};
use crate::templates;
use axum::Extension;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use hearth_app::{AppError, Caseload, TeamCaseloads, WorkforceError};
use hearth_domain::caseload::WorkerLoad;
use hearth_domain::ids::{TeamId, WorkerId};
use serde::{Deserialize, Serialize};

/// What the access log says a caseload page or call was for.
const CASELOAD_ACTION: &str = "view caseload";
const TEAM_ACTION: &str = "view team caseloads";

/// A number of cases, weighted, as a page shows it: one decimal place.
fn one_place(n: f64) -> String {
    format!("{n:.1}")
}

#[derive(Debug, Serialize)]
struct CaseLine {
    child: String,
    name: String,
    family: Option<String>,
    kind: &'static str,
    overdue: Vec<String>,
    next_due: Option<String>,
    last_activity: String,
}

#[derive(Debug, Serialize)]
struct LoadLine {
    cases: u32,
    weighted: String,
    limit: Option<String>,
    over_limit: bool,
    agency: bool,
    newly_qualified: bool,
}

impl LoadLine {
    fn of(load: &WorkerLoad) -> LoadLine {
        LoadLine {
            cases: load.cases,
            weighted: one_place(load.weighted),
            limit: load.limit.map(one_place),
            over_limit: load.over_limit,
            agency: load.agency,
            newly_qualified: load.newly_qualified,
        }
    }
}

#[derive(Debug, Serialize)]
struct MyWorkPage {
    /// Whether the caseload is the caller's own (not a manager looking at a worker's).
    own: bool,
    /// None when the account is linked to no worker.
    worker: Option<String>,
    team: Option<String>,
    team_name: Option<String>,
    load: Option<LoadLine>,
    cases: Vec<CaseLine>,
    overdue_children: usize,
    /// The caller's own unfinished case notes: shown only on their own page.
    drafts: Vec<DraftLine>,
}

#[derive(Debug, Serialize)]
struct DraftLine {
    child: String,
    name: String,
    url: String,
    saved: String,
}

fn case_lines(caseload: &Caseload) -> Vec<CaseLine> {
    caseload
        .children
        .iter()
        .map(|c| CaseLine {
            child: c.child.to_string(),
            name: c.name.clone(),
            family: c.family.as_ref().map(ToString::to_string),
            kind: c.kind.label(),
            overdue: c
                .overdue
                .iter()
                .map(|d| format!("{}: {}", d.duty, d.standing.to_lowercase()))
                .collect(),
            next_due: c
                .next_due
                .as_ref()
                .map(|d| format!("{}: {}", d.duty, d.standing.to_lowercase())),
            last_activity: c
                .last_activity
                .map_or_else(|| String::from("None recorded"), |d| d.to_string()),
        })
        .collect()
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct WorkerParam {
    worker: Option<String>,
}

/// `GET /my-work`: the caller's own caseload, or, for an account linked to no worker,
/// a page saying so; `?worker=ID`, a worker's, for a team manager. Each child shown is
/// logged.
pub(crate) async fn my_work(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    params: Result<Query<WorkerParam>, QueryRejection>,
) -> Result<Html<String>, PageError> {
    let now = (app.clock)();
    let asked = params
        .ok()
        .and_then(|Query(p)| p.worker)
        .filter(|w| !w.trim().is_empty());
    let worker = match asked {
        Some(w) => Some(WorkerId::parse(w.trim()).map_err(|_| Failure::NotFound(NO_WORKFORCE))?),
        None => caller.worker.clone(),
    };
    let mut page = MyWorkPage {
        own: worker == caller.worker,
        worker: None,
        team: None,
        team_name: None,
        load: None,
        cases: Vec::new(),
        overdue_children: 0,
        drafts: Vec::new(),
    };
    if worker == caller.worker {
        // A draft is its author's alone: never shown on anyone else's page.
        page.drafts = app
            .cases
            .my_drafts(&caller.doing(CASELOAD_ACTION), now)
            .await?
            .into_iter()
            .map(|(draft, name)| DraftLine {
                url: format!("/children/{}/record/{}", draft.child, draft.kind),
                child: draft.child.to_string(),
                name,
                saved: crate::record::saved_at(draft.saved_at),
            })
            .collect();
    }
    if let Some(worker) = &worker {
        let caseload = app
            .cases
            .caseload(&caller.doing(CASELOAD_ACTION), now, worker)
            .await?;
        let authority = app.cases.authority(today(now)).await?;
        page.worker = Some(caseload.name.clone());
        page.team_name = Some(authority.team_name(&caseload.team));
        page.team = Some(caseload.team.to_string());
        page.load = Some(LoadLine::of(&caseload.load));
        page.overdue_children = caseload
            .children
            .iter()
            .filter(|c| !c.overdue.is_empty())
            .count();
        page.cases = case_lines(&caseload);
    }
    Ok(Html(templates::render_for(
        "my_work.html",
        &Account::of(&caller),
        &page,
    )?))
}

#[derive(Debug, Serialize)]
struct MemberLine {
    worker: String,
    name: String,
    fte: String,
    load: LoadLine,
}

#[derive(Debug, Serialize)]
struct QueueLine {
    child: String,
    name: String,
    kind: &'static str,
    since: String,
    days: i32,
    over_limit: bool,
}

#[derive(Debug, Serialize)]
struct TeamPage {
    /// None for `/my-team` when the account is linked to no worker.
    team: Option<String>,
    name: String,
    members: Vec<MemberLine>,
    over_limit: usize,
    queue: Vec<QueueLine>,
    unallocated_over_28_days: u32,
}

impl TeamPage {
    fn of(team: &TeamCaseloads) -> TeamPage {
        TeamPage {
            team: Some(team.team.to_string()),
            name: team.name.clone(),
            members: team
                .workers
                .iter()
                .map(|m| MemberLine {
                    worker: m.load.worker.to_string(),
                    name: m.name.clone(),
                    fte: format!("{:.1}", m.load.fte),
                    load: LoadLine::of(&m.load),
                })
                .collect(),
            over_limit: team.workers.iter().filter(|m| m.load.over_limit).count(),
            queue: team
                .queue
                .iter()
                .map(|q| QueueLine {
                    child: q.child.to_string(),
                    name: q.name.clone(),
                    kind: q.kind.label(),
                    since: q.waiting.since.to_string(),
                    days: q.waiting.days,
                    over_limit: q.waiting.over_limit,
                })
                .collect(),
            unallocated_over_28_days: team.unallocated_over_28_days,
        }
    }
}

async fn team_page(
    app: &AppState,
    caller: &Caller,
    team: &TeamId,
) -> Result<Html<String>, PageError> {
    let caseloads = app
        .cases
        .team(&caller.doing(TEAM_ACTION), (app.clock)(), team)
        .await?;
    Ok(Html(templates::render_for(
        "team.html",
        &Account::of(caller),
        &TeamPage::of(&caseloads),
    )?))
}

/// `GET /teams/{id}`: the team's workers against the limits, and its allocation queue.
pub(crate) async fn team(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Html<String>, PageError> {
    let Ok(Path(raw)) = path else {
        return Err(Failure::NotFound(NO_WORKFORCE).into());
    };
    let team = TeamId::parse(&raw).map_err(|_| Failure::NotFound(NO_WORKFORCE))?;
    team_page(&app, &caller, &team).await
}

/// `GET /my-team`: the team of the worker the caller is linked to, or a page saying
/// the account is linked to none.
pub(crate) async fn my_team(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Html<String>, PageError> {
    let now = (app.clock)();
    let authority = app.cases.authority(today(now)).await?;
    let team = caller
        .worker
        .as_ref()
        .and_then(|w| authority.worker(w))
        .map(|w| w.team.clone());
    match team {
        Some(team) => team_page(&app, &caller, &team).await,
        None => Ok(Html(templates::render_for(
            "team.html",
            &Account::of(&caller),
            &TeamPage {
                team: None,
                name: String::new(),
                members: Vec::new(),
                over_limit: 0,
                queue: Vec::new(),
                unallocated_over_28_days: 0,
            },
        )?)),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct CaseloadParams {
    worker: Option<String>,
    team: Option<String>,
}

/// The answer of `GET /api/v1/caseload`: a worker's caseload, or a team's caseloads;
/// with neither asked for, the caller's own (none when their account is linked to no
/// worker).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct CaseloadBody {
    #[schema(required = true)]
    caseload: Option<Caseload>,
    #[schema(required = true)]
    team: Option<TeamCaseloads>,
}

/// `GET /api/v1/caseload?worker=ID|team=ID`.
pub(crate) async fn api(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    params: Result<Query<CaseloadParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let bad = |detail: &str| Ok(problem(StatusCode::BAD_REQUEST, detail));
    let Ok(Query(params)) = params else {
        return bad("The query string could not be read: give worker=ID or team=ID.");
    };
    let given = |v: Option<String>| v.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let (worker, team) = (given(params.worker), given(params.team));
    let now = (app.clock)();
    let body = match (worker, team) {
        (Some(_), Some(_)) => return bad("Give a worker or a team, not both."),
        (None, Some(team)) => {
            let Ok(team) = TeamId::parse(&team) else {
                return bad("team: is not a team id.");
            };
            let who = caller.doing(TEAM_ACTION);
            CaseloadBody {
                caseload: None,
                team: match app.cases.team(&who, now, &team).await {
                    Ok(team) => Some(team),
                    Err(e) => return Ok(refusal(e)),
                },
            }
        }
        (worker, None) => {
            let worker = match worker {
                Some(w) => match WorkerId::parse(&w) {
                    Ok(w) => Some(w),
                    Err(_) => return bad("worker: is not a worker id."),
                },
                None => caller.worker.clone(),
            };
            let caseload = match worker {
                Some(w) => {
                    let who = caller.doing(CASELOAD_ACTION);
                    match app.cases.caseload(&who, now, &w).await {
                        Ok(caseload) => Some(caseload),
                        Err(e) => return Ok(refusal(e)),
                    }
                }
                None => None,
            };
            CaseloadBody {
                caseload,
                team: None,
            }
        }
    };
    Ok(crate::api::json(&body)?)
}

/// The answer to a use case's refusal: a worker or team the organisation does not have
/// is a 404 naming it.
fn refusal(e: AppError) -> Response {
    match e {
        AppError::Workforce(e @ (WorkforceError::NoWorker(_) | WorkforceError::NoTeam(_))) => {
            problem(StatusCode::NOT_FOUND, &format!("{}.", capitalised(&e)))
        }
        e => ApiError::from(e).into_response(),
    }
}
