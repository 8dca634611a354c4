//! The generator: a stream of families, each with its family journal and its children's
//! journeys, from a preset, a seed and an end date.
//!
//! Families arrive at the front door as a Poisson process. The process starts years
//! before the window (at least six, and sixteen in all with the window) so that, when
//! the window opens, the county already has children in care for years, plans under
//! review and families coming back: the standing figures are near their steady state
//! from the first day. A family whose whole story ends before the window is simulated
//! (to keep the random stream the same) but not emitted; a family active in the window
//! is emitted with its full history, real dates and all.

use crate::SynthError;
use crate::calendar::{Day, WorkingDays};
use crate::family::Sim;
use crate::model;
use crate::org::Workforce;
use crate::preset::Preset;
use crate::random::Rand;
use hearth_domain::calendar::{FIRST_YEAR, LAST_YEAR};
use hearth_domain::codes::{ContactOutcome, Ethnicity};
use hearth_domain::event::Event;
use hearth_domain::identifiers::PostcodeSector;
use hearth_domain::org::{Organisation, Policy, Routing, Service};
use hearth_domain::timescales::{Duty, Period, RuleSet};

/// Years simulated before and in the window together, at the least: long enough for
/// the standing populations (children in care, on plans, in need) to settle at their
/// steady levels, whatever the window's length. The rates were calibrated on ten years
/// after six of run-in.
const MIN_HISTORY_YEARS: i32 = 16;
/// Years simulated before the window, at the least: the children in care, on plans and
/// in need on the window's first day are there with their histories.
const MIN_BURN_IN_YEARS: i32 = 6;

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Years of activity to generate, ending at `end`.
    pub years: u32,
    pub seed: u64,
    /// Multiplies the preset's child population (0.01 gives a tiny county for tests).
    pub scale: f64,
    /// The last day simulated: "today" comes from the caller, never from a clock.
    pub end: jiff::civil::Date,
}

#[derive(Debug, Clone)]
pub(crate) struct LevelInfo {
    pub(crate) name: String,
    pub(crate) service: Option<Service>,
}

/// Everything a family's simulation reads.
#[derive(Debug)]
pub(crate) struct Ctx {
    pub(crate) wf: Workforce,
    /// The authority's working days (bank holidays and closure days excluded).
    pub(crate) days: WorkingDays,
    /// The national timescales with the authority's local policy: deadlines are the
    /// ones in force when each clock starts.
    pub(crate) rules: RuleSet,
    pub(crate) end: Day,
    pub(crate) window_start: Day,
    pub(crate) la_code: String,
    pub(crate) ethnicity: Vec<(Ethnicity, f64)>,
    pub(crate) levels: Vec<LevelInfo>,
    pub(crate) advice_levels: Vec<usize>,
    pub(crate) early_help_levels: Vec<usize>,
    pub(crate) referral_levels: Vec<usize>,
    pub(crate) routing: Routing,
    pub(crate) policy: Policy,
    /// Visits to children on plans, at most this many working days apart: the
    /// authority's child protection visit rule.
    pub(crate) cp_visit_working_days: u32,
    /// Localities where children live, weighted by their child populations.
    pub(crate) living: Vec<(usize, f64)>,
    /// Every postcode sector in the authority.
    pub(crate) sectors: Vec<PostcodeSector>,
}

impl Ctx {
    /// When `duty` falls due for a clock started on `clock`, under the rule in force
    /// that day. A clock that started outside the rule's dates (the history runs years
    /// before the window; a core assessment may start after the rule ended) is given the
    /// duty's earliest rule, so practice looks the same either side of the date; the
    /// domain derives no obligation from it.
    pub(crate) fn due(&self, duty: Duty, clock: Day) -> Result<Day, SynthError> {
        let rule = self
            .rules
            .in_force(duty, clock.to_date())
            .or_else(|| {
                self.rules
                    .rules()
                    .iter()
                    .filter(|r| r.duty == duty)
                    .min_by_key(|r| r.effective_from)
            })
            .ok_or_else(|| SynthError::Internal(format!("no timescale rule for {duty:?}")))?;
        Ok(self.days.due(rule, clock))
    }
}

