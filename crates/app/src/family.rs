//! A family page's reading (issue 14 item 5): every child and adult, who is related to
//! whom and who lives where, the professionals working with the family, the one plan,
//! and the journeys the family's chronology is drawn from. What a plan is, who counts
//! as a professional and who shares a home is `hearth_domain::family`'s.
//!
//! Reading a family reads each child's record: it needs `ReadRecord`, leaves out a
//! restricted child the caller may not see (and every tie and household place naming
//! them, so the page does not give them away), and logs the family and every child shown.

use crate::due::{Authorities, Authority};
use crate::reader::Reader;
use crate::{App, AppError, Caller, WorkforceError};
use hearth_domain::access::Permission;
use hearth_domain::codes::{Agency, RelationshipKind};
use hearth_domain::event::{Allocated, Event, EventData};
use hearth_domain::family::{
    AllocationRefused, ChildPlan, Involved, agencies_named, allocate_family, early_help_plan,
    households, professionals, too_many_professionals,
};
use hearth_domain::handoffs::team_changes;
use hearth_domain::ids::{
    AdultId, ChildId, EventId, FamilyId, PersonRef, Subject, TeamId, WorkerId,
};
use hearth_domain::journey::{ChildState, FamilyState, effective_events, fold_family};
use hearth_domain::people::{Address, age_in_years};
use hearth_store::{ChildRecord, StoreError, Version};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A child of the family, as the family page lists them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FamilyChild {
    pub id: ChildId,
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub date_of_birth: Option<Date>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub expected_date_of_birth: Option<Date>,
    /// Whole years today; none for an unborn child or one whose birth date is unknown.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub age: Option<i16>,
    /// Early help, child in need, child protection plan, looked after, care leaver.
    pub open_work: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub worker: Option<WorkerId>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub worker_name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub team: Option<TeamId>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub team_name: Option<String>,
    /// The plan that leads for the child, in words.
    pub plan: String,
    /// Times the child's allocated worker changed to a different person.
    pub worker_changes: u32,
    /// Of those, the times the new worker was in another team (a hand-off between teams).
    pub team_changes: u32,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub address: Option<Address>,
}

/// An adult of the family.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FamilyAdult {
    pub id: AdultId,
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub date_of_birth: Option<Date>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub address: Option<Address>,
}

/// How one member is related to another, as the family's journey records it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FamilyTie {
    pub from: PersonRef,
    pub to: PersonRef,
    pub relationship: RelationshipKind,
}

/// Members who live at one address; `address` null for those with none recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FamilyHousehold {
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub address: Option<Address>,
    pub members: Vec<PersonRef>,
}

/// One professional working with the family: a worker of the authority or a partner
/// agency, counted once.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FamilyProfessional {
    pub name: String,
    /// "Allocated worker", "Personal adviser", "Partner agency".
    pub roles: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub worker: Option<WorkerId>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub agency: Option<Agency>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub team_name: Option<String>,
    /// The children they work with.
    pub children: Vec<ChildId>,
}

/// The family's early help plan: from the first of its children's open early help to
/// start, covering each child in early help.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FamilyPlan {
    pub since: Date,
    pub children: Vec<ChildId>,
}

/// A family as its page and `GET /api/v1/families/{id}` show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Family {
    pub id: FamilyId,
    /// Oldest first.
    pub children: Vec<FamilyChild>,
    pub adults: Vec<FamilyAdult>,
    pub relationships: Vec<FamilyTie>,
    pub households: Vec<FamilyHousehold>,
    /// Allocated workers, personal advisers, and the partner agencies the children's
    /// journeys name in the past year.
    pub professionals: Vec<FamilyProfessional>,
    /// The organisation's limit on professionals a family has at once, if it sets one.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub professionals_limit: Option<u32>,
    pub too_many_professionals: bool,
    /// The family's early help plan, if any child is in early help; each child's own
    /// plan is on the child.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub plan: Option<FamilyPlan>,
}

/// A family, and the journeys (the family's own, then each child's shown) its
/// chronology is drawn from, each in journal order.
#[derive(Debug, Clone)]
pub struct FamilyRead {
    pub family: Family,
    pub journeys: Vec<(Subject, Vec<Event>)>,
}

