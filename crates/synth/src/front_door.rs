//! The front door: a contact about some of a family's children, MASH partner checks
//! for the more worrying ones, and a threshold decision, usually within one working day
//! (Working Together 2018, ch.1).

use crate::SynthError;
use crate::calendar::{Day, age_on};
use crate::family::Sim;
use crate::journal::Who;
use crate::model::{self, Severity};
use hearth_domain::codes::{Agency, ContactOutcome, Rag, ReferralSource};
use hearth_domain::event::{ContactDecided, ContactReceived, EventData, PartnerCheck};
use hearth_domain::ids::ContactId;

/// A contact decided for one child: (child, contact, decision day).
pub(crate) type Decided = (usize, ContactId, Day);

const MINUTES_A_DAY: i64 = 1440;

impl Sim<'_> {
    /// One contact about `kids` on `t`, and whatever follows from its decision. Returns
    /// the day the children are free of the service again (those who come into care
    /// stay busy longer).
    pub(crate) fn contact_episode(
        &mut self,
        kids: &[usize],
        t: Day,
        forced: Option<(ReferralSource, Severity)>,
    ) -> Result<Day, SynthError> {
        let (source, severity, outcome) = match forced {
            Some((source, severity)) => (source, severity, ContactOutcome::Referral),
            None => {
                let severity = self.severity();
                let outcome = self
                    .rng
                    .weighted(&model::outcomes(severity))
                    .unwrap_or(ContactOutcome::NoFurtherAction);
                (self.pick_source(kids, t), severity, outcome)
            }
        };
        let level = self.level_for(outcome, severity);
        let decided = self.front_door(kids, t, source, severity, outcome, level)?;
        let done = decided.iter().map(|d| d.2).max().unwrap_or(t);
        let kids: Vec<usize> = decided.iter().map(|d| d.0).collect();
        match (outcome, level) {
            (ContactOutcome::EarlyHelp, Some(level)) => self.early_help(&kids, done, false, level),
            (ContactOutcome::Referral, Some(level)) => {
                self.referral(&decided, source, severity, level)
            }
            _ => {
                for &k in &kids {
                    if let Some(c) = self.child_mut(k) {
                        c.busy_until = c.busy_until.max(done);
                    }
                }
                Ok(done)
            }
        }
    }

    fn pick_source(&mut self, kids: &[usize], t: Day) -> ReferralSource {
        let source = self
            .rng
            .weighted(&model::SOURCES)
            .unwrap_or(ReferralSource::Other);
        let ages: Vec<i32> = kids
            .iter()
            .filter_map(|&k| self.child(k))
            .map(|c| age_on(c.dob, t))
            .collect();
        let youngest_only = ages.iter().all(|&a| a < 4);
        if ages.iter().all(|&a| a < 0) {
            // Pregnancies come to notice through midwives and health services.
            return if self.rng.chance(0.7) {
                ReferralSource::HealthOther
            } else {
                source
            };
        }
        match source {
            ReferralSource::Schools
            | ReferralSource::SchoolNurse
            | ReferralSource::EducationServices
                if youngest_only =>
            {
                ReferralSource::HealthVisitor
            }
            _ => source,
        }
    }

    /// The level recorded with a decision: advice and early help levels at random
    /// (lower for less serious contacts), referral levels by severity.
    pub(crate) fn level_for(
        &mut self,
        outcome: ContactOutcome,
        severity: Severity,
    ) -> Option<usize> {
        let levels = match outcome {
            // The synthetic front door does not decide these yet (issue 13).
            ContactOutcome::NoFurtherAction
            | ContactOutcome::Universal
            | ContactOutcome::StrategyDiscussion
            | ContactOutcome::ImmediateProtection => return None,
            ContactOutcome::InformationAndAdvice => &self.ctx.advice_levels,
            ContactOutcome::EarlyHelp => &self.ctx.early_help_levels,
            ContactOutcome::Referral => &self.ctx.referral_levels,
        };
        let n = levels.len();
        let i = match (outcome, severity) {
            (ContactOutcome::Referral, Severity::Acute) => n.saturating_sub(1),
            (ContactOutcome::Referral, Severity::High) => n / 2,
            (ContactOutcome::Referral, _) => 0,
            (_, Severity::Low) => 0,
            _ => self.rng.below(n),
        };
        levels.get(i.min(n.saturating_sub(1))).copied()
    }

    pub(crate) fn front_door(
        &mut self,
        kids: &[usize],
        t: Day,
        source: ReferralSource,
        severity: Severity,
        outcome: ContactOutcome,
        level: Option<usize>,
    ) -> Result<Vec<Decided>, SynthError> {
        let minute = if self.rng.chance(0.75) {
            self.rng.int(8 * 60 + 30, 17 * 60 + 30)
        } else {
            self.rng.int(0, 24 * 60 - 1)
        };
        let received = i64::from(t.0) * MINUTES_A_DAY + i64::from(minute);
        // One decision for the family; most on the day, nearly all within a working day.
        let decision = match self.rng.f64() {
            x if x < 0.62 => received + i64::from(self.rng.int(30, 300)),
            x if x < 0.92 => {
                let day = self.ctx.days.after(t, 1);
                i64::from(day.0) * MINUTES_A_DAY + i64::from(self.rng.int(9 * 60, 17 * 60))
            }
            _ => {
                let day = self.ctx.days.after(t, self.rng.int(2, 5) as u32);
                i64::from(day.0) * MINUTES_A_DAY + i64::from(self.rng.int(9 * 60, 17 * 60))
            }
        };
        let mut agencies = Vec::new();
        if self.rng.chance(model::mash_share(severity)) {
            let count = if self.rng.chance(0.6) {
                1
            } else {
                self.rng.int(2, 3)
            };
            for _ in 0..count {
                let a = self
                    .rng
                    .weighted(&[
                        (Agency::Police, 0.35),
                        (Agency::Health, 0.25),
                        (Agency::Education, 0.2),
                        (Agency::Probation, 0.07),
                        (Agency::Housing, 0.07),
                        (Agency::AdultServices, 0.06),
                    ])
                    .unwrap_or(Agency::Police);
                if !agencies.contains(&a) {
                    agencies.push(a);
                }
            }
        }
        let rag = match severity {
            Severity::Acute => Rag::Red,
            Severity::High => self
                .rng
                .weighted(&[(Rag::Red, 0.4), (Rag::Amber, 0.5), (Rag::Green, 0.1)])
                .unwrap_or(Rag::Amber),
            Severity::Moderate => self
                .rng
                .weighted(&[(Rag::Amber, 0.4), (Rag::Green, 0.6)])
                .unwrap_or(Rag::Green),
            Severity::Low => Rag::Green,
        };
        let level_name = level
            .and_then(|l| self.ctx.levels.get(l))
            .map(|l| l.name.clone());
        let mut out = Vec::with_capacity(kids.len());
        for &k in kids {
            self.n.contact += 1;
            let contact = ContactId::parse(&format!("CT{:08}", self.n.contact))?;
            let (day, m) = split(received);
            self.push_minute(
                k,
                day,
                m,
                EventData::ContactReceived(ContactReceived::new(contact.clone(), source)),
            );
            let mut decide_at = decision;
            let mut returns = Vec::new();
            let mut requests: Vec<(i64, Agency)> = agencies
                .iter()
                .map(|&a| (received + i64::from(self.rng.int(10, 90)), a))
                .collect();
            requests.sort_by_key(|r| r.0);
            for (requested, agency) in requests {
                let (day, m) = split(requested);
                self.push_minute(
                    k,
                    day,
                    m,
                    EventData::PartnerCheckRequested(PartnerCheck::new(
                        contact.clone(),
                        agency,
                        rag,
                    )),
                );
                let took = i64::from(match rag {
                    Rag::Red => {
                        if self.rng.chance(0.9) {
                            self.rng.int(30, 240)
                        } else {
                            self.rng.int(241, 480)
                        }
                    }
                    Rag::Amber => {
                        if self.rng.chance(0.9) {
                            self.rng.int(60, 1440)
                        } else {
                            self.rng.int(1441, 2880)
                        }
                    }
                    Rag::Green => self.rng.int(240, 4320),
                });
                // Checks come back before the decision: a screener does not wait past
                // the decision deadline for a green check.
                let back = (requested + took).min(decision - i64::from(self.rng.int(5, 30)));
                let back = back.max(requested + 1);
                decide_at = decide_at.max(back + i64::from(self.rng.int(5, 60)));
                returns.push((back, agency));
            }
            returns.sort_by_key(|r| r.0);
            for (at, agency) in returns {
                let (day, m) = split(at);
                self.push_minute(
                    k,
                    day,
                    m,
                    EventData::PartnerCheckReturned(PartnerCheck::new(
                        contact.clone(),
                        agency,
                        rag,
                    )),
                );
            }
            let (day, m) = split(decide_at);
            self.push_minute(
                k,
                day,
                m,
                EventData::ContactDecided(ContactDecided::new(
                    contact.clone(),
                    outcome,
                    if outcome == ContactOutcome::NoFurtherAction {
                        None
                    } else {
                        level_name.clone()
                    },
                )),
            );
            out.push((k, contact, day));
        }
        Ok(out)
    }

    fn push_minute(&mut self, k: usize, day: Day, minute: u16, data: EventData) {
        if let Some(c) = self.child_mut(k) {
            c.journal.push_at(day, minute, Who::Screener, data);
        }
    }

    /// A contact about a child whose case is already open: passed to the allocated
    /// worker the same day, recorded as information and advice at the case's level.
    pub(crate) fn open_case_contact(
        &mut self,
        k: usize,
        day: Day,
        level: usize,
    ) -> Result<(), SynthError> {
        self.n.contact += 1;
        let contact = ContactId::parse(&format!("CT{:08}", self.n.contact))?;
        let source = self
            .rng
            .weighted(&[
                (ReferralSource::Police, 0.45),
                (ReferralSource::Schools, 0.2),
                (ReferralSource::HealthOther, 0.1),
                (ReferralSource::IndividualFamily, 0.1),
                (ReferralSource::LaOtherInternal, 0.05),
                (ReferralSource::Other, 0.1),
            ])
            .unwrap_or(ReferralSource::Police);
        let minute = self.rng.int(0, 20 * 60) as u16;
        let later = (minute + self.rng.int(20, 200) as u16).min(23 * 60 + 59);
        let name = self.ctx.levels.get(level).map(|l| l.name.clone());
        self.push_minute(
            k,
            day,
            minute,
            EventData::ContactReceived(ContactReceived::new(contact.clone(), source)),
        );
        self.push_minute(
            k,
            day,
            later,
            EventData::ContactDecided(ContactDecided::new(
                contact,
                ContactOutcome::InformationAndAdvice,
                name,
            )),
        );
        Ok(())
    }
}

fn split(at: i64) -> (Day, u16) {
    let day = at.div_euclid(MINUTES_A_DAY);
    let minute = at.rem_euclid(MINUTES_A_DAY);
    (Day(day as i32), minute as u16)
}