/// How many working days apart visits to children on plans are planned: the earliest
/// child protection visit rule (the history runs years before any rule's date), in
/// working days; ten, the common practice DOMAIN.md records, when the authority has none.
fn cp_visit_step(rules: &RuleSet) -> u32 {
    let rule = rules
        .rules()
        .iter()
        .filter(|r| r.duty == Duty::ChildProtectionVisit)
        .min_by_key(|r| r.effective_from);
    match rule.map(|r| r.within) {
        Some(Period::WorkingDays(n)) => n.max(1),
        Some(Period::Days(n)) => (n * 5 / 7).max(1),
        Some(Period::Weeks(n)) => (n * 5).max(1),
        Some(Period::Months(n)) => (n * 21).max(1),
        Some(Period::Hours(n)) => (n / 24).max(1),
        None => 10,
    }
}

/// Scale the localities' child populations to the generated county's, keeping their sum
/// equal to the authority's (largest remainders get the odd children).
fn scale_populations(org: &mut Organisation, population: u32) {
    let total = u64::from(org.child_population.max(1));
    let target = u64::from(population);
    let mut shares: Vec<(u64, u64, &mut u32)> = org
        .areas
        .iter_mut()
        .flat_map(|a| a.localities.iter_mut())
        .map(|l| {
            let exact = u64::from(l.child_population) * target;
            (exact / total, exact % total, &mut l.child_population)
        })
        .collect();
    let given: u64 = shares.iter().map(|(n, _, _)| n).sum();
    let mut left = target.saturating_sub(given);
    shares.sort_by_key(|s| std::cmp::Reverse(s.1));
    for (n, remainder, slot) in shares {
        let extra = u64::from(left > 0 && remainder > 0);
        left -= extra;
        *slot = u32::try_from(n + extra).unwrap_or(u32::MAX);
    }
    org.child_population = population;
}

/// Running counters for identifiers. Restored when a family is not emitted, so ids
/// stay dense.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Counters {
    pub(crate) family: u64,
    pub(crate) child: u64,
    pub(crate) adult: u64,
    pub(crate) contact: u64,
    pub(crate) referral: u64,
    pub(crate) nhs: u64,
}

/// A synthetic county. Iterate it for one family's events at a time: the family's
/// journal (subject `family:F…`) first, then each child's journey (`child:C…`), each in
/// date order. Iteration stops early only if an internal invariant fails; then
/// [`Generator::error`] says why.
#[derive(Debug)]
pub struct Generator {
    ctx: Ctx,
    population: u32,
    rng: Rand,
    counters: Counters,
    next_family: f64,
    next_uasc: f64,
    family_gap: f64,
    uasc_gap: f64,
    error: Option<SynthError>,
    done: bool,
}

