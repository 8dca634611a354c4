//! The front door: a contact about some of a family's children, MASH partner checks
//! for the more worrying ones, and a threshold decision, usually within one working day
//! (Working Together 2018, ch.1).
//!
//! Each contact is written as the app writes one (crates/app/src/front_door): its own
//! journey (`contact:ID`) with what the referrer gave, mistakes and all
//! ([`crate::as_given`]); each person linked to their record a little later (or made a
//! record for, when new); the checks asked and answered; the decision for each child,
//! proposed and then signed off where the authority asks a manager to; and where it
//! went (worked out when the family is finished, once allocations are known). Each
//! linked child's journey carries mirrors of the contact's receipt, checks and decision.
//! A contact whose screening starts after the end date is left new, with no mirrors,
//! as it would be in the app.

use crate::SynthError;
use crate::as_given::{Rates, garble};
use crate::calendar::{Day, age_on};
use crate::family::Sim;
use crate::journal::{Journal, Who};
use crate::model::{self, Severity};
use hearth_domain::codes::{
    Agency, Channel, Consent, ContactOutcome, GivenRole, PrimaryNeed, Rag, ReferralSource,
    RelationshipKind, Sex, Urgency,
};
use hearth_domain::contact::{GivenPerson, Intake, NewContact, Referrer};
use hearth_domain::event::{
    ContactDecided, ContactReceived, EventData, OccurredAt, PartnerCheck, PersonLinked,
};
use hearth_domain::identifiers::PostcodeSector;
use hearth_domain::ids::{ContactId, PersonRef, Subject};
use hearth_domain::people::{Name, PersonDetails};

/// A contact decided for one child: (child, contact, decision day, the primary need a
/// referral gave).
pub(crate) type Decided = (usize, ContactId, Day, Option<PrimaryNeed>);

const MINUTES_A_DAY: i64 = 1440;

/// Of contacts, the share also made about a child nobody on record matches (a friend
/// or neighbour's child), closed without a link.
const UNKNOWN_CHILD: f64 = 0.04;
/// Of contacts, the share that name a parent or carer besides the children.
const WITH_PARENT: f64 = 0.5;

/// A contact's own journey while its family is simulated.
#[derive(Debug, Clone)]
pub(crate) struct ContactDraft {
    pub(crate) subject: Subject,
    pub(crate) journal: Journal,
    /// Where each decided child went, worked out when the family is finished.
    pub(crate) routes: Vec<PendingRoute>,
}

/// A decision whose route is worked out once allocations are known (the family's
/// worker takes the child, "one family, one worker").
#[derive(Debug, Clone)]
pub(crate) struct PendingRoute {
    /// Its place in the contact's journal: just after its decision.
    pub(crate) at: usize,
    pub(crate) child: usize,
    pub(crate) day: Day,
    pub(crate) minute: u16,
    pub(crate) who: Who,
    pub(crate) outcome: ContactOutcome,
    pub(crate) level: Option<String>,
    /// The postcode sector the child's record gives, if it has an address.
    pub(crate) sector: Option<PostcodeSector>,
}

impl ContactDraft {
    fn new(id: &ContactId) -> ContactDraft {
        ContactDraft {
            subject: Subject::Contact(id.clone()),
            journal: Journal::default(),
            routes: Vec::new(),
        }
    }

    /// An event at `at` minutes from day 0.
    fn at(&mut self, at: i64, who: Who, data: EventData) {
        let (day, minute) = split(at);
        self.journal.push_at(day, minute, who, data);
    }
}

/// A person a contact names: as given, who they are, and whether their record was made
/// from this contact.
struct Named {
    given: GivenPerson,
    person: PersonRef,
    created: bool,
}

