//! Hand-worked examples: small journeys built by hand, each figure worked out in the
//! comment beside it.

use super::catalogue::{CATALOGUE, Kpi, Span, find};
use super::*;
use hearth_domain::codes::{
    CategoryOfAbuse, LegalStatus, PrimaryNeed, ReasonForClosure, ReferralSource,
};
use hearth_domain::event::*;
use hearth_domain::identifiers::Postcode;
use hearth_domain::ids::*;
use hearth_domain::people::Address;
use hearth_testkit::{contact, details, ev, registered, retract};
use jiff::civil::date;

const ASHFORD: &str = "TN23 1AB";
const ELSEWHERE: &str = "ME1 1AA";

fn born_at(postcode: Option<&str>) -> EventData {
    let mut d = details("Ada", "Lovelace", date(2015, 1, 1));
    d.address = postcode.map(address);
    registered(d)
}

fn address(postcode: &str) -> Address {
    Address {
        lines: vec![String::from("1 High Street")],
        town: String::from("Ashford"),
        postcode: Postcode::parse(postcode).unwrap(),
    }
}

fn moved(postcode: &str) -> EventData {
    EventData::AddressChanged(AddressChanged {
        adult: None,
        address: address(postcode),
    })
}

fn received(k: &str) -> EventData {
    EventData::ContactReceived(ContactReceived::new(contact(k), ReferralSource::Police))
}

fn referred(n: u32, k: Option<&str>) -> EventData {
    EventData::ReferralAccepted(ReferralAccepted {
        referral: ReferralId::parse(&format!("R{n}")).unwrap(),
        contact: k.map(contact),
        source: ReferralSource::Police,
        primary_need: PrimaryNeed::AbuseOrNeglect,
    })
}

fn started() -> EventData {
    EventData::AssessmentStarted(AssessmentStarted::default())
}

fn completed(services_needed: bool) -> EventData {
    EventData::AssessmentCompleted(AssessmentCompleted {
        factors: vec![],
        services_needed,
        child_seen: None,
    })
}

fn closed(reason: ReasonForClosure) -> EventData {
    EventData::CinClosed(CinClosed { reason })
}

fn allocated(team: &str) -> EventData {
    EventData::Allocated(Allocated {
        worker: WorkerId::parse("W1").unwrap(),
        team: TeamId::parse(team).unwrap(),
        reason: None,
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

fn scorecard_of(
    month: &str,
    by: Breakdown,
    org: &Organisation,
    journeys: &[Vec<Event>],
) -> Scorecard {
    let calendar = WorkingCalendar::england_and_wales().unwrap();
    let mut counter = ScorecardCounter::new(Month::parse(month).unwrap(), org, calendar);
    for j in journeys {
        counter.add_journey(j).unwrap();
    }
    counter.scorecard(by)
}

fn testshire(month: &str, journeys: &[Vec<Event>]) -> Scorecard {
    let org = hearth_testkit::organisation::organisation();
    scorecard_of(month, Breakdown::Authority, &org, journeys)
}

fn row<'a>(card: &'a Scorecard, id: &str, breakdown: &str) -> &'a Row {
    card.rows
        .iter()
        .find(|r| r.indicator.id == id && r.breakdown == breakdown)
        .unwrap()
}

fn counts(card: &Scorecard, id: &str) -> (Option<u64>, Option<u64>, Option<f64>) {
    let f = row(card, id, "authority").figure;
    (f.numerator, f.denominator, f.value)
}

#[test]
fn the_catalogue_has_every_indicator_once() {
    let kpis = [
        Kpi::ReferralsPer10k,
        Kpi::RereferralsPct,
        Kpi::ReferralsNfaPct,
        Kpi::ContactsToReferralPct,
        Kpi::AssessmentsIn45WdPct,
        Kpi::AssessmentMedianDays,
        Kpi::AssessedNotInNeedPct,
        Kpi::CinPer10k,
        Kpi::CinDurationMedianDays,
        Kpi::S47Per10k,
        Kpi::IcpcIn15WdPct,
        Kpi::CpPer10k,
        Kpi::CpSecondPlanPct,
        Kpi::Cp2YrPlusPct,
        Kpi::ClaPer10k,
    ];
    assert_eq!(CATALOGUE.len(), kpis.len());
    for kpi in kpis {
        assert_eq!(CATALOGUE.iter().filter(|i| i.kpi == kpi).count(), 1);
    }
    let mut ids: Vec<_> = CATALOGUE.iter().map(|i| i.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), CATALOGUE.len());
    // Targets written before the catalogue still find their indicator.
    assert_eq!(find("re_referrals_12m").unwrap().id, "rereferrals_12m_pct");
    assert_eq!(
        find("assessments_45wd").unwrap().id,
        "assessments_in_45wd_pct"
    );
    assert!(find("no_such_kpi").is_none());
}

