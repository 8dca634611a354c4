//! The front door's funnel for a period: contacts received, the referrals they led to,
//! the referrals assessed, and those closed with no further action after assessment,
//! by referral source and by locality, with the conversion between stages
//! (DOMAIN.md, "conversion at the front door").
//!
//! The funnel follows the contacts received in the period (a cohort), however late what
//! followed them happened: a contact on 31 March whose referral was accepted on 2 April
//! counts in a period ending 31 March. So a recent period's later stages still grow.
//!
//! The stages, as DOMAIN.md leaves them to us:
//! - **contacts**: each contact received on a day from `from` to `to` (both included),
//!   counted once, whether it is read from its own `contact:` journey, from the mirror
//!   linking wrote on each child, or from a child's journey alone (counties recorded or
//!   generated before contacts had journeys of their own). A contact about two children
//!   is one contact.
//! - **referrals**: each `referral_accepted` naming such a contact, on any child: a
//!   contact about two children who are both referred is two referrals. A referral that
//!   names no contact did not come through the front door and is not counted.
//! - **assessments**: each such referral whose child in need episode has an assessment
//!   (started or completed) before it closes or the child is referred again.
//! - **no further action after assessment**: each assessed referral whose episode closed
//!   "after assessment, no further action" (CIN census `RC8`). Closure into early help
//!   (`RC9`) is not no further action. This is not DOMAIN.md's "referrals NFA" (an NFA
//!   decided on the referral itself, before any assessment).
//!
//! Conversion is each stage as a percentage of the one before, and none where the stage
//! before is empty. A row's referrals may exceed its contacts, since one contact may
//! bring several children's referrals.
//!
//! **Source** is the contact's referral source (the DfE code), read from the contact's
//! own journey when it has one, otherwise from the child's mirror.
//!
//! **Locality**, for a child, is where the child lived when the contact came in: the
//! postcode of their address on that day, through the organisation's postcode sectors,
//! or "out of area" for a sector no locality serves. A child with no address known then
//! takes the locality the contact was routed to for them (or for the whole contact), and
//! otherwise is "unknown". A contact's locality is that of the first of its children
//! (by id); one with no child linked takes its routing, or "unknown". A referral and
//! what follows it are counted under the child's locality. Every locality that serves
//! postcode sectors is listed, with "out of area" and "unknown" after them, even when
//! empty, so no figure is ever dropped and the rows always add up to the total.
//!
//! Each journey is read as it stands after corrections ([`effective_events`]).

use hearth_domain::codes::{ReasonForClosure, ReferralSource, RouteReason};
use hearth_domain::event::{Event, EventData};
use hearth_domain::identifiers::Postcode;
use hearth_domain::ids::{ChildId, ContactId, Subject};
use hearth_domain::journey::{JourneyError, effective_events};
use hearth_domain::org::Organisation;
use jiff::ToSpan;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The longest period a funnel is drawn over: two years, so two reporting years side by
/// side fit, and a request cannot make the server read the whole journal.
pub const LONGEST_YEARS: i16 = 2;

/// The days a funnel covers, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

/// Why a period cannot be drawn; each message names the date to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("The start of the period must be on or before its end")]
    StartsAfterEnd,
    #[error("The period must be at most 2 years long: end it before {0}")]
    TooLong(Date),
    #[error("The end of the period must be today or in the past")]
    InFuture,
}

impl Period {
    /// The period from `from` to `to`, both included, as asked on `today`: it must not
    /// end before it starts, end after today, or be longer than [`LONGEST_YEARS`].
    pub fn new(from: Date, to: Date, today: Date) -> Result<Period, PeriodError> {
        if from > to {
            return Err(PeriodError::StartsAfterEnd);
        }
        if to > today {
            return Err(PeriodError::InFuture);
        }
        // Ends before the same day two years on: 1 April 2023 to 31 March 2025 is allowed.
        let limit = from
            .checked_add(i64::from(LONGEST_YEARS).years())
            .unwrap_or(Date::MAX);
        if to >= limit {
            return Err(PeriodError::TooLong(limit));
        }
        Ok(Period { from, to })
    }

