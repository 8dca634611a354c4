//! Early help and statutory casework short of care: referral, the child and family
//! assessment, strategy discussions and section 47 enquiries, conferences, child in need
//! and child protection plans, closure and step-down.
//!
//! Siblings referred together move through the same meetings on the same days — one
//! family, one plan — and part only when one of them comes into care or turns 18.

use crate::SynthError;
use crate::calendar::{Day, age_on};
use crate::care::Entry;
use crate::details;
use crate::family::Sim;
use crate::front_door::Decided;
use crate::journal::Who;
use crate::model::{self, Severity};
use crate::org::Stage;
use crate::random::days;
use hearth_domain::codes::{
    AssessmentFactor, CategoryOfAbuse, CinPlanEndReason, EarlyHelpEndReason, MeetingKind,
    PrimaryNeed, ReasonForClosure, ReferralSource,
};
use hearth_domain::event::{
    AssessmentCompleted, CinClosed, CinPlanEnded, CpCategory, CpReviewHeld, EarlyHelpEnded,
    EarlyHelpStarted, Empty, EventData, IcpcHeld, MeetingHeld, ReferralAccepted, S47Completed,
    StrategyDiscussion,
};
use hearth_domain::ids::ReferralId;
use hearth_domain::org::Service;
use hearth_domain::timescales::Duty;

/// A child protection plan's course, shared by siblings on the same plan.
struct CpCourse {
    category: CategoryOfAbuse,
    /// Review conferences before the end, all continuing the plan.
    reviews: Vec<Day>,
    end: Day,
    change: Option<(Day, CategoryOfAbuse)>,
}