#[test]
fn a_month_is_read_as_yyyy_mm_and_nothing_else() {
    let m = Month::parse("2025-03").unwrap();
    assert_eq!((m.first(), m.last()), (date(2025, 3, 1), date(2025, 3, 31)));
    assert_eq!(m.to_string(), "2025-03");
    for bad in ["2025-3", "2025-13", "March", "2025-03-01", "25-03", ""] {
        assert_eq!(
            Month::parse(bad).unwrap_err().to_string(),
            format!("'{bad}' is not a month: write it as YYYY-MM, for example 2025-03")
        );
    }
}

#[test]
fn the_trend_is_the_month_and_the_twelve_before_oldest_first() {
    let trend = Month::parse("2025-03").unwrap().trend();
    assert_eq!(trend[0].to_string(), "2024-03");
    assert_eq!(trend[12].to_string(), "2025-03");
    assert_eq!(
        Month::parse("2025-01").unwrap().back(1).to_string(),
        "2024-12"
    );
}

#[test]
fn a_rolling_year_is_twelve_calendar_months_leap_years_too() {
    let window = |m: &str| Month::parse(m).unwrap().window(Span::Rolling12Months);
    // March: the reporting year, 1 April to 31 March.
    assert_eq!(window("2025-03"), (date(2024, 4, 1), date(2025, 3, 31)));
    // February 2024 ends on the leap day; its year starts on 1 March 2023.
    assert_eq!(window("2024-02"), (date(2023, 3, 1), date(2024, 2, 29)));
    // February 2025's year starts on 1 March 2024, so 29 February 2024 is outside it.
    assert_eq!(window("2025-02"), (date(2024, 3, 1), date(2025, 2, 28)));
    let month_end = Month::parse("2024-02").unwrap().window(Span::MonthEnd);
    assert_eq!(month_end, (date(2024, 2, 29), date(2024, 2, 29)));
}

#[test]
fn referrals_and_re_referrals_over_the_year_to_31_march() {
    // Testshire has 10,000 children. Child A is referred on 31 March 2024 (the year
    // before), 1 April 2024 and 31 March 2025: two referrals in the year to March 2025,
    // both within a year of the one before (31 March 2025 looks back to 31 March 2024).
    // Child B is referred once, on 15 June 2024. So 3 referrals, 3 per 10,000, and
    // 2 of 3 re-referrals (66.7%).
    let a = child(
        "A",
        &[
            ("2015-01-01", born_at(Some(ASHFORD))),
            ("2024-03-31", referred(1, None)),
            ("2024-04-01", referred(2, None)),
            ("2025-03-31", referred(3, None)),
        ],
    );
    let b = child(
        "B",
        &[
            ("2015-01-01", born_at(Some(ASHFORD))),
            ("2024-06-15", referred(4, None)),
        ],
    );
    let card = testshire("2025-03", &[a, b]);
    assert_eq!(
        counts(&card, "referrals_per_10k"),
        (Some(3), Some(10_000), Some(3.0))
    );
    // Shown to one decimal place.
    assert_eq!(
        counts(&card, "rereferrals_12m_pct"),
        (Some(2), Some(3), Some(66.7))
    );
    // The trend's first month, March 2024, has the year April 2023 to March 2024: one
    // referral (31 March 2024), no re-referral.
    let trend = row(&card, "referrals_per_10k", "authority").trend;
    assert_eq!(trend[0], Some(1.0));
    assert_eq!(
        row(&card, "rereferrals_12m_pct", "authority").trend[0],
        Some(0.0)
    );
}