impl Generator {
    pub fn new(preset: &Preset, options: &Options) -> Result<Generator, SynthError> {
        if !(1..=50).contains(&options.years) {
            return Err(SynthError::Options("years must be between 1 and 50".into()));
        }
        if !(options.scale.is_finite() && options.scale > 0.0 && options.scale <= 20.0) {
            return Err(SynthError::Options(
                "scale must be above 0 and at most 20".into(),
            ));
        }
        if options.end.year() > LAST_YEAR {
            return Err(SynthError::Options(format!(
                "the end date must be in {LAST_YEAR} or earlier, the last year whose bank holidays Hearth knows"
            )));
        }
        let population = (f64::from(preset.child_population) * options.scale).round();
        if population < 1.0 {
            return Err(SynthError::Options(
                "scale is too small: the county would have no children".into(),
            ));
        }
        let population = population as u32;
        let end = Day::from_date(options.end);
        let years = options.years as i32;
        let window_start = end.plus(1).plus_years(-years);
        let burn_in = MIN_BURN_IN_YEARS.max(MIN_HISTORY_YEARS - years);
        let sim_start = window_start.plus_years(-burn_in);
        // Working days are counted from the first year whose bank holidays are known.
        if sim_start.year() < i32::from(FIRST_YEAR) {
            return Err(SynthError::Options(format!(
                "the county's history would start in {}, before {FIRST_YEAR}, the first year whose bank holidays Hearth knows: ask for fewer years or a later end",
                sim_start.year()
            )));
        }
        let mut rng = Rand::seeded(options.seed);
        let mut org_rng = rng.fork();
        let mut wf = Workforce::build(preset, options.scale, sim_start, end, &mut org_rng)?;
        // Everything below reads the policy from the organisation, as stored.
        let org = &wf.org;
        let invalid = |e: &dyn std::fmt::Display| SynthError::Options(e.to_string());
        let calendar = org.working_calendar().map_err(|e| invalid(&e))?;
        let days = WorkingDays::new(&calendar)?;
        let rules = org.rules().map_err(|e| invalid(&e))?;
        let cp_visit_working_days = cp_visit_step(&rules);
        let (Some(routing), Some(policy)) = (org.routing.clone(), org.policy.clone()) else {
            return Err(SynthError::Options(
                "the organisation needs routing and policy".into(),
            ));
        };
        let mut levels = Vec::new();
        let (mut advice, mut early_help, mut referral) = (Vec::new(), Vec::new(), Vec::new());
        for (i, l) in org.threshold.levels.iter().enumerate() {
            levels.push(LevelInfo {
                name: l.name.clone(),
                service: l.service,
            });
            match l.outcome {
                ContactOutcome::InformationAndAdvice => advice.push(i),
                ContactOutcome::EarlyHelp => early_help.push(i),
                ContactOutcome::Referral => referral.push(i),
                // The synthetic front door does not decide these yet (issue 13).
                ContactOutcome::NoFurtherAction
                | ContactOutcome::Universal
                | ContactOutcome::StrategyDiscussion
                | ContactOutcome::ImmediateProtection => {}
            }
        }
        let living: Vec<(usize, f64)> = wf
            .localities
            .iter()
            .enumerate()
            .filter(|(_, l)| l.weight > 0.0 && !l.sectors.is_empty())
            .map(|(i, l)| (i, l.weight))
            .collect();
        let sectors = wf
            .localities
            .iter()
            .flat_map(|l| l.sectors.iter().cloned())
            .collect();
        scale_populations(&mut wf.org, population);
        let la_code = wf.org.la_code.clone();
        let per_10k = f64::from(population) / 10_000.0;
        let families_a_day =
            preset.demand.referrals_per_10k * per_10k * model::FAMILIES_PER_REFERRAL / 365.25;
        let uasc_a_day = preset.demand.uasc_per_10k * per_10k / 365.25;
        let family_gap = 1.0 / families_a_day.max(1e-9);
        let uasc_gap = if uasc_a_day > 0.0 {
            1.0 / uasc_a_day
        } else {
            f64::INFINITY
        };
        let start = f64::from(sim_start.0);
        let next_family = start + rng.exponential(family_gap);
        let next_uasc = start + rng.exponential(uasc_gap);
        Ok(Generator {
            ctx: Ctx {
                wf,
                days,
                rules,
                end,
                window_start,
                la_code,
                ethnicity: preset.ethnicity_mix(),
                levels,
                advice_levels: advice,
                early_help_levels: early_help,
                referral_levels: referral,
                routing,
                policy,
                cp_visit_working_days,
                living,
                sectors,
            },
            population,
            rng,
            counters: Counters::default(),
            next_family,
            next_uasc,
            family_gap,
            uasc_gap,
            error: None,
            done: false,
        })
    }

    /// The preset's teams with the generated workers.
    pub fn organisation(&self) -> &Organisation {
        &self.ctx.wf.org
    }

    /// The scaled child population: the denominator for rates per 10,000.
    pub fn child_population(&self) -> u32 {
        self.population
    }

    /// The first day of the window (the day after `end`, `years` earlier).
    pub fn window_start(&self) -> jiff::civil::Date {
        self.ctx.window_start.to_date()
    }

    /// Why iteration stopped early, if it did.
    pub fn error(&self) -> Option<&SynthError> {
        self.error.as_ref()
    }

    fn family(&mut self, arrival: Day, uasc: bool) -> Result<Option<Vec<Event>>, SynthError> {
        let rng = self.rng.fork();
        let mut sim = Sim::new(&self.ctx, rng, &mut self.counters, arrival, uasc)?;
        if uasc {
            sim.uasc_arrival(arrival)?;
        } else {
            sim.run(arrival)?;
        }
        sim.finish()
    }
}

impl Iterator for Generator {
    type Item = Vec<Event>;

    fn next(&mut self) -> Option<Vec<Event>> {
        while !self.done {
            let uasc = self.next_uasc < self.next_family;
            let at = if uasc {
                self.next_uasc
            } else {
                self.next_family
            };
            let day = Day(at.floor() as i32);
            if day > self.ctx.end {
                self.done = true;
                break;
            }
            if uasc {
                self.next_uasc += self.rng.exponential(self.uasc_gap);
            } else {
                self.next_family += self.rng.exponential(self.family_gap);
            }
            let saved = self.counters;
            match self.family(day, uasc) {
                Ok(Some(events)) => return Some(events),
                Ok(None) => self.counters = saved,
                Err(e) => {
                    self.error = Some(e);
                    self.done = true;
                }
            }
        }
        None
    }
}