/// One decision as the screener makes it, for a child or for the whole contact.
struct Taking {
    child: Option<usize>,
    decided: ContactDecided,
}

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
        if self.rng.chance(UNKNOWN_CHILD) {
            self.unknown_child_contact(t)?;
        }
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
        let contact = self.new_contact_id()?;
        let mut draft = ContactDraft::new(&contact);
        let named = self.named(kids, t, true);
        self.receive(
            &mut draft,
            &contact,
            received,
            source,
            severity,
            given(&named),
        )?;
        // Screening starts once a screener picks the contact up: each person is linked
        // to their record (made from the contact if they are new). A contact needing
        // partner checks is picked up at once; others wait their turn in the queue.
        let link = if agencies.is_empty() && self.rng.chance(0.6) {
            let wait = (decision - received - 10).max(5);
            received + 5 + (wait as f64 * self.rng.f64()) as i64
        } else {
            received + i64::from(self.rng.int(5, 45))
        };
        let linked = self.link(&mut draft, &contact, kids, received, link, source, &named);
        let mut steps: Vec<(i64, EventData)> = Vec::new();
        let mut decide_at = decision.max(link + 5);
        for &agency in &agencies {
            let requested = link + i64::from(self.rng.int(5, 60));
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
            let check = PartnerCheck::new(contact.clone(), agency, rag);
            steps.push((requested, EventData::PartnerCheckRequested(check.clone())));
            let findings = Some(findings(agency, severity, &mut self.rng).to_owned());
            steps.push((
                back,
                EventData::PartnerCheckReturned(PartnerCheck { findings, ..check }),
            ));
        }
        // In time order; a check's answer always comes after it was asked for.
        steps.sort_by_key(|s| s.0);
        for (at, data) in steps {
            draft.at(at, Who::Screener, data.clone());
            if linked {
                for &k in kids {
                    self.mirror(k, at, Who::Screener, data.clone());
                }
            }
        }
        let taking = kids
            .iter()
            .map(|&k| {
                let primary_need = (outcome == ContactOutcome::Referral)
                    .then(|| self.need_for(k, severity, decide_at));
                Taking {
                    child: Some(k),
                    decided: ContactDecided {
                        child: self.child(k).map(|c| c.id.clone()),
                        reasons: Some(reasons(outcome, &mut self.rng).to_owned()),
                        primary_need,
                        ..ContactDecided::new(contact.clone(), outcome, level_name.clone())
                    },
                }
            })
            .collect();
        let decided = self.decide(&mut draft, decide_at, taking, linked);
        self.fam.contacts.push(draft);
        Ok(decided)
    }

    /// The next contact id.
    fn new_contact_id(&mut self) -> Result<ContactId, SynthError> {
        self.n.contact += 1;
        Ok(ContactId::parse(&format!("CT{:08}", self.n.contact))?)
    }

    /// The people a contact about `kids` names: each child, and in some contacts a parent
    /// or carer, as the referrer gives them.
    fn named(&mut self, kids: &[usize], t: Day, parent: bool) -> Vec<Named> {
        let rates = Rates::default();
        let mut out = Vec::new();
        for &k in kids {
            let Some((details, role, person, created)) = self.as_recorded(k, t) else {
                continue;
            };
            let mut given = as_given(&details, role, t, &mut self.rng, &rates);
            if role == GivenRole::Unborn {
                given.given_name = details.name.given.clone();
            }
            out.push(Named {
                given,
                person,
                created,
            });
        }
        if !parent || !self.rng.chance(WITH_PARENT) {
            return out;
        }
        let Some(adult) = self.fam.adults.iter().find(|a| a.registered && !a.left) else {
            return out;
        };
        let details = PersonDetails {
            address: self.fam.address.clone(),
            ..adult.details.clone()
        };
        let relationship = relationship(adult.kind, adult.details.sex).to_owned();
        let (person, created) = (
            PersonRef::Adult(adult.id.clone()),
            adult.registered_on == Some(t),
        );
        let mut given = as_given(&details, GivenRole::Adult, t, &mut self.rng, &rates);
        given.relationship = Some(relationship);
        out.push(Named {
            given,
            person,
            created,
        });
        out
    }

    /// A child as their record stands on `t`, with their role in a contact, who they
    /// are, and whether the record was made that day (from the contact).
    fn as_recorded(&self, k: usize, t: Day) -> Option<(PersonDetails, GivenRole, PersonRef, bool)> {
        let c = self.child(k)?;
        let born = c.dob <= t && c.known_born <= t;
        let details = PersonDetails {
            name: Name {
                given: if born {
                    c.given.clone()
                } else {
                    "Unborn".to_owned()
                },
                family: c.surname.clone(),
            },
            date_of_birth: born.then(|| c.dob.to_date()),
            expected_date_of_birth: (!born).then(|| c.dob.to_date()),
            sex: if born { c.sex } else { Sex::Unknown },
            ethnicity: c.ethnicity,
            disabilities: Vec::new(),
            nhs_number: if born { c.nhs.clone() } else { None },
            upn: None,
            address: if c.uasc {
                None
            } else {
                self.fam.address.clone()
            },
        };
        let role = if !born {
            GivenRole::Unborn
        } else {
            GivenRole::Child
        };
        Some((
            details,
            role,
            PersonRef::Child(c.id.clone()),
            c.registered == Some(t),
        ))
    }

    /// The contact's first event: what it says, as received.
    fn receive(
        &mut self,
        draft: &mut ContactDraft,
        contact: &ContactId,
        received: i64,
        source: ReferralSource,
        severity: Severity,
        people: Vec<GivenPerson>,
    ) -> Result<(), SynthError> {
        let intake = self.intake(source, severity, people);
        let (day, minute) = split(received);
        let at = OccurredAt::at(day.to_date(), (minute / 60) as i8, (minute % 60) as i8);
        let new = NewContact {
            received_at: at,
            source,
            intake,
        };
        // The app takes no contact that breaks the one rule; nor does the generator.
        new.validate(day.to_date())
            .map_err(|e| SynthError::Internal(format!("a generated contact: {e}")))?;
        draft.at(
            received,
            Who::Screener,
            EventData::ContactReceived(ContactReceived {
                intake: Some(Box::new(new.intake)),
                ..ContactReceived::new(contact.clone(), source)
            }),
        );
        Ok(())
    }

    /// Link each person named to their record at `link`, and put the contact's receipt
    /// on each child's journey. Whether the links were made by the end date (a contact
    /// still new then has no link, and no mirrors).
    #[allow(clippy::too_many_arguments)]
    fn link(
        &mut self,
        draft: &mut ContactDraft,
        contact: &ContactId,
        kids: &[usize],
        received: i64,
        link: i64,
        source: ReferralSource,
        named: &[Named],
    ) -> bool {
        if split(link).0 > self.ctx.end {
            return false;
        }
        for (i, n) in named.iter().enumerate() {
            draft.at(
                link,
                Who::Screener,
                EventData::PersonLinked(PersonLinked {
                    given: u8::try_from(i).unwrap_or(u8::MAX),
                    person: n.person.clone(),
                    created: n.created,
                    weight: None,
                    model: None,
                }),
            );
        }
        for &k in kids {
            self.mirror(
                k,
                received,
                Who::Screener,
                EventData::ContactReceived(ContactReceived::new(contact.clone(), source)),
            );
        }
        true
    }

    /// The decisions, at `at`: proposed and then signed off by the front door's manager
    /// where the authority asks for that, otherwise made at once. Each child's goes on
    /// their journey too (when linked), and its route is worked out later. Returns what
    /// was decided for each child.
    fn decide(
        &mut self,
        draft: &mut ContactDraft,
        at: i64,
        taking: Vec<Taking>,
        linked: bool,
    ) -> Vec<Decided> {
        let outcome = taking
            .first()
            .map_or(ContactOutcome::NoFurtherAction, |t| t.decided.outcome);
        let sign_off = self
            .ctx
            .wf
            .org
            .front_door
            .as_ref()
            .is_some_and(|f| f.needs_sign_off(outcome));
        let day = split(at).0;
        let signed = at + i64::from(self.rng.int(15, 240));
        let proposer = if sign_off {
            self.ctx.wf.screener(day, &mut self.rng)
        } else {
            None
        };
        let manager = proposer
            .and_then(|_| self.ctx.wf.front_door_manager(split(signed).0))
            .filter(|m| Some(*m) != proposer);
        let (at, who, proposed_by) = match (proposer, manager) {
            (Some(p), Some(m)) => {
                for t in &taking {
                    draft.at(
                        at,
                        Who::Worker(p),
                        EventData::ContactDecisionProposed(t.decided.clone()),
                    );
                }
                (signed, Who::Worker(m), self.ctx.wf.actor(p).cloned())
            }
            _ => (at, Who::Screener, None),
        };
        let (day, minute) = split(at);
        let sector = self.fam.address.as_ref().map(|a| a.postcode.sector());
        let mut out = Vec::new();
        for t in taking {
            let decided = ContactDecided {
                proposed_by: proposed_by.clone(),
                ..t.decided
            };
            draft.at(at, who, EventData::ContactDecided(decided.clone()));
            let Some(k) = t.child else { continue };
            let uasc = self.child(k).is_some_and(|c| c.uasc);
            draft.routes.push(PendingRoute {
                at: draft.journal.drafts.len(),
                child: k,
                day,
                minute,
                who,
                outcome: decided.outcome,
                level: decided.level.clone(),
                sector: if uasc { None } else { sector.clone() },
            });
            if linked {
                // The child's journey names the contact, not the child again.
                self.mirror(
                    k,
                    at,
                    who,
                    EventData::ContactDecided(ContactDecided {
                        child: None,
                        ..decided.clone()
                    }),
                );
            }
            out.push((k, decided.contact.clone(), day, decided.primary_need));
        }
        out
    }

    /// The primary need a referral of child `k` gives.
    fn need_for(&mut self, k: usize, severity: Severity, at: i64) -> PrimaryNeed {
        let Some(c) = self.child(k) else {
            return PrimaryNeed::NotStated;
        };
        if c.uasc {
            return PrimaryNeed::AbsentParenting;
        }
        let disabled = !c.disabilities.is_empty();
        let teen = age_on(c.dob, split(at).0) >= 13;
        self.primary_need(severity, disabled, teen)
    }

    /// What a contact says: who made it, the people, the worry, consent and urgency.
    fn intake(
        &mut self,
        source: ReferralSource,
        severity: Severity,
        people: Vec<GivenPerson>,
    ) -> Intake {
        let via = match source {
            ReferralSource::Police | ReferralSource::HealthOther if self.rng.chance(0.5) => {
                Channel::Api
            }
            _ if self.rng.chance(0.03) => Channel::Import,
            _ => Channel::Form,
        };
        let personal = matches!(
            source,
            ReferralSource::IndividualFamily
                | ReferralSource::IndividualAcquaintance
                | ReferralSource::IndividualSelf
                | ReferralSource::IndividualOther
                | ReferralSource::Anonymous
                | ReferralSource::Unknown
        );
        let sex = if self.rng.chance(0.7) {
            Sex::Female
        } else {
            Sex::Male
        };
        let name = if source == ReferralSource::Anonymous {
            "Anonymous".to_owned()
        } else {
            let group = self.fam.group;
            format!(
                "{} {}",
                group.given(sex, &mut self.rng),
                group.surname(&mut self.rng)
            )
        };
        let referrer = Referrer {
            organisation: (!personal).then(|| source.label().to_owned()),
            name,
            role: role_of(source).map(str::to_owned),
            // Ofcom's numbers for drama: no real line.
            phone: (source != ReferralSource::Anonymous)
                .then(|| format!("01632 960{:03}", self.rng.below(1000))),
            email: None,
        };
        let consent = match severity {
            Severity::Acute => self
                .rng
                .weighted(&[(Consent::NotSoughtRisk, 0.6), (Consent::NotKnown, 0.4)]),
            _ => self.rng.weighted(&[
                (Consent::Given, 0.65),
                (Consent::NotKnown, 0.2),
                (Consent::Refused, 0.08),
                (Consent::NotSoughtRisk, 0.07),
            ]),
        }
        .unwrap_or(Consent::NotKnown);
        let urgency = match severity {
            Severity::Acute => Urgency::Immediate,
            Severity::High if self.rng.chance(0.6) => Urgency::SameDay,
            _ => Urgency::Routine,
        };
        Intake {
            via,
            referrer,
            people,
            narrative: narrative(severity, &mut self.rng).to_owned(),
            consent,
            urgency,
            partner_ref: None,
        }
    }

    /// A contact about a child nobody on record matches (a friend or a neighbour's
    /// child): received, looked at, and closed for the whole contact with advice or no
    /// further action, no record made.
    fn unknown_child_contact(&mut self, t: Day) -> Result<(), SynthError> {
        let contact = self.new_contact_id()?;
        let mut draft = ContactDraft::new(&contact);
        let group = self.fam.group;
        let sex = if self.rng.chance(0.5) {
            Sex::Male
        } else {
            Sex::Female
        };
        let dob = t.minus(self.rng.int(30, 17 * 365));
        let locality = self.fam.locality;
        let details = PersonDetails {
            name: Name {
                given: group.given(sex, &mut self.rng),
                family: group.surname(&mut self.rng),
            },
            date_of_birth: Some(dob.to_date()),
            expected_date_of_birth: None,
            sex,
            ethnicity: self.fam.ethnicity,
            disabilities: Vec::new(),
            nhs_number: None,
            upn: None,
            address: Some(self.new_address(locality)?),
        };
        // Not linked: nobody on record is this child.
        let given = as_given(
            &details,
            GivenRole::Child,
            t,
            &mut self.rng,
            &Rates::default(),
        );
        let source = self
            .rng
            .weighted(&[
                (ReferralSource::Schools, 0.3),
                (ReferralSource::IndividualAcquaintance, 0.25),
                (ReferralSource::Police, 0.25),
                (ReferralSource::Anonymous, 0.2),
            ])
            .unwrap_or(ReferralSource::Anonymous);
        let received =
            i64::from(t.0) * MINUTES_A_DAY + i64::from(self.rng.int(8 * 60 + 30, 17 * 60));
        self.receive(
            &mut draft,
            &contact,
            received,
            source,
            Severity::Low,
            vec![given],
        )?;
        let outcome = if self.rng.chance(0.6) {
            ContactOutcome::NoFurtherAction
        } else {
            ContactOutcome::InformationAndAdvice
        };
        let at = received + i64::from(self.rng.int(30, 360));
        let level = match outcome {
            ContactOutcome::InformationAndAdvice => self
                .ctx
                .advice_levels
                .first()
                .and_then(|&l| self.ctx.levels.get(l))
                .map(|l| l.name.clone()),
            _ => None,
        };
        let taking = vec![Taking {
            child: None,
            decided: ContactDecided {
                reasons: Some(reasons(outcome, &mut self.rng).to_owned()),
                ..ContactDecided::new(contact, outcome, level)
            },
        }];
        self.decide(&mut draft, at, taking, false);
        self.fam.contacts.push(draft);
        Ok(())
    }

    /// An event of a contact's on child `k`'s journey, at `at` minutes from day 0.
    fn mirror(&mut self, k: usize, at: i64, who: Who, data: EventData) {
        let (day, minute) = split(at);
        if let Some(c) = self.child_mut(k) {
            c.journal.push_at(day, minute, who, data);
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
        let contact = self.new_contact_id()?;
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
        let start = i64::from(day.0) * MINUTES_A_DAY;
        let received = start + i64::from(self.rng.int(0, 20 * 60));
        let link = received + i64::from(self.rng.int(2, 15));
        let later = (link + i64::from(self.rng.int(20, 200))).min(start + MINUTES_A_DAY - 1);
        let name = self.ctx.levels.get(level).map(|l| l.name.clone());
        let mut draft = ContactDraft::new(&contact);
        let named = self.named(&[k], day, true);
        self.receive(
            &mut draft,
            &contact,
            received,
            source,
            Severity::Moderate,
            given(&named),
        )?;
        let linked = self.link(&mut draft, &contact, &[k], received, link, source, &named);
        let taking = vec![Taking {
            child: Some(k),
            decided: ContactDecided {
                child: self.child(k).map(|c| c.id.clone()),
                reasons: Some(OPEN_CASE.to_owned()),
                ..ContactDecided::new(contact, ContactOutcome::InformationAndAdvice, name)
            },
        }];
        self.decide(&mut draft, later.max(link + 1), taking, linked);
        self.fam.contacts.push(draft);
        Ok(())
    }
}