#[test]
fn a_leap_day_referral_looks_back_to_28_february() {
    // Referred 28 February 2023 and 29 February 2024: the second is within 12 months.
    // February 2024's year (1 March 2023 to 29 February 2024) holds only the second.
    let on_28th = child(
        "A",
        &[
            ("2023-02-28", referred(1, None)),
            ("2024-02-29", referred(2, None)),
        ],
    );
    let on_27th = child(
        "B",
        &[
            ("2023-02-27", referred(3, None)),
            ("2024-02-29", referred(4, None)),
        ],
    );
    let card = testshire("2024-02", &[on_28th, on_27th]);
    assert_eq!(
        counts(&card, "rereferrals_12m_pct"),
        (Some(1), Some(2), Some(50.0))
    );
}

#[test]
fn a_referral_ends_nfa_when_its_episode_closes_before_any_assessment() {
    // A: referred in January 2025, closed in February with no assessment: NFA.
    // B: referred, assessed, closed "no further action after assessment": not NFA.
    // C: referred and still open: in the denominator only.
    let a = child(
        "A",
        &[
            ("2025-01-10", referred(1, None)),
            ("2025-02-03", closed(ReasonForClosure::ServicesCeased)),
        ],
    );
    let b = child(
        "B",
        &[
            ("2025-01-10", referred(2, None)),
            ("2025-01-13", started()),
            ("2025-02-03", closed(ReasonForClosure::NfaAfterAssessment)),
        ],
    );
    let c = child("C", &[("2025-01-20", referred(3, None))]);
    let card = testshire("2025-02", &[a, b, c]);
    let (n, d, _) = counts(&card, "referrals_nfa_pct");
    assert_eq!((n, d), (Some(1), Some(3)));
}

#[test]
fn a_contact_leads_to_a_referral_when_a_referral_names_it_even_next_month() {
    // K1 on 31 March 2025 led to a referral on 1 April; K2 on 3 March led to none;
    // K3 on 1 April is April's. March: 1 of 2 contacts led to a referral (50%).
    let a = child(
        "A",
        &[
            ("2025-03-03", received("K2")),
            ("2025-03-31", received("K1")),
            ("2025-04-01", referred(1, Some("K1"))),
            ("2025-04-01", received("K3")),
        ],
    );
    let card = testshire("2025-03", &[a]);
    assert_eq!(
        counts(&card, "contacts_to_referral_pct"),
        (Some(1), Some(2), Some(50.0))
    );
}

