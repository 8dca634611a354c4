//! A family page's reading (issue 14 item 5): every child and adult, who is related to
//! whom and who lives where, the professionals working with the family, the one plan,
//! and the journeys the family's chronology is drawn from. What a plan is, who counts
//! as a professional and who shares a home is `hearth_domain::family`'s.
//!
//! Reading a family reads each child's record: it needs `ReadRecord`, leaves out a
//! restricted child the caller may not see (and every tie and household place naming
//! them, so the page does not give them away), and logs the family and every child shown.

use crate::due::Authority;
use crate::reader::Reader;
use crate::{App, AppError, Caller};
use hearth_domain::access::Permission;
use hearth_domain::codes::{Agency, RelationshipKind};
use hearth_domain::event::Event;
use hearth_domain::family::{
    ChildPlan, Involved, agencies_named, early_help_plan, households, professionals,
    too_many_professionals,
};
use hearth_domain::ids::{AdultId, ChildId, FamilyId, PersonRef, Subject, TeamId, WorkerId};
use hearth_domain::journey::{ChildState, fold_family};
use hearth_domain::people::{Address, age_in_years};
use hearth_store::ChildRecord;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeSet;

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
        let (events, _) = self.store().journey(&subject).await?;
        // The journal refused anything that does not fold, so this is a damaged store.
        let state = fold_family(id, &events)
            .map_err(|e| AppError::Store(hearth_store::StoreError::Corrupt(e.to_string())))?;
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
        // A record merged into another is shown as the record it went into.
        records.retain(|r| r.state.merged_into.is_none());
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
            children: states.iter().map(|s| child(s, &authority, today)).collect(),
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

fn child(state: &ChildState, authority: &Authority, today: Date) -> FamilyChild {
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
        address: details.and_then(|d| d.address.clone()),
    }
}
