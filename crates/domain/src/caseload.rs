//! Caseloads: what each child allocated to a worker weighs, a worker's load against the
//! organisation's limits, and the allocation queue (children waiting for a worker).
//!
//! How weighting works. The organisation's [`Policy`] gives one limit per kind of work:
//! `caseload_limit` cases per case-holder (child in need and protection),
//! `max_looked_after_per_social_worker` looked-after children, `early_help_caseload`,
//! `personal_adviser_caseload` care leavers and `iro_caseload` for an independent
//! reviewing officer. A case takes the share of a full-time caseload its kind's limit
//! says (one of 15 looked-after children is 1/15 of a full caseload), and a worker's
//! weighted caseload is the sum of those shares in case-holder cases: each case weighs
//! `caseload_limit / its kind's limit`. Kent (20, 15 looked after) makes a looked-after
//! child weigh 20/15 = 1.33, so fifteen of them are 20.0, a full caseload, and the
//! looked-after ceiling needs no second check. A worker's limit is `caseload_limit`
//! times their FTE (a half-time worker holds 10.0 in Kent).
//!
//! Where DOMAIN.md is silent, and what was decided here:
//! - a child counts once, as the heaviest-regulated open work they have (looked after,
//!   then protection, child in need, care leaver, early help), so a child on a
//!   protection plan (which sits within a child in need episode) is one protection case;
//! - mixed caseloads add shares, as above; DOMAIN.md gives only the two limits;
//! - an IRO's children all weigh `caseload_limit / iro_caseload`, whatever their kind,
//!   since an IRO's limit is about reviews, not the kind of case;
//! - a child allocated with no episode open (an allocation kept after the work ended)
//!   still counts, as a case-holder case, since the worker still holds it;
//! - without a policy in the organisation document there are no limits: cases are
//!   counted, unweighted, and none is over a limit;
//! - agency and newly qualified workers are marked, not given other limits: councils'
//!   protected caseloads for newly qualified workers (ASYE) are local and not in the
//!   document. Newly qualified means qualified less than a year before the day asked.

use crate::access::Role;
use crate::ids::{TeamId, WorkerId};
use crate::journey::{
    ChildState, OPEN_CARE_LEAVER, OPEN_CIN, OPEN_CP_PLAN, OPEN_EARLY_HELP, OPEN_LOOKED_AFTER,
};
use crate::org::{Employment, Policy, Worker, WorkerRole};
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeMap;

/// Days a case may wait for a worker before it counts as unallocated too long
/// (DOMAIN.md's indicator "unallocated over 28 days").
pub const UNALLOCATED_DAYS: i32 = 28;

/// The kind of work a child's case is, for weighting: their heaviest open work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    LookedAfter,
    ChildProtection,
    ChildInNeed,
    CareLeaver,
    EarlyHelp,
    /// Allocated, with no episode open.
    NoOpenEpisode,
}

impl CaseKind {
    pub const ALL: [CaseKind; 6] = [
        CaseKind::LookedAfter,
        CaseKind::ChildProtection,
        CaseKind::ChildInNeed,
        CaseKind::CareLeaver,
        CaseKind::EarlyHelp,
        CaseKind::NoOpenEpisode,
    ];

    /// The child's heaviest open work.
    pub fn of(state: &ChildState) -> CaseKind {
        CaseKind::of_open_work(&state.open_work())
    }

    /// The heaviest of `open_work`, as [`ChildState::open_work`] words it (a projection
    /// keeps those words, so a list can weigh a case without the child's whole state).
    pub fn of_open_work<S: AsRef<str>>(open_work: &[S]) -> CaseKind {
        let has = |work: &str| open_work.iter().any(|w| w.as_ref() == work);
        if has(OPEN_LOOKED_AFTER) {
            CaseKind::LookedAfter
        } else if has(OPEN_CP_PLAN) {
            CaseKind::ChildProtection
        } else if has(OPEN_CIN) {
            CaseKind::ChildInNeed
        } else if has(OPEN_CARE_LEAVER) {
            CaseKind::CareLeaver
        } else if has(OPEN_EARLY_HELP) {
            CaseKind::EarlyHelp
        } else {
            CaseKind::NoOpenEpisode
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CaseKind::LookedAfter => "Looked after",
            CaseKind::ChildProtection => "Child protection",
            CaseKind::ChildInNeed => "Child in need",
            CaseKind::CareLeaver => "Care leaver",
            CaseKind::EarlyHelp => "Early help",
            CaseKind::NoOpenEpisode => "No open episode",
        }
    }

