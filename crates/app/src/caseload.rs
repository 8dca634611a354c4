//! Caseloads: a worker's children with what is due and overdue for each, and a team's
//! workers against the organisation's limits with the team's allocation queue. What a
//! case weighs and who is waiting is `hearth_domain::caseload`'s; what is due is the
//! due list's (`App::due_list`'s kept lists), never worked out again here.
//!
//! Who may see what: anyone who may see the due list sees their own caseload (the
//! worker their account is linked to); a team manager (`ViewTeamCaseloads`) sees any
//! team's and any worker's, since managers cover each other's teams. Every child shown
//! is logged.

use crate::due::{Authority, duty_text, standing_text};
use crate::reader::Reader;
use crate::{App, AppError, Caller};
use hearth_domain::access::Permission;
use hearth_domain::caseload::{CaseKind, Waiting, WorkerLoad, waiting, worker_load};
use hearth_domain::due::Standing;
use hearth_domain::ids::{ChildId, FamilyId, TeamId, WorkerId};
use hearth_domain::journey::ChildState;
use hearth_domain::org::Organisation;
use hearth_store::{ChildRecord, HeldBy};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeMap;

/// A worker or team the organisation document does not have. The message names the id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkforceError {
    #[error("the database has no organisation document, which names the workers and teams")]
    NoOrganisation,
    #[error("there is no worker '{0}' in the organisation document")]
    NoWorker(WorkerId),
    #[error("there is no team '{0}' in the organisation document")]
    NoTeam(TeamId),
    #[error(
        "worker {worker} is a {worker_role} in the organisation document, which a {role} user cannot be linked to"
    )]
    RoleMismatch {
        worker: WorkerId,
        worker_role: String,
        role: String,
    },
}

/// One duty of a child's, as the caseload shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DueNote {
    pub duty: String,
    pub due: Date,
    /// "Overdue by 3 working days", "Due 2026-04-02".
    pub standing: String,
}

/// A child on a caseload.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseRow {
    pub child: ChildId,
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub family: Option<FamilyId>,
    pub kind: CaseKind,
    pub open_work: Vec<String>,
    /// What is overdue, longest overdue first.
    pub overdue: Vec<DueNote>,
    /// The next duty due (within the due list's ten working days), if nothing is.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub next_due: Option<DueNote>,
    /// The day of the newest event on the child's journey.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub last_activity: Option<Date>,
}

/// A worker's caseload.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Caseload {
    pub worker: WorkerId,
    pub name: String,
    pub team: TeamId,
    pub load: WorkerLoad,
    pub children: Vec<CaseRow>,
}

/// A child in a team's allocation queue.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueuedChild {
    pub child: ChildId,
    pub name: String,
    pub kind: CaseKind,
    pub waiting: Waiting,
}

/// A worker of the team, against the limits.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamMember {
    pub name: String,
    #[serde(flatten)]
    pub load: WorkerLoad,
}

/// A team's caseloads and allocation queue.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamCaseloads {
    pub team: TeamId,
    pub name: String,
    pub workers: Vec<TeamMember>,
    /// Longest waiting first.
    pub queue: Vec<QueuedChild>,
    /// How many in the queue have waited more than 28 days.
    pub unallocated_over_28_days: u32,
}

impl App {
    /// `worker`'s caseload as at `now`: each child allocated to them, with what is
    /// overdue and due next and their newest activity, and the weighted load. A caller
    /// sees their own (`ViewDueList`); anyone else's needs `ViewTeamCaseloads`.
    pub async fn caseload(
        &self,
        caller: &Caller,
        now: Timestamp,
        worker: &WorkerId,
    ) -> Result<Caseload, AppError> {
        let need = if caller.worker.as_ref() == Some(worker) {
            Permission::ViewDueList
        } else {
            Permission::ViewTeamCaseloads
        };
        self.check(caller, now, need, &format!("worker:{worker}"))
            .await?;
        let today = crate::today(now);
        let authority = self.authority(today).await?;
        let org = organisation(&authority)?;
        let Some(w) = org.worker(worker) else {
            return Err(AppError::Workforce(WorkforceError::NoWorker(
                worker.clone(),
            )));
        };
        let held = HeldBy::Worker(worker.clone());
        let reader = Reader::new(self.store(), caller, now);
        let records = reader
            .visible(self.store().held_children(&held).await?)
            .await?;
        let list = self
            .due_lists
            .get(self.store(), &authority, today, &held)
            .await?;
        let mut due: BTreeMap<&ChildId, (Vec<DueNote>, Option<DueNote>)> = BTreeMap::new();
        // The list is in order: longest overdue first, then soonest due.
        for item in &list.items {
            let Some(child) = item.obligation.child.as_ref() else {
                continue;
            };
            let note = || DueNote {
                duty: duty_text(item).0,
                due: item.obligation.due.date(),
                standing: standing_text(item),
            };
            let entry = due.entry(child).or_default();
            match item.standing {
                Standing::Overdue => entry.0.push(note()),
                Standing::DueSoon if entry.1.is_none() => entry.1 = Some(note()),
                _ => {}
            }
        }
        let children: Vec<CaseRow> = records
            .iter()
            .map(|r| {
                let (overdue, next_due) = due.remove(&r.state.id).unwrap_or_default();
                CaseRow {
                    child: r.state.id.clone(),
                    name: name(&r.state),
                    family: r.state.family.clone(),
                    kind: CaseKind::of(&r.state),
                    open_work: r.state.open_work().into_iter().map(String::from).collect(),
                    overdue,
                    next_due,
                    last_activity: r.state.last_date,
                }
            })
            .collect();
        let shown: Vec<ChildId> = children.iter().map(|c| c.child.clone()).collect();
        reader.log_shown(&shown).await?;
        let load = worker_load(
            w,
            org.policy.as_ref(),
            children.iter().map(|c| c.kind),
            today,
        );
        Ok(Caseload {
            worker: w.id.clone(),
            name: w.name.clone(),
            team: w.team.clone(),
            load,
            children,
        })
    }