/// A partner agency counts as working with the family when a child's journey names it
/// within the past year (a check asked of it, or its answer).
fn agencies_since(today: Date) -> Date {
    today
        .checked_sub(jiff::Span::new().years(1))
        .unwrap_or(today)
}

impl App {
    /// Family `id`'s journey, its fold, and the records of its children the caller may
    /// see (a refusal logged by the reader; the records shown are the caller's to log),
    /// leaving out a record merged into another (it is shown as the record it went
    /// into); none when there is no such family.
    async fn family_records(
        &self,
        caller: &Caller,
        now: Timestamp,
        id: &FamilyId,
    ) -> Result<Option<(Vec<Event>, FamilyState, Vec<ChildRecord>)>, AppError> {
        let (events, _) = self.store().journey(&Subject::Family(id.clone())).await?;
        // The journal refused anything that does not fold, so this is a damaged store.
        let state = fold_family(id, &events)
            .map_err(|e| AppError::Store(StoreError::Corrupt(e.to_string())))?;
        let mut ids: BTreeSet<ChildId> = state.children.clone();
        ids.extend(self.store().family_children(id).await?);
        if events.is_empty() && ids.is_empty() {
            return Ok(None);
        }
        let mut records: Vec<ChildRecord> = Vec::with_capacity(ids.len());
        for child in &ids {
            if let Some(record) = self.store().child(child).await? {
                records.push(record);
            }
        }
        let reader = Reader::new(self.store(), caller, now);
        let mut records = reader.visible(records).await?;
        records.retain(|r| r.state.merged_into.is_none());
        Ok(Some((events, state, records)))
    }

    /// The family `id` as at `now`; none when there is no such family. Needs
    /// `ReadRecord`; restricted children the caller may not see are left out; the family
    /// and each child shown are logged.
    pub async fn family(
        &self,
        caller: &Caller,
        now: Timestamp,
        id: &FamilyId,
    ) -> Result<Option<FamilyRead>, AppError> {
        let subject = Subject::Family(id.clone());
        self.check(caller, now, Permission::ReadRecord, &subject.to_string())
            .await?;
        let Some((events, state, mut records)) = self.family_records(caller, now, id).await? else {
            return Ok(None);
        };
        let today = crate::today(now);
        records.sort_by_key(|r| {
            let d = r.state.details.as_ref();
            (
                d.and_then(|d| d.date_of_birth.or(d.expected_date_of_birth)),
                r.state.id.clone(),
            )
        });
        let shown: BTreeSet<ChildId> = records.iter().map(|r| r.state.id.clone()).collect();
        let mut journeys = vec![(subject.clone(), events)];
        let mut agencies: Vec<BTreeSet<Agency>> = Vec::with_capacity(records.len());
        let year_ago = agencies_since(today);
        for r in &records {
            let child = Subject::Child(r.state.id.clone());
            let (journey, _) = self.store().journey(&child).await?;
            agencies.push(agencies_named(&journey, year_ago));
            journeys.push((child, journey));
        }
        let mut logged = vec![subject];
        logged.extend(shown.iter().cloned().map(Subject::Child));
        self.store()
            .log_access_many(now, caller.actor(), &logged, &caller.purpose)
            .await?;

        let authority = self.authority(today).await?;
        let authorities = self.authority.get(self.store()).await?;
        // The family's own journey comes first; each child's follows, as `records`.
        let handed_off: Vec<u32> = journeys
            .iter()
            .skip(1)
            .map(|(_, journey)| hand_offs(&authorities, journey))
            .collect();
        let states: Vec<&ChildState> = records.iter().map(|r| &r.state).collect();
        let visible = |p: &PersonRef| match p {
            PersonRef::Child(c) => shown.contains(c),
            PersonRef::Adult(_) => true,
        };
        let found = professionals(states.iter().copied().zip(agencies.iter()));
        let policy = authority
            .organisation
            .as_ref()
            .and_then(|o| o.policy.as_ref());
        let people = state
            .adults
            .iter()
            .map(|(a, d)| (PersonRef::Adult(a.clone()), d.address.as_ref()))
            .chain(states.iter().map(|s| {
                (
                    PersonRef::Child(s.id.clone()),
                    s.details.as_ref().and_then(|d| d.address.as_ref()),
                )
            }));
        let family = Family {
            id: id.clone(),
            children: states
                .iter()
                .zip(&handed_off)
                .map(|(s, &hand_offs)| child(s, hand_offs, &authority, today))
                .collect(),
            adults: state
                .adults
                .iter()
                .map(|(a, d)| FamilyAdult {
                    id: a.clone(),
                    name: d.name.to_string(),
                    date_of_birth: d.date_of_birth,
                    address: d.address.clone(),
                })
                .collect(),
            relationships: state
                .relationships
                .iter()
                .filter(|(from, to, _)| visible(from) && visible(to))
                .map(|(from, to, kind)| FamilyTie {
                    from: from.clone(),
                    to: to.clone(),
                    relationship: *kind,
                })
                .collect(),
            households: households(people)
                .into_iter()
                .map(|h| FamilyHousehold {
                    address: h.address,
                    members: h.members,
                })
                .collect(),
            too_many_professionals: too_many_professionals(found.len(), policy),
            professionals_limit: policy.and_then(|p| p.max_professionals_per_family),
            professionals: found
                .into_iter()
                .map(|p| {
                    let (name, worker, agency) = match p.who {
                        Involved::Worker(w) => (worker_name(&authority, &w), Some(w), None),
                        Involved::Agency(a) => (a.label().to_owned(), None, Some(a)),
                    };
                    FamilyProfessional {
                        name,
                        roles: p.roles.iter().map(|r| r.label().to_owned()).collect(),
                        worker,
                        agency,
                        team_name: p.team.map(|t| authority.team_name(&t)),
                        children: p.children.into_iter().collect(),
                    }
                })
                .collect(),
            plan: early_help_plan(states.iter().copied()).map(|p| FamilyPlan {
                since: p.since,
                children: p.children,
            }),
        };
        Ok(Some(FamilyRead { family, journeys }))
    }
}

