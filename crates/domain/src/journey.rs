//! The fold from a journey to current state, and the validator that refuses impossible
//! journeys. They are one thing: folding an event checks that it can happen in the state
//! the journey has reached, so "valid" means exactly "folds without error".
//!
//! Order: corrections are resolved first (amended events take their new date and
//! payload, retracted events drop out), then events are applied in order of business
//! date, keeping journal order within a day. A late-recorded event therefore lands where
//! it happened, and the whole journey must still make sense with it there.

use crate::codes::*;
use crate::event::{Event, EventData, PersonsMerged};
use crate::ids::{
    AdultId, ChildId, ContactId, EventId, FamilyId, PersonRef, ReferralId, Subject, TeamId,
    WorkerId,
};
use crate::people::{PersonChanges, PersonDetails};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Why an event cannot stand where it is on a journey.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("event {event} ({kind} on {date}): {problem}")]
pub struct JourneyError {
    pub event: EventId,
    pub kind: &'static str,
    pub date: Date,
    pub problem: Problem,
}

/// The rule an event broke. Messages name no personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("the child must be registered (person_registered) before anything else is recorded")]
    NotRegistered,
    #[error("the child is already registered")]
    AlreadyRegistered,
    #[error("a person_registered on a child's journey must not name an adult")]
    AdultOnChildJourney,
    #[error("it belongs on a family's journey, not a child's")]
    FamilyEventOnChild,
    #[error("it belongs on a child's journey, not a family's")]
    ChildEventOnFamily,
    #[error("it belongs on a contact's journey, not a child's")]
    ContactEventOnChild,
    #[error("a child's journey names the contact and its source, not what the contact says")]
    IntakeOnChild,
    #[error("the event is for a different subject than the journey")]
    WrongSubject,
    #[error("it is dated before the child's date of birth")]
    BeforeBirth,
    #[error("it is dated after the child's date of death")]
    AfterDeath,
    #[error("an unborn child cannot be looked after or placed")]
    Unborn,
    #[error("a registered child needs a date of birth or an expected date of birth")]
    NoBirthDate,
    #[error("contact {0} was already received")]
    DuplicateContact(ContactId),
    #[error("contact {0} has not been received, or was already decided")]
    UnknownContact(ContactId),
    #[error("a referral cannot be accepted while a child in need episode is open")]
    CinAlreadyOpen,
    #[error("there is no open child in need episode (no referral accepted)")]
    NoCinEpisode,
    #[error("an assessment is already in progress")]
    AssessmentAlreadyOpen,
    #[error("there is no assessment in progress")]
    NoAssessment,
    #[error("a child in need plan is already open")]
    CinPlanAlreadyOpen,
    #[error("there is no open child in need plan")]
    NoCinPlan,
    #[error("the episode cannot close while a child protection plan is open")]
    CloseWithCpPlan,
    #[error("the episode cannot close while the child is looked after")]
    CloseWhileLookedAfter,
    #[error("a section 47 enquiry needs a strategy discussion that decided on one")]
    S47WithoutStrategy,
    #[error("a section 47 enquiry is already open")]
    S47AlreadyOpen,
    #[error("there is no open section 47 enquiry")]
    NoS47,
    #[error("an initial child protection conference needs a section 47 enquiry in this episode")]
    IcpcWithoutS47,
    #[error("a child protection plan needs an initial conference that decided on a plan")]
    CpPlanWithoutIcpc,
    #[error("a child protection plan is already open; plans cannot overlap")]
    CpPlanOverlap,
    #[error("there is no open child protection plan")]
    NoCpPlan,
    #[error("early help is already open")]
    EarlyHelpAlreadyOpen,
    #[error("there is no open early help episode")]
    NoEarlyHelp,
    #[error("the child is already looked after")]
    AlreadyLookedAfter,
    #[error("the child is not looked after")]
    NotLookedAfter,
    #[error("a placement is already open; end it first")]
    PlacementAlreadyOpen,
    #[error("there is no open placement")]
    NoPlacement,
    #[error("the child is already missing")]
    AlreadyMissing,
    #[error("the child is not missing")]
    NotMissing,
    #[error("there is no allocated worker")]
    NotAllocated,
    #[error("an adoption decision (adm_decision) must come first")]
    NoAdoptionDecision,
    #[error("the child has never been looked after, so cannot be a care leaver")]
    NeverLookedAfter,
    #[error("the child is not a care leaver and not looked after")]
    NotCareLeaver,
    #[error("event {0} is not on this journey")]
    UnknownTarget(EventId),
    #[error("event {0} is a correction; correct the original event instead")]
    CorrectsCorrection(EventId),
    #[error("event {0} was already retracted")]
    AlreadyRetracted(EventId),
    #[error("the amendment's kind differs from the event it amends ({0})")]
    AmendmentKindDiffers(&'static str),
    #[error("the amendment changes nothing")]
    EmptyAmendment,
    #[error("a correction must say why")]
    NoReason,
    #[error("event id {0} is used twice on this journey")]
    DuplicateEventId(EventId),
    #[error("{0} is not a member of this family")]
    NotAMember(PersonRef),
    #[error("that relationship does not exist")]
    NoSuchRelationship,
    #[error("that relationship already exists")]
    RelationshipExists,
    #[error("{field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("{field} has more than {max} lines")]
    TooManyLines { field: &'static str, max: usize },
    #[error("it is dated after today ({0})")]
    AfterToday(Date),
    #[error("there is no worker {0} in the organisation")]
    UnknownWorker(WorkerId),
    #[error("there is no team {0} in the organisation")]
    UnknownTeam(TeamId),
    #[error("worker {0} was not in post on that day")]
    NotInPost(WorkerId),
    #[error(
        "moving the child to another worker needs the reason (step up and step down keep the worker)"
    )]
    ChangeOfWorkerNeedsReason,
    // A contact's own journey.
    #[error("the contact must be received (contact_received) before anything else is recorded")]
    ContactNotReceived,
    #[error("the contact was already received")]
    AlreadyReceived,
    #[error("the contact names no person {0} (people are counted from 0)")]
    NoSuchGivenPerson(u8),
    #[error("person {0} of the contact is already linked")]
    AlreadyLinked(u8),
    #[error("person {0} of the contact is not linked to that record")]
    NotLinked(u8),
    #[error("a check with {0} was already asked for and has not come back")]
    CheckAlreadyRequested(Agency),
    #[error("no check with {0} is awaited")]
    CheckNotRequested(Agency),
    #[error("it is already decided")]
    AlreadyDecided,
    #[error("a decision must give its reasons")]
    NoDecisionReasons,
    #[error(
        "a manager signs off this outcome: record the proposal, then the sign-off naming who proposed it"
    )]
    NotSignedOff,
    #[error("child {0} is not linked to the contact")]
    ChildNotLinked(ChildId),
    #[error("an outcome from early help up is work for a child: link the child first")]
    ReferralNeedsChild,
    #[error("no decision on the contact awaits sign-off")]
    NothingProposed,
    #[error("a decision is signed off by a manager other than the one who proposed it")]
    OwnProposal,
    #[error("it cannot be routed before it is decided")]
    NotDecided,
    #[error("it belongs on a child's journey, not a contact's")]
    ChildEventOnContact,
    // Merges.
    #[error("a record cannot be merged with itself")]
    MergeSelf,
    #[error("this record was merged into child {0}: record it there, or undo the merge")]
    MergedInto(ChildId),
    #[error("these records are not merged")]
    NotMerged,
    #[error("child {0} is already merged into this record")]
    AlreadyMerged(ChildId),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EarlyHelpEpisode {
    pub started: Date,
    pub step_down: bool,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub assessment_completed: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CinEpisode {
    pub referral: ReferralId,
    pub referral_date: Date,
    pub source: ReferralSource,
    pub primary_need: PrimaryNeed,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub assessment_started: Option<Date>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub last_assessment_completed: Option<Date>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub plan_started: Option<Date>,
    /// A strategy discussion that decided on a s47 enquiry, not yet followed by one.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub strategy_discussion: Option<Date>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub s47_started: Option<Date>,
    pub s47s: u32,
    /// Set when an ICPC decided on a plan that has not started yet.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub icpc_plan_decided: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CpPlan {
    pub started: Date,
    pub initial_category: CategoryOfAbuse,
    pub latest_category: CategoryOfAbuse,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Placement {
    pub placement_type: PlacementType,
    pub provider: PlacementProvider,
    pub started: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LookedAfter {
    pub started: Date,
    pub legal_status: LegalStatus,
    pub legal_status_since: Date,
    pub category_of_need: PrimaryNeed,
    pub uasc: bool,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub placement: Option<Placement>,
    /// Placements in this period of care.
    pub placements: u32,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub missing_since: Option<Date>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub permanence_plan: Option<PermanencePlan>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub adoption_decision: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CareLeaver {
    pub since: Date,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub adviser: Option<WorkerId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Allocation {
    pub worker: WorkerId,
    pub team: TeamId,
    pub since: Date,
}

/// The words [`ChildState::open_work`] names each kind of open work with.
pub const OPEN_EARLY_HELP: &str = "Early help";
pub const OPEN_CIN: &str = "Child in need";
pub const OPEN_CP_PLAN: &str = "Child protection plan";
pub const OPEN_LOOKED_AFTER: &str = "Looked after";
pub const OPEN_CARE_LEAVER: &str = "Care leaver";

/// Where a contact's decision routed a child, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoutedTo {
    pub team: TeamId,
    pub on: Date,
}

/// Counts over the whole journey, for KPIs and the chronology header.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct History {
    pub contacts: u32,
    pub referrals: u32,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub last_referral: Option<Date>,
    pub cp_plans: u32,
    pub looked_after_periods: u32,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub left_care: Option<Date>,
    pub placements: u32,
    pub missing_episodes: u32,
    /// Times the allocated worker changed to a different person.
    pub worker_changes: u32,
}

/// One merge of two records of the same child, as either record keeps it: `other` is the
/// duplicate on the survivor's record and the survivor on the duplicate's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MergeRecord {
    pub date: Date,
    pub other: ChildId,
    pub undone: bool,
}

/// A child's current state: the fold of their journey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChildState {
    pub id: ChildId,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub details: Option<PersonDetails>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub family: Option<FamilyId>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub date_of_death: Option<Date>,
    /// Business date of the latest event applied.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub last_date: Option<Date>,
    pub open_contacts: BTreeSet<ContactId>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub early_help: Option<EarlyHelpEpisode>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub cin: Option<CinEpisode>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub cp_plan: Option<CpPlan>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub looked_after: Option<LookedAfter>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub care_leaver: Option<CareLeaver>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub allocation: Option<Allocation>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub unallocated_since: Option<Date>,
    /// The most recently allocated worker, kept through unallocated spells so that a
    /// return to the same worker is not counted as a change.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub last_worker: Option<WorkerId>,
    /// The team a contact's decision last routed the child to, while that routing is
    /// newer than any allocation or unallocation: whose queue the child waits in.
    /// Written only when set, so a state stored before routings were folded reads, and
    /// one never routed is written, as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routed: Option<RoutedTo>,
    pub history: History,
    /// The record this one was merged into, while the merge stands: nothing but an
    /// unmerge or a correction may then be added here. The three merge fields are
    /// written only when a record has been merged, so a state stored before merges were
    /// folded reads, and one never merged is written, as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<ChildId>,
    /// Duplicates merged into this record, while each merge stands.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub merged: BTreeSet<ChildId>,
    /// Every merge this record took part in, undone or not.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merges: Vec<MergeRecord>,
}

impl ChildState {
    pub fn new(id: ChildId) -> Self {
        ChildState {
            id,
            details: None,
            family: None,
            date_of_death: None,
            last_date: None,
            open_contacts: BTreeSet::new(),
            early_help: None,
            cin: None,
            cp_plan: None,
            looked_after: None,
            care_leaver: None,
            allocation: None,
            unallocated_since: None,
            last_worker: None,
            routed: None,
            history: History::default(),
            merged_into: None,
            merged: BTreeSet::new(),
            merges: Vec::new(),
        }
    }

    /// Whether `event` can be applied straight onto this state (it is not a correction and
    /// is not dated before the latest event), rather than refolding the whole journey.
    pub fn can_apply_incrementally(&self, event: &Event) -> bool {
        !event.data.is_correction() && self.last_date.is_none_or(|last| event.date() >= last)
    }

    /// Apply one event in date order, refusing it if it cannot happen in this state.
    pub fn apply(&mut self, event: &Event) -> Result<(), JourneyError> {
        self.apply_data(event.date(), &event.data)
            .map_err(|problem| JourneyError {
                event: event.id.clone(),
                kind: event.kind(),
                date: event.date(),
                problem,
            })?;
        self.last_date = Some(self.last_date.map_or(event.date(), |d| d.max(event.date())));
        Ok(())
    }

    /// Whether a payload dated `date` would fold onto this state, applying it if so:
    /// for trying what may come next (`forms::fitting`) without making an event.
    pub fn try_apply(&mut self, date: Date, data: &EventData) -> Result<(), Problem> {
        self.apply_data(date, data)
    }

    /// Open work, in words, for lists and the chronology header.
    pub fn open_work(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.early_help.is_some() {
            out.push(OPEN_EARLY_HELP);
        }
        if self.cin.is_some() {
            out.push(OPEN_CIN);
        }
        if self.cp_plan.is_some() {
            out.push(OPEN_CP_PLAN);
        }
        if self.looked_after.is_some() {
            out.push(OPEN_LOOKED_AFTER);
        }
        if self.care_leaver.is_some() {
            out.push(OPEN_CARE_LEAVER);
        }
        out
    }

    fn apply_data(&mut self, date: Date, data: &EventData) -> Result<(), Problem> {
        use EventData as E;
        crate::limits::check_text(data)?;
        if let E::PersonRegistered(p) = data {
            if self.details.is_some() {
                return Err(Problem::AlreadyRegistered);
            }
            if p.adult.is_some() {
                return Err(Problem::AdultOnChildJourney);
            }
            if p.details.date_of_birth.is_none() && p.details.expected_date_of_birth.is_none() {
                return Err(Problem::NoBirthDate);
            }
            if p.details.date_of_birth.is_some_and(|dob| date < dob) {
                return Err(Problem::BeforeBirth);
            }
            self.details = Some(p.details.clone());
            self.family = p.family.clone();
            return Ok(());
        }
        let Some(details) = self.details.as_mut() else {
            return Err(Problem::NotRegistered);
        };
        if details.date_of_birth.is_some_and(|dob| date < dob) {
            return Err(Problem::BeforeBirth);
        }
        if self.date_of_death.is_some_and(|dod| date > dod) && !is_closing(data) {
            return Err(Problem::AfterDeath);
        }
        if let Some(survivor) = &self.merged_into
            && !matches!(data, E::PersonsUnmerged(_))
        {
            return Err(Problem::MergedInto(survivor.clone()));
        }
        match data {
            E::PersonRegistered(_) => return Err(Problem::AlreadyRegistered),
            E::PersonAmended(a) => {
                if a.adult.is_some() {
                    return Err(Problem::AdultOnChildJourney);
                }
                amend(details, &a.changes);
                if let Some(v) = a.changes.date_of_death {
                    self.date_of_death = Some(v);
                }
            }
            E::AddressChanged(a) => {
                if a.adult.is_some() {
                    return Err(Problem::AdultOnChildJourney);
                }
                details.address = Some(a.address.clone());
            }
            E::RelationshipAdded(_) | E::RelationshipEnded(_) => {
                return Err(Problem::FamilyEventOnChild);
            }
            E::PersonsMerged(m) => self.merge(date, m)?,
            E::PersonsUnmerged(m) => self.unmerge(m)?,
            // A contact's own journey (linking, proposals, routing) is not folded here:
            // the child's journey carries mirrors of what concerns the child only.
            E::PersonLinked(_) | E::PersonUnlinked(_) | E::ContactDecisionProposed(_) => {
                return Err(Problem::ContactEventOnChild);
            }
            // The mirror of a routing names the team, not the child again; the child's
            // queue follows it until someone is allocated or unallocated.
            E::ContactRouted(r) => {
                if r.child.is_some() {
                    return Err(Problem::ContactEventOnChild);
                }
                self.routed = Some(RoutedTo {
                    team: r.team.clone(),
                    on: date,
                });
            }
            E::ContactReceived(c) => {
                if c.intake.is_some() {
                    return Err(Problem::IntakeOnChild);
                }
                if !self.open_contacts.insert(c.contact.clone()) {
                    return Err(Problem::DuplicateContact(c.contact.clone()));
                }
                self.history.contacts += 1;
            }
            E::PartnerCheckRequested(c) | E::PartnerCheckReturned(c) => {
                if !self.open_contacts.contains(&c.contact) {
                    return Err(Problem::UnknownContact(c.contact.clone()));
                }
            }
            E::ContactDecided(c) => {
                if !self.open_contacts.remove(&c.contact) {
                    return Err(Problem::UnknownContact(c.contact.clone()));
                }
            }
            E::ReferralAccepted(r) => {
                if self.cin.is_some() {
                    return Err(Problem::CinAlreadyOpen);
                }
                self.cin = Some(CinEpisode {
                    referral: r.referral.clone(),
                    referral_date: date,
                    source: r.source,
                    primary_need: r.primary_need,
                    assessment_started: None,
                    last_assessment_completed: None,
                    plan_started: None,
                    strategy_discussion: None,
                    s47_started: None,
                    s47s: 0,
                    icpc_plan_decided: None,
                });
                self.history.referrals += 1;
                self.history.last_referral = Some(date);
            }
            E::EarlyHelpStarted(e) => {
                if self.early_help.is_some() {
                    return Err(Problem::EarlyHelpAlreadyOpen);
                }
                self.early_help = Some(EarlyHelpEpisode {
                    started: date,
                    step_down: e.step_down,
                    assessment_completed: None,
                });
            }
            E::EarlyHelpAssessmentCompleted(_) => {
                let eh = self.early_help.as_mut().ok_or(Problem::NoEarlyHelp)?;
                eh.assessment_completed = Some(date);
            }
            E::FamilyPlanReviewed(_) => {
                self.early_help.as_ref().ok_or(Problem::NoEarlyHelp)?;
            }
            E::EarlyHelpEnded(_) => {
                self.early_help.take().ok_or(Problem::NoEarlyHelp)?;
            }
            E::Allocated(a) => {
                if self.last_worker.as_ref().is_some_and(|w| w != &a.worker) {
                    self.history.worker_changes += 1;
                }
                self.allocation = Some(Allocation {
                    worker: a.worker.clone(),
                    team: a.team.clone(),
                    since: date,
                });
                self.unallocated_since = None;
                self.last_worker = Some(a.worker.clone());
                self.routed = None;
            }
            E::Unallocated(_) => {
                self.allocation.take().ok_or(Problem::NotAllocated)?;
                self.unallocated_since = Some(date);
                self.routed = None;
            }
            E::MeetingHeld(_) | E::Visit(_) | E::CaseNoteRecorded(_) => {}
            E::AssessmentStarted(_) => {
                let cin = self.cin.as_mut().ok_or(Problem::NoCinEpisode)?;
                if cin.assessment_started.is_some() {
                    return Err(Problem::AssessmentAlreadyOpen);
                }
                cin.assessment_started = Some(date);
            }
            E::AssessmentCompleted(_) => {
                let cin = self.cin.as_mut().ok_or(Problem::NoCinEpisode)?;
                cin.assessment_started.take().ok_or(Problem::NoAssessment)?;
                cin.last_assessment_completed = Some(date);
            }
            E::CinPlanStarted(_) => {
                let cin = self.cin.as_mut().ok_or(Problem::NoCinEpisode)?;
                if cin.plan_started.is_some() {
                    return Err(Problem::CinPlanAlreadyOpen);
                }
                cin.plan_started = Some(date);
            }
            E::CinPlanReviewed(_) => {
                let cin = self.cin.as_ref().ok_or(Problem::NoCinEpisode)?;
                cin.plan_started.ok_or(Problem::NoCinPlan)?;
            }
            E::CinPlanEnded(_) => {
                let cin = self.cin.as_mut().ok_or(Problem::NoCinEpisode)?;
                cin.plan_started.take().ok_or(Problem::NoCinPlan)?;
            }
            E::CinClosed(_) => {
                if self.cin.is_none() {
                    return Err(Problem::NoCinEpisode);
                }
                if self.cp_plan.is_some() {
                    return Err(Problem::CloseWithCpPlan);
                }
                if self.looked_after.is_some() {
                    return Err(Problem::CloseWhileLookedAfter);
                }
                // Closing the episode closes whatever work was still open inside it.
                self.cin = None;
            }
            E::StrategyDiscussion(s) => {
                let cin = self.cin.as_mut().ok_or(Problem::NoCinEpisode)?;
                if s.s47 {
                    cin.strategy_discussion = Some(date);
                }
            }
            E::S47Started(_) => {
                let cin = self.cin.as_mut().ok_or(Problem::NoCinEpisode)?;
                if cin.s47_started.is_some() {
                    return Err(Problem::S47AlreadyOpen);
                }
                cin.strategy_discussion
                    .take()
                    .ok_or(Problem::S47WithoutStrategy)?;
                cin.s47_started = Some(date);
                cin.s47s += 1;
            }
            E::S47Completed(_) => {
                let cin = self.cin.as_mut().ok_or(Problem::NoCinEpisode)?;
                cin.s47_started.take().ok_or(Problem::NoS47)?;
            }
            E::IcpcHeld(i) => {
                let cin = self.cin.as_mut().ok_or(Problem::NoCinEpisode)?;
                if cin.s47s == 0 {
                    return Err(Problem::IcpcWithoutS47);
                }
                if self.cp_plan.is_some() {
                    return Err(Problem::CpPlanOverlap);
                }
                cin.icpc_plan_decided = i.plan.then_some(date);
            }
            E::CpPlanStarted(c) => {
                if self.cp_plan.is_some() {
                    return Err(Problem::CpPlanOverlap);
                }
                let cin = self.cin.as_mut().ok_or(Problem::NoCinEpisode)?;
                cin.icpc_plan_decided
                    .take()
                    .ok_or(Problem::CpPlanWithoutIcpc)?;
                self.cp_plan = Some(CpPlan {
                    started: date,
                    initial_category: c.category,
                    latest_category: c.category,
                });
                self.history.cp_plans += 1;
            }
            E::CoreGroupHeld(_) => {
                self.cp_plan.as_ref().ok_or(Problem::NoCpPlan)?;
            }
            E::CpReviewHeld(_) => {
                self.cp_plan.as_ref().ok_or(Problem::NoCpPlan)?;
            }
            E::CpCategoryChanged(c) => {
                let plan = self.cp_plan.as_mut().ok_or(Problem::NoCpPlan)?;
                plan.latest_category = c.category;
            }
            E::CpPlanEnded(_) => {
                self.cp_plan.take().ok_or(Problem::NoCpPlan)?;
            }
            E::LookedAfterStarted(l) => {
                if self.looked_after.is_some() {
                    return Err(Problem::AlreadyLookedAfter);
                }
                if details.date_of_birth.is_none_or(|dob| date < dob) {
                    return Err(Problem::Unborn);
                }
                self.looked_after = Some(LookedAfter {
                    started: date,
                    legal_status: l.legal_status,
                    legal_status_since: date,
                    category_of_need: l.category_of_need,
                    uasc: l.uasc,
                    placement: None,
                    placements: 0,
                    missing_since: None,
                    permanence_plan: None,
                    adoption_decision: None,
                });
                self.care_leaver = None;
                self.history.looked_after_periods += 1;
            }
            E::LegalStatusChanged(l) => {
                let la = self.looked_after.as_mut().ok_or(Problem::NotLookedAfter)?;
                la.legal_status = l.legal_status;
                la.legal_status_since = date;
            }
            E::PlacementStarted(p) => {
                let la = self.looked_after.as_mut().ok_or(Problem::NotLookedAfter)?;
                if la.placement.is_some() {
                    return Err(Problem::PlacementAlreadyOpen);
                }
                la.placement = Some(Placement {
                    placement_type: p.placement_type,
                    provider: p.provider,
                    started: date,
                });
                la.placements += 1;
                self.history.placements += 1;
            }
            E::PlacementEnded(_) => {
                let la = self.looked_after.as_mut().ok_or(Problem::NotLookedAfter)?;
                la.placement.take().ok_or(Problem::NoPlacement)?;
            }
            E::ClaReviewHeld(_)
            | E::IroContact(_)
            | E::HealthAssessment(_)
            | E::DentalCheck(_)
            | E::PepReviewed(_)
            | E::PlacementOrder(_) => {
                self.looked_after.as_ref().ok_or(Problem::NotLookedAfter)?;
            }
            E::MissingStarted(_) => {
                let la = self.looked_after.as_mut().ok_or(Problem::NotLookedAfter)?;
                if la.missing_since.is_some() {
                    return Err(Problem::AlreadyMissing);
                }
                la.missing_since = Some(date);
                self.history.missing_episodes += 1;
            }
            E::MissingEnded(_) => {
                let la = self.looked_after.as_mut().ok_or(Problem::NotLookedAfter)?;
                la.missing_since.take().ok_or(Problem::NotMissing)?;
            }
            E::LookedAfterEnded(_) => {
                self.looked_after.take().ok_or(Problem::NotLookedAfter)?;
                self.history.left_care = Some(date);
            }
            E::PermanencePlanSet(p) => {
                let la = self.looked_after.as_mut().ok_or(Problem::NotLookedAfter)?;
                la.permanence_plan = Some(p.plan);
            }
            E::AdmDecision(_) => {
                let la = self.looked_after.as_mut().ok_or(Problem::NotLookedAfter)?;
                la.adoption_decision = Some(date);
            }
            E::AdoptionMatched(_) | E::PlacedForAdoption(_) | E::AdoptionOrder(_) => {
                let la = self.looked_after.as_ref().ok_or(Problem::NotLookedAfter)?;
                la.adoption_decision.ok_or(Problem::NoAdoptionDecision)?;
            }
            E::AdoptionDecisionReversed(_) => {
                let la = self.looked_after.as_mut().ok_or(Problem::NotLookedAfter)?;
                la.adoption_decision
                    .take()
                    .ok_or(Problem::NoAdoptionDecision)?;
            }
            E::PersonalAdviserAllocated(p) => {
                if self.history.looked_after_periods == 0 {
                    return Err(Problem::NeverLookedAfter);
                }
                match &mut self.care_leaver {
                    Some(cl) => cl.adviser = Some(p.adviser.clone()),
                    None => {
                        self.care_leaver = Some(CareLeaver {
                            since: date,
                            adviser: Some(p.adviser.clone()),
                        })
                    }
                }
            }
            E::PathwayPlanReviewed(_) | E::CareLeaverContact(_) => {
                if self.care_leaver.is_none() && self.looked_after.is_none() {
                    return Err(Problem::NotCareLeaver);
                }
            }
            E::EventAmended(_) | E::EventRetracted(_) => {
                // Resolved before folding; never applied as such.
            }
        }
        // A routing waits for a worker until the work it brought is over: a child whose
        // last open work closes, with no one allocated, is in no one's queue.
        let closes = matches!(
            data,
            E::EarlyHelpEnded(_) | E::CinClosed(_) | E::CpPlanEnded(_) | E::LookedAfterEnded(_)
        );
        if closes && self.open_work().is_empty() {
            self.routed = None;
        }
        Ok(())
    }
}

impl ChildState {
    /// A merge, from either side: on the survivor's journey `survivor` is absent and
    /// `duplicate` names the other record; on the duplicate's, `duplicate` is this record
    /// and `survivor` the other.
    fn merge(&mut self, date: Date, m: &PersonsMerged) -> Result<(), Problem> {
        let other = self.other_side(m)?;
        match &m.survivor {
            None => {
                if !self.merged.insert(other.clone()) {
                    return Err(Problem::AlreadyMerged(other));
                }
            }
            Some(survivor) => {
                // Checked before the merge is applied (`apply_data`), so never merged twice.
                self.merged_into = Some(survivor.clone());
            }
        }
        self.merges.push(MergeRecord {
            date,
            other,
            undone: false,
        });
        Ok(())
    }

    fn unmerge(&mut self, m: &PersonsMerged) -> Result<(), Problem> {
        let other = self.other_side(m)?;
        let standing = match &m.survivor {
            None => self.merged.remove(&other),
            Some(survivor) if self.merged_into.as_ref() == Some(survivor) => {
                self.merged_into = None;
                true
            }
            Some(_) => false,
        };
        let record = self
            .merges
            .iter_mut()
            .rev()
            .find(|r| r.other == other && !r.undone);
        match record {
            Some(record) if standing => {
                record.undone = true;
                Ok(())
            }
            _ => Err(Problem::NotMerged),
        }
    }

    /// The other record a merge (or unmerge) payload names, seen from this journey.
    fn other_side(&self, m: &PersonsMerged) -> Result<ChildId, Problem> {
        let other = match &m.survivor {
            None => &m.duplicate,
            Some(survivor) if m.duplicate == self.id => survivor,
            Some(_) => return Err(Problem::WrongSubject),
        };
        if *other == self.id {
            return Err(Problem::MergeSelf);
        }
        Ok(other.clone())
    }
}

/// Apply a change to a person's details (a child's or an adult's); what it leaves out
/// stays as it was. A date of death is the caller's: only a child's state keeps one.
fn amend(details: &mut PersonDetails, c: &PersonChanges) {
    if let Some(v) = &c.name {
        details.name = v.clone();
    }
    if let Some(v) = c.date_of_birth {
        details.date_of_birth = Some(v);
    }
    if let Some(v) = c.expected_date_of_birth {
        details.expected_date_of_birth = Some(v);
    }
    if let Some(v) = c.sex {
        details.sex = v;
    }
    if let Some(v) = c.ethnicity {
        details.ethnicity = v;
    }
    if let Some(v) = &c.disabilities {
        details.disabilities = v.clone();
    }
    if let Some(v) = &c.nhs_number {
        details.nhs_number = Some(v.clone());
    }
    if let Some(v) = &c.upn {
        details.upn = Some(v.clone());
    }
}

/// Whether a referral on `on` is a re-referral: the child had an earlier referral less
/// than 12 months before it (counting back 12 calendar months from `on`, so a referral
/// on 29 February 2024 makes one on 28 February 2025 a re-referral and one on 1 March
/// 2025 not). `state` is the child's state before the new referral, as a decision reads
/// it; a referral on `on` itself is not an earlier one. Worked out, never stored (CIN
/// census: re-referrals within 12 months).
pub fn is_re_referral(state: &ChildState, on: Date) -> bool {
    let Some(last) = state.history.last_referral.filter(|last| *last < on) else {
        return false;
    };
    on.checked_sub(jiff::Span::new().months(12))
        .is_ok_and(|year_before| last > year_before)
}

/// Events that may still be recorded after a child's death: closing what was open.
fn is_closing(data: &EventData) -> bool {
    matches!(
        data,
        EventData::CinClosed(_)
            | EventData::CpPlanEnded(_)
            | EventData::LookedAfterEnded(_)
            | EventData::PlacementEnded(_)
            | EventData::EarlyHelpEnded(_)
            | EventData::CinPlanEnded(_)
            | EventData::Unallocated(_)
            | EventData::PersonAmended(_)
            | EventData::EventAmended(_)
            | EventData::EventRetracted(_)
    )
}

/// The journey as it stands once corrections are applied: amended events carry their
/// new date and payload; retracted events and the corrections themselves drop out.
/// Sorted by business date, journal order kept within a day.
pub fn effective_events(events: &[Event]) -> Result<Vec<Event>, JourneyError> {
    let mut index: HashMap<&EventId, usize> = HashMap::with_capacity(events.len());
    let mut effective: Vec<Option<Event>> = Vec::with_capacity(events.len());
    for (i, event) in events.iter().enumerate() {
        let err = |problem| JourneyError {
            event: event.id.clone(),
            kind: event.kind(),
            date: event.date(),
            problem,
        };
        if index.insert(&event.id, i).is_some() {
            return Err(err(Problem::DuplicateEventId(event.id.clone())));
        }
        let (target, reason) = match &event.data {
            EventData::EventAmended(a) => (&a.event, &a.reason),
            EventData::EventRetracted(r) => (&r.event, &r.reason),
            _ => {
                effective.push(Some(event.clone()));
                continue;
            }
        };
        effective.push(None);
        if reason.trim().is_empty() {
            return Err(err(Problem::NoReason));
        }
        // Corrections are not applied themselves, so their own text is checked here.
        crate::limits::check_text(&event.data).map_err(err)?;
        let Some(&t) = index.get(target).filter(|&&t| t < i) else {
            return Err(err(Problem::UnknownTarget(target.clone())));
        };
        if events[t].data.is_correction() {
            return Err(err(Problem::CorrectsCorrection(target.clone())));
        }
        let Some(slot) = effective.get_mut(t) else {
            return Err(err(Problem::UnknownTarget(target.clone())));
        };
        let Some(original) = slot.as_mut() else {
            return Err(err(Problem::AlreadyRetracted(target.clone())));
        };
        match &event.data {
            EventData::EventAmended(a) => {
                if a.occurred_at.is_none() && a.amended.is_none() {
                    return Err(err(Problem::EmptyAmendment));
                }
                if let Some(at) = a.occurred_at {
                    original.occurred_at = at;
                }
                if let Some(new) = &a.amended {
                    if new.kind() != original.kind() {
                        return Err(err(Problem::AmendmentKindDiffers(original.kind())));
                    }
                    original.data = (**new).clone();
                }
            }
            _ => *slot = None,
        }
    }
    let mut out: Vec<Event> = effective.into_iter().flatten().collect();
    out.sort_by_key(|e| e.date());
    Ok(out)
}

/// Fold a child's whole journey (in journal order) into their current state.
pub fn fold_child(id: &ChildId, events: &[Event]) -> Result<ChildState, JourneyError> {
    let mut state = ChildState::new(id.clone());
    for event in effective_events(events)? {
        check_subject_is_child(id, &event)?;
        state.apply(&event)?;
    }
    Ok(state)
}

pub(crate) fn check_subject_is_child(id: &ChildId, event: &Event) -> Result<(), JourneyError> {
    match &event.subject {
        Subject::Child(c) if c == id => Ok(()),
        _ => Err(JourneyError {
            event: event.id.clone(),
            kind: event.kind(),
            date: event.date(),
            problem: Problem::WrongSubject,
        }),
    }
}

/// A family's current state: who belongs and how they are related.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyState {
    pub adults: BTreeMap<AdultId, PersonDetails>,
    pub children: BTreeSet<ChildId>,
    pub relationships: BTreeSet<(PersonRef, PersonRef, RelationshipKind)>,
    /// Business date of the latest event applied. Whether a relationship can be added
    /// or ended, or an adult named, depends on what came before it in date order.
    #[serde(default)]
    pub last_date: Option<Date>,
}