    /// `team`'s workers in post as at `now`, each against the limits, and the children
    /// waiting in its allocation queue. Needs `ViewTeamCaseloads`; the children of the
    /// queue are logged (the workers' loads name none).
    pub async fn team(
        &self,
        caller: &Caller,
        now: Timestamp,
        team: &TeamId,
    ) -> Result<TeamCaseloads, AppError> {
        self.check(
            caller,
            now,
            Permission::ViewTeamCaseloads,
            &format!("team:{team}"),
        )
        .await?;
        let today = crate::today(now);
        let authority = self.authority(today).await?;
        let org = organisation(&authority)?;
        let Some(t) = org.team(team) else {
            return Err(AppError::Workforce(WorkforceError::NoTeam(team.clone())));
        };
        let reader = Reader::new(self.store(), caller, now);
        let mut kinds: BTreeMap<WorkerId, Vec<CaseKind>> = BTreeMap::new();
        for c in self.store().allocated_work(team).await? {
            kinds
                .entry(c.worker)
                .or_default()
                .push(CaseKind::of_open_work(&c.open_work));
        }
        let mut workers: Vec<TeamMember> = org
            .workers
            .iter()
            .filter(|w| {
                &w.team == team
                    && w.start_date <= today
                    && w.end_date.is_none_or(|end| today <= end)
            })
            .map(|w| TeamMember {
                name: w.name.clone(),
                load: worker_load(
                    w,
                    org.policy.as_ref(),
                    kinds.remove(&w.id).unwrap_or_default(),
                    today,
                ),
            })
            .collect();
        workers.sort_by(|a, b| a.name.cmp(&b.name));
        // Whoever the team ever had may be the last worker of a child waiting now; the
        // organisation in force says which team each is in, so each is read again here.
        let members: Vec<WorkerId> = org
            .workers
            .iter()
            .filter(|w| &w.team == team)
            .map(|w| w.id.clone())
            .collect();
        let team_of = |w: &WorkerId| authority.worker(w).map(|w| w.team.clone());
        let waiting_here = self
            .store()
            .queued_children(team, &members)
            .await?
            .into_iter()
            .filter_map(|r| {
                let w = waiting(&r.state, team_of, today)?;
                (&w.team == team).then_some((r, w))
            })
            .collect::<Vec<_>>();
        let (records, waits): (Vec<ChildRecord>, Vec<Waiting>) = waiting_here.into_iter().unzip();
        let allowed: std::collections::BTreeSet<ChildId> = reader
            .visible(records.clone())
            .await?
            .into_iter()
            .map(|r| r.state.id)
            .collect();
        let mut queue: Vec<QueuedChild> = records
            .iter()
            .zip(waits)
            .filter(|(r, _)| allowed.contains(&r.state.id))
            .map(|(r, w)| QueuedChild {
                child: r.state.id.clone(),
                name: name(&r.state),
                kind: CaseKind::of(&r.state),
                waiting: w,
            })
            .collect();
        queue.sort_by_key(|q| std::cmp::Reverse(q.waiting.days));
        let shown: Vec<ChildId> = queue.iter().map(|q| q.child.clone()).collect();
        reader.log_shown(&shown).await?;
        let over = queue.iter().filter(|q| q.waiting.over_limit).count();
        Ok(TeamCaseloads {
            team: t.id.clone(),
            name: t.name.clone(),
            workers,
            queue,
            unallocated_over_28_days: u32::try_from(over).unwrap_or(u32::MAX),
        })
    }
}

/// The organisation in force, or a refusal naming what is missing: a caseload needs
/// the workers and teams the document lists.
fn organisation(authority: &Authority) -> Result<&Organisation, AppError> {
    authority
        .organisation
        .as_ref()
        .ok_or(AppError::Workforce(WorkforceError::NoOrganisation))
}

fn name(state: &ChildState) -> String {
    state
        .details
        .as_ref()
        .map_or_else(|| String::from("Name not recorded"), |d| d.name.to_string())
}