fn worker_name(authority: &Authority, id: &WorkerId) -> String {
    authority
        .worker(id)
        .map_or_else(|| id.to_string(), |w| w.name.clone())
}

/// Hand-offs between teams on a child's journey (`hearth_domain::handoffs`), each
/// worker's team as the organisation's version in force on the day of their allocation
/// says.
fn hand_offs(authorities: &Authorities, journey: &[Event]) -> u32 {
    // The journal refused anything that does not fold, so the corrections apply.
    let effective = effective_events(journey).unwrap_or_default();
    team_changes(&effective, |day, worker| {
        authorities.on(day).worker(worker).map(|w| w.team.clone())
    })
}

impl App {
    /// Hand-offs between teams on `journey`, a child's journey already read (and
    /// logged) by the caller's use case: nothing more is read but the organisation.
    pub async fn hand_offs(&self, journey: &[Event]) -> Result<u32, AppError> {
        Ok(hand_offs(
            &*self.authority.get(self.store()).await?,
            journey,
        ))
    }
}

fn child(state: &ChildState, hand_offs: u32, authority: &Authority, today: Date) -> FamilyChild {
    let details = state.details.as_ref();
    let dob = details.and_then(|d| d.date_of_birth);
    let allocation = state.allocation.as_ref();
    FamilyChild {
        id: state.id.clone(),
        name: details.map_or_else(|| String::from("Name not recorded"), |d| d.name.to_string()),
        date_of_birth: dob,
        expected_date_of_birth: details.and_then(|d| d.expected_date_of_birth),
        age: dob
            .filter(|_| state.date_of_death.is_none())
            .and_then(|dob| age_in_years(dob, today)),
        open_work: state.open_work().into_iter().map(String::from).collect(),
        worker: allocation.map(|a| a.worker.clone()),
        worker_name: allocation.map(|a| worker_name(authority, &a.worker)),
        team: allocation.map(|a| a.team.clone()),
        team_name: allocation.map(|a| authority.team_name(&a.team)),
        plan: ChildPlan::of(state).describe(),
        worker_changes: state.history.worker_changes,
        team_changes: hand_offs,
        address: details.and_then(|d| d.address.clone()),
    }
}

