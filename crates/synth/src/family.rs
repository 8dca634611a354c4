//! A family's life as the service sees it: who is in it, and the sequence of times it
//! reaches the front door. Families recur — most contacts concern children already
//! known — so a family is simulated from its first contact to its last, then written
//! out whole.

use crate::SynthError;
use crate::calendar::{Day, age_on};
use crate::front_door::ContactDraft;
use crate::generator::{Counters, Ctx};
use crate::journal::{Journal, Who};
use crate::model::{self, Severity, Tier};
use crate::names::NameGroup;
use crate::org::Stage;
use crate::people;
use crate::random::{Rand, days};
use hearth_domain::codes::{Disability, Ethnicity, ReferralSource, RelationshipKind, Sex};
use hearth_domain::event::{
    AddressChanged, EventData, PersonAmended, PersonRegistered, Relationship,
};
use hearth_domain::identifiers::NhsNumber;
use hearth_domain::ids::{AdultId, ChildId, FamilyId, PersonRef, Subject};
use hearth_domain::org::Service;
use hearth_domain::people::{Address, Name, PersonChanges, PersonDetails};

/// A stretch of work with one child at one stage, for allocation and visits.
#[derive(Debug, Clone)]
pub(crate) struct Period {
    pub(crate) from: Day,
    /// The last day (the day the stage ended); far in the future while open.
    pub(crate) to: Day,
    pub(crate) stage: Stage,
    pub(crate) service: Service,
    pub(crate) locality: usize,
    /// Early help entered by stepping down from social care.
    pub(crate) step_down: bool,
    /// The level of need recorded on contacts about the child during the period.
    pub(crate) level: usize,
}

pub(crate) const OPEN: Day = Day(i32::MAX / 2);

#[derive(Debug, Clone)]
pub(crate) struct Child {
    pub(crate) id: ChildId,
    pub(crate) subject: Subject,
    pub(crate) dob: Day,
    pub(crate) sex: Sex,
    pub(crate) ethnicity: Ethnicity,
    pub(crate) given: String,
    pub(crate) surname: String,
    pub(crate) disabilities: Vec<Disability>,
    /// The NHS number on record, once there is one.
    pub(crate) nhs: Option<NhsNumber>,
    pub(crate) registered: Option<Day>,
    /// From this day the journey knows the date of birth (registration, or the
    /// amendment recorded after an unborn child's birth).
    pub(crate) known_born: Day,
    pub(crate) journal: Journal,
    pub(crate) periods: Vec<Period>,
    /// The family's next contacts leave the child alone until after this day.
    pub(crate) busy_until: Day,
    /// Adopted, or otherwise no longer part of the family's story, from this day.
    pub(crate) gone: Option<Day>,
    /// The latest day of any event inside the open child in need episode: the episode
    /// cannot close before it.
    pub(crate) cin_last: Day,
    pub(crate) s47_open_until: Day,
    pub(crate) care_periods: u32,
    pub(crate) missing_prone: Option<bool>,
    pub(crate) iro_post: Option<usize>,
    /// Personal advisers over time: (from, worker).
    pub(crate) advisers: Vec<(Day, usize)>,
    pub(crate) uasc: bool,
}

