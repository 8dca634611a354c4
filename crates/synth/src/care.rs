//! Children in care: legal status, placements, statutory reviews and checks, missing
//! episodes, permanence and adoption, and leaving care.
//!
//! Timescales follow the Care Planning, Placement and Case Review Regulations 2010:
//! first review within 20 working days, the second within 3 months of it, then every 6
//! months (reg 33); an initial health assessment before the first review and then
//! yearly, or 6-monthly under 5 (reg 7); a PEP within 10 working days and each term; a
//! permanence plan by the second review. Care leavers get a personal adviser and
//! pathway plan from 16 (regs 40–44) and are kept in touch with until 21.

use crate::SynthError;
use crate::calendar::{Day, age_on};
use crate::details;
use crate::family::Sim;
use crate::journal::Who;
use crate::model::{self, Severity};
use crate::org::{Stage, Want};
use crate::people::{self, OUT_OF_AREA_DISTRICTS};
use crate::random::days;
use hearth_domain::codes::{
    Accommodation, Activity, AdoptionReversalReason, CareLeaverEligibility, InTouch, LegalStatus,
    MissingKind, PermanencePlan, PlacementProvider, PlacementType, PrimaryNeed, ReasonCeased,
    ReasonForClosure, ReasonPlaceChange, ReviewParticipation,
};
use hearth_domain::event::{
    AdoptionDecisionReversed, CareLeaverContact, ClaReviewHeld, Empty, EventData,
    LegalStatusChanged, LookedAfterEnded, LookedAfterStarted, MissingEnded, MissingStarted,
    PathwayPlanReviewed, PermanencePlanSet, PersonalAdviserAllocated, PlacementEnded,
    PlacementStarted,
};
use hearth_domain::timescales::Duty;

/// How the child came into care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Entry {
    FromCp,
    FromCin,
    Emergency,
    Uasc,
}

/// Where the period of care is heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Home,
    Sgo,
    Cao,
    Adoption,
    LongTerm,
    Remand,
    AgeDisputed,
}

struct AdoptionSteps {
    adm: Day,
    placement_order: Day,
    reversed: Option<Day>,
    matched: Day,
    placed: Day,
    order: Day,
}

