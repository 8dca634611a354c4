//! The sample journeys: two children of the test organisation's county, fixed, for
//! tests that need a record to read, list or show.

use crate::builders::{details, ev, registered, retract, unborn};
use hearth_domain::codes::*;
use hearth_domain::contact::{GivenAddress, GivenPerson, Intake, Referrer};
use hearth_domain::event::*;
use hearth_domain::identifiers::{NhsNumber, Postcode};
use hearth_domain::ids::*;
use hearth_domain::people::Address;
use jiff::civil::date;

/// C1, Ava Testington, born 2015, of 1 High Street, Ashford: a police contact, a
/// referral, allocation to W1 in T1, an assessment, a s47 enquiry, an ICPC, a protection
/// plan, a visit, and a second visit retracted as entered on the wrong child.
pub fn c1_journey() -> Vec<Event> {
    use EventData as E;
    let k1 = || ContactId::parse("K1").unwrap();
    let w1 = || WorkerId::parse("W1").unwrap();
    let mut ava = details("Ava", "Testington", date(2015, 6, 1));
    ava.nhs_number = Some(NhsNumber::parse("9434765919").unwrap());
    ava.address = Some(Address {
        lines: vec![String::from("1 High Street")],
        town: String::from("Ashford"),
        postcode: "TN23 1AA".parse().unwrap(),
    });
    let c = |id: &str, on: &str, data| ev("C1", id, on, data);
    vec![
        c("c1-01", "2024-01-10", registered(ava)),
        c(
            "c1-02",
            "2024-01-10T09:15",
            E::ContactReceived(ContactReceived::new(k1(), ReferralSource::Police)),
        ),
        c(
            "c1-03",
            "2024-01-11",
            E::ContactDecided(ContactDecided::new(
                k1(),
                ContactOutcome::Referral,
                Some(String::from("4")),
            )),
        ),
        c(
            "c1-04",
            "2024-01-11",
            E::ReferralAccepted(ReferralAccepted {
                referral: ReferralId::parse("R1").unwrap(),
                contact: Some(k1()),
                source: ReferralSource::Police,
                primary_need: PrimaryNeed::AbuseOrNeglect,
            }),
        ),
        c(
            "c1-05",
            "2024-01-12",
            E::Allocated(Allocated {
                worker: w1(),
                team: TeamId::parse("T1").unwrap(),
                reason: None,
            }),
        ),
        c(
            "c1-06",
            "2024-01-12",
            E::AssessmentStarted(Default::default()),
        ),
        c(
            "c1-07",
            "2024-01-15",
            E::StrategyDiscussion(StrategyDiscussion { s47: true }),
        ),
        c("c1-08", "2024-01-15", E::S47Started(Default::default())),
        c(
            "c1-09",
            "2024-01-25",
            E::S47Completed(S47Completed {
                icpc_required: true,
            }),
        ),
        c("c1-10", "2024-02-05", E::IcpcHeld(IcpcHeld { plan: true })),
        c(
            "c1-11",
            "2024-02-05",
            E::CpPlanStarted(CpCategory {
                category: CategoryOfAbuse::Neglect,
            }),
        ),
        c(
            "c1-12",
            "2024-02-10",
            E::Visit(Visit {
                worker: w1(),
                seen: true,
                seen_alone: true,
            }),
        ),
        c(
            "c1-13",
            "2024-03-01",
            E::Visit(Visit {
                worker: w1(),
                seen: false,
                seen_alone: false,
            }),
        ),
        c(
            "c1-14",
            "2024-03-04",
            retract("c1-13", "entered on the wrong child"),
        ),
    ]
}

/// The sample county's journeys: [`c1_journey`], and C2, Ben Unborn, registered before birth.
pub fn journeys() -> Vec<Event> {
    let mut events = c1_journey();
    events.push(ev(
        "C2",
        "c2-01",
        "2024-03-01",
        registered(unborn("Ben", "Unborn", date(2024, 9, 1))),
    ));
    events
}

/// A plain intake that [`Intake::validate`] accepts for a contact received from 2024 on:
/// a school's concern about Ava Testington (C1's details) and her mother.
pub fn intake() -> Intake {
    let address = GivenAddress {
        lines: vec![String::from("1 High Street")],
        town: String::from("Ashford"),
        postcode: Some(Postcode::parse("TN24 8AA").unwrap()),
    };
    let person = |role, given: &str, born| GivenPerson {
        role,
        given_name: String::from(given),
        family_name: String::from("Testington"),
        other_names: Vec::new(),
        date_of_birth: Some(born),
        expected_date_of_birth: None,
        sex: None,
        nhs_number: None,
        address: Some(address.clone()),
        relationship: None,
    };
    Intake {
        via: Channel::Form,
        referrer: Referrer {
            organisation: Some(String::from("Ashford Primary School")),
            name: String::from("Designated Safeguarding Lead"),
            role: None,
            phone: None,
            email: None,
        },
        people: vec![
            person(GivenRole::Child, "Ava", date(2015, 6, 1)),
            GivenPerson {
                relationship: Some(String::from("mother")),
                ..person(GivenRole::Adult, "Alex", date(1988, 2, 3))
            },
        ],
        narrative: String::from(
            "Ava came to school with a bruise and said she was scared to go home.",
        ),
        consent: Consent::NotSoughtRisk,
        urgency: Urgency::SameDay,
        partner_ref: None,
    }
}