/// A person as a referrer gives them on `t`, mistakes and all, but never born after
/// it: a mistyped date of birth that would be is given as recorded.
fn as_given(
    details: &PersonDetails,
    role: GivenRole,
    t: Day,
    rng: &mut crate::random::Rand,
    rates: &Rates,
) -> GivenPerson {
    let mut given = garble(details, role, rng, rates);
    if given.date_of_birth > Some(t.to_date()) {
        given.date_of_birth = details.date_of_birth;
    }
    given
}

/// The people as given, in order.
fn given(named: &[Named]) -> Vec<GivenPerson> {
    named.iter().map(|n| n.given.clone()).collect()
}

fn split(at: i64) -> (Day, u16) {
    let day = at.div_euclid(MINUTES_A_DAY);
    let minute = at.rem_euclid(MINUTES_A_DAY);
    (Day(day as i32), minute as u16)
}

/// How a parent or carer stands to the children, as a referrer says it.
fn relationship(kind: RelationshipKind, sex: Sex) -> &'static str {
    match (kind, sex) {
        (RelationshipKind::Parent, Sex::Female) => "mother",
        (RelationshipKind::Parent, Sex::Male) => "father",
        (RelationshipKind::Parent, _) => "parent",
        (RelationshipKind::Carer, _) => "carer",
        (_, Sex::Female) => "father's partner",
        _ => "mother's partner",
    }
}

