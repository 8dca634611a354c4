//! The fold from a journey to current state, and the validator that refuses impossible
//! journeys. They are one thing: folding an event checks that it can happen in the state
//! the journey has reached, so "valid" means exactly "folds without error".
//!
//! Order: corrections are resolved first (amended events take their new date and
//! payload, retracted events drop out), then events are applied in order of business
//! date, keeping journal order within a day. A late-recorded event therefore lands where
//! it happened, and the whole journey must still make sense with it there.

use crate::codes::*;
use crate::event::{Event, EventData};
use crate::ids::{
    ChildId, ContactId, EventId, FamilyId, PersonRef, ReferralId, Subject, TeamId, WorkerId,
};
use crate::people::PersonDetails;
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
    pub history: History,
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
            history: History::default(),
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

    /// Open work, in words, for lists and the chronology header.
    pub fn open_work(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.early_help.is_some() {
            out.push("Early help");
        }
        if self.cin.is_some() {
            out.push("Child in need");
        }
        if self.cp_plan.is_some() {
            out.push("Child protection plan");
        }
        if self.looked_after.is_some() {
            out.push("Looked after");
        }
        if self.care_leaver.is_some() {
            out.push("Care leaver");
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
        match data {
            E::PersonRegistered(_) => return Err(Problem::AlreadyRegistered),
            E::PersonAmended(a) => {
                if a.adult.is_some() {
                    return Err(Problem::AdultOnChildJourney);
                }
                let c = &a.changes;
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
                if let Some(v) = c.date_of_death {
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
            E::PersonsMerged(_) | E::PersonsUnmerged(_) => {}
            // A contact's own journey (linking, proposals, routing) is not folded here:
            // the child's journey carries mirrors of what concerns the child only.
            E::PersonLinked(_)
            | E::PersonUnlinked(_)
            | E::ContactDecisionProposed(_)
            | E::ContactRouted(_) => return Err(Problem::ContactEventOnChild),
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
            }
            E::Unallocated(_) => {
                self.allocation.take().ok_or(Problem::NotAllocated)?;
                self.unallocated_since = Some(date);
            }
            E::MeetingHeld(_) | E::Visit(_) => {}
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
        Ok(())
    }
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
    pub adults: BTreeMap<crate::ids::AdultId, PersonDetails>,
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
            E::PersonAmended(_) | E::AddressChanged(_) => {}
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