impl Sim<'_> {
    /// A period of care for child `k` from `start` (the caller has begun the
    /// looked-after stage). Returns the day the child's episode closed, or the day the
    /// child is free again.
    pub(crate) fn care(
        &mut self,
        k: usize,
        start: Day,
        entry: Entry,
        level: usize,
    ) -> Result<Day, SynthError> {
        let Some(c) = self.child(k) else {
            return Ok(start);
        };
        let (dob, b18, uasc, disabled) = (c.dob, c.b18(), c.uasc, !c.disabilities.is_empty());
        let age = age_on(dob, start);
        let prone = match c.missing_prone {
            Some(p) => p,
            None => self.rng.chance(model::MISSING_PRONE),
        };
        if self.child(k).is_some_and(|c| c.iro_post.is_none()) {
            let post = self.ctx.wf.iro_post(&mut self.rng);
            if let Some(c) = self.child_mut(k) {
                c.iro_post = post;
            }
        }
        // A care leaver coming back into care is looked after again, not a care leaver
        // (the domain's fold says so): keeping in touch already planned from this day
        // on is dropped, and picked up again when this period ends.
        let mut was_leaver = false;
        if let Some(c) = self.child_mut(k) {
            c.care_periods += 1;
            c.missing_prone = Some(prone);
            was_leaver = !c.advisers.is_empty();
            if was_leaver {
                c.journal.drafts.retain(|d| {
                    d.day < start
                        || !matches!(
                            d.data,
                            EventData::PersonalAdviserAllocated(_)
                                | EventData::PathwayPlanReviewed(_)
                                | EventData::CareLeaverContact(_)
                        )
                });
                c.advisers.retain(|(day, _)| *day < start);
            }
        }
        let horizon = self.ctx.end.plus(1);

        // Legal status on entry.
        let first_status = match entry {
            Entry::Uasc => LegalStatus::Section20,
            Entry::Emergency => self
                .rng
                .weighted(&[
                    (LegalStatus::PoliceProtection, 0.6),
                    (LegalStatus::EmergencyProtectionOrder, 0.4),
                ])
                .unwrap_or(LegalStatus::PoliceProtection),
            Entry::FromCp => self
                .rng
                .weighted(&[
                    (LegalStatus::InterimCareOrder, 0.55),
                    (LegalStatus::Section20, 0.30),
                    (LegalStatus::EmergencyProtectionOrder, 0.08),
                    (LegalStatus::PoliceProtection, 0.07),
                ])
                .unwrap_or(LegalStatus::InterimCareOrder),
            Entry::FromCin => self
                .rng
                .weighted(&[
                    (LegalStatus::Section20, 0.80),
                    (LegalStatus::InterimCareOrder, 0.12),
                    (LegalStatus::Remand, if age >= 12 { 0.05 } else { 0.0 }),
                    (LegalStatus::PoliceProtection, 0.03),
                ])
                .unwrap_or(LegalStatus::Section20),
        };
        let mut route = if first_status == LegalStatus::Remand {
            Route::Remand
        } else {
            self.route(age, uasc)
        };
        let category_of_need = if uasc {
            PrimaryNeed::AbsentParenting
        } else if disabled && self.rng.chance(0.4) {
            PrimaryNeed::ChildsDisability
        } else {
            self.rng
                .weighted(&[
                    (PrimaryNeed::AbuseOrNeglect, 0.66),
                    (PrimaryNeed::FamilyDysfunction, 0.13),
                    (PrimaryNeed::FamilyInAcuteStress, 0.08),
                    (PrimaryNeed::AbsentParenting, 0.05),
                    (
                        PrimaryNeed::SociallyUnacceptableBehaviour,
                        if age >= 12 { 0.05 } else { 0.0 },
                    ),
                    (PrimaryNeed::ParentalDisabilityOrIllness, 0.03),
                ])
                .unwrap_or(PrimaryNeed::AbuseOrNeglect)
        };

        // Where the period is heading, and when it ends.
        let mut adoption = None;
        let (mut end, mut reason) = match route {
            Route::Home => (
                start.plus(days(self.rng.lognormal(260.0, 0.9), 3)),
                self.rng
                    .weighted(&[
                        (ReasonCeased::ReturnedHomePlanned, 0.7),
                        (ReasonCeased::ReturnedHomeUnplanned, 0.15),
                        (ReasonCeased::LivingWithOtherPerson, 0.15),
                    ])
                    .unwrap_or(ReasonCeased::ReturnedHomePlanned),
            ),
            Route::Sgo => (
                start.plus(days(self.rng.lognormal(560.0, 0.4), 120)),
                self.sgo_reason(),
            ),
            Route::Cao => (
                start.plus(days(self.rng.lognormal(330.0, 0.4), 90)),
                ReasonCeased::ChildArrangementsOrder,
            ),
            Route::Remand => (
                start.plus(days(self.rng.lognormal(50.0, 0.6), 3)),
                ReasonCeased::RemandEnded,
            ),
            Route::AgeDisputed => (
                start.plus(self.rng.int(20, 90)),
                ReasonCeased::AgeAssessed18,
            ),
            Route::LongTerm => self.long_term_end(start, age, b18),
            Route::Adoption => {
                let adm = start.plus(days(self.rng.lognormal(130.0, 0.3), 30));
                let placement_order = adm.plus(days(self.rng.lognormal(110.0, 0.4), 14));
                let reversed = self
                    .rng
                    .chance(0.12)
                    .then(|| placement_order.plus(self.rng.int(60, 300)));
                let matched = placement_order.plus(days(self.rng.lognormal(110.0, 0.5), 14));
                let placed = matched.plus(self.rng.int(7, 35));
                let order = placed.plus(days(self.rng.lognormal(230.0, 0.3), 70));
                let steps = AdoptionSteps {
                    adm,
                    placement_order,
                    reversed: reversed.filter(|&r| r < matched),
                    matched,
                    placed,
                    order,
                };
                let result = if let Some(r) = steps.reversed {
                    let (e, why) = self.long_term_end(start, age, b18);
                    (e.max(r.plus(60)), why)
                } else {
                    let why = if self.rng.chance(0.7) {
                        ReasonCeased::AdoptedUnopposed
                    } else {
                        ReasonCeased::AdoptedConsentDispensed
                    };
                    (order, why)
                };
                adoption = Some(steps);
                result
            }
        };
        if end >= b18 {
            end = b18;
            reason = self.leaving_at_18(disabled);
            if route == Route::Adoption {
                adoption = None;
                route = Route::LongTerm;
            }
        }
        let adopted =
            adoption.as_ref().is_some_and(|a| a.reversed.is_none()) && reason.is_adoption();

        let previous_permanence = details::previous_permanence(&mut self.detail);
        self.push(
            k,
            start,
            Who::CaseHolder,
            EventData::LookedAfterStarted(LookedAfterStarted {
                legal_status: first_status,
                category_of_need,
                uasc,
                previous_permanence,
            }),
        );
        let first = self.placement(age, uasc, None)?;
        self.push(
            k,
            start,
            Who::CaseHolder,
            EventData::PlacementStarted(first),
        );
        if self.rng.chance(0.6) {
            let day = start.plus(self.rng.int(0, 5));
            self.push(
                k,
                day,
                Who::CaseHolder,
                EventData::MeetingHeld(hearth_domain::event::MeetingHeld {
                    meeting: hearth_domain::codes::MeetingKind::PlacementPlanning,
                }),
            );
        }

        // Legal status changes.
        let mut changes: Vec<(Day, LegalStatus)> = Vec::new();
        let mut status = first_status;
        let mut t = start;
        if matches!(
            status,
            LegalStatus::PoliceProtection | LegalStatus::EmergencyProtectionOrder
        ) {
            t = t.plus(self.rng.int(1, 8));
            status = if route == Route::Home && self.rng.chance(0.5) {
                LegalStatus::Section20
            } else {
                LegalStatus::InterimCareOrder
            };
            changes.push((t, status));
        }
        let proceedings = matches!(route, Route::LongTerm | Route::Adoption | Route::Sgo)
            && !uasc
            && (status != LegalStatus::Section20 || self.rng.chance(0.3));
        if proceedings && status == LegalStatus::Section20 {
            t = t.plus(self.rng.int(40, 200));
            status = LegalStatus::InterimCareOrder;
            changes.push((t, status));
        }
        if status == LegalStatus::InterimCareOrder && route != Route::Home {
            let full = t.plus(days(self.rng.lognormal(190.0, 0.3), 30));
            changes.push((full, LegalStatus::FullCareOrder));
        }
        if let Some(a) = &adoption {
            changes.retain(|(d, _)| *d < a.placement_order);
        }
        for (day, legal_status) in changes.into_iter().filter(|(d, _)| *d < end) {
            self.push(
                k,
                day,
                Who::CaseHolder,
                EventData::LegalStatusChanged(LegalStatusChanged { legal_status }),
            );
        }

        // Adoption steps (ADM decision, placement order, matching, placement, order).
        let mut moves_stop = end;
        let mut adoptive_move = None;
        if let Some(a) = &adoption {
            if a.adm < end {
                self.push(k, a.adm, Who::CaseHolder, EventData::AdmDecision(Empty {}));
            }
            if a.placement_order < end {
                self.push(
                    k,
                    a.placement_order,
                    Who::CaseHolder,
                    EventData::PlacementOrder(Empty {}),
                );
                self.push(
                    k,
                    a.placement_order,
                    Who::CaseHolder,
                    EventData::LegalStatusChanged(LegalStatusChanged {
                        legal_status: LegalStatus::PlacementOrder,
                    }),
                );
            }
            if let Some(r) = a.reversed.filter(|&r| r < end) {
                let why = self
                    .rng
                    .weighted(&[
                        (AdoptionReversalReason::NoAdopters, 0.5),
                        (AdoptionReversalReason::NeedsChanged, 0.3),
                        (AdoptionReversalReason::Other, 0.2),
                    ])
                    .unwrap_or(AdoptionReversalReason::Other);
                self.push(
                    k,
                    r,
                    Who::CaseHolder,
                    EventData::AdoptionDecisionReversed(AdoptionDecisionReversed { reason: why }),
                );
            } else if a.reversed.is_none() {
                if a.matched < end {
                    let matched = details::adoption_match(&mut self.detail);
                    self.push(
                        k,
                        a.matched,
                        Who::CaseHolder,
                        EventData::AdoptionMatched(matched),
                    );
                }
                if a.placed < end {
                    moves_stop = a.placed;
                    adoptive_move = Some(a.placed);
                }
            }
        }

        // Placement moves: sometimes an early move from an emergency placement, then
        // moves at a steady rate, more often for teenagers.
        let factor = if age >= 11 {
            0.7
        } else if age < 5 {
            1.4
        } else {
            1.0
        };
        let mut moves = Vec::new();
        let mut m = start;
        if self.rng.chance(model::BRIDGING_MOVE) {
            m = start.plus(self.rng.int(14, 90));
            moves.push(m);
        }
        loop {
            m = m.plus(days(
                self.rng
                    .exponential(model::PLACEMENT_MOVE_MEAN_DAYS * factor),
                7,
            ));
            if m >= moves_stop.min(horizon) {
                break;
            }
            moves.push(m);
        }
        moves.retain(|&d| d < moves_stop);
        for day in moves {
            let reason = self
                .rng
                .weighted(&[
                    (ReasonPlaceChange::CarePlan, 0.35),
                    (ReasonPlaceChange::CarerRequestBehaviour, 0.15),
                    (ReasonPlaceChange::CarerRequestOther, 0.12),
                    (ReasonPlaceChange::LaRequest, 0.10),
                    (ReasonPlaceChange::ChildRequest, 0.08),
                    (ReasonPlaceChange::StandardsOfCare, 0.05),
                    (ReasonPlaceChange::Allegation, 0.03),
                    (ReasonPlaceChange::ProvisionClosed, 0.03),
                    (ReasonPlaceChange::Other, 0.09),
                ])
                .unwrap_or(ReasonPlaceChange::CarePlan);
            self.push(
                k,
                day,
                Who::CaseHolder,
                EventData::PlacementEnded(PlacementEnded { reason }),
            );
            let mut next = self.placement(age_on(dob, day), uasc, None)?;
            next.same_carers = Some(false);
            self.push(k, day, Who::CaseHolder, EventData::PlacementStarted(next));
        }
        if let Some(day) = adoptive_move {
            // Once placed, the adoption team holds the case until the order.
            self.begin(k, day, Stage::LookedAfter, self.ctx.routing.adoption, level);
            let with_carer = self.rng.chance(0.2);
            let kind = match (first_status == LegalStatus::Section20, with_carer) {
                (true, true) => PlacementType::AdoptionConsentCurrentCarer,
                (true, false) => PlacementType::AdoptionConsentOther,
                (false, true) => PlacementType::AdoptionOrderCurrentCarer,
                (false, false) => PlacementType::AdoptionOrderOther,
            };
            let reason = if with_carer {
                ReasonPlaceChange::StatusChange
            } else {
                ReasonPlaceChange::CarePlan
            };
            self.push(
                k,
                day,
                Who::CaseHolder,
                EventData::PlacementEnded(PlacementEnded { reason }),
            );
            let mut next = self.placement(age_on(dob, day), uasc, Some(kind))?;
            next.same_carers = Some(with_carer);
            self.push(
                k,
                day,
                Who::CaseHolder,
                EventData::PlacedForAdoption(Empty {}),
            );
            self.push(k, day, Who::CaseHolder, EventData::PlacementStarted(next));
        }

        // Reviews, IRO contact between them, health, dental, education, permanence.
        let stop = end.min(horizon);
        let due = self.ctx.due(Duty::FirstLookedAfterReview, start)?;
        let r1 = self.meet(
            self.ctx.days.after(start, 10),
            due,
            model::LA_REVIEW_LATE,
            model::LATE_MEAN,
        );
        let mut reviews = vec![r1];
        let mut due = self.ctx.due(Duty::SecondLookedAfterReview, r1)?;
        while due < stop {
            let day = self.meet(due.minus(20), due, model::LA_REVIEW_LATE, model::LATE_MEAN);
            reviews.push(day);
            due = self.ctx.due(Duty::LaterLookedAfterReview, day)?;
        }
        reviews.retain(|&d| d < end);
        let mut prev = start;
        for (i, &day) in reviews.iter().enumerate() {
            let mid = prev.plus(day.since(prev) / 2 + self.rng.int(-10, 10));
            if i > 0 && mid > prev && mid < day && self.rng.chance(0.85) {
                let contact = details::iro_contact(&mut self.detail);
                self.push(k, mid, Who::Iro, EventData::IroContact(contact));
            }
            let participation = if age_on(dob, day) < 4 {
                ReviewParticipation::Under4
            } else {
                self.rng
                    .weighted(&[
                        (ReviewParticipation::SpeaksForSelf, 0.55),
                        (ReviewParticipation::AdvocateSpeaks, 0.08),
                        (ReviewParticipation::Symbolic, 0.05),
                        (ReviewParticipation::NoContribution, 0.05),
                        (ReviewParticipation::BriefsAdvocate, 0.10),
                        (ReviewParticipation::FacilitativeMedium, 0.07),
                        (ReviewParticipation::ViewsNotConveyed, 0.10),
                    ])
                    .unwrap_or(ReviewParticipation::SpeaksForSelf)
            };
            self.push(
                k,
                day,
                Who::Iro,
                EventData::ClaReviewHeld(ClaReviewHeld { participation }),
            );
            if i == 1 {
                let plan = self.permanence_plan(route, age_on(dob, day), adoption.is_some());
                self.push(
                    k,
                    day,
                    Who::CaseHolder,
                    EventData::PermanencePlanSet(PermanencePlanSet { plan }),
                );
            }
            prev = day;
        }
        // Health assessments: the initial one before the first review, then 6-monthly
        // under five and yearly from five (reg 7), each counted from the last.
        let due = self.ctx.due(Duty::InitialHealthAssessment, start)?;
        let mut h = self.meet(
            self.ctx.days.after(start, 5),
            due,
            model::INITIAL_HEALTH_LATE,
            model::INITIAL_HEALTH_LATE_MEAN,
        );
        let mut initial = true;
        while h < stop {
            let found = details::health_assessment(&mut self.detail, initial, age_on(dob, h));
            initial = false;
            self.push(k, h, Who::CaseHolder, EventData::HealthAssessment(found));
            let next = if age_on(dob, h) < 5 {
                Duty::ReviewHealthAssessmentUnderFive
            } else {
                Duty::ReviewHealthAssessment
            };
            let due = self.ctx.due(next, h)?;
            h = self.meet(
                due.minus(30),
                due,
                model::REVIEW_HEALTH_LATE,
                model::LATE_MEAN,
            );
        }
        let mut d = start.plus(self.rng.int(60, 150));
        while d < stop {
            if self.rng.chance(0.85) {
                let check = details::dental_check(&mut self.detail);
                self.push(k, d, Who::CaseHolder, EventData::DentalCheck(check));
            }
            d = d.plus(self.rng.int(300, 420));
        }
        let due = self.ctx.due(Duty::PersonalEducationPlan, start)?;
        let mut p = self.meet(
            self.ctx.days.after(start, 3),
            due,
            model::PEP_LATE,
            model::LATE_MEAN,
        );
        while p < stop {
            if (3..18).contains(&age_on(dob, p)) {
                let pep = details::pep(&mut self.detail);
                self.push(k, p, Who::CaseHolder, EventData::PepReviewed(pep));
            }
            p = p.plus(self.rng.int(100, 140));
        }

        // Missing episodes, for the children prone to them, from age 11.
        if prone {
            let mut t = start.max(dob.plus_years(11));
            loop {
                t = t.plus(days(
                    self.rng.exponential(365.0 / model::MISSING_PER_YEAR),
                    1,
                ));
                if t >= stop {
                    break;
                }
                let kind = if self.rng.chance(0.8) {
                    MissingKind::Missing
                } else {
                    MissingKind::Absent
                };
                let back = t
                    .plus(match self.rng.f64() {
                        x if x < 0.6 => 0,
                        x if x < 0.9 => 1,
                        _ => self.rng.int(2, 5),
                    })
                    .min(end);
                let minute = self.rng.int(15 * 60, 23 * 60 + 30) as u16;
                if let Some(c) = self.child_mut(k) {
                    c.journal.push_at(
                        t,
                        minute,
                        Who::CaseHolder,
                        EventData::MissingStarted(MissingStarted { missing: kind }),
                    );
                }
                let offered = self.rng.chance(if kind == MissingKind::Missing {
                    0.85
                } else {
                    0.5
                });
                let accepted = offered && self.rng.chance(0.6);
                self.push(
                    k,
                    back,
                    Who::CaseHolder,
                    EventData::MissingEnded(MissingEnded {
                        return_interview_offered: offered,
                        return_interview_accepted: accepted,
                    }),
                );
                t = back;
            }
        }

        // Leaving care: a personal adviser from 16 for eligible children.
        let care_leaver = !adopted
            && (was_leaver || end == b18 || (age_on(dob, end) >= 16 && end.since(start) >= 91))
            && reason != ReasonCeased::AgeAssessed18;
        let mut pathway_from = None;
        if care_leaver {
            let pa_day = dob
                .plus_years(16)
                .plus(self.rng.int(0, 90))
                .max(start.plus(self.rng.int(20, 60)));
            if pa_day < end {
                self.allocate_adviser(k, pa_day)?;
                pathway_from = Some(pa_day.max(dob.plus_years(16).plus_months(3)));
            }
        }
        if let Some(mut day) = pathway_from {
            while day < end && day < horizon {
                self.push(
                    k,
                    day,
                    Who::Adviser,
                    EventData::PathwayPlanReviewed(PathwayPlanReviewed {
                        eligibility: Some(CareLeaverEligibility::Eligible),
                    }),
                );
                day = self.next_pathway_review(day)?;
            }
            pathway_from = Some(day);
        }

        // The end of the period of care.
        self.push(
            k,
            end,
            Who::CaseHolder,
            EventData::PlacementEnded(PlacementEnded {
                reason: ReasonPlaceChange::CarePlan,
            }),
        );
        if adopted && let Some(a) = &adoption {
            self.push(
                k,
                a.order,
                Who::CaseHolder,
                EventData::AdoptionOrder(Empty {}),
            );
        }
        self.push(
            k,
            end,
            Who::CaseHolder,
            EventData::LookedAfterEnded(LookedAfterEnded { reason }),
        );
        if care_leaver {
            self.after_care(k, start, end, pathway_from)?;
        }

        // The child in need episode after care.
        let closed = match route {
            _ if adopted => {
                let d = self.close(k, end, ReasonForClosure::Adopted);
                self.gone(k, d);
                self.leave_family(k, end);
                d
            }
            _ if end == b18 => {
                let why = if reason == ReasonCeased::AdultResidentialCare {
                    ReasonForClosure::TransferredToAdultServices
                } else {
                    ReasonForClosure::ServicesCeased
                };
                let d = self.close(k, end, why);
                self.gone(k, d);
                d
            }
            _ if matches!(
                reason,
                ReasonCeased::SgoFosterRelative
                    | ReasonCeased::SgoFosterOther
                    | ReasonCeased::SgoOtherRelative
                    | ReasonCeased::SgoOtherOther
            ) =>
            {
                let d = self.close(k, end, ReasonForClosure::SpecialGuardianshipOrder);
                self.gone(k, d);
                d
            }
            _ if reason == ReasonCeased::ChildArrangementsOrder => {
                let d = self.close(k, end, ReasonForClosure::ChildArrangementsOrder);
                self.gone(k, d);
                d
            }
            Route::AgeDisputed => {
                let d = self.close(k, end, ReasonForClosure::ServicesCeased);
                self.gone(k, d);
                d
            }
            Route::Home | Route::Remand if self.rng.chance(0.55) => {
                // Home again, with a child in need plan while things settle.
                self.cin_plan_track(&[k], end, Severity::Moderate, level, 150.0, true)?
            }
            _ => self.close(k, end, ReasonForClosure::ServicesCeased),
        };
        Ok(closed)
    }

    fn gone(&mut self, k: usize, day: Day) {
        if let Some(c) = self.child_mut(k) {
            c.gone = Some(day);
        }
    }

    fn route(&mut self, age: i32, uasc: bool) -> Route {
        use Route as R;
        let table: &[(Route, f64)] = if uasc {
            &[(R::LongTerm, 0.90), (R::AgeDisputed, 0.04), (R::Home, 0.06)]
        } else {
            match age {
                0 => &[
                    (R::Adoption, 0.60),
                    (R::Home, 0.12),
                    (R::Sgo, 0.17),
                    (R::LongTerm, 0.08),
                    (R::Cao, 0.03),
                ],
                1..=4 => &[
                    (R::Adoption, 0.25),
                    (R::Home, 0.30),
                    (R::Sgo, 0.20),
                    (R::LongTerm, 0.20),
                    (R::Cao, 0.05),
                ],
                5..=9 => &[
                    (R::Home, 0.35),
                    (R::Sgo, 0.18),
                    (R::LongTerm, 0.42),
                    (R::Cao, 0.05),
                ],
                10..=15 => &[(R::Home, 0.37), (R::LongTerm, 0.60), (R::Sgo, 0.03)],
                _ => &[(R::Home, 0.35), (R::LongTerm, 0.65)],
            }
        };
        self.rng.weighted(table).unwrap_or(R::Home)
    }

    fn sgo_reason(&mut self) -> ReasonCeased {
        self.rng
            .weighted(&[
                (ReasonCeased::SgoFosterRelative, 0.5),
                (ReasonCeased::SgoFosterOther, 0.15),
                (ReasonCeased::SgoOtherRelative, 0.3),
                (ReasonCeased::SgoOtherOther, 0.05),
            ])
            .unwrap_or(ReasonCeased::SgoFosterRelative)
    }

    /// Long-term care: older children stay until 18; younger ones usually find
    /// permanence with family or foster carers through an order after some years.
    fn long_term_end(&mut self, start: Day, age: i32, b18: Day) -> (Day, ReasonCeased) {
        if age >= 8 {
            return (b18, ReasonCeased::OtherReason);
        }
        let end = start.plus(days(self.rng.lognormal(5.5 * 365.0, 0.35), 365));
        let why = match self.rng.f64() {
            x if x < 0.6 => self.sgo_reason(),
            x if x < 0.8 => ReasonCeased::ChildArrangementsOrder,
            _ => ReasonCeased::ReturnedHomePlanned,
        };
        (end, why)
    }

    fn leaving_at_18(&mut self, disabled: bool) -> ReasonCeased {
        self.rng
            .weighted(&[
                (ReasonCeased::StayingPut, 0.20),
                (ReasonCeased::IndependentSupported, 0.42),
                (ReasonCeased::IndependentUnsupported, 0.07),
                (ReasonCeased::LivingWithOtherPerson, 0.12),
                (ReasonCeased::OtherReason, 0.08),
                (ReasonCeased::Custody, 0.02),
                (
                    ReasonCeased::AdultResidentialCare,
                    if disabled { 0.5 } else { 0.01 },
                ),
            ])
            .unwrap_or(ReasonCeased::IndependentSupported)
    }

    fn permanence_plan(&mut self, route: Route, age: i32, adoption: bool) -> PermanencePlan {
        match route {
            Route::Adoption if adoption => PermanencePlan::Adoption,
            Route::Home | Route::Remand => PermanencePlan::ReturnToFamily,
            Route::Sgo | Route::Cao => PermanencePlan::SgoOrCao,
            _ if age >= 16 => PermanencePlan::SupportedLiving,
            _ if self.rng.chance(0.12) => PermanencePlan::LongTermResidential,
            _ => PermanencePlan::LongTermFostering,
        }
    }

    /// One placement's details; `kind` forces the type (placed for adoption).
    fn placement(
        &mut self,
        age: i32,
        uasc: bool,
        kind: Option<PlacementType>,
    ) -> Result<PlacementStarted, SynthError> {
        use PlacementType as P;
        let placement_type = match kind {
            Some(k) => k,
            None if uasc => self
                .rng
                .weighted(&[
                    (P::SupportedAccommodation, 0.3),
                    (P::SemiIndependent, 0.2),
                    (P::FosterOther, 0.4),
                    (P::ChildrensHome, 0.1),
                ])
                .unwrap_or(P::FosterOther),
            None => {
                let table: &[(PlacementType, f64)] = match age {
                    ..=0 => &[
                        (P::FosterOther, 0.55),
                        (P::FosterFfa, 0.10),
                        (P::FosterRelativeOther, 0.18),
                        (P::FamilyCentre, 0.10),
                        (P::WithParents, 0.07),
                    ],
                    1..=10 => &[
                        (P::FosterOther, 0.50),
                        (P::FosterLongTerm, 0.15),
                        (P::FosterRelativeOther, 0.12),
                        (P::FosterRelativeLongTerm, 0.08),
                        (P::ChildrensHome, 0.04),
                        (P::WithParents, 0.07),
                        (P::ResidentialSchool, 0.01),
                        (P::Other, 0.03),
                    ],
                    11..=15 => &[
                        (P::FosterOther, 0.42),
                        (P::FosterLongTerm, 0.14),
                        (P::FosterRelativeOther, 0.10),
                        (P::ChildrensHome, 0.21),
                        (P::ResidentialCareHome, 0.02),
                        (P::WithParents, 0.05),
                        (P::SecureChildrensHome, 0.01),
                        (P::ResidentialSchool, 0.02),
                        (P::Other, 0.03),
                    ],
                    _ => &[
                        (P::FosterOther, 0.30),
                        (P::SemiIndependent, 0.20),
                        (P::SupportedAccommodation, 0.17),
                        (P::ChildrensHome, 0.15),
                        (P::FosterRelativeOther, 0.08),
                        (P::IndependentLiving, 0.05),
                        (P::YoungOffenderInstitution, 0.02),
                        (P::Other, 0.03),
                    ],
                };
                self.rng.weighted(table).unwrap_or(P::FosterOther)
            }
        };
        let provider = match placement_type {
            P::WithParents => PlacementProvider::Parents,
            P::IndependentLiving => PlacementProvider::OwnLa,
            P::FosterRelativeOther | P::FosterRelativeLongTerm | P::FosterRelativeFfa => self
                .rng
                .weighted(&[
                    (PlacementProvider::OwnLa, 0.9),
                    (PlacementProvider::OtherLa, 0.1),
                ])
                .unwrap_or(PlacementProvider::OwnLa),
            P::FosterOther | P::FosterLongTerm | P::FosterFfa => self
                .rng
                .weighted(&[
                    (PlacementProvider::OwnLa, 0.58),
                    (PlacementProvider::Private, 0.35),
                    (PlacementProvider::Voluntary, 0.05),
                    (PlacementProvider::OtherLa, 0.02),
                ])
                .unwrap_or(PlacementProvider::OwnLa),
            P::AdoptionConsentCurrentCarer
            | P::AdoptionConsentOther
            | P::AdoptionOrderCurrentCarer
            | P::AdoptionOrderOther => self
                .rng
                .weighted(&[
                    (PlacementProvider::OwnLa, 0.6),
                    (PlacementProvider::OtherLa, 0.2),
                    (PlacementProvider::Voluntary, 0.2),
                ])
                .unwrap_or(PlacementProvider::OwnLa),
            P::YoungOffenderInstitution | P::NhsEstablishment => PlacementProvider::OtherPublic,
            _ => self
                .rng
                .weighted(&[
                    (PlacementProvider::Private, 0.7),
                    (PlacementProvider::OwnLa, 0.2),
                    (PlacementProvider::Voluntary, 0.1),
                ])
                .unwrap_or(PlacementProvider::Private),
        };
        let postcode = if placement_type == P::WithParents {
            let sector = self.fam.address.as_ref().map(|a| a.postcode.sector());
            match sector {
                Some(s) => Some(people::postcode_in(&s, &mut self.rng)?),
                None => None,
            }
        } else if self.rng.chance(0.68) {
            match self.rng.pick(&self.ctx.sectors).cloned() {
                Some(s) => Some(people::postcode_in(&s, &mut self.rng)?),
                None => None,
            }
        } else {
            match self.rng.pick(OUT_OF_AREA_DISTRICTS) {
                Some(d) => Some(people::postcode(d, &mut self.rng)?),
                None => None,
            }
        };
        let urn = matches!(
            placement_type,
            P::ChildrensHome
                | P::SecureChildrensHome
                | P::ResidentialCareHome
                | P::ResidentialSchool
                | P::SupportedAccommodation
                | P::FamilyCentre
        )
        .then(|| format!("SC{:06}", self.rng.int(100_000, 999_999)));
        let weekly_cost = details::weekly_cost(&mut self.detail, placement_type, provider);
        Ok(PlacementStarted {
            placement_type,
            provider,
            postcode,
            urn,
            weekly_cost,
            // The caller says, for a move.
            same_carers: None,
        })
    }

    fn allocate_adviser(&mut self, k: usize, day: Day) -> Result<(), SynthError> {
        let locality = self.fam.locality;
        let service = self.ctx.routing.care_leavers;
        let Some((w, _, _)) =
            self.ctx
                .wf
                .choose(locality, service, Want::PersonalAdviser, day, &mut self.rng)
        else {
            return Ok(());
        };
        let adviser = self
            .ctx
            .wf
            .worker_id(w)
            .ok_or_else(|| SynthError::Internal("unknown worker".into()))?;
        self.push(
            k,
            day,
            Who::Worker(w),
            EventData::PersonalAdviserAllocated(PersonalAdviserAllocated { adviser }),
        );
        if let Some(c) = self.child_mut(k) {
            c.advisers.push((day, w));
        }
        Ok(())
    }

    /// After care: pathway plan reviews and keeping in touch until 21, with a new
    /// personal adviser when the last one leaves.
    fn after_care(
        &mut self,
        k: usize,
        start: Day,
        end: Day,
        pathway_next: Option<Day>,
    ) -> Result<(), SynthError> {
        // An adviser allocated during this period of care (an earlier one's ended when
        // the child came back into care).
        let has_pa = |c: &crate::family::Child| c.advisers.iter().any(|(d, _)| *d >= start);
        let Some((dob, pa)) = self.child(k).map(|c| (c.dob, has_pa(c))) else {
            return Ok(());
        };
        if !pa {
            self.allocate_adviser(k, end)?;
        }
        // Without an adviser the young person is not recorded as a care leaver, so
        // nothing more can be recorded about them.
        if self.child(k).is_none_or(|c| !has_pa(c)) {
            return Ok(());
        }
        let b21 = dob.plus_years(21);
        let horizon = self.ctx.end.plus(1);
        let mut pathway = pathway_next.unwrap_or(end.plus(self.rng.int(20, 90)));
        let mut contact = end.plus(self.rng.int(20, 80));
        loop {
            let next = pathway.min(contact);
            if next >= b21 || next >= horizon {
                break;
            }
            self.check_adviser(k, next)?;
            if next == pathway {
                self.push(
                    k,
                    next,
                    Who::Adviser,
                    EventData::PathwayPlanReviewed(PathwayPlanReviewed {
                        eligibility: Some(if age_on(dob, next) < 18 {
                            CareLeaverEligibility::Relevant
                        } else {
                            CareLeaverEligibility::FormerRelevant
                        }),
                    }),
                );
                pathway = self.next_pathway_review(pathway)?;
            } else {
                let data = self.leaver_contact(age_on(dob, next));
                self.push(k, next, Who::Adviser, EventData::CareLeaverContact(data));
                contact = contact.plus(self.rng.int(55, 110));
            }
        }
        Ok(())
    }

    /// Pathway plans are reviewed at most six months apart (regs 40–44).
    fn next_pathway_review(&mut self, last: Day) -> Result<Day, SynthError> {
        let due = self.ctx.due(Duty::PathwayPlanReview, last)?;
        Ok(self.meet(
            due.minus(20),
            due,
            model::PATHWAY_REVIEW_LATE,
            model::LATE_MEAN,
        ))
    }

    fn check_adviser(&mut self, k: usize, day: Day) -> Result<(), SynthError> {
        let Some(&(_, w)) = self.child(k).and_then(|c| c.advisers.last()) else {
            return Ok(());
        };
        if self.ctx.wf.in_post(w, day) {
            return Ok(());
        }
        self.allocate_adviser(k, day)
    }

    fn leaver_contact(&mut self, age: i32) -> CareLeaverContact {
        let in_touch = self
            .rng
            .weighted(&[
                (InTouch::Yes, 0.88),
                (InTouch::No, 0.05),
                (InTouch::Refused, 0.03),
                (InTouch::NoLongerRequired, 0.02),
                (InTouch::ReturnedHome, 0.02),
            ])
            .unwrap_or(InTouch::Yes);
        if in_touch != InTouch::Yes {
            return CareLeaverContact {
                in_touch,
                activity: Activity::NotInTouch,
                accommodation: Accommodation::NotInTouch,
            };
        }
        let he = if age >= 19 { 0.10 } else { 0.04 };
        let activity = self
            .rng
            .weighted(&[
                (
                    Activity::OtherEducationFull,
                    if age < 19 { 0.26 } else { 0.12 },
                ),
                (Activity::OtherEducationPart, 0.03),
                (Activity::HigherEducationFull, he),
                (Activity::ApprenticeshipFull, 0.06),
                (Activity::EmploymentFull, 0.14),
                (Activity::EmploymentPart, 0.07),
                (Activity::NeetIllness, 0.08),
                (Activity::NeetOther, 0.28),
                (Activity::NeetParenting, 0.06),
            ])
            .unwrap_or(Activity::NeetOther);
        let accommodation = self
            .rng
            .weighted(&[
                (Accommodation::SemiIndependentSuitable, 0.18),
                (Accommodation::SupportedLodgingsSuitable, 0.08),
                (Accommodation::IndependentSuitable, 0.26),
                (
                    Accommodation::FormerFosterCarersSuitable,
                    if age < 21 { 0.10 } else { 0.03 },
                ),
                (Accommodation::ParentsSuitable, 0.12),
                (Accommodation::LodgingsSuitable, 0.03),
                (Accommodation::FoyerSuitable, 0.03),
                (Accommodation::ParentsUnsuitable, 0.03),
                (Accommodation::EmergencyUnsuitable, 0.02),
                (Accommodation::BedAndBreakfastUnsuitable, 0.01),
                (Accommodation::Homeless, 0.02),
                (Accommodation::Custody, 0.02),
                (Accommodation::OtherUnsuitable, 0.03),
            ])
            .unwrap_or(Accommodation::IndependentSuitable);
        CareLeaverContact {
            in_touch,
            activity,
            accommodation,
        }
    }
}