    /// The policy's limit for a worker in `role` holding only this kind of case.
    fn limit(self, policy: &Policy, role: WorkerRole) -> u32 {
        if role == WorkerRole::Iro {
            return policy.iro_caseload;
        }
        match self {
            CaseKind::LookedAfter => policy.max_looked_after_per_social_worker,
            CaseKind::ChildProtection | CaseKind::ChildInNeed | CaseKind::NoOpenEpisode => {
                policy.caseload_limit
            }
            CaseKind::CareLeaver => policy.personal_adviser_caseload,
            CaseKind::EarlyHelp => policy.early_help_caseload,
        }
    }

    /// What one case of this kind weighs, in case-holder cases, for a worker in `role`
    /// (1.0 without a policy).
    pub fn weight(self, policy: Option<&Policy>, role: WorkerRole) -> f64 {
        match policy {
            Some(p) => f64::from(p.caseload_limit) / f64::from(self.limit(p, role).max(1)),
            None => 1.0,
        }
    }
}

/// A worker's caseload against the limits.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkerLoad {
    pub worker: WorkerId,
    pub fte: f32,
    /// Children allocated.
    pub cases: u32,
    /// Children by kind of case.
    pub by_kind: BTreeMap<CaseKind, u32>,
    /// The weighted caseload, in case-holder cases.
    pub weighted: f64,
    /// The most the worker should hold, weighted (the case-holder limit times FTE);
    /// none without a policy.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub limit: Option<f64>,
    pub over_limit: bool,
    pub agency: bool,
    pub newly_qualified: bool,
}

/// Against the limits: `worker`'s caseload of `kinds` (one per allocated child), as at
/// `today`.
pub fn worker_load(
    worker: &Worker,
    policy: Option<&Policy>,
    kinds: impl IntoIterator<Item = CaseKind>,
    today: Date,
) -> WorkerLoad {
    let mut by_kind = BTreeMap::new();
    let mut weighted = 0.0;
    let mut cases = 0;
    for kind in kinds {
        *by_kind.entry(kind).or_insert(0) += 1;
        weighted += kind.weight(policy, worker.role);
        cases += 1;
    }
    // The organisation gives FTE as a short decimal held in an f32, and widening it
    // keeps the f32's error (0.8 becomes 0.800000011920929): rounded to four places,
    // a 0.8 FTE worker's limit of 20 reads 16, not 16.000000238.
    let limit = policy.map(|p| {
        let limit = f64::from(p.caseload_limit) * f64::from(worker.fte);
        (limit * 1e4).round() / 1e4
    });
    // Shares such as 1/15 do not add up exactly in floating point: fifteen of them are
    // a full caseload, not a hair over.
    let over_limit = limit.is_some_and(|l| weighted > l + 1e-9);
    WorkerLoad {
        worker: worker.id.clone(),
        fte: worker.fte,
        cases,
        by_kind,
        weighted,
        limit,
        over_limit,
        agency: worker.employment == Employment::Agency,
        newly_qualified: is_newly_qualified(worker, today),
    }
}

/// Whether `worker` qualified less than a year before `today` (in their assessed and
/// supported year in employment, ASYE). A worker whose qualifying date is not in the
/// document is not marked.
pub fn is_newly_qualified(worker: &Worker, today: Date) -> bool {
    worker.qualified.is_some_and(|q| {
        q <= today
            && q.checked_add(jiff::Span::new().years(1))
                .is_ok_and(|year_on| today < year_on)
    })
}