/// The referrer's role, for sources that have one.
fn role_of(source: ReferralSource) -> Option<&'static str> {
    use ReferralSource as S;
    Some(match source {
        S::Police => "Police constable",
        S::Schools | S::EducationServices => "Designated safeguarding lead",
        S::HealthGp => "GP",
        S::HealthVisitor => "Health visitor",
        S::SchoolNurse => "School nurse",
        S::AccidentAndEmergency => "Emergency department nurse",
        S::HealthOther | S::OtherPrimaryHealth => "Midwife",
        S::Housing => "Housing officer",
        S::LaSocialCare | S::LaOtherInternal | S::LaExternal => "Social worker",
        S::LaEarlyHelp => "Family support worker",
        S::OtherLegalAgency => "Probation officer",
        _ => return None,
    })
}

/// Why an open case's contact went to its worker.
const OPEN_CASE: &str = "The case is open: passed to the allocated worker.";

/// What the referrer is worried about, by how serious it is.
fn narrative(severity: Severity, rng: &mut crate::random::Rand) -> &'static str {
    let options: &[&str] = match severity {
        Severity::Acute => &[
            "The child has a mark on the face and says a parent hit them last night.",
            "Police attended a domestic incident; a parent was assaulted with the children in the home.",
            "A young child was found alone at home late at night.",
        ],
        Severity::High => &[
            "Repeated domestic incidents reported by neighbours; the children were present.",
            "The child has missed school for three weeks and the family cannot be reached.",
            "A parent was seen under the influence of drugs while caring for the baby.",
        ],
        Severity::Moderate => &[
            "The child often comes to school hungry and in unwashed clothes.",
            "A parent says they are struggling to cope and asks for help with the children's behaviour.",
            "The family is in rent arrears and may lose the tenancy.",
        ],
        Severity::Low => &[
            "The child seems withdrawn at school; no specific concern has been disclosed.",
            "A parent asked for advice about support with a child's sleep and routines.",
            "An argument between neighbours; the children were not involved.",
        ],
    };
    rng.pick(options)
        .copied()
        .unwrap_or("Concern for the children's welfare.")
}