/// A family's allocation as a manager asks for it: the worker (their team is the
/// organisation's, in the version in force today), why, and the children to move.
#[derive(Debug, Clone)]
pub struct FamilyAllocation {
    pub worker: WorkerId,
    pub reason: String,
    /// The children left ticked: by default every child with open work.
    pub children: BTreeSet<ChildId>,
}

/// Why a family was not allocated: an [`AppError`], or the domain's refusal naming a
/// child by id.
#[derive(Debug, thiserror::Error)]
pub enum AllocateError {
    #[error(transparent)]
    App(#[from] AppError),
    #[error("There is no family with that ID")]
    NoFamily,
    #[error("{0}")]
    Refused(AllocationRefused),
}

impl From<StoreError> for AllocateError {
    fn from(e: StoreError) -> Self {
        AllocateError::App(AppError::Store(e))
    }
}

impl App {
    /// Allocate family `id`'s chosen children to one worker at `now`: one `allocated`
    /// (with the reason) on each child's journey, all in one write or none. Needs
    /// `AllocateCases`; a child the caller may not see is refused as if they were not in
    /// the family. The family and each child written are logged. Returns the children
    /// allocated (a child already with the worker needs nothing and is not written).
    pub async fn allocate_family(
        &self,
        caller: &Caller,
        now: Timestamp,
        id: &FamilyId,
        ask: &FamilyAllocation,
    ) -> Result<Vec<ChildId>, AllocateError> {
        let subject = Subject::Family(id.clone());
        self.check(caller, now, Permission::AllocateCases, &subject.to_string())
            .await?;
        let Some((_, _, records)) = self.family_records(caller, now, id).await? else {
            return Err(AllocateError::NoFamily);
        };
        let today = crate::today(now);
        let authority = self.authority(today).await?;
        let team = authority
            .worker(&ask.worker)
            .map(|w| w.team.clone())
            .ok_or_else(|| AppError::Workforce(WorkforceError::NoWorker(ask.worker.clone())))?;
        let to = Allocated {
            worker: ask.worker.clone(),
            team,
            reason: Some(ask.reason.trim().to_owned()).filter(|r| !r.is_empty()),
        };
        let allocations =
            allocate_family(records.iter().map(|r| &r.state), &ask.children, &to, today)
                .map_err(AllocateError::Refused)?;
        let versions: BTreeMap<&ChildId, Version> =
            records.iter().map(|r| (&r.state.id, r.version)).collect();
        let occurred_at = crate::front_door::occurred(now);
        let authorities = self
            .authority
            .get(self.store())
            .await
            .map_err(AppError::from)?;
        let actor = crate::recording::actor(caller);
        let mut expected = Vec::with_capacity(allocations.len());
        let mut written = Vec::with_capacity(allocations.len());
        let mut new = Vec::with_capacity(allocations.len());
        for (child, data) in allocations {
            let version = versions.get(&child).copied().unwrap_or_default();
            let event = Event {
                id: EventId::parse(&format!("{child}-{}-allocated", version + 1)).unwrap_or_else(
                    |_| unreachable!("an id, a number and a word make an event id"),
                ),
                subject: Subject::Child(child.clone()),
                occurred_at,
                recorded_at: now,
                recorded_by: actor.clone(),
                data: EventData::Allocated(data),
            };
            // The worker in post today, under today's organisation, as any event
            // recorded now.
            authorities.recording.check(today, &event).map_err(|e| {
                AllocateError::Refused(AllocationRefused::Refused {
                    child: child.clone(),
                    problem: e.problem,
                })
            })?;
            expected.push((Subject::Child(child.clone()), version));
            new.push(event);
            written.push(child);
        }
        if !new.is_empty() {
            self.store().append_many(expected, new).await?;
        }
        let mut logged = vec![subject];
        logged.extend(written.iter().cloned().map(Subject::Child));
        self.store()
            .log_access_many(now, caller.actor(), &logged, &caller.purpose)
            .await?;
        Ok(written)
    }
}