#[test]
fn assessments_are_timed_in_working_days_past_easter_and_the_may_bank_holiday() {
    // Referred Monday 3 March 2025. Working days after it: 20 in March, 17 in April
    // (Good Friday 18 and Easter Monday 21 April are bank holidays), then 1 and 2 May,
    // 5 May is a bank holiday, 6, 7 and 8 May: the 45th working day is Thursday 8 May.
    // A completes on 8 May (45 days: in time, services needed), B on 9 May (46: late,
    // no services needed). C is referred Thursday 1 May and completes Friday 2 May (1
    // day); D is referred Wednesday 30 April and completes Tuesday 6 May (1 May, 2 May,
    // 6 May: 3 days). May: 3 of 4 in time (75%), median of 1, 3, 45, 46 = 24, and 1 of 4
    // found no services needed (25%).
    let a = child(
        "A",
        &[
            ("2025-03-03", referred(1, None)),
            ("2025-05-08", completed(true)),
        ],
    );
    let b = child(
        "B",
        &[
            ("2025-03-03", referred(2, None)),
            ("2025-05-09", completed(false)),
        ],
    );
    let c = child(
        "C",
        &[
            ("2025-05-01", referred(3, None)),
            ("2025-05-02", completed(true)),
        ],
    );
    let d = child(
        "D",
        &[
            ("2025-04-30", referred(4, None)),
            ("2025-05-06", completed(true)),
        ],
    );
    let card = testshire("2025-05", &[a, b, c, d]);
    assert_eq!(
        counts(&card, "assessments_in_45wd_pct"),
        (Some(3), Some(4), Some(75.0))
    );
    assert_eq!(
        counts(&card, "assessment_median_days"),
        (None, Some(4), Some(24.0))
    );
    assert_eq!(
        counts(&card, "assessed_not_in_need_pct"),
        (Some(1), Some(4), Some(25.0))
    );
    // April had no completed assessment: no value, not zero.
    let trend = row(&card, "assessments_in_45wd_pct", "authority").trend;
    assert_eq!(trend[11], None);
    // An odd count's median is the middle one: May without D is 1, 45, 46.
    let card = testshire(
        "2025-05",
        &[
            child(
                "A",
                &[
                    ("2025-03-03", referred(1, None)),
                    ("2025-05-08", completed(true)),
                ],
            ),
            child(
                "B",
                &[
                    ("2025-03-03", referred(2, None)),
                    ("2025-05-09", completed(false)),
                ],
            ),
            child(
                "C",
                &[
                    ("2025-05-01", referred(3, None)),
                    ("2025-05-02", completed(true)),
                ],
            ),
        ],
    );
    assert_eq!(
        counts(&card, "assessment_median_days"),
        (None, Some(3), Some(45.0))
    );
}

#[test]
fn a_retracted_referral_does_not_count() {
    let a = child(
        "A",
        &[
            ("2025-03-03", referred(1, None)),
            ("2025-03-04", referred(2, None)),
            ("2025-03-05", retract("A-1", "recorded on the wrong child")),
        ],
    );
    let card = testshire("2025-03", &[a]);
    assert_eq!(counts(&card, "referrals_per_10k").0, Some(1));
    assert_eq!(counts(&card, "rereferrals_12m_pct").0, Some(0));
}

#[test]
fn a_child_counts_where_they_lived_and_with_the_team_that_held_them_then() {
    // A lives in Ashford when referred in January, moves out of the county in February
    // and is referred again in March, allocated to T1 in between. B has no address.
    let a = child(
        "A",
        &[
            ("2015-01-01", born_at(Some(ASHFORD))),
            ("2025-01-06", referred(1, None)),
            ("2025-01-07", allocated("T1")),
            ("2025-02-03", moved(ELSEWHERE)),
            ("2025-03-03", referred(2, None)),
        ],
    );
    let b = child("B", &[("2025-03-10", referred(3, None))]);
    let org = hearth_testkit::organisation::organisation();
    let by_locality = scorecard_of(
        "2025-03",
        Breakdown::Locality,
        &org,
        &[a.clone(), b.clone()],
    );
    let per_10k = |card: &Scorecard, place: &str| row(card, "referrals_per_10k", place).figure;
    assert_eq!(per_10k(&by_locality, "authority").numerator, Some(3));
    // Ashford's 10,000 children: one referral, 1 per 10,000.
    assert_eq!(per_10k(&by_locality, "Ashford").value, Some(1.0));
    // Out of area and unknown have no population, so a count but no rate.
    let out = per_10k(&by_locality, "Out of area");
    assert_eq!((out.numerator, out.value), (Some(1), None));
    assert_eq!(per_10k(&by_locality, "Unknown").numerator, Some(1));

    let by_area = scorecard_of("2025-03", Breakdown::Area, &org, &[a.clone(), b.clone()]);
    assert_eq!(per_10k(&by_area, "East").value, Some(1.0));

    let by_team = scorecard_of("2025-03", Breakdown::Team, &org, &[a, b]);
    assert_eq!(per_10k(&by_team, "Ashford CIN team").numerator, Some(1));
    assert_eq!(per_10k(&by_team, "Ashford CIN team").value, None);
    assert_eq!(per_10k(&by_team, "No team").numerator, Some(2));
    // The authority's rows come first, then the breakdown's, each in catalogue order.
    assert_eq!(by_team.rows[0].breakdown, "authority");
    assert_eq!(by_team.rows[0].indicator.id, CATALOGUE[0].id);
    assert_eq!(by_team.rows.len(), CATALOGUE.len() * 3);
}