impl FamilyState {
    /// Whether `event` can be applied straight onto this state (it is not a correction and
    /// is not dated before the latest event), rather than refolding the whole journey.
    pub fn can_apply_incrementally(&self, event: &Event) -> bool {
        !event.data.is_correction() && self.last_date.is_none_or(|last| event.date() >= last)
    }

    /// Apply one event in date order, refusing it if it cannot happen in this state.
    pub fn apply(&mut self, event: &Event) -> Result<(), JourneyError> {
        self.apply_data(&event.data)
            .map_err(|problem| JourneyError {
                event: event.id.clone(),
                kind: event.kind(),
                date: event.date(),
                problem,
            })?;
        self.last_date = Some(self.last_date.map_or(event.date(), |d| d.max(event.date())));
        Ok(())
    }

    fn apply_data(&mut self, data: &EventData) -> Result<(), Problem> {
        use EventData as E;
        crate::limits::check_text(data)?;
        match data {
            E::PersonRegistered(p) => match &p.adult {
                Some(adult) => {
                    if self
                        .adults
                        .insert(adult.clone(), p.details.clone())
                        .is_some()
                    {
                        return Err(Problem::AlreadyRegistered);
                    }
                }
                None => return Err(Problem::ChildEventOnFamily),
            },
            // An adult's details change here, so the person index matches them as they
            // are now. A child's are on the child's own journey; a family journey that
            // names no adult was never refused, and changes nothing.
            E::PersonAmended(a) => {
                if let Some(adult) = &a.adult {
                    amend(self.adult_mut(adult)?, &a.changes);
                }
            }
            E::AddressChanged(a) => {
                if let Some(adult) = &a.adult {
                    self.adult_mut(adult)?.address = Some(a.address.clone());
                }
            }
            E::RelationshipAdded(r) => {
                for p in [&r.from, &r.to] {
                    self.note_member(p)?;
                }
                if !self
                    .relationships
                    .insert((r.from.clone(), r.to.clone(), r.relationship))
                {
                    return Err(Problem::RelationshipExists);
                }
            }
            E::RelationshipEnded(r) => {
                if !self
                    .relationships
                    .remove(&(r.from.clone(), r.to.clone(), r.relationship))
                {
                    return Err(Problem::NoSuchRelationship);
                }
            }
            E::EventAmended(_) | E::EventRetracted(_) => {}
            _ => return Err(Problem::ChildEventOnFamily),
        }
        Ok(())
    }