/// What a partner agency found, by how serious the contact is.
fn findings(agency: Agency, severity: Severity, rng: &mut crate::random::Rand) -> &'static str {
    if matches!(severity, Severity::Low) || rng.chance(0.4) {
        return "Nothing known.";
    }
    match agency {
        Agency::Police => "Two domestic incidents recorded at the address in the last year.",
        Agency::Health => "Missed health appointments; the health visitor has concerns.",
        Agency::Education => "Attendance below 80% this term.",
        Agency::Probation => "An adult in the household is under probation supervision.",
        Agency::Housing => "Rent arrears; a notice was served.",
        Agency::AdultServices => "A parent is known to adult mental health services.",
    }
}

/// The screener's reasons for a decision.
fn reasons(outcome: ContactOutcome, rng: &mut crate::random::Rand) -> &'static str {
    let options: &[&str] = match outcome {
        ContactOutcome::NoFurtherAction | ContactOutcome::Universal => &[
            "No concern that needs a service; universal services are involved.",
            "The concern was resolved by the referrer's own follow-up.",
        ],
        ContactOutcome::InformationAndAdvice => &[
            "Advice given to the referrer; no service needed.",
            "The family were signposted to local support.",
        ],
        ContactOutcome::EarlyHelp => &[
            "Needs are below the threshold for social care; the family agreed to early help.",
            "Several needs that a family support worker can help with.",
        ],
        ContactOutcome::Referral
        | ContactOutcome::StrategyDiscussion
        | ContactOutcome::ImmediateProtection => &[
            "The concern meets the threshold for an assessment by social care.",
            "Risk of significant harm cannot be ruled out: an assessment is needed.",
        ],
    };
    rng.pick(options)
        .copied()
        .unwrap_or("Decided on the information given.")
}