/// A child waiting for a worker: the team whose queue they are in, and since when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Waiting {
    pub team: TeamId,
    pub since: Date,
    pub days: i32,
    /// Waiting more than [`UNALLOCATED_DAYS`].
    pub over_limit: bool,
}

/// Whose allocation queue a child waiting for a worker is in, as far as their journey
/// says: a team a contact's decision routed them to, or the worker who last held them
/// (whose team the organisation in force says).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueuedWith {
    Team(TeamId),
    LastWorker(WorkerId),
}

/// Whether `state` is waiting for a worker (no worker, and open work or a routing), and
/// with whom: the newer of a routing to a team and an unallocation from a worker
/// decides, since either is where the work was last put. A routing waits even before
/// any work is open: a contact decided for early help opens nothing until a worker
/// starts it, so the team must see the child to allocate one. A child with neither
/// (open work never allocated nor routed) waits in no team's queue.
///
/// Nothing here depends on the organisation, so the store keeps it on the child's row
/// and a new organisation version leaves that row right: the worker's team is looked up
/// when the queue is read.
pub fn queued(state: &ChildState) -> Option<(QueuedWith, Date)> {
    if state.allocation.is_some() {
        return None;
    }
    // The fold forgets a routing once anyone is allocated or unallocated after it, or
    // the work it brought is over.
    if let Some(r) = &state.routed {
        return Some((QueuedWith::Team(r.team.clone()), r.on));
    }
    if state.open_work().is_empty() {
        return None;
    }
    Some((
        QueuedWith::LastWorker(state.last_worker.clone()?),
        state.unallocated_since?,
    ))
}

/// Whether `state` is waiting for a worker as at `today`, and in which team's queue
/// ([`queued`]): the team they were routed to, or that of the worker who last held them
/// as the organisation document says (`team_of`: a team's page asks it for each child
/// in its queue, so the app answers from an index built once per document, not by
/// walking the workforce); since the day they were routed or unallocated. A child
/// whose last worker the document no longer lists is in no team's queue.
pub fn waiting(
    state: &ChildState,
    team_of: impl Fn(&WorkerId) -> Option<TeamId>,
    today: Date,
) -> Option<Waiting> {
    let (with, since) = queued(state)?;
    let team = match with {
        QueuedWith::Team(team) => team,
        QueuedWith::LastWorker(worker) => team_of(&worker)?,
    };
    let days = (today - since).get_days();
    Some(Waiting {
        team,
        since,
        days,
        over_limit: days > UNALLOCATED_DAYS,
    })
}