impl Child {
    pub(crate) fn b18(&self) -> Day {
        self.dob.plus_years(18)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Adult {
    pub(crate) id: AdultId,
    pub(crate) details: PersonDetails,
    /// How the adult is related to the children.
    pub(crate) kind: RelationshipKind,
    pub(crate) registered: bool,
    /// The day the adult was put on record (a contact's day).
    pub(crate) registered_on: Option<Day>,
    pub(crate) left: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Family {
    pub(crate) id: FamilyId,
    pub(crate) subject: Subject,
    pub(crate) tier: Tier,
    pub(crate) locality: usize,
    pub(crate) address: Option<Address>,
    pub(crate) ethnicity: Ethnicity,
    pub(crate) group: NameGroup,
    pub(crate) surname: String,
    pub(crate) adults: Vec<Adult>,
    pub(crate) journal: Journal,
    pub(crate) children: Vec<Child>,
    /// The contacts' own journeys.
    pub(crate) contacts: Vec<ContactDraft>,
    /// The day of the family's latest referral.
    pub(crate) last_referral: Option<Day>,
}

/// One family being simulated.
pub(crate) struct Sim<'a> {
    pub(crate) ctx: &'a Ctx,
    pub(crate) rng: Rand,
    /// Fills in events' details (`details.rs`), apart from `rng` so that the details
    /// drawn never move an event.
    pub(crate) detail: Rand,
    pub(crate) n: &'a mut Counters,
    pub(crate) fam: Family,
}

impl<'a> Sim<'a> {
    /// A new family arriving at the front door on `arrival`.
    pub(crate) fn new(
        ctx: &'a Ctx,
        mut rng: Rand,
        n: &'a mut Counters,
        arrival: Day,
        uasc: bool,
    ) -> Result<Sim<'a>, SynthError> {
        n.family += 1;
        let id = FamilyId::parse(&format!("F{:07}", n.family))?;
        let tier = if uasc {
            Tier::Acute
        } else {
            rng.weighted(&model::TIERS).unwrap_or(Tier::Universal)
        };
        let locality = rng.weighted(&ctx.living).unwrap_or(0);
        // Unaccompanied children arriving in England: mostly from Afghanistan, Sudan,
        // Eritrea, Iran and Iraq.
        let ethnicity = if uasc {
            rng.weighted(&[
                (Ethnicity::Aoth, 0.35),
                (Ethnicity::Bafr, 0.30),
                (Ethnicity::Ooth, 0.25),
                (Ethnicity::Both, 0.05),
                (Ethnicity::Woth, 0.05),
            ])
            .unwrap_or(Ethnicity::Ooth)
        } else {
            rng.weighted(&ctx.ethnicity).unwrap_or(Ethnicity::Wbri)
        };
        let group = NameGroup::for_ethnicity(ethnicity, &mut rng);
        let surname = group.surname(&mut rng);
        // Seeded from the number `rng` would draw next, without drawing it.
        let detail = Rand::seeded(rng.clone().u64() ^ 0x6465_7461_696c);
        let mut sim = Sim {
            ctx,
            rng,
            detail,
            n,
            fam: Family {
                subject: Subject::Family(id.clone()),
                id,
                tier,
                locality,
                address: None,
                ethnicity,
                group,
                surname,
                adults: Vec::new(),
                journal: Journal::default(),
                children: Vec::new(),
                contacts: Vec::new(),
                last_referral: None,
            },
        };
        if uasc {
            let dob = arrival.minus(sim.rng.int(15 * 365, 17 * 365 + 360));
            let k = sim.add_child(dob)?;
            let male = sim.rng.chance(0.9);
            if let Some(c) = sim.child_mut(k) {
                c.uasc = true;
                c.sex = if male { Sex::Male } else { Sex::Female };
                c.disabilities.clear();
            }
            let given = sim
                .fam
                .group
                .given(if male { Sex::Male } else { Sex::Female }, &mut sim.rng);
            if let Some(c) = sim.child_mut(k) {
                c.given = given;
            }
            return Ok(sim);
        }
        sim.fam.address = Some(sim.new_address(locality)?);
        sim.make_children(arrival)?;
        sim.make_adults(arrival)?;
        Ok(sim)
    }

    pub(crate) fn new_address(&mut self, locality: usize) -> Result<Address, SynthError> {
        let loc = self.ctx.wf.localities.get(locality);
        let sector = loc.and_then(|l| self.rng.pick(&l.sectors)).cloned();
        let town = loc.map_or("Town", |l| l.town.as_str());
        people::address(sector.as_ref(), town, &mut self.rng)
    }

    fn make_children(&mut self, arrival: Day) -> Result<(), SynthError> {
        let count = self
            .rng
            .weighted(&[(1, 0.40), (2, 0.30), (3, 0.20), (4, 0.10)])
            .unwrap_or(1);
        // The eldest's age; referrals concern children of every age, a little more often
        // babies and teenagers.
        let mut age = self
            .rng
            .weighted(&[
                (0, 0.09),
                (1, 0.05),
                (2, 0.05),
                (3, 0.05),
                (4, 0.05),
                (5, 0.05),
                (6, 0.05),
                (7, 0.05),
                (8, 0.05),
                (9, 0.05),
                (10, 0.055),
                (11, 0.055),
                (12, 0.06),
                (13, 0.065),
                (14, 0.07),
                (15, 0.07),
                (16, 0.06),
                (17, 0.04),
            ])
            .unwrap_or(8);
        for i in 0..count {
            if age < 0 {
                break;
            }
            let dob = arrival.minus(age * 365 + self.rng.int(0, 364));
            self.add_child(dob)?;
            if i + 1 < count {
                age -= self.rng.int(1, 4);
            }
        }
        // Some families first come to notice during a pregnancy.
        if self.rng.chance(0.10) {
            let dob = arrival.plus(self.rng.int(30, 150));
            self.add_child(dob)?;
        }
        Ok(())
    }

    pub(crate) fn add_child(&mut self, dob: Day) -> Result<usize, SynthError> {
        self.n.child += 1;
        let id = ChildId::parse(&format!("C{:07}", self.n.child))?;
        let sex = if self.rng.chance(0.51) {
            Sex::Male
        } else {
            Sex::Female
        };
        // Most children share the family's recorded ethnicity; a few of a White British
        // family's children are recorded as mixed heritage (a different parent).
        let ethnicity = if self.fam.ethnicity == Ethnicity::Wbri && self.rng.chance(0.06) {
            self.rng
                .weighted(&[
                    (Ethnicity::Mwbc, 0.4),
                    (Ethnicity::Mwas, 0.3),
                    (Ethnicity::Mwba, 0.3),
                ])
                .unwrap_or(Ethnicity::Wbri)
        } else {
            self.fam.ethnicity
        };
        let group = if ethnicity == self.fam.ethnicity {
            self.fam.group
        } else {
            NameGroup::for_ethnicity(ethnicity, &mut self.rng)
        };
        let given = group.given(sex, &mut self.rng);
        let surname = if self.rng.chance(0.85) {
            self.fam.surname.clone()
        } else {
            group.surname(&mut self.rng)
        };
        let disabilities = if self.rng.chance(0.05) {
            let all = [
                (Disability::Aut, 0.3),
                (Disability::Ld, 0.2),
                (Disability::Beh, 0.15),
                (Disability::Comm, 0.12),
                (Disability::Mob, 0.08),
                (Disability::Hear, 0.04),
                (Disability::Vis, 0.03),
                (Disability::Pc, 0.03),
                (Disability::Dda, 0.05),
            ];
            let mut d = vec![self.rng.weighted(&all).unwrap_or(Disability::Dda)];
            if self.rng.chance(0.3)
                && let Some(second) = self.rng.weighted(&all)
                && !d.contains(&second)
            {
                d.push(second);
            }
            d
        } else {
            Vec::new()
        };
        self.fam.children.push(Child {
            subject: Subject::Child(id.clone()),
            id,
            dob,
            sex,
            ethnicity,
            given,
            surname,
            disabilities,
            nhs: None,
            registered: None,
            known_born: dob,
            journal: Journal::default(),
            periods: Vec::new(),
            busy_until: Day(i32::MIN / 2),
            gone: None,
            cin_last: Day(i32::MIN / 2),
            s47_open_until: Day(i32::MIN / 2),
            care_periods: 0,
            missing_prone: None,
            iro_post: None,
            advisers: Vec::new(),
            uasc: false,
        });
        Ok(self.fam.children.len() - 1)
    }

    fn make_adults(&mut self, arrival: Day) -> Result<(), SynthError> {
        let eldest = self
            .fam
            .children
            .iter()
            .map(|c| c.dob)
            .min()
            .unwrap_or(arrival);
        let mother_dob = eldest.minus(self.rng.int(17 * 365, 36 * 365));
        let first_is_mother = self.rng.chance(0.88);
        let first_sex = if first_is_mother {
            Sex::Female
        } else {
            Sex::Male
        };
        self.add_adult(mother_dob, first_sex, RelationshipKind::Parent, true)?;
        if self.rng.chance(0.45) {
            let dob = mother_dob.minus(self.rng.int(-5 * 365, 10 * 365));
            let kind = self
                .rng
                .weighted(&[
                    (RelationshipKind::Parent, 0.65),
                    (RelationshipKind::Carer, 0.22),
                    (RelationshipKind::HouseholdMember, 0.13),
                ])
                .unwrap_or(RelationshipKind::Parent);
            let sex = if first_is_mother {
                Sex::Male
            } else {
                Sex::Female
            };
            self.add_adult(dob, sex, kind, kind == RelationshipKind::Parent)?;
        }
        Ok(())
    }

    fn add_adult(
        &mut self,
        dob: Day,
        sex: Sex,
        kind: RelationshipKind,
        family_surname: bool,
    ) -> Result<(), SynthError> {
        self.n.adult += 1;
        let id = AdultId::parse(&format!("A{:07}", self.n.adult))?;
        let group = self.fam.group;
        let family = if family_surname || self.rng.chance(0.4) {
            self.fam.surname.clone()
        } else {
            group.surname(&mut self.rng)
        };
        let details = PersonDetails {
            name: Name {
                given: group.given(sex, &mut self.rng),
                family,
            },
            date_of_birth: Some(dob.to_date()),
            expected_date_of_birth: None,
            sex,
            ethnicity: self.fam.ethnicity,
            disabilities: Vec::new(),
            nhs_number: Some(people::nhs_number(&mut self.n.nhs)?),
            upn: None,
            address: self.fam.address.clone(),
        };
        self.fam.adults.push(Adult {
            id,
            details,
            kind,
            registered: false,
            registered_on: None,
            left: false,
        });
        Ok(())
    }

    // --- The family's story ------------------------------------------------------------

    pub(crate) fn run(&mut self, arrival: Day) -> Result<(), SynthError> {
        let mut t = arrival;
        let mut first = true;
        let mut forced = None;
        while t <= self.ctx.end {
            let eligible = self.eligible(t);
            if eligible.is_empty() {
                break;
            }
            let kids = self.choose_kids(&eligible, t, first);
            self.register(&kids, t)?;
            let before = self.fam.last_referral;
            let free = self.contact_episode(&kids, t, forced.take())?;
            first = false;
            // Re-referral: a closed case that comes straight back within the year,
            // the commonest way a child is referred twice in twelve months.
            if let Some(r) = self
                .fam
                .last_referral
                .filter(|_| self.fam.last_referral != before)
                && free.plus(7) < r.plus(model::RE_REFERRAL_WITHIN)
                && self.rng.chance(model::re_referral(self.fam.tier))
            {
                t = free.plus(
                    self.rng
                        .int(7, r.plus(model::RE_REFERRAL_WITHIN).since(free)),
                );
                let severity = self
                    .rng
                    .weighted(&model::RE_REFERRAL_SEVERITY)
                    .unwrap_or(Severity::High);
                let source = self
                    .rng
                    .weighted(&model::SOURCES)
                    .unwrap_or(ReferralSource::Police);
                forced = Some((source, severity));
                continue;
            }
            if !self.rng.chance(model::recurrence(self.fam.tier)) {
                break;
            }
            let gap = if self.rng.chance(model::SOON_SHARE) {
                days(
                    self.rng.exponential(model::SOON_MEAN_DAYS),
                    model::SOON_MIN_DAYS,
                )
            } else {
                days(self.rng.exponential(model::LATER_MEAN_DAYS), 30)
            };
            t = free.plus(gap.max(1));
            if t <= self.ctx.end {
                self.life_changes(t)?;
            }
        }
        Ok(())
    }

    /// Children the front door could hear about on `t`: under 18, in the family, not
    /// already open, born or expected within five months.
    fn eligible(&self, t: Day) -> Vec<usize> {
        self.fam
            .children
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                c.gone.is_none()
                    && c.busy_until < t
                    && age_on(c.dob, t) < 18
                    && c.dob.since(t) <= 150
            })
            .map(|(i, _)| i)
            .collect()
    }

    fn choose_kids(&mut self, eligible: &[usize], t: Day, first: bool) -> Vec<usize> {
        if eligible.len() <= 1 {
            return eligible.to_vec();
        }
        let x = self.rng.f64();
        if x < 0.55 || (first && x < 0.7) {
            return eligible.to_vec();
        }
        // One child (an unborn baby's contact usually is about the pregnancy).
        if x < 0.88 {
            let unborn: Vec<usize> = eligible
                .iter()
                .copied()
                .filter(|&k| self.fam.children.get(k).is_some_and(|c| c.dob > t))
                .collect();
            if !unborn.is_empty() && self.rng.chance(0.7) {
                return unborn;
            }
            return self
                .rng
                .pick(eligible)
                .map(|&k| vec![k])
                .unwrap_or_default();
        }
        let mut some: Vec<usize> = eligible
            .iter()
            .copied()
            .filter(|_| self.rng.chance(0.6))
            .collect();
        if some.is_empty() {
            some = eligible.iter().take(1).copied().collect();
        }
        some
    }

    /// Register children (and, the first time, the adults) not yet on record.
    pub(crate) fn register(&mut self, kids: &[usize], t: Day) -> Result<(), SynthError> {
        for a in 0..self.fam.adults.len() {
            let Some(adult) = self.fam.adults.get_mut(a) else {
                continue;
            };
            if adult.registered || adult.left {
                continue;
            }
            adult.registered = true;
            adult.registered_on = Some(t);
            let (id, kind) = (adult.id.clone(), adult.kind);
            let data = EventData::PersonRegistered(PersonRegistered {
                adult: Some(id.clone()),
                family: Some(self.fam.id.clone()),
                details: adult.details.clone(),
            });
            self.fam.journal.push(t, Who::Screener, data);
            // Ties to the household as it already stands: the first adult's partner,
            // and the children already on record.
            let mut rels = Vec::new();
            if let Some(first) = self
                .fam
                .adults
                .iter()
                .find(|o| o.registered && !o.left && o.id != id)
            {
                rels.push(Relationship {
                    from: PersonRef::Adult(first.id.clone()),
                    to: PersonRef::Adult(id.clone()),
                    relationship: RelationshipKind::HouseholdMember,
                });
            }
            for c in self
                .fam
                .children
                .iter()
                .filter(|c| c.registered.is_some() && c.gone.is_none())
            {
                rels.push(Relationship {
                    from: PersonRef::Adult(id.clone()),
                    to: PersonRef::Child(c.id.clone()),
                    relationship: kind,
                });
            }
            for r in rels {
                self.fam
                    .journal
                    .push(t, Who::Screener, EventData::RelationshipAdded(r));
            }
        }
        for &k in kids {
            self.register_child(k, t)?;
        }
        Ok(())
    }

    fn register_child(&mut self, k: usize, t: Day) -> Result<(), SynthError> {
        let la_code = self.ctx.la_code.clone();
        let address = self.fam.address.clone();
        let family = self.fam.id.clone();
        let Some(c) = self.fam.children.get(k) else {
            return Ok(());
        };
        if c.registered.is_some() {
            return Ok(());
        }
        let born = c.dob <= t;
        let age = age_on(c.dob, t);
        let nhs = if born && !c.uasc {
            Some(people::nhs_number(&mut self.n.nhs)?)
        } else {
            None
        };
        let upn = if born && !c.uasc && age >= 5 && self.rng.chance(0.92) {
            Some(people::upn(&la_code, c.dob, &mut self.rng)?)
        } else {
            None
        };
        let expected = (!born).then(|| c.dob.plus(self.rng.int(-14, 14)).to_date());
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
            expected_date_of_birth: expected,
            sex: if born { c.sex } else { Sex::Unknown },
            ethnicity: if c.uasc || born {
                c.ethnicity
            } else {
                Ethnicity::Nobt
            },
            disabilities: if born {
                c.disabilities.clone()
            } else {
                Vec::new()
            },
            nhs_number: nhs.clone(),
            upn,
            address: if c.uasc { None } else { address },
        };
        let (id, dob, sex, ethnicity, given, disabilities) = (
            c.id.clone(),
            c.dob,
            c.sex,
            c.ethnicity,
            c.given.clone(),
            c.disabilities.clone(),
        );
        let registered = EventData::PersonRegistered(PersonRegistered {
            adult: None,
            family: Some(family),
            details,
        });
        let mut nhs_after_birth = None;
        let amendment = if born {
            None
        } else {
            // Recorded a few days after the birth, with what is known then.
            let day = dob.plus(self.rng.int(0, 4));
            let changes = PersonChanges {
                name: Some(Name {
                    given,
                    family: self
                        .fam
                        .children
                        .get(k)
                        .map(|c| c.surname.clone())
                        .unwrap_or_default(),
                }),
                date_of_birth: Some(dob.to_date()),
                sex: Some(sex),
                ethnicity: Some(ethnicity),
                disabilities: (!disabilities.is_empty()).then_some(disabilities),
                nhs_number: {
                    let number = people::nhs_number(&mut self.n.nhs)?;
                    nhs_after_birth = Some(number.clone());
                    Some(number)
                },
                ..PersonChanges::default()
            };
            Some((
                day,
                EventData::PersonAmended(PersonAmended {
                    adult: None,
                    changes,
                }),
            ))
        };
        let Some(c) = self.fam.children.get_mut(k) else {
            return Ok(());
        };
        c.registered = Some(t);
        c.nhs = nhs.or(nhs_after_birth);
        c.journal.push(t, Who::Screener, registered);
        c.known_born = t.max(dob);
        if let Some((day, data)) = amendment {
            c.known_born = day;
            c.journal.push(day, Who::CaseHolder, data);
        }
        // The family journal: adults to the child, and older registered siblings.
        let child_ref = PersonRef::Child(id);
        let mut rels = Vec::new();
        for a in self.fam.adults.iter().filter(|a| a.registered && !a.left) {
            rels.push(Relationship {
                from: PersonRef::Adult(a.id.clone()),
                to: child_ref.clone(),
                relationship: a.kind,
            });
        }
        for (j, s) in self.fam.children.iter().enumerate() {
            if j != k && s.registered.is_some() && s.gone.is_none() {
                rels.push(Relationship {
                    from: PersonRef::Child(s.id.clone()),
                    to: child_ref.clone(),
                    relationship: RelationshipKind::Sibling,
                });
            }
        }
        for r in rels {
            self.fam
                .journal
                .push(t, Who::Screener, EventData::RelationshipAdded(r));
        }
        Ok(())
    }

    /// Between involvements families change: a baby is born, a partner leaves or
    /// arrives, the family moves house.
    fn life_changes(&mut self, t: Day) -> Result<(), SynthError> {
        let has_mother = self
            .fam
            .adults
            .first()
            .is_some_and(|a| a.details.sex == Sex::Female && !a.left);
        let youngest = self.fam.children.iter().map(|c| c.dob).max().unwrap_or(t);
        if has_mother && self.rng.chance(0.15) && youngest.plus(365) < t {
            let dob = t.plus(self.rng.int(-200, 150));
            self.add_child(dob)?;
        }
        if self.fam.adults.len() >= 2 && self.rng.chance(0.08) {
            self.partner_leaves(t)?;
        } else if self.fam.adults.iter().filter(|a| !a.left).count() == 1 && self.rng.chance(0.06) {
            let dob = t.minus(self.rng.int(20 * 365, 40 * 365));
            let sex = match self.fam.adults.first().map(|a| a.details.sex) {
                Some(Sex::Female) => Sex::Male,
                _ => Sex::Female,
            };
            self.add_adult(dob, sex, RelationshipKind::HouseholdMember, false)?;
        }
        if self.rng.chance(0.10) {
            self.move_house(t)?;
        }
        Ok(())
    }

    fn partner_leaves(&mut self, t: Day) -> Result<(), SynthError> {
        let Some(idx) = self
            .fam
            .adults
            .iter()
            .rposition(|a| !a.left && a.registered)
        else {
            return Ok(());
        };
        if idx == 0 {
            return Ok(());
        }
        let ended: Vec<Relationship> = self
            .live_relationships()
            .into_iter()
            .filter(|r| {
                self.fam.adults.get(idx).is_some_and(|a| {
                    r.from == PersonRef::Adult(a.id.clone())
                        || r.to == PersonRef::Adult(a.id.clone())
                })
            })
            .filter(|r| r.relationship != RelationshipKind::Parent)
            .collect();
        // A parent stays a parent; a carer or partner's ties end.
        if ended.is_empty() {
            return Ok(());
        }
        for r in ended {
            self.fam
                .journal
                .push(t, Who::Screener, EventData::RelationshipEnded(r));
        }
        if let Some(a) = self.fam.adults.get_mut(idx) {
            a.left = true;
        }
        Ok(())
    }

    /// Relationships added and not yet ended on the family journal.
    pub(crate) fn live_relationships(&self) -> Vec<Relationship> {
        let mut live: Vec<Relationship> = Vec::new();
        for d in &self.fam.journal.drafts {
            match &d.data {
                EventData::RelationshipAdded(r) => live.push(r.clone()),
                EventData::RelationshipEnded(r) => live.retain(|x| x != r),
                _ => {}
            }
        }
        live
    }

    /// An adopted child leaves the birth family: their relationships in it end.
    pub(crate) fn leave_family(&mut self, k: usize, day: Day) {
        let Some(id) = self.child(k).map(|c| PersonRef::Child(c.id.clone())) else {
            return;
        };
        for r in self
            .live_relationships()
            .into_iter()
            .filter(|r| r.from == id || r.to == id)
        {
            self.fam
                .journal
                .push(day, Who::CaseHolder, EventData::RelationshipEnded(r));
        }
    }

    fn move_house(&mut self, t: Day) -> Result<(), SynthError> {
        let locality = if self.rng.chance(0.7) {
            self.fam.locality
        } else {
            self.rng
                .weighted(&self.ctx.living)
                .unwrap_or(self.fam.locality)
        };
        let address = self.new_address(locality)?;
        self.fam.locality = locality;
        self.fam.address = Some(address.clone());
        for a in self.fam.adults.iter().filter(|a| a.registered && !a.left) {
            self.fam.journal.push(
                t,
                Who::Screener,
                EventData::AddressChanged(AddressChanged {
                    adult: Some(a.id.clone()),
                    address: address.clone(),
                }),
            );
        }
        for c in self.fam.children.iter_mut() {
            if c.registered.is_some()
                && c.gone.is_none()
                && c.busy_until < t
                && age_on(c.dob, t) < 18
            {
                c.journal.push(
                    t,
                    Who::Screener,
                    EventData::AddressChanged(AddressChanged {
                        adult: None,
                        address: address.clone(),
                    }),
                );
            }
        }
        Ok(())
    }

    // --- Helpers used by the casework modules --------------------------------------------

    pub(crate) fn push(&mut self, k: usize, day: Day, who: Who, data: EventData) {
        if let Some(c) = self.fam.children.get_mut(k) {
            c.journal.push(day, who, data);
        }
    }

    /// An event inside the child's open child in need episode.
    pub(crate) fn cin_push(&mut self, k: usize, day: Day, who: Who, data: EventData) {
        if let Some(c) = self.fam.children.get_mut(k) {
            c.cin_last = c.cin_last.max(day);
            c.journal.push(day, who, data);
        }
    }

    pub(crate) fn child(&self, k: usize) -> Option<&Child> {
        self.fam.children.get(k)
    }

    pub(crate) fn child_mut(&mut self, k: usize) -> Option<&mut Child> {
        self.fam.children.get_mut(k)
    }

    /// Start a new stage for the child on `day`, ending the one before.
    pub(crate) fn begin(
        &mut self,
        k: usize,
        day: Day,
        stage: Stage,
        service: Service,
        level: usize,
    ) {
        let locality = self.fam.locality;
        let step_down = false;
        if let Some(c) = self.fam.children.get_mut(k) {
            if let Some(p) = c.periods.last_mut()
                && p.to == OPEN
            {
                p.to = day;
            }
            c.periods.push(Period {
                from: day,
                to: OPEN,
                stage,
                service,
                locality,
                step_down,
                level,
            });
        }
    }

    pub(crate) fn mark_step_down(&mut self, k: usize) {
        if let Some(p) = self
            .fam
            .children
            .get_mut(k)
            .and_then(|c| c.periods.last_mut())
        {
            p.step_down = true;
        }
    }

    /// End the child's current stage on `day`; the child is free again after it.
    pub(crate) fn finish_stage(&mut self, k: usize, day: Day) {
        if let Some(c) = self.fam.children.get_mut(k) {
            if let Some(p) = c.periods.last_mut()
                && p.to == OPEN
            {
                p.to = day;
            }
            c.busy_until = c.busy_until.max(day);
        }
    }

    /// The day work falling due on `due` is done: with chance `late`, some working days
    /// after it (`late_mean` on average); otherwise on a working day from `earliest` to
    /// `due`.
    pub(crate) fn meet(&mut self, earliest: Day, due: Day, late: f64, late_mean: f64) -> Day {
        let day = if self.rng.chance(late) {
            self.late_by(due, late_mean)
        } else {
            let day = earliest.plus(self.rng.int(0, due.since(earliest)));
            let day = self.ctx.days.on_or_after(day);
            if day > due {
                self.ctx.days.on_or_before(due)
            } else {
                day
            }
        };
        // Work already past its due date is done as soon as it can be.
        day.max(self.ctx.days.on_or_after(earliest))
    }

    /// A working day some working days after `due` (`mean` on average, at least one).
    pub(crate) fn late_by(&mut self, due: Day, mean: f64) -> Day {
        let by = days(self.rng.exponential(mean), 1);
        self.ctx.days.after(due, by as u32)
    }

    pub(crate) fn severity(&mut self) -> Severity {
        self.rng
            .weighted(&model::severities(self.fam.tier))
            .unwrap_or(Severity::Low)
    }
}