#[test]
fn rag_is_green_at_the_target_amber_to_the_floor_and_red_beyond() {
    let target = |target, polarity, floor| Target {
        kpi: String::from("x"),
        label: String::from("x"),
        target,
        polarity,
        floor,
    };
    let higher = target(90.0, Polarity::Higher, Some(80.0));
    assert_eq!(Rag::of(90.0, &higher), Rag::Green);
    assert_eq!(Rag::of(85.0, &higher), Rag::Amber);
    assert_eq!(Rag::of(80.0, &higher), Rag::Amber);
    assert_eq!(Rag::of(79.9, &higher), Rag::Red);
    let lower = target(20.0, Polarity::Lower, Some(25.0));
    assert_eq!(Rag::of(20.0, &lower), Rag::Green);
    assert_eq!(Rag::of(22.0, &lower), Rag::Amber);
    assert_eq!(Rag::of(26.0, &lower), Rag::Red);
    // No floor: no amber band.
    assert_eq!(
        Rag::of(89.0, &target(90.0, Polarity::Higher, None)),
        Rag::Red
    );
}

#[test]
fn targets_come_from_the_organisation_and_no_target_means_no_rag() {
    let mut org = hearth_testkit::organisation::organisation();
    org.scorecard = vec![Target {
        kpi: String::from("re_referrals_12m"),
        label: String::from("Re-referrals"),
        target: 20.0,
        polarity: Polarity::Lower,
        floor: Some(25.0),
    }];
    let a = child(
        "A",
        &[
            ("2025-01-06", referred(1, None)),
            ("2025-03-03", referred(2, None)),
        ],
    );
    let card = scorecard_of("2025-03", Breakdown::Authority, &org, &[a]);
    // 1 of 2 referrals is a re-referral: 50%, worse than the floor.
    let r = row(&card, "rereferrals_12m_pct", "authority");
    assert_eq!((r.figure.value, r.rag), (Some(50.0), Some(Rag::Red)));
    assert_eq!(r.target.as_ref().map(|t| t.target), Some(20.0));
    let r = row(&card, "referrals_per_10k", "authority");
    assert_eq!((r.target.is_none(), r.rag), (true, None));
}

fn plan_started() -> EventData {
    EventData::CpPlanStarted(CpCategory {
        category: CategoryOfAbuse::Neglect,
    })
}

fn plan_ended() -> EventData {
    EventData::CpPlanEnded(Empty {})
}

fn strategy(s47: bool) -> EventData {
    EventData::StrategyDiscussion(StrategyDiscussion { s47 })
}

fn icpc() -> EventData {
    EventData::IcpcHeld(IcpcHeld { plan: true })
}

#[test]
fn children_in_need_on_plans_and_in_care_are_counted_at_each_month_end() {
    // A: referred 10 January 2025, closed on 31 March: open at the end of February, not
    // at the end of March (closed on the day); the episode lasted 80 days (21 in
    // January after the 10th, 28 in February, 31 in March).
    // B: referred 5 January, on a plan from 1 February: in need and on a plan at both
    // ends. C: looked after from 15 March: in need and looked after at March's end.
    // March: 2 in need, 1 on a plan, 1 looked after, per 10,000 of Testshire's 10,000.
    let a = child(
        "A",
        &[
            ("2025-01-10", referred(1, None)),
            ("2025-03-31", closed(ReasonForClosure::ServicesCeased)),
        ],
    );
    let b = child(
        "B",
        &[
            ("2025-01-05", referred(2, None)),
            ("2025-02-01", plan_started()),
        ],
    );
    let c = child(
        "C",
        &[(
            "2025-03-15",
            EventData::LookedAfterStarted(LookedAfterStarted {
                legal_status: LegalStatus::FullCareOrder,
                category_of_need: PrimaryNeed::AbuseOrNeglect,
                uasc: false,
                previous_permanence: None,
            }),
        )],
    );
    let card = testshire("2025-03", &[a, b, c]);
    assert_eq!(
        counts(&card, "cin_per_10k"),
        (Some(2), Some(10_000), Some(2.0))
    );
    assert_eq!(counts(&card, "cp_per_10k").0, Some(1));
    assert_eq!(counts(&card, "cla_per_10k").0, Some(1));
    assert_eq!(
        counts(&card, "cin_duration_median_days"),
        (None, Some(1), Some(80.0))
    );
    // February's end: A and B in need, B on a plan, nobody looked after.
    let trend = |id| row(&card, id, "authority").trend[11];
    assert_eq!(trend("cin_per_10k"), Some(2.0));
    assert_eq!(trend("cp_per_10k"), Some(1.0));
    assert_eq!(trend("cla_per_10k"), Some(0.0));
    // December 2024's end came before anyone was referred.
    assert_eq!(row(&card, "cin_per_10k", "authority").trend[9], Some(0.0));
}