impl Sim<'_> {
    fn service_of(&self, level: usize) -> Service {
        self.ctx
            .levels
            .get(level)
            .and_then(|l| l.service)
            .unwrap_or(Service::ChildInNeed)
    }

    // --- Early help ----------------------------------------------------------------------

    /// An early help episode for `kids` from `start`; returns the day they are free.
    pub(crate) fn early_help(
        &mut self,
        kids: &[usize],
        start: Day,
        step_down: bool,
        level: usize,
    ) -> Result<Day, SynthError> {
        let kids: Vec<usize> = kids
            .iter()
            .copied()
            .filter(|&k| {
                self.child(k)
                    .is_some_and(|c| c.known_born <= start && age_on(c.dob, start) < 18)
            })
            .collect();
        if kids.is_empty() {
            return Ok(start);
        }
        let service = self.service_of(level);
        let planned = start.plus(days(
            self.rng.lognormal(model::EARLY_HELP_MEDIAN_DAYS, 0.5),
            14,
        ));
        let reason = self
            .rng
            .weighted(&[
                (EarlyHelpEndReason::NeedsMet, 0.60),
                (EarlyHelpEndReason::Declined, 0.17),
                (EarlyHelpEndReason::SteppedUp, model::EARLY_HELP_STEP_UP),
                (EarlyHelpEndReason::Moved, 0.05),
                (EarlyHelpEndReason::Other, 0.10),
            ])
            .unwrap_or(EarlyHelpEndReason::NeedsMet);
        let assessed = start.plus(self.rng.int(10, 40));
        let mut reviews = Vec::new();
        let mut r = assessed.plus(self.rng.int(35, 63));
        while r < planned {
            reviews.push(self.ctx.days.on_or_after(r));
            r = r.plus(self.rng.int(56, 84));
        }
        let family = self.fam.id.clone();
        let mut free = start;
        for &k in &kids {
            let b18 = self.child(k).map_or(planned, |c| c.b18());
            let end = planned.min(b18);
            let reason = if end < planned {
                EarlyHelpEndReason::Other
            } else {
                reason
            };
            self.begin(k, start, Stage::EarlyHelp, service, level);
            if step_down {
                self.mark_step_down(k);
            }
            self.push(
                k,
                start,
                Who::CaseHolder,
                EventData::EarlyHelpStarted(EarlyHelpStarted {
                    family: Some(family.clone()),
                    step_down,
                }),
            );
            if assessed < end {
                let found = details::early_help_assessment(&mut self.detail);
                self.push(
                    k,
                    assessed,
                    Who::CaseHolder,
                    EventData::EarlyHelpAssessmentCompleted(found),
                );
            }
            for (i, &day) in reviews.iter().enumerate().filter(|(_, d)| **d < end) {
                let review = details::family_plan_review(&mut self.detail);
                self.push(
                    k,
                    day,
                    Who::CaseHolder,
                    EventData::FamilyPlanReviewed(review),
                );
                // A team around the family meets at about every other review.
                if i % 2 == 1 {
                    continue;
                }
                self.push(
                    k,
                    day,
                    Who::CaseHolder,
                    EventData::MeetingHeld(MeetingHeld {
                        meeting: MeetingKind::TeamAroundTheFamily,
                    }),
                );
            }
            self.push(
                k,
                end,
                Who::CaseHolder,
                EventData::EarlyHelpEnded(EarlyHelpEnded { reason }),
            );
            self.finish_stage(k, end);
            free = free.max(end);
        }
        if reason == EarlyHelpEndReason::SteppedUp && planned <= self.ctx.end {
            let still: Vec<usize> = kids
                .iter()
                .copied()
                .filter(|&k| {
                    self.child(k)
                        .is_some_and(|c| age_on(c.dob, planned.plus(1)) < 18)
                })
                .collect();
            if !still.is_empty() {
                // Stepping up goes through the front door like any other concern.
                return self.contact_episode(
                    &still,
                    planned.plus(1),
                    Some((ReferralSource::LaEarlyHelp, Severity::High)),
                );
            }
        }
        Ok(free)
    }

    // --- Referral and assessment --------------------------------------------------------

    /// Referrals accepted for the children decided at the front door; returns the day
    /// the children who did not come into care are free again.
    pub(crate) fn referral(
        &mut self,
        decided: &[Decided],
        source: ReferralSource,
        severity: Severity,
        level: usize,
    ) -> Result<Day, SynthError> {
        let service = self.service_of(level);
        let r = decided.iter().map(|d| d.2).max().unwrap_or(self.ctx.end);
        self.fam.last_referral = Some(r);
        let mut kids = Vec::new();
        for (k, contact, day, need) in decided {
            if self.child(*k).is_none() {
                continue;
            }
            // The front door's decision to refer gave it.
            let primary_need = need.unwrap_or(PrimaryNeed::NotStated);
            self.n.referral += 1;
            let referral = ReferralId::parse(&format!("R{:08}", self.n.referral))?;
            self.begin(*k, *day, Stage::Assessment, service, level);
            if let Some(c) = self.child_mut(*k) {
                c.cin_last = *day;
            }
            self.cin_push(
                *k,
                *day,
                Who::Screener,
                EventData::ReferralAccepted(ReferralAccepted {
                    referral,
                    contact: Some(contact.clone()),
                    source,
                    primary_need,
                }),
            );
            kids.push(*k);
        }
        let urgent = severity == Severity::Acute
            || (severity == Severity::High && self.rng.chance(model::URGENT_IF_HIGH));
        if !urgent && self.rng.chance(model::NO_ASSESSMENT) {
            let close = self.ctx.days.after(r, self.rng.int(1, 8) as u32);
            return Ok(self.close_all(&kids, close, ReasonForClosure::ServicesCeased));
        }
        let a_start = self.ctx.days.on_or_after(r);
        let a_start = if self.rng.chance(0.7) {
            a_start
        } else {
            self.ctx.days.after(a_start, self.rng.int(1, 3) as u32)
        };
        for &k in &kids {
            self.cin_push(
                k,
                a_start,
                Who::CaseHolder,
                EventData::AssessmentStarted(Default::default()),
            );
        }
        let mut plan_from = None;
        let mut emergency = Vec::new();
        let mut strategy = r;
        if urgent {
            strategy = self.ctx.days.on_or_after(r);
            if !self.rng.chance(0.6) {
                strategy = self.ctx.days.after(strategy, 1);
            }
            plan_from = self.enquiry(&kids, strategy, severity, false)?;
            // Some children are removed at once: police protection or an emergency order.
            if severity == Severity::Acute && self.rng.chance(model::EMERGENCY_CARE) {
                emergency = kids
                    .iter()
                    .copied()
                    .filter(|&k| {
                        self.child(k).is_some_and(|c| {
                            c.known_born <= strategy && c.b18().minus(60) > strategy
                        })
                    })
                    .collect();
            }
        }
        let needed = plan_from.is_some()
            || !emergency.is_empty()
            || self.rng.chance(model::services_needed(severity));
        // Before 2013 a strategy discussion's enquiry was carried out as a core
        // assessment, whatever it found.
        let a_done = self.assess(&kids, r, a_start, needed, urgent, severity)?;
        // Children taken into care at once: their episode stays open while they are
        // looked after (the assessment above still completes inside it).
        for &k in &emergency {
            self.begin(
                k,
                strategy,
                Stage::LookedAfter,
                self.ctx.routing.looked_after,
                level,
            );
            self.care(k, strategy, Entry::Emergency, level)?;
        }
        let rest: Vec<usize> = kids
            .iter()
            .copied()
            .filter(|k| !emergency.contains(k))
            .collect();
        if rest.is_empty() {
            return Ok(r);
        }
        if !needed {
            let close = a_done.plus(self.rng.int(0, 3));
            if self.rng.chance(model::STEP_DOWN_AFTER_ASSESSMENT) {
                let closed =
                    self.close_all(&rest, close, ReasonForClosure::EarlyHelpAfterAssessment);
                let eh = self.ctx.early_help_levels.last().copied().unwrap_or(level);
                let start = closed.plus(self.rng.int(0, 5));
                return self.early_help(&rest, start, true, eh);
            }
            return Ok(self.close_all(&rest, close, ReasonForClosure::NfaAfterAssessment));
        }
        match plan_from {
            Some(day) => self.cp_track(&rest, day, severity, level),
            None => {
                let start = a_done.plus(self.rng.int(0, 10));
                self.cin_plan_track(
                    &rest,
                    start,
                    severity,
                    level,
                    model::CIN_PLAN_MEDIAN_DAYS,
                    true,
                )
            }
        }
    }

    /// An unaccompanied asylum-seeking child: referred by the police or the Home
    /// Office, accommodated under s20 the same day, assessed while in care.
    pub(crate) fn uasc_arrival(&mut self, t: Day) -> Result<(), SynthError> {
        self.register(&[0], t)?;
        let source = self
            .rng
            .weighted(&[
                (ReferralSource::Police, 0.5),
                (ReferralSource::OtherLegalAgency, 0.3),
                (ReferralSource::Other, 0.2),
            ])
            .unwrap_or(ReferralSource::Police);
        let level = self.ctx.referral_levels.first().copied().unwrap_or(0);
        let decided = self.front_door(
            &[0],
            t,
            source,
            Severity::High,
            hearth_domain::codes::ContactOutcome::Referral,
            Some(level),
        )?;
        let Some((k, contact, day, need)) = decided.into_iter().next() else {
            return Ok(());
        };
        self.n.referral += 1;
        let referral = ReferralId::parse(&format!("R{:08}", self.n.referral))?;
        self.begin(k, day, Stage::Assessment, self.service_of(level), level);
        self.cin_push(
            k,
            day,
            Who::Screener,
            EventData::ReferralAccepted(ReferralAccepted {
                referral,
                contact: Some(contact),
                source,
                primary_need: need.unwrap_or(PrimaryNeed::AbsentParenting),
            }),
        );
        let start = self.ctx.days.on_or_after(day);
        self.cin_push(
            k,
            start,
            Who::CaseHolder,
            EventData::AssessmentStarted(Default::default()),
        );
        self.assess(&[k], day, start, true, true, Severity::High)?;
        self.begin(
            k,
            day,
            Stage::LookedAfter,
            self.ctx.routing.looked_after,
            level,
        );
        self.care(k, day, Entry::Uasc, level)?;
        Ok(())
    }

    /// The assessment of `kids`, referred on `referred` and started on `started`, under
    /// the rules in force at the referral: since 15 April 2013 one child and family
    /// assessment (45 working days); before, an initial assessment (7 working days from
    /// the referral) and, for children who needed more (`core`), a core assessment
    /// started the day it ended (35 working days). Returns the day the last one ended.
    fn assess(
        &mut self,
        kids: &[usize],
        referred: Day,
        started: Day,
        needed: bool,
        core: bool,
        severity: Severity,
    ) -> Result<Day, SynthError> {
        let single = self
            .ctx
            .rules
            .in_force(Duty::Assessment, referred.to_date())
            .is_some();
        if single {
            let due = self.ctx.due(Duty::Assessment, referred)?;
            let done = self.complete(referred, started, due, &model::ASSESSMENT);
            self.assessed(kids, done, needed, severity);
            return Ok(done);
        }
        let due = self.ctx.due(Duty::InitialAssessment, referred)?;
        let initial = self.complete(referred, started, due, &model::INITIAL_ASSESSMENT);
        let core = core || needed;
        self.assessed(kids, initial, core, severity);
        if !core {
            return Ok(initial);
        }
        for &k in kids {
            self.cin_push(
                k,
                initial,
                Who::CaseHolder,
                EventData::AssessmentStarted(Default::default()),
            );
        }
        let due = self.ctx.due(Duty::CoreAssessment, initial)?;
        let done = self.complete(initial, initial, due, &model::CORE_ASSESSMENT);
        self.assessed(kids, done, needed, severity);
        Ok(done)
    }

    /// The day work whose clock started on `clock` and falls due on `due` is finished,
    /// on the `course` it takes; never before `earliest`.
    fn complete(&mut self, clock: Day, earliest: Day, due: Day, course: &model::Course) -> Day {
        if self.rng.chance(course.late) {
            return self.late_by(due, course.late_mean).max(earliest);
        }
        let took = days(self.rng.lognormal(course.median, course.sigma), 1);
        let day = self.ctx.days.after(clock, took as u32);
        let day = if day > due {
            let last_third = due.since(clock) / 3;
            self.ctx
                .days
                .on_or_before(due.minus(self.rng.int(0, last_third)))
        } else {
            day
        };
        day.max(earliest)
    }

    fn assessed(&mut self, kids: &[usize], day: Day, services_needed: bool, severity: Severity) {
        for &k in kids {
            let factors = if self.child(k).is_some_and(|c| c.uasc) {
                vec![AssessmentFactor::Uasc]
            } else {
                self.factors(severity, k, day)
            };
            // Almost every child is seen; the few who are not were unborn, missing or
            // moved away during the assessment.
            let child_seen = Some(self.detail.chance(0.97));
            self.cin_push(
                k,
                day,
                Who::CaseHolder,
                EventData::AssessmentCompleted(AssessmentCompleted {
                    factors,
                    services_needed,
                    child_seen,
                }),
            );
        }
    }

    pub(crate) fn primary_need(
        &mut self,
        severity: Severity,
        disabled: bool,
        teen: bool,
    ) -> PrimaryNeed {
        if disabled && self.rng.chance(0.5) {
            return PrimaryNeed::ChildsDisability;
        }
        let abuse = match severity {
            Severity::High | Severity::Acute => 0.78,
            _ => 0.45,
        };
        self.rng
            .weighted(&[
                (PrimaryNeed::AbuseOrNeglect, abuse),
                (PrimaryNeed::FamilyDysfunction, 0.16),
                (PrimaryNeed::FamilyInAcuteStress, 0.10),
                (PrimaryNeed::ParentalDisabilityOrIllness, 0.03),
                (
                    PrimaryNeed::SociallyUnacceptableBehaviour,
                    if teen { 0.06 } else { 0.005 },
                ),
                (PrimaryNeed::LowIncome, 0.01),
                (PrimaryNeed::AbsentParenting, 0.02),
                (PrimaryNeed::NotStated, 0.01),
            ])
            .unwrap_or(PrimaryNeed::AbuseOrNeglect)
    }

    /// Assessment factors: the common ones are domestic abuse, parental mental health,
    /// emotional abuse, neglect and parental drug or alcohol misuse (DOMAIN.md).
    fn factors(&mut self, severity: Severity, k: usize, day: Day) -> Vec<AssessmentFactor> {
        use AssessmentFactor as F;
        let teen = self.child(k).is_some_and(|c| age_on(c.dob, day) >= 12);
        let mut table = vec![
            (F::DomesticAbuseParent, 0.30),
            (F::DomesticAbuseChild, 0.14),
            (F::MentalHealthParent, 0.28),
            (F::EmotionalAbuse, 0.16),
            (F::Neglect, 0.15),
            (F::DrugsParent, 0.14),
            (F::AlcoholParent, 0.11),
            (F::PhysicalAbuse, 0.07),
            (F::LearningDisabilityParent, 0.04),
            (F::SexualAbuse, 0.03),
            (F::Other, 0.05),
        ];
        if teen {
            table.extend([
                (F::MentalHealthChild, 0.15),
                (F::SelfHarm, 0.07),
                (F::CriminalExploitation, 0.05),
                (F::SexualExploitation, 0.04),
                (F::Missing, 0.05),
                (F::DrugsChild, 0.04),
                (F::Gangs, 0.02),
            ]);
        }
        let boost = match severity {
            Severity::Low | Severity::Moderate => 0.8,
            Severity::High => 1.2,
            Severity::Acute => 1.5,
        };
        let mut out: Vec<F> = table
            .into_iter()
            .filter(|(_, p)| self.rng.chance(p * boost))
            .map(|(f, _)| f)
            .collect();
        if out.is_empty() {
            out.push(if self.rng.chance(0.3) {
                F::NoFactors
            } else {
                F::Other
            });
        }
        out
    }

    /// Close every child's episode on `day` (or later, if something in the episode is
    /// still happening); returns the latest closing day.
    pub(crate) fn close_all(&mut self, kids: &[usize], day: Day, reason: ReasonForClosure) -> Day {
        let mut last = day;
        for &k in kids {
            last = last.max(self.close(k, day, reason));
        }
        last
    }

    pub(crate) fn close(&mut self, k: usize, day: Day, reason: ReasonForClosure) -> Day {
        let day = self
            .child(k)
            .map_or(day, |c| day.max(c.cin_last).max(c.s47_open_until));
        self.push(
            k,
            day,
            Who::CaseHolder,
            EventData::CinClosed(CinClosed { reason }),
        );
        self.finish_stage(k, day);
        if let Some(c) = self.child_mut(k) {
            c.cin_last = day;
        }
        day
    }

    // --- Protection ------------------------------------------------------------------

    /// A strategy discussion on `day` for `kids`, the s47 enquiry it may start, and the
    /// initial conference that may follow. Returns the conference day if it decided on
    /// a plan (and `no_conference` is false).
    fn enquiry(
        &mut self,
        kids: &[usize],
        day: Day,
        severity: Severity,
        no_conference: bool,
    ) -> Result<Option<Day>, SynthError> {
        // One enquiry at a time: a new concern during an enquiry waits for it to finish.
        let busy = kids
            .iter()
            .filter_map(|&k| self.child(k))
            .map(|c| c.s47_open_until)
            .max()
            .unwrap_or(day);
        let day = if busy >= day {
            self.ctx.days.on_or_after(busy.plus(1))
        } else {
            day
        };
        let s47 = self.rng.chance(model::S47_AT_STRATEGY);
        for &k in kids {
            self.cin_push(
                k,
                day,
                Who::CaseHolder,
                EventData::StrategyDiscussion(StrategyDiscussion { s47 }),
            );
        }
        if !s47 {
            return Ok(None);
        }
        let conference = !no_conference && self.rng.chance(model::icpc_after_s47(severity));
        // Working Together: the conference within 15 working days of the strategy
        // discussion, the enquiry reporting to it a few days before.
        let due = self.ctx.due(Duty::InitialChildProtectionConference, day)?;
        let icpc = self.meet(
            self.ctx.days.after(day, 6),
            due,
            model::ICPC_LATE,
            model::ICPC_LATE_MEAN,
        );
        let completed = if conference {
            let last = self.ctx.days.on_or_before(icpc.minus(1));
            let first = self.ctx.days.after(day, 4).min(last);
            self.meet(first, last, 0.0, 0.0)
        } else {
            self.ctx.days.after(day, self.rng.int(5, 25) as u32)
        };
        for &k in kids {
            let s47 = details::s47(&mut self.detail);
            self.cin_push(k, day, Who::CaseHolder, EventData::S47Started(s47));
            self.cin_push(
                k,
                completed,
                Who::CaseHolder,
                EventData::S47Completed(S47Completed {
                    icpc_required: conference,
                }),
            );
            if let Some(c) = self.child_mut(k) {
                c.s47_open_until = completed;
            }
        }
        if !conference {
            return Ok(None);
        }
        let plan = self.rng.chance(model::PLAN_AT_ICPC);
        for &k in kids {
            self.cin_push(k, icpc, Who::Iro, EventData::IcpcHeld(IcpcHeld { plan }));
        }
        Ok(plan.then_some(icpc))
    }

    /// A child in need plan from `start`; may escalate to protection or, for teenagers,
    /// to care. Returns the day the children not in care are free.
    pub(crate) fn cin_plan_track(
        &mut self,
        kids: &[usize],
        start: Day,
        severity: Severity,
        level: usize,
        median_days: f64,
        may_escalate: bool,
    ) -> Result<Day, SynthError> {
        let planned = start.plus(days(
            self.rng.lognormal(median_days, model::CIN_PLAN_SIGMA),
            30,
        ));
        let escalate = may_escalate && self.rng.chance(model::escalation(severity));
        let esc_day = if escalate {
            let f = 0.1 + 0.8 * self.rng.f64();
            Some(
                self.ctx
                    .days
                    .on_or_after(start.plus((f64::from(planned.since(start)) * f) as i32)),
            )
        } else {
            None
        };
        let service = self.ctx.routing.child_in_need;
        // A child who turned 18 before the plan would start is closed instead.
        let mut free = start;
        let mut adults = Vec::new();
        for &k in kids {
            if self.child(k).is_some_and(|c| c.b18() <= start) {
                adults.push(k);
            }
        }
        for &k in &adults {
            free = free.max(self.close(k, start, ReasonForClosure::ServicesCeased));
        }
        let kids: Vec<usize> = kids
            .iter()
            .copied()
            .filter(|k| !adults.contains(k))
            .collect();
        let kids = kids.as_slice();
        if kids.is_empty() {
            return Ok(free);
        }
        let mut teen_care = Vec::new();
        for &k in kids {
            self.begin(k, start, Stage::ChildInNeed, service, level);
            let plan = details::cin_plan(&mut self.detail);
            self.cin_push(k, start, Who::CaseHolder, EventData::CinPlanStarted(plan));
            let Some((dob, b18)) = self.child(k).map(|c| (c.dob, c.b18())) else {
                continue;
            };
            if age_on(dob, start) >= 10 && self.rng.chance(model::CARE_FROM_CIN_TEEN) {
                let f = 0.1 + 0.8 * self.rng.f64();
                let day = start.plus((f64::from(planned.since(start)) * f) as i32);
                if day < b18.minus(30) && esc_day.is_none_or(|e| day < e) {
                    teen_care.push((k, day));
                }
            }
        }
        // Reviews up to whatever ends the plan.
        let stop = esc_day.unwrap_or(planned);
        let mut review = start.plus_months(model::CIN_REVIEW_MONTHS);
        let mut reviews = Vec::new();
        while review < stop {
            reviews.push(self.ctx.days.on_or_after(review.plus(self.rng.int(-7, 10))));
            review = review.plus_months(model::CIN_REVIEW_MONTHS);
        }
        let mut remaining = Vec::new();
        for &k in kids {
            let care_day = teen_care.iter().find(|(c, _)| *c == k).map(|(_, d)| *d);
            let b18 = self.child(k).map_or(OPEN_END, |c| c.b18());
            let end_k = care_day.unwrap_or(stop).min(b18);
            for &day in reviews.iter().filter(|&&d| d < end_k) {
                let review = details::cin_review(&mut self.detail);
                self.cin_push(k, day, Who::CaseHolder, EventData::CinPlanReviewed(review));
            }
            // Some plans use a family group conference or a professionals meeting.
            if let Some(&day) = reviews.first().filter(|&&d| d < end_k) {
                let meeting = self.rng.weighted(&[
                    (Some(MeetingKind::CinReview), 0.25),
                    (Some(MeetingKind::FamilyGroupConference), 0.10),
                    (Some(MeetingKind::Professionals), 0.15),
                    (None, 0.50),
                ]);
                if let Some(Some(meeting)) = meeting {
                    self.push(
                        k,
                        day,
                        Who::CaseHolder,
                        EventData::MeetingHeld(MeetingHeld { meeting }),
                    );
                }
            }
            if let Some(day) = care_day.filter(|&d| d <= b18) {
                self.cin_push(
                    k,
                    day,
                    Who::CaseHolder,
                    plan_ended(CinPlanEndReason::LookedAfter),
                );
                self.begin(
                    k,
                    day,
                    Stage::LookedAfter,
                    self.ctx.routing.looked_after,
                    level,
                );
                self.care(k, day, Entry::FromCin, level)?;
                continue;
            }
            if end_k < stop {
                // Turned 18 during the plan.
                self.cin_push(
                    k,
                    end_k,
                    Who::CaseHolder,
                    plan_ended(CinPlanEndReason::Other),
                );
                let reason = if self.child(k).is_some_and(|c| !c.disabilities.is_empty()) {
                    ReasonForClosure::TransferredToAdultServices
                } else {
                    ReasonForClosure::ServicesCeased
                };
                free = free.max(self.close(k, end_k, reason));
                continue;
            }
            remaining.push(k);
        }
        if remaining.is_empty() {
            return Ok(free);
        }
        if let Some(day) = esc_day {
            let plan = self.enquiry(&remaining, day, severity, false)?;
            if let Some(icpc) = plan {
                for &k in &remaining {
                    self.cin_push(
                        k,
                        icpc,
                        Who::CaseHolder,
                        plan_ended(CinPlanEndReason::Protection),
                    );
                }
                return Ok(free.max(self.cp_track(&remaining, icpc, severity, level)?));
            }
            // No plan: the child in need plan carries on to its planned end.
            let end = planned.max(day.plus(30));
            return Ok(free.max(self.end_cin_plan(&remaining, end, level)?));
        }
        Ok(free.max(self.end_cin_plan(&remaining, planned, level)?))
    }

    /// The child's last `cin_plan_ended` says the plan ended in a step down.
    fn stepped_down_from_plan(&mut self, k: usize) {
        let Some(c) = self.child_mut(k) else { return };
        if let Some(EventData::CinPlanEnded(ended)) = c
            .journal
            .drafts
            .iter_mut()
            .rev()
            .map(|d| &mut d.data)
            .find(|d| matches!(d, EventData::CinPlanEnded(_)))
        {
            ended.reason = Some(CinPlanEndReason::SteppedDown);
        }
    }

    fn end_cin_plan(&mut self, kids: &[usize], end: Day, level: usize) -> Result<Day, SynthError> {
        let mut late_reviews = Vec::new();
        for &k in kids {
            let Some(c) = self.child(k) else { continue };
            let end_k = end.min(c.b18());
            // Reviews between an escalation that came to nothing and the plan's end.
            let last = c
                .journal
                .drafts
                .iter()
                .rev()
                .find(|d| {
                    matches!(
                        d.data,
                        EventData::CinPlanReviewed(_) | EventData::CinPlanStarted(_)
                    )
                })
                .map(|d| d.day);
            if let Some(mut r) = last.map(|d| d.plus_months(model::CIN_REVIEW_MONTHS)) {
                while r < end_k {
                    late_reviews.push((k, self.ctx.days.on_or_after(r)));
                    r = r.plus_months(model::CIN_REVIEW_MONTHS);
                }
            }
        }
        for (k, day) in late_reviews {
            let review = details::cin_review(&mut self.detail);
            self.cin_push(k, day, Who::CaseHolder, EventData::CinPlanReviewed(review));
        }
        let step_down = self.rng.chance(model::STEP_DOWN_AFTER_CIN);
        let mut free = end;
        let mut down = Vec::new();
        for &k in kids {
            let end_k = self.child(k).map_or(end, |c| end.min(c.b18()));
            let end_k = end_k.max(self.child(k).map_or(end_k, |c| c.cin_last));
            // Whether the child steps down is known only once the episode is closed.
            let why = details::cin_plan_end(&mut self.detail);
            self.cin_push(k, end_k, Who::CaseHolder, plan_ended(why));
            let closed = self.close(k, end_k, ReasonForClosure::ServicesCeased);
            free = free.max(closed);
            if step_down && self.child(k).is_some_and(|c| age_on(c.dob, closed) < 17) {
                down.push(k);
                self.stepped_down_from_plan(k);
            }
        }
        if !down.is_empty() {
            let eh = self.ctx.early_help_levels.last().copied().unwrap_or(level);
            let start = free.plus(self.rng.int(0, 3));
            return Ok(free.max(self.early_help(&down, start, true, eh)?));
        }
        Ok(free)
    }

    fn cp_course(&mut self, start: Day) -> Result<CpCourse, SynthError> {
        let category = self
            .rng
            .weighted(&model::CP_CATEGORIES)
            .unwrap_or(CategoryOfAbuse::Neglect);
        // First review within 3 months of the ICPC, then at most 6-monthly (WT).
        let mut reviews = Vec::new();
        let mut due = self.ctx.due(Duty::FirstReviewConference, start)?;
        let mut i = 0;
        let end = loop {
            let day = self.meet(due.minus(14), due, model::CP_REVIEW_LATE, model::LATE_MEAN);
            let p = model::CP_CONTINUE
                .get(i)
                .or(model::CP_CONTINUE.last())
                .copied()
                .unwrap_or(0.0);
            if !self.rng.chance(p) {
                break day;
            }
            reviews.push(day);
            due = self.ctx.due(Duty::LaterReviewConference, day)?;
            i += 1;
        };
        let change = if self.rng.chance(0.06) && end.since(start) > 60 {
            let day = start.plus(self.rng.int(30, end.since(start) - 1));
            let to = self
                .rng
                .weighted(&model::CP_CATEGORIES)
                .unwrap_or(CategoryOfAbuse::Multiple);
            (to != category).then_some((day, to))
        } else {
            None
        };
        Ok(CpCourse {
            category,
            reviews,
            end,
            change,
        })
    }

    /// A child protection plan from the ICPC on `start`.
    fn cp_track(
        &mut self,
        kids: &[usize],
        start: Day,
        severity: Severity,
        level: usize,
    ) -> Result<Day, SynthError> {
        let course = self.cp_course(start)?;
        let service = self.ctx.routing.child_protection;
        // Care proceedings for some: the plan ends the day the child becomes looked after.
        let care_day = if self.rng.chance(model::CARE_FROM_CP) {
            let span = course.end.since(start).clamp(21, 400);
            Some(start.plus(self.rng.int(14, span)))
        } else {
            None
        };
        let mut free = start;
        let mut stepped = Vec::new();
        for &k in kids {
            let Some(c) = self.child(k) else { continue };
            let b18 = c.b18();
            if b18 <= start {
                free = free.max(self.close(k, start, ReasonForClosure::ServicesCeased));
                continue;
            }
            let known_born = c.known_born;
            // Babies on plans (often from before birth) come into care more often,
            // usually at birth or soon after.
            let baby = age_on(c.dob, start) < 1;
            let care_day = care_day.or_else(|| {
                (baby && self.rng.chance(model::CARE_FROM_CP_BABY))
                    .then(|| known_born.max(start).plus(self.rng.int(0, 60)))
            });
            let to_care = care_day
                .map(|d| d.max(known_born))
                .filter(|&d| d < course.end && d < b18.minus(60) && self.rng.chance(0.9));
            let end_k = to_care.unwrap_or(course.end).min(b18);
            self.begin(k, start, Stage::ChildProtection, service, level);
            self.cin_push(
                k,
                start,
                Who::CaseHolder,
                EventData::CpPlanStarted(CpCategory {
                    category: course.category,
                }),
            );
            // Core groups: the first within 10 working days of the ICPC, then about monthly.
            let due = self.ctx.due(Duty::FirstCoreGroup, start)?;
            let mut cg = self.meet(
                self.ctx.days.after(start, 3),
                due,
                model::CORE_GROUP_LATE,
                model::LATE_MEAN,
            );
            while cg < end_k {
                let held = details::core_group(&mut self.detail);
                self.cin_push(k, cg, Who::CaseHolder, EventData::CoreGroupHeld(held));
                cg = self.ctx.days.after(cg, self.rng.int(18, 30) as u32);
            }
            if let Some((day, to)) = course.change.filter(|(d, _)| *d < end_k) {
                self.cin_push(
                    k,
                    day,
                    Who::CaseHolder,
                    EventData::CpCategoryChanged(CpCategory { category: to }),
                );
            }
            for &day in course.reviews.iter().filter(|&&d| d < end_k) {
                self.cin_push(
                    k,
                    day,
                    Who::Iro,
                    EventData::CpReviewHeld(CpReviewHeld {
                        continue_plan: true,
                    }),
                );
            }
            if to_care.is_none() && end_k == course.end {
                self.cin_push(
                    k,
                    end_k,
                    Who::Iro,
                    EventData::CpReviewHeld(CpReviewHeld {
                        continue_plan: false,
                    }),
                );
            }
            self.cin_push(k, end_k, Who::CaseHolder, EventData::CpPlanEnded(Empty {}));
            if let Some(day) = to_care {
                self.begin(
                    k,
                    day,
                    Stage::LookedAfter,
                    self.ctx.routing.looked_after,
                    level,
                );
                self.care(k, day, Entry::FromCp, level)?;
                continue;
            }
            if end_k < course.end {
                free = free.max(self.close(k, end_k, ReasonForClosure::ServicesCeased));
                continue;
            }
            stepped.push(k);
        }
        if stepped.is_empty() {
            return Ok(free);
        }
        if self.rng.chance(model::POST_CP_CIN_SHARE) {
            let end = self.cin_plan_track(
                &stepped,
                course.end,
                severity,
                level,
                model::POST_CP_CIN_MEDIAN_DAYS,
                false,
            )?;
            return Ok(free.max(end));
        }
        Ok(free.max(self.close_all(&stepped, course.end, ReasonForClosure::ServicesCeased)))
    }
}

const OPEN_END: Day = crate::family::OPEN;

fn plan_ended(reason: CinPlanEndReason) -> EventData {
    EventData::CinPlanEnded(CinPlanEnded {
        reason: Some(reason),
    })
}
