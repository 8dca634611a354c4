//! The county's flows and standing figures come out near England's (DOMAIN.md), using
//! the definitions the analytics crate will use on the stored journal:
//!
//! - referrals per 10k: `referral_accepted` in the year / population × 10,000;
//! - re-referrals: % of those made within 365 days of the same child's previous one;
//! - CIN at 31 March: children with a `referral_accepted` not yet followed by `cin_closed`;
//! - CP at 31 March: a `cp_plan_started` not yet followed by `cp_plan_ended`;
//! - CLA at 31 March: a `looked_after_started` not yet followed by `looked_after_ended`.
//!
//! Run with `--nocapture` to see the full calibration report.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hearth_domain::event::{Event, EventData};
use hearth_synth::{Generator, Options, preset};
use jiff::civil::{Date, date};
use std::collections::BTreeMap;

#[derive(Debug, Default)]
struct Report {
    population: f64,
    events: usize,
    families: usize,
    children: usize,
    contacts: usize,
    referrals: usize,
    re_referrals: usize,
    cin: usize,
    cp: usize,
    cla: usize,
    // Flows in the year, for the report.
    assessments: usize,
    not_in_need: usize,
    assessment_days: Vec<i64>,
    s47: usize,
    icpc: usize,
    cp_started: usize,
    cp_second: usize,
    cp_ended: usize,
    cp_ended_2y: usize,
    cla_started: usize,
    cla_ended: usize,
    adopted: usize,
    placements: usize,
    periods_ended: usize,
    missing_children: usize,
    cla_in_year: usize,
    eh_started: usize,
    kinds: BTreeMap<&'static str, usize>,
}

fn days(a: Date, b: Date) -> i64 {
    i64::from((b - a).get_days())
}

fn child_stats(journey: &[Event], from: Date, to: Date, r: &mut Report) {
    let in_year = |d: Date| d >= from && d <= to;
    let mut last_referral: Option<Date> = None;
    let mut cin_open = false;
    let mut cp_open: Option<Date> = None;
    let mut la_open: Option<Date> = None;
    let mut cp_plans = 0;
    let mut assessment_start: Option<Date> = None;
    let mut placements_this_period = 0;
    let mut missing_in_year = false;
    let mut in_care_in_year = false;
    let (mut cin_at, mut cp_at, mut cla_at) = (false, false, false);
    for e in journey {
        let d = e.date();
        if d > to {
            break;
        }
        match &e.data {
            EventData::ContactReceived(_) if in_year(d) => r.contacts += 1,
            EventData::ReferralAccepted(_) => {
                if in_year(d) {
                    r.referrals += 1;
                    if last_referral.is_some_and(|p| days(p, d) <= 365 && p < d) {
                        r.re_referrals += 1;
                    }
                }
                last_referral = Some(d);
                cin_open = true;
            }
            EventData::CinClosed(_) => cin_open = false,
            EventData::AssessmentStarted(_) => assessment_start = Some(d),
            EventData::AssessmentCompleted(a) if in_year(d) => {
                r.assessments += 1;
                if !a.services_needed {
                    r.not_in_need += 1;
                }
                if let Some(s) = assessment_start {
                    r.assessment_days.push(days(s, d));
                }
            }
            EventData::S47Started(_) if in_year(d) => r.s47 += 1,
            EventData::IcpcHeld(_) if in_year(d) => r.icpc += 1,
            EventData::CpPlanStarted(_) => {
                cp_plans += 1;
                cp_open = Some(d);
                if in_year(d) {
                    r.cp_started += 1;
                    if cp_plans > 1 {
                        r.cp_second += 1;
                    }
                }
            }
            EventData::CpPlanEnded(_) => {
                if in_year(d) {
                    r.cp_ended += 1;
                    if cp_open.is_some_and(|s| days(s, d) >= 730) {
                        r.cp_ended_2y += 1;
                    }
                }
                cp_open = None;
            }
            EventData::LookedAfterStarted(_) => {
                la_open = Some(d);
                placements_this_period = 0;
                if in_year(d) {
                    r.cla_started += 1;
                }
            }
            EventData::PlacementStarted(_) => placements_this_period += 1,
            EventData::LookedAfterEnded(l) => {
                if in_year(d) {
                    r.cla_ended += 1;
                    r.placements += placements_this_period;
                    r.periods_ended += 1;
                    if l.reason.is_adoption() {
                        r.adopted += 1;
                    }
                }
                la_open = None;
            }
            EventData::MissingStarted(_) if in_year(d) => missing_in_year = true,
            EventData::EarlyHelpStarted(_) if in_year(d) => r.eh_started += 1,
            _ => {}
        }
        if la_open.is_some() && d >= from {
            in_care_in_year = true;
        }
    }
    if la_open.is_some_and(|s| s <= to) {
        in_care_in_year = true;
    }
    cin_at |= cin_open;
    cp_at |= cp_open.is_some();
    cla_at |= la_open.is_some();
    r.cin += usize::from(cin_at);
    r.cp += usize::from(cp_at);
    r.cla += usize::from(cla_at);
    r.cla_in_year += usize::from(in_care_in_year);
    r.missing_children += usize::from(missing_in_year);
}