#[test]
fn an_icpc_is_timed_in_working_days_from_the_strategy_discussion() {
    // Strategy discussions on Thursday 10 April 2025 starting section 47 enquiries.
    // Working days after: 11 April (1), 14-17 (5), Good Friday and Easter Monday,
    // 22-25 (9), 28-30 (12), 1-2 May (14), 5 May bank holiday, 6 May (15). A's ICPC on
    // 6 May is in time, B's on 7 May is late; C's discussion started no enquiry and
    // its conference has no clock. May: 1 of 2 in time; 2 enquiries in the year, 2 per
    // 10,000.
    let a = child(
        "A",
        &[("2025-04-10", strategy(true)), ("2025-05-06", icpc())],
    );
    let b = child(
        "B",
        &[("2025-04-10", strategy(true)), ("2025-05-07", icpc())],
    );
    let c = child(
        "C",
        &[("2025-04-10", strategy(false)), ("2025-05-07", icpc())],
    );
    let card = testshire("2025-05", &[a, b, c]);
    assert_eq!(
        counts(&card, "icpc_in_15wd_pct"),
        (Some(1), Some(2), Some(50.0))
    );
    assert_eq!(
        counts(&card, "s47_per_10k"),
        (Some(2), Some(10_000), Some(2.0))
    );
}

#[test]
fn second_plans_and_plans_of_two_years_or_more() {
    // A: a plan from 3 January 2022 to 3 January 2024 (two years to the day), then a
    // second plan from 1 June 2024. B: a plan from 29 February 2020 to 27 February 2022,
    // a day short of two years (two years on from a leap day is 28 February), and
    // ended outside June 2024's year anyway; B's second plan from 1 July 2023 ended
    // 28 February 2024 after 8 months. June 2024's year (July 2023 to June 2024): plans
    // started: B's (second) and A's (second): 2 of 2; plans ended: A's first (2 years)
    // and B's second (not): 1 of 2.
    let a = child(
        "A",
        &[
            ("2022-01-03", plan_started()),
            ("2024-01-03", plan_ended()),
            ("2024-06-01", plan_started()),
        ],
    );
    let b = child(
        "B",
        &[
            ("2020-02-29", plan_started()),
            ("2022-02-27", plan_ended()),
            ("2023-07-01", plan_started()),
            ("2024-02-28", plan_ended()),
        ],
    );
    let card = testshire("2024-06", &[a, b]);
    assert_eq!(
        counts(&card, "cp_second_plan_pct"),
        (Some(2), Some(2), Some(100.0))
    );
    assert_eq!(
        counts(&card, "cp_2yr_plus_pct"),
        (Some(1), Some(2), Some(50.0))
    );
    // February 2022's year holds B's first plan's end, a day short of two years.
    let leap = testshire(
        "2022-02",
        &[child(
            "B",
            &[("2020-02-29", plan_started()), ("2022-02-28", plan_ended())],
        )],
    );
    assert_eq!(
        counts(&leap, "cp_2yr_plus_pct"),
        (Some(1), Some(1), Some(100.0))
    );
}