/// Whether a user with `role` may be linked to a worker in `worker`'s role: a user is
/// the practitioner the worker is, so the two must agree (a personal adviser signs in
/// as a social worker). Roles that hold no cases (partner, analyst, auditor, admin)
/// are linked to no worker.
pub fn role_fits(role: Role, worker: WorkerRole) -> bool {
    matches!(
        (role, worker),
        (Role::Screener, WorkerRole::Screener)
            | (Role::EarlyHelpWorker, WorkerRole::EarlyHelpWorker)
            | (
                Role::SocialWorker,
                WorkerRole::SocialWorker | WorkerRole::PersonalAdviser
            )
            | (Role::TeamManager, WorkerRole::TeamManager)
            | (Role::Iro, WorkerRole::Iro)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::ChildId;
    use crate::org::Organisation;
    use jiff::civil::date;

    fn kent() -> Policy {
        Policy {
            caseload_limit: 20,
            max_looked_after_per_social_worker: 15,
            early_help_caseload: 15,
            iro_caseload: 60,
            personal_adviser_caseload: 25,
            cin_visit_working_days: 30,
            max_professionals_per_family: None,
        }
    }

    fn worker(role: WorkerRole, fte: f32) -> Worker {
        Worker {
            id: WorkerId::parse("W1").unwrap(),
            name: String::from("Sam Patel"),
            role,
            team: TeamId::parse("T1").unwrap(),
            fte,
            employment: Employment::Employed,
            start_date: date(2020, 1, 6),
            end_date: None,
            qualified: None,
        }
    }

    fn kinds(list: &[(CaseKind, u32)]) -> Vec<CaseKind> {
        list.iter()
            .flat_map(|(k, n)| std::iter::repeat_n(*k, *n as usize))
            .collect()
    }

    #[test]
    fn fifteen_looked_after_children_are_a_full_caseload_and_sixteen_are_over() {
        let sw = worker(WorkerRole::SocialWorker, 1.0);
        let today = date(2026, 12, 7);
        let full = worker_load(
            &sw,
            Some(&kent()),
            kinds(&[(CaseKind::LookedAfter, 15)]),
            today,
        );
        assert!((full.weighted - 20.0).abs() < 1e-9);
        assert_eq!(full.limit, Some(20.0));
        assert!(!full.over_limit);
        let over = worker_load(
            &sw,
            Some(&kent()),
            kinds(&[(CaseKind::LookedAfter, 16)]),
            today,
        );
        // 16 x 20/15 = 21.33
        assert!((over.weighted - 21.0 - 1.0 / 3.0).abs() < 1e-9);
        assert!(over.over_limit);
    }

    #[test]
    fn a_mixed_caseload_adds_each_kinds_share() {
        // Kent: 6 looked after (6 x 20/15 = 8), 5 protection and 4 in need (9 x 1 = 9),
        // 3 early help (3 x 20/15 = 4), 5 care leavers (5 x 20/25 = 4): 25 weighted,
        // over a limit of 20, from 23 children.
        let sw = worker(WorkerRole::SocialWorker, 1.0);
        let load = worker_load(
            &sw,
            Some(&kent()),
            kinds(&[
                (CaseKind::LookedAfter, 6),
                (CaseKind::ChildProtection, 5),
                (CaseKind::ChildInNeed, 4),
                (CaseKind::EarlyHelp, 3),
                (CaseKind::CareLeaver, 5),
            ]),
            date(2026, 12, 7),
        );
        assert_eq!(load.cases, 23);
        assert!((load.weighted - 25.0).abs() < 1e-9);
        assert!(load.over_limit);
        assert_eq!(load.by_kind[&CaseKind::ChildProtection], 5);
    }

    #[test]
    fn a_part_time_worker_has_a_pro_rata_limit() {
        // 0.5 FTE in Kent: a limit of 10; 11 children in need are over it.
        let sw = worker(WorkerRole::SocialWorker, 0.5);
        let today = date(2026, 12, 7);
        let ten = worker_load(
            &sw,
            Some(&kent()),
            kinds(&[(CaseKind::ChildInNeed, 10)]),
            today,
        );
        assert_eq!(ten.limit, Some(10.0));
        assert!(!ten.over_limit);
        let eleven = worker_load(
            &sw,
            Some(&kent()),
            kinds(&[(CaseKind::ChildInNeed, 11)]),
            today,
        );
        assert!(eleven.over_limit);
        // 0.8 FTE is not exact in an f32: the limit still reads 16, and 16 children in
        // need fill it without going over.
        let sw = worker(WorkerRole::SocialWorker, 0.8);
        let sixteen = worker_load(
            &sw,
            Some(&kent()),
            kinds(&[(CaseKind::ChildInNeed, 16)]),
            today,
        );
        assert_eq!(sixteen.limit, Some(16.0));
        assert!(!sixteen.over_limit);
    }

    #[test]
    fn an_iros_children_weigh_against_the_iro_caseload() {
        // 60 children for an IRO in Kent: 60 x 20/60 = 20, full and not over.
        let iro = worker(WorkerRole::Iro, 1.0);
        let load = worker_load(
            &iro,
            Some(&kent()),
            kinds(&[(CaseKind::LookedAfter, 40), (CaseKind::ChildProtection, 20)]),
            date(2026, 12, 7),
        );
        assert!((load.weighted - 20.0).abs() < 1e-9);
        assert!(!load.over_limit);
    }

    #[test]
    fn without_a_policy_cases_are_counted_and_nothing_is_over() {
        let sw = worker(WorkerRole::SocialWorker, 1.0);
        let load = worker_load(
            &sw,
            None,
            kinds(&[(CaseKind::LookedAfter, 30)]),
            date(2026, 12, 7),
        );
        assert_eq!(load.weighted, 30.0);
        assert_eq!(load.limit, None);
        assert!(!load.over_limit);
    }

    #[test]
    fn agency_and_newly_qualified_workers_are_marked() {
        let mut sw = worker(WorkerRole::SocialWorker, 1.0);
        sw.employment = Employment::Agency;
        sw.qualified = Some(date(2026, 1, 5));
        let load = worker_load(&sw, Some(&kent()), [], date(2026, 12, 7));
        assert!(load.agency);
        assert!(load.newly_qualified);
        // A year on from qualifying, no longer newly qualified.
        assert!(!is_newly_qualified(&sw, date(2027, 1, 5)));
        assert!(is_newly_qualified(&sw, date(2027, 1, 4)));
        sw.qualified = None;
        assert!(!is_newly_qualified(&sw, date(2026, 12, 7)));
    }

    #[test]
    fn a_child_counts_as_their_heaviest_open_work() {
        let mut state = ChildState::new(ChildId::parse("C1").unwrap());
        assert_eq!(CaseKind::of(&state), CaseKind::NoOpenEpisode);
        state.early_help = Some(crate::journey::EarlyHelpEpisode {
            started: date(2026, 1, 5),
            step_down: false,
            assessment_completed: None,
        });
        assert_eq!(CaseKind::of(&state), CaseKind::EarlyHelp);
        state.cp_plan = Some(crate::journey::CpPlan {
            started: date(2026, 2, 2),
            initial_category: crate::codes::CategoryOfAbuse::Neglect,
            latest_category: crate::codes::CategoryOfAbuse::Neglect,
        });
        assert_eq!(CaseKind::of(&state), CaseKind::ChildProtection);
    }

    /// A worker's team as the organisation document says.
    fn team_of(org: &Organisation) -> impl Fn(&WorkerId) -> Option<TeamId> + '_ {
        |w| org.worker(w).map(|w| w.team.clone())
    }

    #[test]
    fn an_unallocated_child_waits_in_their_last_workers_team() {
        let mut org = Organisation::default();
        org.workers.push(worker(WorkerRole::SocialWorker, 1.0));
        let mut state = ChildState::new(ChildId::parse("C1").unwrap());
        state.early_help = Some(crate::journey::EarlyHelpEpisode {
            started: date(2026, 9, 1),
            step_down: false,
            assessment_completed: None,
        });
        state.last_worker = Some(WorkerId::parse("W1").unwrap());
        state.unallocated_since = Some(date(2026, 11, 9));
        // 28 days to 7 December: waiting, not yet over.
        let w = waiting(&state, team_of(&org), date(2026, 12, 7)).unwrap();
        assert_eq!(w.team, TeamId::parse("T1").unwrap());
        assert_eq!(w.days, 28);
        assert!(!w.over_limit);
        assert!(
            waiting(&state, team_of(&org), date(2026, 12, 8))
                .unwrap()
                .over_limit
        );
        // Closed work waits for no one.
        state.early_help = None;
        assert_eq!(waiting(&state, team_of(&org), date(2026, 12, 8)), None);
    }

    #[test]
    fn a_user_is_linked_only_to_a_worker_in_their_own_role() {
        assert!(role_fits(Role::SocialWorker, WorkerRole::SocialWorker));
        assert!(role_fits(Role::SocialWorker, WorkerRole::PersonalAdviser));
        assert!(role_fits(Role::TeamManager, WorkerRole::TeamManager));
        assert!(!role_fits(Role::TeamManager, WorkerRole::SocialWorker));
        assert!(!role_fits(Role::Analyst, WorkerRole::SocialWorker));
    }
}