    fn adult_mut(&mut self, adult: &AdultId) -> Result<&mut PersonDetails, Problem> {
        self.adults
            .get_mut(adult)
            .ok_or_else(|| Problem::NotAMember(PersonRef::Adult(adult.clone())))
    }

    /// Children join a family by being named in a relationship; adults must be registered.
    fn note_member(&mut self, p: &PersonRef) -> Result<(), Problem> {
        match p {
            PersonRef::Child(c) => {
                self.children.insert(c.clone());
                Ok(())
            }
            PersonRef::Adult(a) if self.adults.contains_key(a) => Ok(()),
            PersonRef::Adult(_) => Err(Problem::NotAMember(p.clone())),
        }
    }
}

/// Fold a family's journey.
pub fn fold_family(id: &FamilyId, events: &[Event]) -> Result<FamilyState, JourneyError> {
    let mut state = FamilyState::default();
    for event in effective_events(events)? {
        if event.subject != Subject::Family(id.clone()) {
            return Err(JourneyError {
                event: event.id.clone(),
                kind: event.kind(),
                date: event.date(),
                problem: Problem::WrongSubject,
            });
        }
        state.apply(&event)?;
    }
    Ok(state)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::event::{
        AddressChanged, OccurredAt, PersonAmended, PersonRegistered, ReferralAccepted,
    };
    use crate::ids::Actor;
    use crate::people::{Address, Name};
    use jiff::civil::date;

    fn child(id: &str) -> ChildId {
        ChildId::parse(id).unwrap()
    }

    fn details(given: &str) -> PersonDetails {
        PersonDetails {
            name: Name {
                given: given.to_owned(),
                family: String::from("Tester"),
            },
            date_of_birth: Some(date(2015, 3, 1)),
            expected_date_of_birth: None,
            sex: Sex::Female,
            ethnicity: Ethnicity::Wbri,
            disabilities: vec![],
            nhs_number: None,
            upn: None,
            address: None,
        }
    }

    /// One journey's events, written in journal order.
    struct Journey {
        subject: Subject,
        events: Vec<Event>,
    }

    impl Journey {
        fn child(id: &str) -> Journey {
            let mut j = Journey {
                subject: Subject::Child(child(id)),
                events: vec![],
            };
            j.add(
                "2020-01-06",
                EventData::PersonRegistered(PersonRegistered {
                    adult: None,
                    family: None,
                    details: details("Sam"),
                }),
            );
            j
        }

        fn add(&mut self, on: &str, data: EventData) -> EventId {
            let id = EventId::parse(&format!("e{}", self.events.len() + 1)).unwrap();
            self.events.push(Event {
                id: id.clone(),
                subject: self.subject.clone(),
                occurred_at: OccurredAt::parse(on).unwrap(),
                recorded_at: "2026-01-01T09:00:00Z".parse().unwrap(),
                recorded_by: Actor::parse("test").unwrap(),
                data,
            });
            id
        }

        fn fold(&self) -> Result<ChildState, Problem> {
            let Subject::Child(id) = &self.subject else {
                unreachable!()
            };
            fold_child(id, &self.events).map_err(|e| e.problem)
        }
    }

    fn merged(duplicate: &str, survivor: Option<&str>) -> PersonsMerged {
        PersonsMerged {
            duplicate: child(duplicate),
            survivor: survivor.map(child),
            reason: None,
        }
    }

    #[test]
    fn a_waiting_child_is_queued_with_the_newer_of_their_routing_and_last_worker() {
        use crate::caseload::{QueuedWith, queued};
        use crate::event::{Allocated, ContactRouted, EarlyHelpEnded, EarlyHelpStarted, Empty};
        let team = |t: &str| TeamId::parse(t).unwrap();
        let routed = |t: &str, child: Option<ChildId>| {
            EventData::ContactRouted(ContactRouted {
                child,
                team: team(t),
                worker: None,
                locality: None,
                reason: RouteReason::Locality,
            })
        };
        // Routed by a contact decided for early help, before any work is open: the
        // team's queue, so that they allocate the worker who starts it.
        let mut routed_only = Journey::child("C2");
        routed_only.add("2026-01-05", routed("B", None));
        assert_eq!(
            queued(&routed_only.fold().unwrap()),
            Some((QueuedWith::Team(team("B")), date(2026, 1, 5)))
        );
        // The work it brought starts and ends with no one allocated: in no queue.
        routed_only.add(
            "2026-01-06",
            EventData::EarlyHelpStarted(EarlyHelpStarted {
                family: None,
                step_down: false,
            }),
        );
        assert!(queued(&routed_only.fold().unwrap()).is_some());
        routed_only.add(
            "2026-01-07",
            EventData::EarlyHelpEnded(EarlyHelpEnded {
                reason: EarlyHelpEndReason::NeedsMet,
            }),
        );
        let state = routed_only.fold().unwrap();
        assert_eq!(state.routed, None);
        assert_eq!(queued(&state), None);

        let mut j = Journey::child("C1");
        j.add(
            "2026-01-05",
            EventData::EarlyHelpStarted(EarlyHelpStarted {
                family: None,
                step_down: false,
            }),
        );
        // Open work, never allocated nor routed: in no one's queue.
        assert_eq!(queued(&j.fold().unwrap()), None);
        // Routed by a contact to team B, with no worker: B's queue, since the routing.
        j.add("2026-01-06", routed("B", None));
        assert_eq!(
            queued(&j.fold().unwrap()),
            Some((QueuedWith::Team(team("B")), date(2026, 1, 6)))
        );
        // Allocated: in no queue.
        let worker = WorkerId::parse("W1").unwrap();
        j.add(
            "2026-02-02",
            EventData::Allocated(Allocated {
                worker: worker.clone(),
                team: team("A"),
                reason: None,
            }),
        );
        let state = j.fold().unwrap();
        assert_eq!(state.routed, None);
        assert_eq!(queued(&state), None);
        // Unallocated: with the worker who last held them.
        j.add("2026-03-02", EventData::Unallocated(Empty {}));
        assert_eq!(
            queued(&j.fold().unwrap()),
            Some((QueuedWith::LastWorker(worker), date(2026, 3, 2)))
        );
        // Routed again, to C: the newer decision places them.
        j.add("2026-04-01", routed("C", None));
        assert_eq!(
            queued(&j.fold().unwrap()),
            Some((QueuedWith::Team(team("C")), date(2026, 4, 1)))
        );
        // A routing that names the child again is the contact's own event, not a mirror.
        j.add("2026-04-02", routed("C", Some(child("C1"))));
        assert_eq!(j.fold().unwrap_err(), Problem::ContactEventOnChild);
    }

    /// One family, one worker: stepping up from early help to a child in need referral,
    /// and down again, changes nothing of the allocation; only an `allocated` naming
    /// someone else does, and its reason is kept on the journey, not in the state.
    #[test]
    fn step_up_and_step_down_keep_the_worker() {
        use crate::event::{Allocated, CinClosed, EarlyHelpEnded, EarlyHelpStarted};
        let allocated = |w: &str, reason: Option<&str>| {
            EventData::Allocated(Allocated {
                worker: WorkerId::parse(w).unwrap(),
                team: TeamId::parse("T1").unwrap(),
                reason: reason.map(str::to_owned),
            })
        };
        let held = |j: &Journey| {
            let state = j.fold().unwrap();
            let a = state.allocation.unwrap();
            (a.worker.to_string(), a.since, state.history.worker_changes)
        };
        let mut j = Journey::child("C1");
        j.add(
            "2026-01-05",
            EventData::EarlyHelpStarted(EarlyHelpStarted {
                family: None,
                step_down: false,
            }),
        );
        j.add("2026-01-06", allocated("W1", None));
        // Step up: a referral accepted, then early help ended as stepped up.
        j.add(
            "2026-02-02",
            EventData::ReferralAccepted(ReferralAccepted {
                referral: ReferralId::parse("R1").unwrap(),
                contact: None,
                source: ReferralSource::LaEarlyHelp,
                primary_need: PrimaryNeed::AbuseOrNeglect,
            }),
        );
        j.add(
            "2026-02-02",
            EventData::EarlyHelpEnded(EarlyHelpEnded {
                reason: EarlyHelpEndReason::SteppedUp,
            }),
        );
        assert_eq!(held(&j), (String::from("W1"), date(2026, 1, 6), 0));
        // Step down: the child in need episode closed, early help started again.
        j.add(
            "2026-05-04",
            EventData::CinClosed(CinClosed {
                reason: ReasonForClosure::ServicesCeased,
            }),
        );
        j.add(
            "2026-05-04",
            EventData::EarlyHelpStarted(EarlyHelpStarted {
                family: None,
                step_down: true,
            }),
        );
        assert_eq!(held(&j), (String::from("W1"), date(2026, 1, 6), 0));
        // A manager's deliberate change, with its reason: a change of worker.
        j.add(
            "2026-05-05",
            allocated("W2", Some("W1 leaves the early help team")),
        );
        assert_eq!(held(&j), (String::from("W2"), date(2026, 5, 5), 1));
    }

    /// An allocation written before it could give a reason reads, and writes back
    /// unchanged; one with a reason keeps it.
    #[test]
    fn an_allocation_without_a_reason_reads_and_writes_back_unchanged() {
        let old = r#"{"worker":"W1","team":"T1"}"#;
        let a: crate::event::Allocated = serde_json::from_str(old).unwrap();
        assert_eq!(a.reason, None);
        assert_eq!(serde_json::to_string(&a).unwrap(), old);
        let new = r#"{"worker":"W1","team":"T1","reason":"stepped up"}"#;
        let a: crate::event::Allocated = serde_json::from_str(new).unwrap();
        assert_eq!(a.reason.as_deref(), Some("stepped up"));
        assert_eq!(serde_json::to_string(&a).unwrap(), new);
    }

    #[test]
    fn a_merge_and_its_undoing_on_both_journeys() {
        // The survivor C1 takes in C2.
        let mut survivor = Journey::child("C1");
        survivor.add("2024-03-01", EventData::PersonsMerged(merged("C2", None)));
        let state = survivor.fold().unwrap();
        assert_eq!(state.merged, BTreeSet::from([child("C2")]));
        assert_eq!(state.merged_into, None);
        // The duplicate C2 names its survivor, and takes nothing more while merged.
        let mut duplicate = Journey::child("C2");
        duplicate.add(
            "2024-03-01",
            EventData::PersonsMerged(merged("C2", Some("C1"))),
        );
        assert_eq!(duplicate.fold().unwrap().merged_into, Some(child("C1")));
        let mut more = Journey {
            events: duplicate.events.clone(),
            subject: duplicate.subject.clone(),
        };
        more.add("2024-03-02", EventData::Unallocated(crate::event::Empty {}));
        assert_eq!(more.fold().unwrap_err(), Problem::MergedInto(child("C1")));
        // Undone on both sides: each record stands alone again, and keeps the history.
        survivor.add("2024-04-01", EventData::PersonsUnmerged(merged("C2", None)));
        duplicate.add(
            "2024-04-01",
            EventData::PersonsUnmerged(merged("C2", Some("C1"))),
        );
        for j in [&survivor, &duplicate] {
            let state = j.fold().unwrap();
            assert!(state.merged.is_empty() && state.merged_into.is_none());
            assert_eq!(state.merges.len(), 1);
            assert!(state.merges[0].undone);
            assert_eq!(state.merges[0].date, date(2024, 3, 1));
        }
        duplicate.add("2024-04-02", EventData::Unallocated(crate::event::Empty {}));
        assert_eq!(duplicate.fold().unwrap_err(), Problem::NotAllocated);
    }

    #[test]
    fn merges_that_cannot_be() {
        let refused = |data: EventData| {
            let mut j = Journey::child("C1");
            j.add("2024-03-01", data);
            j.fold().unwrap_err()
        };
        assert_eq!(
            refused(EventData::PersonsMerged(merged("C1", None))),
            Problem::MergeSelf
        );
        assert_eq!(
            refused(EventData::PersonsMerged(merged("C1", Some("C1")))),
            Problem::MergeSelf
        );
        assert_eq!(
            refused(EventData::PersonsMerged(merged("C3", Some("C2")))),
            Problem::WrongSubject
        );
        assert_eq!(
            refused(EventData::PersonsUnmerged(merged("C2", None))),
            Problem::NotMerged
        );
        assert_eq!(
            refused(EventData::PersonsUnmerged(merged("C1", Some("C2")))),
            Problem::NotMerged
        );
        let mut twice = Journey::child("C1");
        twice.add("2024-03-01", EventData::PersonsMerged(merged("C2", None)));
        twice.add("2024-03-02", EventData::PersonsMerged(merged("C2", None)));
        assert_eq!(
            twice.fold().unwrap_err(),
            Problem::AlreadyMerged(child("C2"))
        );
        let mut into_two = Journey::child("C2");
        into_two.add(
            "2024-03-01",
            EventData::PersonsMerged(merged("C2", Some("C1"))),
        );
        into_two.add(
            "2024-03-02",
            EventData::PersonsMerged(merged("C2", Some("C3"))),
        );
        assert_eq!(
            into_two.fold().unwrap_err(),
            Problem::MergedInto(child("C1"))
        );
    }

    fn referral(on: &str) -> ChildState {
        let mut j = Journey::child("C1");
        j.add(
            on,
            EventData::ReferralAccepted(ReferralAccepted {
                referral: ReferralId::parse("R1").unwrap(),
                contact: None,
                source: ReferralSource::Police,
                primary_need: PrimaryNeed::AbuseOrNeglect,
            }),
        );
        j.fold().unwrap()
    }

    #[test]
    fn a_re_referral_is_one_less_than_twelve_months_after_the_last() {
        let state = referral("2024-06-01");
        assert!(is_re_referral(&state, date(2025, 5, 31)));
        // Exactly twelve months on is not less than twelve months.
        assert!(!is_re_referral(&state, date(2025, 6, 1)));
        // The referral's own day is not an earlier referral.
        assert!(!is_re_referral(&state, date(2024, 6, 1)));
        assert!(!is_re_referral(
            &Journey::child("C1").fold().unwrap(),
            date(2024, 6, 1)
        ));
        // From 29 February: twelve months back from 28 February 2025 is 28 February
        // 2024, so the leap day is within them; from 1 March 2025 it is not.
        let leap = referral("2024-02-29");
        assert!(is_re_referral(&leap, date(2025, 2, 28)));
        assert!(!is_re_referral(&leap, date(2025, 3, 1)));
        // To 29 February: twelve months back is 28 February 2023 exactly.
        let before = referral("2023-02-28");
        assert!(!is_re_referral(&before, date(2024, 2, 29)));
        let after = referral("2023-03-01");
        assert!(is_re_referral(&after, date(2024, 2, 29)));
    }

    #[test]
    fn a_family_keeps_its_adults_details_up_to_date() {
        let family = FamilyId::parse("F1").unwrap();
        let adult = AdultId::parse("A1").unwrap();
        let mut j = Journey {
            subject: Subject::Family(family.clone()),
            events: vec![],
        };
        j.add(
            "2020-01-06",
            EventData::PersonRegistered(PersonRegistered {
                adult: Some(adult.clone()),
                family: Some(family.clone()),
                details: details("Alex"),
            }),
        );
        j.add(
            "2021-05-01",
            EventData::PersonAmended(PersonAmended {
                adult: Some(adult.clone()),
                changes: PersonChanges {
                    name: Some(Name {
                        given: String::from("Alex"),
                        family: String::from("Newname"),
                    }),
                    ..PersonChanges::default()
                },
            }),
        );
        let address = Address {
            lines: vec![String::from("1 New Street")],
            town: String::from("Ashford"),
            postcode: "TN23 1AA".parse().unwrap(),
        };
        j.add(
            "2022-07-01",
            EventData::AddressChanged(AddressChanged {
                adult: Some(adult.clone()),
                address: address.clone(),
            }),
        );
        let state = fold_family(&family, &j.events).unwrap();
        let now = &state.adults[&adult];
        assert_eq!(now.name.family, "Newname");
        assert_eq!(now.address, Some(address.clone()));
        // Only the family's own adults.
        j.add(
            "2022-08-01",
            EventData::AddressChanged(AddressChanged {
                adult: Some(AdultId::parse("A9").unwrap()),
                address,
            }),
        );
        assert_eq!(
            fold_family(&family, &j.events).unwrap_err().problem,
            Problem::NotAMember(PersonRef::parse("adult:A9").unwrap())
        );
    }
}