    /// The last whole calendar month before `today`'s month.
    pub fn last_full_month(today: Date) -> Period {
        let first = today.first_of_month();
        let to = first.yesterday().unwrap_or(first);
        Period {
            from: to.first_of_month(),
            to,
        }
    }

    pub fn contains(&self, day: Date) -> bool {
        self.from <= day && day <= self.to
    }
}

/// Where a contact or a referral is counted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Place {
    /// A locality of the organisation, by name.
    Locality(String),
    /// An address in a postcode sector no locality serves.
    OutOfArea,
    /// No address known, and no routing to say.
    Unknown,
}

impl Place {
    pub fn label(&self) -> &str {
        match self {
            Place::Locality(name) => name,
            Place::OutOfArea => "Out of area",
            Place::Unknown => "Unknown",
        }
    }
}

/// The four stages' counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Stages {
    pub contacts: u64,
    pub referrals: u64,
    pub assessments: u64,
    pub nfa_after_assessment: u64,
}

impl Stages {
    /// Referrals as a percentage of contacts.
    pub fn referral_percent(&self) -> Option<f64> {
        percent(self.referrals, self.contacts)
    }

    /// Assessed referrals as a percentage of referrals.
    pub fn assessment_percent(&self) -> Option<f64> {
        percent(self.assessments, self.referrals)
    }

    /// No further action as a percentage of assessed referrals.
    pub fn nfa_percent(&self) -> Option<f64> {
        percent(self.nfa_after_assessment, self.assessments)
    }
}

fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| 100.0 * part as f64 / whole as f64)
}

/// The funnel for a period: the totals, one row per source seen (in the DfE list's
/// order), and one row per place (the organisation's localities in its order, then out
/// of area, then unknown).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Funnel {
    pub period: Period,
    pub total: Stages,
    pub by_source: Vec<(ReferralSource, Stages)>,
    pub by_place: Vec<(Place, Stages)>,
}

/// One referral from a contact in the period, and how far it went.
#[derive(Debug, Clone, Copy, Default)]
struct Referral {
    assessed: bool,
    nfa: bool,
}

/// What one child's journey says about one contact.
#[derive(Debug, Default)]
struct ChildSide {
    /// From the child's address on the contact's day; none when no address was known.
    place: Option<Place>,
    referrals: Vec<Referral>,
}

/// What the journeys read so far say about one contact received in the period.
#[derive(Debug, Default)]
struct Seen {
    /// Its source, and whether the contact's own journey said so (which then wins).
    source: Option<(ReferralSource, bool)>,
    children: BTreeMap<ChildId, ChildSide>,
    /// Its routing, per child (none: the whole contact).
    routes: BTreeMap<Option<ChildId>, Place>,
}

/// Reads journeys one at a time (children's and contacts', in any order; families'
/// are passed over) and draws the funnel for one period at the end.
#[derive(Debug)]
pub struct FunnelCounter {
    period: Period,
    /// Localities serving postcode sectors, in the organisation's order.
    localities: Vec<String>,
    /// Postcode sector → index into `localities`.
    sectors: HashMap<String, usize>,
    contacts: BTreeMap<ContactId, Seen>,
}

impl FunnelCounter {
    /// A counter for `period`, placing addresses by `org`'s postcode sectors.
    pub fn new(period: Period, org: &Organisation) -> FunnelCounter {
        let mut localities = Vec::new();
        let mut sectors = HashMap::new();
        for locality in org.areas.iter().flat_map(|a| &a.localities) {
            if locality.postcode_sectors.is_empty() {
                continue;
            }
            for sector in &locality.postcode_sectors {
                // The first locality to name a sector serves it, as `locality_of` says.
                sectors
                    .entry(sector.as_str().to_owned())
                    .or_insert(localities.len());
            }
            localities.push(locality.name.clone());
        }
        FunnelCounter {
            period,
            localities,
            sectors,
            contacts: BTreeMap::new(),
        }
    }

    /// Add one journey, whole and in journal order.
    pub fn add_journey(&mut self, journey: &[Event]) -> Result<(), JourneyError> {
        match journey.first().map(|e| &e.subject) {
            Some(Subject::Child(child)) => {
                let child = child.clone();
                self.add_child(&child, journey)
            }
            Some(Subject::Contact(_)) => self.add_contact(journey),
            Some(Subject::Family(_)) | None => Ok(()),
        }
    }