/// Generate a county and measure the years to 31 March ending in `years_to_measure`.
fn reports(
    name: &str,
    scale: f64,
    years: u32,
    seed: u64,
    end: Date,
    measure: &[i16],
) -> Vec<Report> {
    let p = preset(name).unwrap();
    let options = Options {
        years,
        seed,
        scale,
        end,
    };
    let mut generator = Generator::new(&p, &options).unwrap();
    let population = f64::from(generator.child_population());
    let mut out: Vec<Report> = measure
        .iter()
        .map(|_| Report {
            population,
            ..Report::default()
        })
        .collect();
    for family in generator.by_ref() {
        let mut start = 0;
        for i in 1..=family.len() {
            if i == family.len() || family[i].subject != family[start].subject {
                let journey = &family[start..i];
                if journey[0].subject.to_string().starts_with("child:") {
                    for (r, &y) in out.iter_mut().zip(measure) {
                        r.children += 1;
                        child_stats(journey, date(y - 1, 4, 1), date(y, 3, 31), r);
                    }
                }
                start = i;
            }
        }
        if let Some(r) = out.first_mut() {
            r.families += 1;
            r.events += family.len();
            for e in &family {
                *r.kinds.entry(e.kind()).or_default() += 1;
            }
        }
    }
    assert!(generator.error().is_none());
    out
}

fn report(name: &str, scale: f64, years: u32, seed: u64, end: Date) -> Report {
    reports(name, scale, years, seed, end, &[end.year()]).remove(0)
}

fn print(r: &Report) {
    let per10k = |n: usize| n as f64 / r.population * 10_000.0;
    let pct = |a: usize, b: usize| 100.0 * a as f64 / (b.max(1)) as f64;
    let mut ad = r.assessment_days.clone();
    ad.sort();
    let median = ad.get(ad.len() / 2).copied().unwrap_or(0);
    println!(
        "population {}, families {}, children {}, events {}",
        r.population, r.families, r.children, r.events
    );
    println!(
        "contacts/10k {:.0} ({:.1} x referrals)",
        per10k(r.contacts),
        r.contacts as f64 / r.referrals.max(1) as f64
    );
    println!(
        "referrals/10k {:.0}; re-referrals {:.1}%",
        per10k(r.referrals),
        pct(r.re_referrals, r.referrals)
    );
    println!(
        "assessments/10k {:.0} ({:.0}% of referrals); not in need {:.1}%; median {} days",
        per10k(r.assessments),
        pct(r.assessments, r.referrals),
        pct(r.not_in_need, r.assessments),
        median
    );
    println!(
        "s47/10k {:.0}; icpc/10k {:.0}; cp started/10k {:.0} (second+ {:.1}%)",
        per10k(r.s47),
        per10k(r.icpc),
        per10k(r.cp_started),
        pct(r.cp_second, r.cp_started)
    );
    println!(
        "cp ended/10k {:.0}, lasting 2y+ {:.1}%",
        per10k(r.cp_ended),
        pct(r.cp_ended_2y, r.cp_ended)
    );
    println!(
        "cla started/10k {:.0}; ended/10k {:.0}; adopted {:.1}% of leavers; placements per ended period {:.2}",
        per10k(r.cla_started),
        per10k(r.cla_ended),
        pct(r.adopted, r.cla_ended),
        r.placements as f64 / r.periods_ended.max(1) as f64
    );
    println!(
        "missing: {:.1}% of children in care in the year",
        pct(r.missing_children, r.cla_in_year)
    );
    println!("early help started/10k {:.0}", per10k(r.eh_started));
    println!(
        "at 31 March per 10k: CIN {:.0}, CP {:.0}, CLA {:.0}",
        per10k(r.cin),
        per10k(r.cp),
        per10k(r.cla)
    );
    let mut kinds: Vec<_> = r.kinds.iter().collect();
    kinds.sort_by_key(|(_, n)| std::cmp::Reverse(**n));
    for (k, n) in kinds {
        println!("  {k:32} {n:>9}");
    }
}