    fn place_of(&self, postcode: &Postcode) -> Place {
        let sector = postcode.sector();
        match self.sectors.get(sector.as_str()) {
            Some(&i) => self
                .localities
                .get(i)
                .map_or(Place::Unknown, |name| Place::Locality(name.clone())),
            None => Place::OutOfArea,
        }
    }

    fn add_child(&mut self, child: &ChildId, journey: &[Event]) -> Result<(), JourneyError> {
        let mut postcode: Option<Postcode> = None;
        // The contact and the index of the referral whose episode is open.
        let mut open: Option<(ContactId, usize)> = None;
        for event in effective_events(journey)? {
            match &event.data {
                EventData::PersonRegistered(r) if r.adult.is_none() => {
                    postcode = r.details.address.as_ref().map(|a| a.postcode.clone());
                }
                EventData::AddressChanged(a) if a.adult.is_none() => {
                    postcode = Some(a.address.postcode.clone());
                }
                EventData::ContactReceived(c) if self.period.contains(event.date()) => {
                    let place = postcode.as_ref().map(|p| self.place_of(p));
                    let seen = self.contacts.entry(c.contact.clone()).or_default();
                    seen.source.get_or_insert((c.source, false));
                    seen.children.entry(child.clone()).or_default().place = place;
                }
                EventData::ReferralAccepted(r) => {
                    open = None;
                    let side = r.contact.as_ref().and_then(|k| {
                        self.contacts
                            .get_mut(k)
                            .and_then(|seen| seen.children.get_mut(child))
                            .map(|side| (k, side))
                    });
                    if let Some((k, side)) = side {
                        side.referrals.push(Referral::default());
                        open = Some((k.clone(), side.referrals.len() - 1));
                    }
                }
                EventData::AssessmentStarted(_) | EventData::AssessmentCompleted(_) => {
                    if let Some(referral) = self.referral(&open, child) {
                        referral.assessed = true;
                    }
                }
                EventData::CinClosed(closed) => {
                    if let Some(referral) = self.referral(&open, child)
                        && referral.assessed
                        && closed.reason == ReasonForClosure::NfaAfterAssessment
                    {
                        referral.nfa = true;
                    }
                    open = None;
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn referral(
        &mut self,
        open: &Option<(ContactId, usize)>,
        child: &ChildId,
    ) -> Option<&mut Referral> {
        let (k, i) = open.as_ref()?;
        self.contacts
            .get_mut(k)?
            .children
            .get_mut(child)?
            .referrals
            .get_mut(*i)
    }

    fn add_contact(&mut self, journey: &[Event]) -> Result<(), JourneyError> {
        let events = effective_events(journey)?;
        let Some((contact, source, day)) = events.iter().find_map(|e| match &e.data {
            EventData::ContactReceived(c) => Some((c.contact.clone(), c.source, e.date())),
            _ => None,
        }) else {
            return Ok(());
        };
        if !self.period.contains(day) {
            return Ok(());
        }
        let seen = self.contacts.entry(contact).or_default();
        seen.source = Some((source, true));
        for event in &events {
            if let EventData::ContactRouted(route) = &event.data {
                let place = match (&route.locality, route.reason) {
                    (Some(name), _) => Place::Locality(name.clone()),
                    (None, RouteReason::OutOfArea) => Place::OutOfArea,
                    (None, RouteReason::NoAddress) => Place::Unknown,
                    // The family's worker took it, and the route names no locality.
                    (None, _) => continue,
                };
                seen.routes.insert(route.child.clone(), place);
            }
        }
        Ok(())
    }

    /// The funnel of the journeys added.
    pub fn funnel(&self) -> Funnel {
        let mut total = Stages::default();
        let mut by_source: BTreeMap<ReferralSource, Stages> = BTreeMap::new();
        let mut by_place: BTreeMap<Place, Stages> = self
            .localities
            .iter()
            .map(|name| Place::Locality(name.clone()))
            .chain([Place::OutOfArea, Place::Unknown])
            .map(|place| (place, Stages::default()))
            .collect();
        for seen in self.contacts.values() {
            let Some((source, _)) = seen.source else {
                continue;
            };
            let whole_contact = seen.routes.get(&None);
            let child_place = |child: &ChildId, side: &ChildSide| {
                side.place
                    .clone()
                    .or_else(|| seen.routes.get(&Some(child.clone())).cloned())
                    .or_else(|| whole_contact.cloned())
                    .unwrap_or(Place::Unknown)
            };
            let contact_place = match seen.children.iter().next() {
                Some((child, side)) => child_place(child, side),
                None => whole_contact
                    .or_else(|| seen.routes.values().next())
                    .cloned()
                    .unwrap_or(Place::Unknown),
            };
            let mut add = |place: &Place, f: &dyn Fn(&mut Stages)| {
                f(&mut total);
                f(by_source.entry(source).or_default());
                f(by_place.entry(place.clone()).or_default());
            };
            add(&contact_place, &|s| s.contacts += 1);
            for (child, side) in &seen.children {
                let place = child_place(child, side);
                for r in &side.referrals {
                    add(&place, &|s| {
                        s.referrals += 1;
                        s.assessments += u64::from(r.assessed);
                        s.nfa_after_assessment += u64::from(r.nfa);
                    });
                }
            }
        }
        // Localities first in the organisation's order; a routing may name one the
        // organisation no longer has, which follows them.
        let order = |place: &Place| match place {
            Place::Locality(name) => (
                0,
                self.localities
                    .iter()
                    .position(|l| l == name)
                    .unwrap_or(usize::MAX),
            ),
            Place::OutOfArea => (1, 0),
            Place::Unknown => (2, 0),
        };
        let mut by_place: Vec<(Place, Stages)> = by_place.into_iter().collect();
        by_place.sort_by_key(|(place, _)| order(place));
        Funnel {
            period: self.period,
            total,
            by_source: by_source.into_iter().collect(),
            by_place,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_domain::codes::*;
    use hearth_domain::event::*;
    use hearth_domain::ids::*;
    use hearth_domain::people::Address;
    use hearth_testkit::{contact, contact_ev, details, ev, registered, retract};
    use jiff::civil::date;

    const ASHFORD: &str = "TN23 1AB";
    const ELSEWHERE: &str = "ME1 1AA";

    fn march_2025() -> Period {
        Period::new(date(2025, 3, 1), date(2025, 3, 31), date(2025, 12, 1)).unwrap()
    }

    fn born_at(postcode: Option<&str>) -> EventData {
        let mut d = details("Ada", "Lovelace", date(2015, 1, 1));
        d.address = postcode.map(|p| Address {
            lines: vec![String::from("1 High Street")],
            town: String::from("Ashford"),
            postcode: Postcode::parse(p).unwrap(),
        });
        registered(d)
    }

    fn received(k: &str, source: ReferralSource) -> EventData {
        EventData::ContactReceived(ContactReceived::new(contact(k), source))
    }

    fn referred(k: &str, n: u32) -> EventData {
        EventData::ReferralAccepted(ReferralAccepted {
            referral: ReferralId::parse(&format!("R{n}")).unwrap(),
            contact: Some(contact(k)),
            source: ReferralSource::Police,
            primary_need: PrimaryNeed::AbuseOrNeglect,
        })
    }

    fn closed(reason: ReasonForClosure) -> EventData {
        EventData::CinClosed(CinClosed { reason })
    }

    fn routed(child: Option<&str>, locality: Option<&str>, reason: RouteReason) -> EventData {
        EventData::ContactRouted(ContactRouted {
            child: child.map(|c| ChildId::parse(c).unwrap()),
            team: TeamId::parse("T1").unwrap(),
            worker: None,
            locality: locality.map(str::to_owned),
            reason,
        })
    }

    /// Child `c`'s journey, events numbered in order.
    fn child(c: &str, steps: &[(&str, EventData)]) -> Vec<Event> {
        steps
            .iter()
            .enumerate()
            .map(|(i, (on, data))| ev(c, &format!("{c}-{i}"), on, data.clone()))
            .collect()
    }

    fn contact_journey(k: &str, steps: &[(&str, EventData)]) -> Vec<Event> {
        steps
            .iter()
            .enumerate()
            .map(|(i, (on, data))| contact_ev(k, &format!("{k}-{i}"), on, data.clone()))
            .collect()
    }

    fn funnel(period: Period, journeys: &[Vec<Event>]) -> Funnel {
        let org = hearth_testkit::organisation::organisation();
        let mut counter = FunnelCounter::new(period, &org);
        for j in journeys {
            counter.add_journey(j).unwrap();
        }
        counter.funnel()
    }

    fn stages(contacts: u64, referrals: u64, assessments: u64, nfa: u64) -> Stages {
        Stages {
            contacts,
            referrals,
            assessments,
            nfa_after_assessment: nfa,
        }
    }

    fn place(f: &Funnel, place: &Place) -> Stages {
        f.by_place
            .iter()
            .find(|(p, _)| p == place)
            .map(|(_, s)| *s)
            .unwrap()
    }

    fn ashford() -> Place {
        Place::Locality(String::from("Ashford"))
    }

    #[test]
    fn a_period_is_refused_backwards_too_long_or_in_the_future() {
        let today = date(2026, 12, 7);
        assert_eq!(
            Period::new(date(2026, 3, 2), date(2026, 3, 1), today),
            Err(PeriodError::StartsAfterEnd)
        );
        assert_eq!(
            Period::new(date(2026, 12, 1), date(2026, 12, 8), today),
            Err(PeriodError::InFuture)
        );
        // Two reporting years side by side are allowed; a day more is not.
        assert!(Period::new(date(2023, 4, 1), date(2025, 3, 31), today).is_ok());
        assert_eq!(
            Period::new(date(2023, 4, 1), date(2025, 4, 1), today),
            Err(PeriodError::TooLong(date(2025, 4, 1)))
        );
        // One day, today, is a period.
        assert!(Period::new(today, today, today).is_ok());
        assert_eq!(
            PeriodError::TooLong(date(2025, 4, 1)).to_string(),
            "The period must be at most 2 years long: end it before 2025-04-01"
        );
    }

    #[test]
    fn the_default_period_is_the_last_full_month() {
        assert_eq!(
            Period::last_full_month(date(2026, 12, 7)),
            Period {
                from: date(2026, 11, 1),
                to: date(2026, 11, 30)
            }
        );
        assert_eq!(
            Period::last_full_month(date(2025, 1, 1)),
            Period {
                from: date(2024, 12, 1),
                to: date(2024, 12, 31)
            }
        );
    }

    #[test]
    fn contacts_count_by_the_day_received_and_their_referrals_follow_them_past_the_end() {
        let journeys = [
            // Received late on 31 March, referred on 1 April, assessed, closed NFA.
            child(
                "C1",
                &[
                    ("2020-01-01", born_at(Some(ASHFORD))),
                    ("2025-03-31T23:50", received("K1", ReferralSource::Police)),
                    ("2025-04-01", referred("K1", 1)),
                    (
                        "2025-04-03",
                        EventData::AssessmentStarted(Default::default()),
                    ),
                    ("2025-05-01", closed(ReasonForClosure::NfaAfterAssessment)),
                ],
            ),
            // Received on 1 April: the next period's.
            child(
                "C2",
                &[
                    ("2020-01-01", born_at(Some(ASHFORD))),
                    ("2025-04-01", received("K2", ReferralSource::Police)),
                    ("2025-04-01", referred("K2", 2)),
                ],
            ),
            // Received in February, referred in March: February's referral.
            child(
                "C3",
                &[
                    ("2020-01-01", born_at(Some(ASHFORD))),
                    ("2025-02-28", received("K3", ReferralSource::Schools)),
                    ("2025-03-03", referred("K3", 3)),
                ],
            ),
            // Received on 1 March: the first day counts.
            child(
                "C4",
                &[
                    ("2020-01-01", born_at(Some(ASHFORD))),
                    ("2025-03-01", received("K4", ReferralSource::Schools)),
                ],
            ),
        ];
        let f = funnel(march_2025(), &journeys);
        assert_eq!(f.total, stages(2, 1, 1, 1));
        assert_eq!(
            f.by_source,
            vec![
                (ReferralSource::Schools, stages(1, 0, 0, 0)),
                (ReferralSource::Police, stages(1, 1, 1, 1)),
            ]
        );
        assert_eq!(f.total.referral_percent(), Some(50.0));
        assert_eq!(f.total.assessment_percent(), Some(100.0));
        assert_eq!(f.total.nfa_percent(), Some(100.0));
    }

    #[test]
    fn a_mirrored_contact_about_two_children_is_one_contact_and_a_referral_for_each() {
        let k = contact_journey(
            "K1",
            &[
                (
                    "2025-03-10T09:00",
                    received("K1", ReferralSource::HealthVisitor),
                ),
                (
                    "2025-03-10T11:00",
                    routed(Some("C1"), Some("Ashford"), RouteReason::Locality),
                ),
                (
                    "2025-03-10T11:00",
                    routed(Some("C2"), Some("Ashford"), RouteReason::Locality),
                ),
            ],
        );
        let sibling = |c: &str, n: u32| {
            child(
                c,
                &[
                    ("2020-01-01", born_at(Some(ASHFORD))),
                    // The mirror: a child's journey does not hold the intake.
                    (
                        "2025-03-10T09:00",
                        received("K1", ReferralSource::HealthVisitor),
                    ),
                    ("2025-03-10", referred("K1", n)),
                    (
                        "2025-03-12",
                        EventData::AssessmentStarted(Default::default()),
                    ),
                ],
            )
        };
        // Whichever order the journeys come in.
        for journeys in [
            vec![k.clone(), sibling("C1", 1), sibling("C2", 2)],
            vec![sibling("C1", 1), sibling("C2", 2), k.clone()],
        ] {
            let f = funnel(march_2025(), &journeys);
            assert_eq!(f.total, stages(1, 2, 2, 0));
            assert_eq!(
                f.by_source,
                vec![(ReferralSource::HealthVisitor, stages(1, 2, 2, 0))]
            );
            assert_eq!(place(&f, &ashford()), stages(1, 2, 2, 0));
            assert_eq!(f.total.referral_percent(), Some(200.0));
        }
    }

    #[test]
    fn a_contact_journey_with_nobody_linked_counts_under_its_routing_or_unknown() {
        let decided_whole = contact_journey(
            "K1",
            &[
                ("2025-03-10", received("K1", ReferralSource::Anonymous)),
                ("2025-03-11", routed(None, None, RouteReason::OutOfArea)),
            ],
        );
        let not_routed = contact_journey(
            "K2",
            &[("2025-03-10", received("K2", ReferralSource::Anonymous))],
        );
        let f = funnel(march_2025(), &[decided_whole, not_routed]);
        assert_eq!(f.total, stages(2, 0, 0, 0));
        assert_eq!(place(&f, &Place::OutOfArea), stages(1, 0, 0, 0));
        assert_eq!(place(&f, &Place::Unknown), stages(1, 0, 0, 0));
    }

    #[test]
    fn the_locality_is_where_the_child_lived_when_the_contact_came() {
        let journeys = [
            // Moved out of area after the contact: still Ashford's.
            child(
                "C1",
                &[
                    ("2020-01-01", born_at(Some(ASHFORD))),
                    ("2025-03-05", received("K1", ReferralSource::Police)),
                    ("2025-03-05", referred("K1", 1)),
                    (
                        "2025-03-20",
                        EventData::AddressChanged(AddressChanged {
                            adult: None,
                            address: Address {
                                lines: vec![],
                                town: String::from("Rochester"),
                                postcode: Postcode::parse(ELSEWHERE).unwrap(),
                            },
                        }),
                    ),
                ],
            ),
            // Living in a sector no locality serves.
            child(
                "C2",
                &[
                    ("2020-01-01", born_at(Some(ELSEWHERE))),
                    ("2025-03-05", received("K2", ReferralSource::Police)),
                ],
            ),
            // No address, and no routing.
            child(
                "C3",
                &[
                    ("2020-01-01", born_at(None)),
                    ("2025-03-05", received("K3", ReferralSource::Police)),
                ],
            ),
            // No address, but routed to a locality.
            child(
                "C4",
                &[
                    ("2020-01-01", born_at(None)),
                    ("2025-03-05", received("K4", ReferralSource::Police)),
                ],
            ),
            contact_journey(
                "K4",
                &[
                    ("2025-03-05", received("K4", ReferralSource::Police)),
                    (
                        "2025-03-06",
                        routed(Some("C4"), Some("Ashford"), RouteReason::Locality),
                    ),
                ],
            ),
        ];
        let f = funnel(march_2025(), &journeys);
        assert_eq!(
            f.by_place,
            vec![
                (ashford(), stages(2, 1, 0, 0)),
                (Place::OutOfArea, stages(1, 0, 0, 0)),
                (Place::Unknown, stages(1, 0, 0, 0)),
            ]
        );
        let sum = f.by_place.iter().map(|(_, s)| s.contacts).sum::<u64>();
        assert_eq!(sum, f.total.contacts);
    }

    #[test]
    fn no_further_action_counts_only_after_an_assessment_and_only_as_rc8() {
        let journey = |c: &str, k: &str, n: u32, assessed: bool, reason: ReasonForClosure| {
            let mut steps = vec![
                ("2020-01-01", born_at(Some(ASHFORD))),
                ("2025-03-05", received(k, ReferralSource::Police)),
                ("2025-03-05", referred(k, n)),
            ];
            if assessed {
                steps.push((
                    "2025-03-06",
                    EventData::AssessmentCompleted(AssessmentCompleted {
                        factors: vec![],
                        services_needed: false,
                        child_seen: None,
                    }),
                ));
            }
            steps.push(("2025-03-07", closed(reason)));
            child(c, &steps)
        };
        let f = funnel(
            march_2025(),
            &[
                journey("C1", "K1", 1, true, ReasonForClosure::NfaAfterAssessment),
                journey("C2", "K2", 2, false, ReasonForClosure::NfaAfterAssessment),
                journey(
                    "C3",
                    "K3",
                    3,
                    true,
                    ReasonForClosure::EarlyHelpAfterAssessment,
                ),
            ],
        );
        assert_eq!(f.total, stages(3, 3, 2, 1));
        assert_eq!(f.total.nfa_percent(), Some(50.0));
    }

    #[test]
    fn an_assessment_after_the_episode_closed_is_not_this_referrals() {
        let j = child(
            "C1",
            &[
                ("2020-01-01", born_at(Some(ASHFORD))),
                ("2025-03-05", received("K1", ReferralSource::Police)),
                ("2025-03-05", referred("K1", 1)),
                ("2025-03-06", closed(ReasonForClosure::ServicesCeased)),
                // A later referral that names no contact, and its assessment.
                (
                    "2025-06-01",
                    EventData::ReferralAccepted(ReferralAccepted {
                        referral: ReferralId::parse("R9").unwrap(),
                        contact: None,
                        source: ReferralSource::Police,
                        primary_need: PrimaryNeed::AbuseOrNeglect,
                    }),
                ),
                (
                    "2025-06-02",
                    EventData::AssessmentStarted(Default::default()),
                ),
            ],
        );
        assert_eq!(funnel(march_2025(), &[j]).total, stages(1, 1, 0, 0));
    }

    #[test]
    fn an_unlinked_contact_no_longer_counts_on_the_child() {
        let j = child(
            "C1",
            &[
                ("2020-01-01", born_at(Some(ASHFORD))),
                ("2025-03-05", received("K1", ReferralSource::Police)),
                (
                    "2025-03-06",
                    retract("C1-1", "contact unlinked: not this child"),
                ),
            ],
        );
        let f = funnel(march_2025(), &[j]);
        assert_eq!(f.total, Stages::default());
        // Every locality is still listed, with out of area and unknown.
        assert_eq!(
            f.by_place
                .iter()
                .map(|(p, _)| p.label())
                .collect::<Vec<_>>(),
            ["Ashford", "Out of area", "Unknown"]
        );
        assert_eq!(f.total.referral_percent(), None);
    }
}