fn within(name: &str, value: f64, target: f64) {
    let ok = (value - target).abs() <= 0.15 * target;
    assert!(ok, "{name}: {value:.1} is not within 15% of {target}");
}

/// Kent at a tenth of its size over ten years: the last complete year to 31 March.
#[test]
fn kent_rates_are_near_england() {
    let r = report("kent", 0.1, 10, 2025, date(2025, 3, 31));
    print(&r);
    let per10k = |n: usize| n as f64 / r.population * 10_000.0;
    within("referrals per 10k", per10k(r.referrals), 519.0);
    within(
        "re-referrals %",
        100.0 * r.re_referrals as f64 / r.referrals as f64,
        22.6,
    );
    within("CIN per 10k", per10k(r.cin), 330.0);
    within("CP per 10k", per10k(r.cp), 41.0);
    within("CLA per 10k", per10k(r.cla), 67.0);
}

/// The model's expected figures: several seeds and several years averaged, so that the
/// calibration is not tuned to one draw. `cargo test --release --test rates -- --ignored
/// --nocapture`.
#[test]
#[ignore]
fn calibration_report() {
    let measure = [2022, 2023, 2024, 2025];
    let mut sums = [0.0f64; 12];
    let mut n = 0.0;
    for seed in 1..=4 {
        for r in reports("kent", 0.1, 10, seed, date(2025, 3, 31), &measure) {
            let per10k = |x: usize| x as f64 / r.population * 10_000.0;
            let pct = |a: usize, b: usize| 100.0 * a as f64 / (b.max(1)) as f64;
            let row = [
                per10k(r.referrals),
                pct(r.re_referrals, r.referrals),
                per10k(r.cin),
                per10k(r.cp),
                per10k(r.cla),
                r.contacts as f64 / r.referrals.max(1) as f64,
                per10k(r.s47),
                per10k(r.icpc),
                per10k(r.cp_started),
                per10k(r.cla_started),
                pct(r.adopted, r.cla_ended),
                pct(r.cp_ended_2y, r.cp_ended),
            ];
            println!("seed {seed}: {}", row.map(|x| format!("{x:6.1}")).join(" "));
            for (s, x) in sums.iter_mut().zip(row) {
                *s += x;
            }
            n += 1.0;
        }
    }
    let names = [
        "referrals/10k (519)",
        "re-referral % (22.6)",
        "CIN/10k (330)",
        "CP/10k (41)",
        "CLA/10k (67)",
        "contacts per referral (4-5)",
        "s47/10k (190)",
        "ICPC/10k (59)",
        "CP started/10k (50)",
        "CLA started/10k (28)",
        "adopted % of leavers (9)",
        "CP ended 2y+ % (4.4)",
    ];
    for (name, s) in names.iter().zip(sums) {
        println!("{name:32} {:7.1}", s / n);
    }
}
