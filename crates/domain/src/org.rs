//! The organisation an authority's preset describes, and a council's own policy as data:
//! areas, localities (with the postcode sectors they serve and their child populations),
//! teams and the workers in them, the threshold levels with the service each routes to,
//! which service holds each stage of statutory work, caseload limits, scorecard targets,
//! and the authority's own timescale policy (local rules and closure days). A database
//! keeps it in dated versions ([`History`]), so that a due date is worked out under the
//! version in force on the day its clock started.

use crate::calendar::{CalendarError, FIRST_YEAR, WorkingCalendar};
use crate::codes::{ContactOutcome, RouteReason};
use crate::identifiers::PostcodeSector;
use crate::ids::{TeamId, WorkerId};
use crate::timescales::{Rule, RuleSet, TimescaleError};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// The first day of a database's first organisation version when no other is given
/// (`hearth generate` stores it so): the first day whose working days Hearth can count,
/// so that every event it can time falls under a version.
pub const FROM_THE_START: Date = Date::constant(FIRST_YEAR, 1, 1);

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    pub authority: String,
    /// The DfE three-digit local authority code (e.g. 886 for Kent).
    pub la_code: String,
    /// Children aged 0–17 living in the authority: the denominator of every rate per
    /// 10,000 (DOMAIN.md), and the sum of the localities' populations. Zero when not known.
    #[serde(default)]
    pub child_population: u32,
    /// The levels of need a front-door decision names, lowest first. Absent from
    /// documents written before the policy was kept here, as are the next four.
    #[serde(default, skip_serializing_if = "Threshold::is_empty")]
    pub threshold: Threshold,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing: Option<Routing>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Policy>,
    /// How the front door works. Absent from documents written before it was kept here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub front_door: Option<FrontDoorPolicy>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scorecard: Vec<Target>,
    /// The authority's local-policy timescales, added to the national rules. Absent from
    /// documents written before they were kept here: those authorities work to the
    /// national rules alone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timescales: Vec<Rule>,
    /// Weekdays the authority's offices close beyond the bank holidays.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub closure_days: Vec<Date>,
    pub areas: Vec<Area>,
    #[serde(default)]
    pub workers: Vec<Worker>,
}

/// The authority's levels of need, lowest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    pub levels: Vec<Level>,
}

impl Threshold {
    pub fn is_empty(&self) -> bool {
        self.levels.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    /// The name recorded on `contact_decided` (e.g. `3b`).
    pub name: String,
    /// The level's descriptor, as the threshold document words it.
    pub label: String,
    /// What the front door does at this level: `advice`, `early_help` or `referral`.
    pub outcome: ContactOutcome,
    /// The service that takes the work at this level (absent for advice only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<Service>,
}

/// Which service holds each stage of statutory work after the assessment (the
/// assessment itself is held by the service of the level the referral came in at).
/// An integrated authority names the same service for several stages, so one worker
/// keeps the family.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Routing {
    pub child_in_need: Service,
    pub child_protection: Service,
    pub looked_after: Service,
    pub care_leavers: Service,
    pub adoption: Service,
}

impl Routing {
    /// Each stage's key and the service it routes to.
    pub fn stages(&self) -> [(&'static str, Service); 5] {
        [
            ("child_in_need", self.child_in_need),
            ("child_protection", self.child_protection),
            ("looked_after", self.looked_after),
            ("care_leavers", self.care_leavers),
            ("adoption", self.adoption),
        ]
    }
}

/// How the authority's front door works: the team that screens contacts (and takes
/// those no locality can), the outcomes a manager must sign off before they stand, and
/// the match probabilities at which a record is suggested as possibly, or likely, the
/// person a contact names (a suggestion only: a person links nobody on their own).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontDoorPolicy {
    pub team: TeamId,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sign_off: Vec<ContactOutcome>,
    #[serde(default = "FrontDoorPolicy::default_suggest_at")]
    pub suggest_at: f32,
    #[serde(default = "FrontDoorPolicy::default_likely_at")]
    pub likely_at: f32,
}

impl FrontDoorPolicy {
    fn default_suggest_at() -> f32 {
        0.5
    }

    fn default_likely_at() -> f32 {
        0.95
    }

    /// Whether a decision with `outcome` stands only once a manager signs it off.
    pub fn needs_sign_off(&self, outcome: ContactOutcome) -> bool {
        self.sign_off.contains(&outcome)
    }
}

/// What routing knows of a decided child besides the decision: the postcode sector they
/// live in (if an address is known) and the worker and team the family already has.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouteFacts {
    pub sector: Option<PostcodeSector>,
    pub family_worker: Option<(WorkerId, TeamId)>,
}

/// Where a decision goes: a team, perhaps a worker, the locality that decided it, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub team: TeamId,
    pub worker: Option<WorkerId>,
    pub locality: Option<String>,
    pub reason: RouteReason,
}

/// Why a decision cannot be routed. None names a person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    #[error("there is no level '{0}' in the threshold")]
    UnknownLevel(String),
    #[error("outcome '{0}' at that level is not work for a team, so is not routed")]
    NoService(&'static str),
    #[error("the organisation names no front-door team to take what no locality can")]
    NoFrontDoor,
    #[error("there is no team with service '{0}' to take this work")]
    NoTeamFor(&'static str),
}

/// Local policy that is not a timescale (DOMAIN.md marks these as local, not law): how
/// many cases a worker may hold, and how often children in need are visited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Open cases per case-holding worker.
    pub caseload_limit: u32,
    pub max_looked_after_per_social_worker: u32,
    pub early_help_caseload: u32,
    pub iro_caseload: u32,
    pub personal_adviser_caseload: u32,
    /// Child in need visits, at most this many working days apart.
    pub cin_visit_working_days: u32,
    /// The most professionals a family should have working with it at once; a family
    /// page flags one with more. None: no limit is set, and nothing is flagged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_professionals_per_family: Option<u32>,
}

impl Policy {
    fn limits(&self) -> [(&'static str, u32); 6] {
        [
            ("caseload_limit", self.caseload_limit),
            (
                "max_looked_after_per_social_worker",
                self.max_looked_after_per_social_worker,
            ),
            ("early_help_caseload", self.early_help_caseload),
            ("iro_caseload", self.iro_caseload),
            ("personal_adviser_caseload", self.personal_adviser_caseload),
            ("cin_visit_working_days", self.cin_visit_working_days),
        ]
    }
}

/// A scorecard line: which KPI, its target and which direction is better.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub kpi: String,
    pub label: String,
    pub target: f64,
    pub polarity: Polarity,
    /// The red line below (or above, for lower-is-better) the target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Polarity {
    Higher,
    Lower,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    pub name: String,
    pub localities: Vec<Locality>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Locality {
    pub name: String,
    /// Children aged 0–17 living here (0 for a locality that only hosts teams).
    #[serde(default)]
    pub child_population: u32,
    /// The postcode sectors the locality serves, e.g. `CV2 1`: sectors, not districts,
    /// because a district may be split between localities.
    #[serde(default)]
    pub postcode_sectors: Vec<PostcodeSector>,
    /// Districts, as documents written before sectors named them: read so that such a
    /// document still loads, never written.
    #[serde(default, skip_serializing)]
    pub postcode_districts: Vec<String>,
    pub teams: Vec<Team>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
    pub service: Service,
}

/// What a team does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    FrontDoor,
    EarlyHelp,
    /// Integrated family support: early help and child in need work held by one worker.
    FamilySupport,
    Assessment,
    ChildInNeed,
    ChildProtection,
    ChildrenInCare,
    CareLeavers,
    Adoption,
    Reviewing,
}

impl Service {
    /// The name a document uses.
    pub fn code(self) -> &'static str {
        match self {
            Service::FrontDoor => "front_door",
            Service::EarlyHelp => "early_help",
            Service::FamilySupport => "family_support",
            Service::Assessment => "assessment",
            Service::ChildInNeed => "child_in_need",
            Service::ChildProtection => "child_protection",
            Service::ChildrenInCare => "children_in_care",
            Service::CareLeavers => "care_leavers",
            Service::Adoption => "adoption",
            Service::Reviewing => "reviewing",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkerRole {
    SocialWorker,
    EarlyHelpWorker,
    TeamManager,
    Screener,
    Iro,
    PersonalAdviser,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Employment {
    Employed,
    Agency,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Worker {
    pub id: WorkerId,
    pub name: String,
    pub role: WorkerRole,
    pub team: TeamId,
    pub fte: f32,
    pub employment: Employment,
    pub start_date: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<Date>,
    /// The day the worker qualified (social work registration), where the document
    /// says: a worker qualified less than a year ago is newly qualified (ASYE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualified: Option<Date>,
}

/// One step of the way to a key in the document: a key or a list position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(&'static str),
    Index(usize),
}

/// Where in the document something is wrong, written as a reader finds it:
/// `areas[0].localities[2].postcode_sectors[1]` (positions count from 0).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyPath(pub Vec<Step>);

impl KeyPath {
    fn key(&self, key: &'static str) -> KeyPath {
        let mut steps = self.0.clone();
        steps.push(Step::Key(key));
        KeyPath(steps)
    }

    fn at(&self, key: &'static str, index: usize) -> KeyPath {
        let mut steps = self.0.clone();
        steps.push(Step::Key(key));
        steps.push(Step::Index(index));
        KeyPath(steps)
    }
}

fn root(key: &'static str) -> KeyPath {
    KeyPath(vec![Step::Key(key)])
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                Step::Key(k) if i == 0 => f.write_str(k)?,
                Step::Key(k) => write!(f, ".{k}")?,
                Step::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// Why an organisation document cannot be used, and where. Documents hold no personal
/// data beyond workers' names, and no problem quotes a name.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{key}: {problem}")]
pub struct OrgError {
    pub key: KeyPath,
    pub problem: OrgProblem,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OrgProblem {
    #[error("must not be empty")]
    Empty,
    #[error("must be the authority's three-digit DfE code")]
    LaCode,
    #[error("must be more than 0")]
    Zero,
    #[error("must be between 1 and {max}")]
    OutOfRange { max: u32 },
    #[error("must be a finite number")]
    NotFinite,
    #[error("is missing")]
    Missing,
    #[error("the localities' child populations add up to {sum}, not the authority's {total}")]
    PopulationSum { sum: u64, total: u32 },
    #[error("a locality where children live needs at least one postcode sector")]
    NoSectors,
    #[error("sector {0} is given to more than one locality")]
    DuplicateSector(PostcodeSector),
    #[error("team id '{0}' is used twice")]
    DuplicateTeam(TeamId),
    #[error("worker id '{0}' is used twice")]
    DuplicateWorker(WorkerId),
    #[error("there is no team '{0}' in the organisation")]
    UnknownTeam(TeamId),
    #[error("there is no team with service '{0}' to take this work")]
    NoTeamFor(&'static str),
    #[error("level '{0}' is listed twice")]
    DuplicateLevel(String),
    #[error("no further action is not a level of need")]
    NoFurtherActionLevel,
    #[error("team '{0}' is not a front-door team")]
    NotFrontDoor(TeamId),
    #[error("must be a probability above 0 and at most 1")]
    NotProbability,
    #[error("must not be below suggest_at")]
    BelowSuggestion,
    #[error("a level with outcome '{0}' must name the service it routes to")]
    LevelNeedsService(&'static str),
    #[error("needs at least one level with outcome '{0}'")]
    NoLevelFor(&'static str),
    #[error("kpi '{0}' is listed twice")]
    DuplicateKpi(String),
    #[error("{0}")]
    Timescale(TimescaleError),
    #[error("{0}")]
    Calendar(CalendarError),
}

fn fail<T>(key: KeyPath, problem: OrgProblem) -> Result<T, OrgError> {
    Err(OrgError { key, problem })
}

impl Organisation {
    pub fn teams(&self) -> impl Iterator<Item = (&Area, &Locality, &Team)> {
        self.areas.iter().flat_map(|a| {
            a.localities
                .iter()
                .flat_map(move |l| l.teams.iter().map(move |t| (a, l, t)))
        })
    }

    pub fn team(&self, id: &TeamId) -> Option<&Team> {
        self.teams().map(|(_, _, t)| t).find(|t| &t.id == id)
    }

    pub fn worker(&self, id: &WorkerId) -> Option<&Worker> {
        self.workers.iter().find(|w| &w.id == id)
    }

    /// The locality that serves `sector`, with its area.
    pub fn locality_of(&self, sector: &PostcodeSector) -> Option<(&Area, &Locality)> {
        self.areas.iter().find_map(|a| {
            a.localities
                .iter()
                .find(|l| l.postcode_sectors.contains(sector))
                .map(|l| (a, l))
        })
    }

    /// Levels whose outcome is `outcome`, lowest first.
    pub fn levels_for(&self, outcome: ContactOutcome) -> impl Iterator<Item = &Level> {
        self.threshold
            .levels
            .iter()
            .filter(move |l| l.outcome == outcome)
    }

    /// England's national timescales with the authority's local policy.
    pub fn rules(&self) -> Result<RuleSet, TimescaleError> {
        RuleSet::national()?.with_local(&self.timescales)
    }

    /// England and Wales's working days, less the authority's closure days.
    pub fn working_calendar(&self) -> Result<WorkingCalendar, CalendarError> {
        WorkingCalendar::england_and_wales()?.with_closures(self.closure_days.iter().copied())
    }

    /// Check a whole document, as a council's own file must be before it is stored: the
    /// first problem found, with the key it is at.
    pub fn validate(&self) -> Result<(), OrgError> {
        if self.authority.trim().is_empty() {
            return fail(root("authority"), OrgProblem::Empty);
        }
        if self.la_code.len() != 3 || !self.la_code.bytes().all(|b| b.is_ascii_digit()) {
            return fail(root("la_code"), OrgProblem::LaCode);
        }
        if self.child_population == 0 {
            return fail(root("child_population"), OrgProblem::Zero);
        }
        self.validate_areas()?;
        self.validate_threshold()?;
        self.validate_policy()?;
        self.validate_front_door()?;
        self.validate_timescales()?;
        let mut workers = BTreeSet::new();
        for (i, w) in self.workers.iter().enumerate() {
            if !workers.insert(&w.id) {
                return fail(
                    KeyPath::default().at("workers", i).key("id"),
                    OrgProblem::DuplicateWorker(w.id.clone()),
                );
            }
            if self.team(&w.team).is_none() {
                return fail(
                    KeyPath::default().at("workers", i).key("team"),
                    OrgProblem::UnknownTeam(w.team.clone()),
                );
            }
        }
        Ok(())
    }

    fn has_team_for(&self, service: Service) -> bool {
        self.teams().any(|(_, _, t)| t.service == service)
    }

    fn validate_areas(&self) -> Result<(), OrgError> {
        if self.areas.is_empty() {
            return fail(root("areas"), OrgProblem::Empty);
        }
        let mut teams = BTreeSet::new();
        let mut sectors = BTreeSet::new();
        let mut population = 0u64;
        for (ai, area) in self.areas.iter().enumerate() {
            let at = KeyPath::default().at("areas", ai);
            for (li, loc) in area.localities.iter().enumerate() {
                let at = at.at("localities", li);
                population += u64::from(loc.child_population);
                if loc.child_population > 0 && loc.postcode_sectors.is_empty() {
                    return fail(at.key("postcode_sectors"), OrgProblem::NoSectors);
                }
                for (si, sector) in loc.postcode_sectors.iter().enumerate() {
                    if !sectors.insert(sector) {
                        return fail(
                            at.at("postcode_sectors", si),
                            OrgProblem::DuplicateSector(sector.clone()),
                        );
                    }
                }
                for (ti, team) in loc.teams.iter().enumerate() {
                    if !teams.insert(&team.id) {
                        return fail(
                            at.at("teams", ti).key("id"),
                            OrgProblem::DuplicateTeam(team.id.clone()),
                        );
                    }
                }
            }
        }
        if population != u64::from(self.child_population) {
            return fail(
                root("child_population"),
                OrgProblem::PopulationSum {
                    sum: population,
                    total: self.child_population,
                },
            );
        }
        Ok(())
    }

    fn validate_threshold(&self) -> Result<(), OrgError> {
        let mut names = BTreeSet::new();
        for (i, level) in self.threshold.levels.iter().enumerate() {
            let at = KeyPath::default().key("threshold").at("levels", i);
            if level.name.trim().is_empty() {
                return fail(at.key("name"), OrgProblem::Empty);
            }
            if !names.insert(level.name.as_str()) {
                return fail(
                    at.key("name"),
                    OrgProblem::DuplicateLevel(level.name.clone()),
                );
            }
            match (level.outcome, level.service) {
                (ContactOutcome::NoFurtherAction, _) => {
                    return fail(at.key("outcome"), OrgProblem::NoFurtherActionLevel);
                }
                (ContactOutcome::EarlyHelp | ContactOutcome::Referral, None) => {
                    return fail(
                        at.key("service"),
                        OrgProblem::LevelNeedsService(level.outcome.code()),
                    );
                }
                (_, Some(service)) if !self.has_team_for(service) => {
                    return fail(at.key("service"), OrgProblem::NoTeamFor(service.code()));
                }
                _ => {}
            }
        }
        for outcome in [
            ContactOutcome::InformationAndAdvice,
            ContactOutcome::EarlyHelp,
            ContactOutcome::Referral,
        ] {
            if self.levels_for(outcome).next().is_none() {
                return fail(
                    KeyPath::default().key("threshold").key("levels"),
                    OrgProblem::NoLevelFor(outcome.code()),
                );
            }
        }
        let Some(routing) = &self.routing else {
            return fail(root("routing"), OrgProblem::Missing);
        };
        for (key, service) in routing.stages() {
            if !self.has_team_for(service) {
                return fail(
                    root("routing").key(key),
                    OrgProblem::NoTeamFor(service.code()),
                );
            }
        }
        Ok(())
    }

    fn validate_policy(&self) -> Result<(), OrgError> {
        let Some(policy) = &self.policy else {
            return fail(root("policy"), OrgProblem::Missing);
        };
        for (key, value) in policy.limits() {
            if !(1..=365).contains(&value) {
                return fail(root("policy").key(key), OrgProblem::OutOfRange { max: 365 });
            }
        }
        if policy
            .max_professionals_per_family
            .is_some_and(|n| !(1..=365).contains(&n))
        {
            return fail(
                root("policy").key("max_professionals_per_family"),
                OrgProblem::OutOfRange { max: 365 },
            );
        }
        let mut kpis = BTreeSet::new();
        for (i, t) in self.scorecard.iter().enumerate() {
            let at = KeyPath::default().at("scorecard", i);
            if t.kpi.trim().is_empty() {
                return fail(at.key("kpi"), OrgProblem::Empty);
            }
            if !kpis.insert(t.kpi.as_str()) {
                return fail(at.key("kpi"), OrgProblem::DuplicateKpi(t.kpi.clone()));
            }
            if !t.target.is_finite() {
                return fail(at.key("target"), OrgProblem::NotFinite);
            }
            if t.floor.is_some_and(|f| !f.is_finite()) {
                return fail(at.key("floor"), OrgProblem::NotFinite);
            }
        }
        Ok(())
    }

    fn validate_front_door(&self) -> Result<(), OrgError> {
        let Some(front_door) = &self.front_door else {
            return Ok(());
        };
        let at = root("front_door");
        match self.team(&front_door.team) {
            None => {
                return fail(
                    at.key("team"),
                    OrgProblem::UnknownTeam(front_door.team.clone()),
                );
            }
            Some(team) if team.service != Service::FrontDoor => {
                return fail(
                    at.key("team"),
                    OrgProblem::NotFrontDoor(front_door.team.clone()),
                );
            }
            Some(_) => {}
        }
        for (key, p) in [
            ("suggest_at", front_door.suggest_at),
            ("likely_at", front_door.likely_at),
        ] {
            if !(p > 0.0 && p <= 1.0) {
                return fail(at.key(key), OrgProblem::NotProbability);
            }
        }
        if front_door.likely_at < front_door.suggest_at {
            return fail(at.key("likely_at"), OrgProblem::BelowSuggestion);
        }
        Ok(())
    }

    fn validate_timescales(&self) -> Result<(), OrgError> {
        if let Err(e) = self.rules() {
            // Point at the first rule for the duty in question, when there is one.
            let index = match &e {
                TimescaleError::Conflict { duty, .. } => {
                    self.timescales.iter().position(|r| r.duty == *duty)
                }
                _ => None,
            };
            let key = match index {
                Some(i) => KeyPath::default().at("timescales", i),
                None => root("timescales"),
            };
            return fail(key, OrgProblem::Timescale(e));
        }
        if let Err(e) = self.working_calendar() {
            let index = match &e {
                CalendarError::BadClosure(day) => self.closure_days.iter().position(|d| d == day),
                _ => None,
            };
            let key = match index {
                Some(i) => KeyPath::default().at("closure_days", i),
                None => root("closure_days"),
            };
            return fail(key, OrgProblem::Calendar(e));
        }
        Ok(())
    }
}

/// Where a decision on a child goes, in this order (one family, one worker, first):
/// 1. the family already has a worker whose team gives the level's service: that worker;
/// 2. the locality that serves the child's postcode sector: its first team with the
///    level's service, or else the first in its area, or else the first anywhere (a
///    county-wide service such as children in care sits in no locality of its own);
/// 3. a sector no locality serves: the front-door team, out of area;
/// 4. no address known: the front-door team.
///
/// The service is the named level's; with no level, that of the first level for the
/// outcome, and for a strategy discussion or immediate protection, the service that
/// holds child protection (`routing`).
pub fn route(
    org: &Organisation,
    outcome: ContactOutcome,
    level: Option<&str>,
    facts: &RouteFacts,
) -> Result<Route, RouteError> {
    let service = service_for(org, outcome, level)?;
    let locality = facts.sector.as_ref().and_then(|s| org.locality_of(s));
    let locality_name = locality.map(|(_, l)| l.name.clone());
    if let Some((worker, team)) = &facts.family_worker
        && org.team(team).is_some_and(|t| t.service == service)
    {
        return Ok(Route {
            team: team.clone(),
            worker: Some(worker.clone()),
            locality: locality_name,
            reason: RouteReason::ExistingWorker,
        });
    }
    let front_door = || {
        org.front_door
            .as_ref()
            .map(|f| f.team.clone())
            .ok_or(RouteError::NoFrontDoor)
    };
    if facts.sector.is_none() {
        return Ok(Route {
            team: front_door()?,
            worker: None,
            locality: None,
            reason: RouteReason::NoAddress,
        });
    }
    let Some((area, local)) = locality else {
        return Ok(Route {
            team: front_door()?,
            worker: None,
            locality: None,
            reason: RouteReason::OutOfArea,
        });
    };
    let serves = |t: &&Team| t.service == service;
    let team = local
        .teams
        .iter()
        .find(serves)
        .or_else(|| area.localities.iter().flat_map(|l| &l.teams).find(serves))
        .or_else(|| org.teams().map(|(_, _, t)| t).find(serves))
        .ok_or(RouteError::NoTeamFor(service.code()))?;
    Ok(Route {
        team: team.id.clone(),
        worker: None,
        locality: locality_name,
        reason: RouteReason::Locality,
    })
}

/// The service that takes a decision's work (see [`route`]).
fn service_for(
    org: &Organisation,
    outcome: ContactOutcome,
    level: Option<&str>,
) -> Result<Service, RouteError> {
    let found = match level {
        Some(name) => Some(
            org.threshold
                .levels
                .iter()
                .find(|l| l.name == name)
                .ok_or_else(|| RouteError::UnknownLevel(name.to_owned()))?,
        ),
        None => org.levels_for(outcome).next(),
    };
    let protection = matches!(
        outcome,
        ContactOutcome::StrategyDiscussion | ContactOutcome::ImmediateProtection
    );
    match (found.and_then(|l| l.service), &org.routing) {
        (Some(service), _) => Ok(service),
        (None, Some(routing)) if protection => Ok(routing.child_protection),
        _ => Err(RouteError::NoService(outcome.code())),
    }
}

/// An organisation's stored versions, each with the first day it is in force. A day is
/// under the latest version that starts on or before it; a version stored later for the
/// same day replaces an earlier one for that day, and neither is lost from the store.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// In date order, one a day.
    versions: Vec<(Date, Organisation)>,
}

impl History {
    /// The versions in the order they were stored, each with its first day.
    pub fn new(stored: impl IntoIterator<Item = (Date, Organisation)>) -> History {
        let mut versions: Vec<(Date, Organisation)> = Vec::new();
        for (from, org) in stored {
            match versions.binary_search_by_key(&from, |(d, _)| *d) {
                Ok(i) => {
                    if let Some(slot) = versions.get_mut(i) {
                        slot.1 = org;
                    }
                }
                Err(i) => versions.insert(i, (from, org)),
            }
        }
        History { versions }
    }

    pub fn is_empty(&self) -> bool {
        self.versions.is_empty()
    }

    /// The version in force on `day`, if any is.
    pub fn on(&self, day: Date) -> Option<&Organisation> {
        self.versions
            .iter()
            .rev()
            .find(|(from, _)| *from <= day)
            .map(|(_, org)| org)
    }

    /// Each version with its first day, in date order.
    pub fn versions(&self) -> &[(Date, Organisation)] {
        &self.versions
    }

    /// The version with the latest first day: the one in force from then on.
    pub fn latest(&self) -> Option<&Organisation> {
        self.versions.last().map(|(_, org)| org)
    }

    /// Each version, its first day and the last day it is in force (none for the latest).
    fn windows(&self) -> impl Iterator<Item = (Date, Option<Date>, &Organisation)> {
        self.versions.iter().enumerate().map(|(i, (from, org))| {
            let to = self
                .versions
                .get(i + 1)
                .and_then(|(next, _)| next.yesterday().ok());
            (*from, to, org)
        })
    }

    /// The national rules with each version's local rules, each limited to the days its
    /// version is in force: a clock is timed by the rule of the version in force on the
    /// day it started. A rule that runs on unchanged from one version to the next is one
    /// rule, so storing a version that changes no rule changes no rule set. Without any
    /// version, the national rules alone.
    pub fn rules(&self) -> Result<RuleSet, TimescaleError> {
        let mut local: Vec<Rule> = Vec::new();
        for (from, to, org) in self.windows() {
            for rule in &org.timescales {
                let start = rule.effective_from.max(from);
                let end = match (rule.effective_to, to) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                if end.is_some_and(|end| end < start) {
                    continue;
                }
                let continues = local.iter_mut().find(|r| {
                    r.duty == rule.duty
                        && r.clock == rule.clock
                        && r.within == rule.within
                        && r.source == rule.source
                        && r.effective_to.and_then(|d| d.tomorrow().ok()) == Some(start)
                });
                match continues {
                    Some(r) => r.effective_to = end,
                    None => local.push(Rule {
                        effective_from: start,
                        effective_to: end,
                        ..rule.clone()
                    }),
                }
            }
        }
        RuleSet::national()?.with_local(&local)
    }

    /// England and Wales's working days, less each version's closure days that fall while
    /// it is in force.
    pub fn working_calendar(&self) -> Result<WorkingCalendar, CalendarError> {
        let closed = self.windows().flat_map(|(from, to, org)| {
            org.closure_days
                .iter()
                .copied()
                .filter(move |d| *d >= from && to.is_none_or(|to| *d <= to))
        });
        WorkingCalendar::england_and_wales()?.with_closures(closed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timescales::{Clock, Duty, Source, SourceKind};
    use jiff::civil::date;

    fn bare() -> Organisation {
        Organisation {
            authority: String::from("Testshire"),
            la_code: String::from("999"),
            child_population: 0,
            threshold: Threshold::default(),
            routing: None,
            policy: None,
            front_door: None,
            scorecard: vec![],
            timescales: vec![],
            closure_days: vec![],
            areas: vec![],
            workers: vec![],
        }
    }

    fn local(duty: Duty, clock: Clock, within: &str, from: Date) -> Rule {
        Rule {
            duty,
            clock,
            within: within.parse().unwrap(),
            source: Source {
                kind: SourceKind::LocalPolicy,
                title: String::from("Testshire practice standards"),
            },
            effective_from: from,
            effective_to: None,
        }
    }

    fn team(id: &str, service: Service) -> Team {
        Team {
            id: id.parse().unwrap(),
            name: format!("Team {id}"),
            service,
        }
    }

    fn locality(name: &str, population: u32, sectors: &[&str], teams: Vec<Team>) -> Locality {
        Locality {
            name: name.to_owned(),
            child_population: population,
            postcode_sectors: sectors.iter().map(|s| s.parse().unwrap()).collect(),
            postcode_districts: vec![],
            teams,
        }
    }

    /// A small authority with every part of the policy, valid as it stands.
    fn valid() -> Organisation {
        let level = |name: &str, outcome, service| Level {
            name: String::from(name),
            label: format!("Level {name}"),
            outcome,
            service,
        };
        Organisation {
            child_population: 1000,
            threshold: Threshold {
                levels: vec![
                    level("1", ContactOutcome::InformationAndAdvice, None),
                    level("2", ContactOutcome::EarlyHelp, Some(Service::EarlyHelp)),
                    level("3", ContactOutcome::Referral, Some(Service::ChildInNeed)),
                ],
            },
            routing: Some(Routing {
                child_in_need: Service::ChildInNeed,
                child_protection: Service::ChildInNeed,
                looked_after: Service::ChildrenInCare,
                care_leavers: Service::ChildrenInCare,
                adoption: Service::ChildrenInCare,
            }),
            policy: Some(Policy {
                caseload_limit: 20,
                max_looked_after_per_social_worker: 15,
                early_help_caseload: 15,
                iro_caseload: 60,
                personal_adviser_caseload: 25,
                cin_visit_working_days: 30,
                max_professionals_per_family: None,
            }),
            scorecard: vec![Target {
                kpi: String::from("caseload"),
                label: String::from("Average caseload"),
                target: 20.0,
                polarity: Polarity::Lower,
                floor: None,
            }],
            timescales: vec![local(
                Duty::ChildProtectionVisit,
                Clock::ChildProtectionVisit,
                "10 working days",
                date(2012, 4, 1),
            )],
            areas: vec![Area {
                name: String::from("North"),
                localities: vec![
                    locality(
                        "Foleshill",
                        600,
                        &["CV6 5", "CV6 6"],
                        vec![team("t-eh", Service::EarlyHelp)],
                    ),
                    locality(
                        "Harmony",
                        400,
                        &["CV6 1", "CV2 1"],
                        vec![team("t-cin", Service::ChildInNeed)],
                    ),
                    locality(
                        "County services",
                        0,
                        &[],
                        vec![team("t-cic", Service::ChildrenInCare)],
                    ),
                ],
            }],
            ..bare()
        }
    }

    #[test]
    fn a_whole_document_validates_and_maps_sectors_to_localities() {
        let org = valid();
        assert_eq!(org.validate(), Ok(()));
        let (_, loc) = org.locality_of(&"CV6 1".parse().unwrap()).unwrap();
        assert_eq!(loc.name, "Harmony");
        let (_, loc) = org.locality_of(&"CV6 6".parse().unwrap()).unwrap();
        assert_eq!(loc.name, "Foleshill");
        assert!(org.locality_of(&"CV6 9".parse().unwrap()).is_none());
        // Through JSON and back unchanged.
        let back: Organisation =
            serde_json::from_str(&serde_json::to_string(&org).unwrap()).unwrap();
        assert_eq!(back, org);
    }

    #[test]
    fn each_problem_names_its_key() {
        let check = |change: &dyn Fn(&mut Organisation), key: &str, says: &str| {
            let mut org = valid();
            change(&mut org);
            let err = org.validate().unwrap_err();
            assert_eq!(err.key.to_string(), key, "{err}");
            assert!(err.to_string().contains(says), "{err}");
        };
        check(
            &|o| o.child_population = 1001,
            "child_population",
            "add up to 1000, not the authority's 1001",
        );
        check(
            &|o| o.areas[0].localities[1].postcode_sectors[1] = "CV6 5".parse().unwrap(),
            "areas[0].localities[1].postcode_sectors[1]",
            "CV6 5 is given to more than one locality",
        );
        check(
            &|o| o.areas[0].localities[0].postcode_sectors.clear(),
            "areas[0].localities[0].postcode_sectors",
            "needs at least one postcode sector",
        );
        check(
            &|o| o.areas[0].localities[2].teams[0].id = "t-eh".parse().unwrap(),
            "areas[0].localities[2].teams[0].id",
            "used twice",
        );
        check(
            &|o| o.routing.as_mut().unwrap().adoption = Service::Adoption,
            "routing.adoption",
            "no team with service 'adoption'",
        );
        check(
            &|o| o.threshold.levels[2].service = Some(Service::FamilySupport),
            "threshold.levels[2].service",
            "family_support",
        );
        check(
            &|o| o.threshold.levels[1].service = None,
            "threshold.levels[1].service",
            "must name the service",
        );
        check(&|o| o.routing = None, "routing", "is missing");
        check(
            &|o| o.policy.as_mut().unwrap().caseload_limit = 0,
            "policy.caseload_limit",
            "between 1 and 365",
        );
        check(
            &|o| o.scorecard.push(o.scorecard[0].clone()),
            "scorecard[1].kpi",
            "listed twice",
        );
        check(
            &|o| o.timescales[0].source.kind = SourceKind::Statute,
            "timescales[0]",
            "must be local policy",
        );
        check(
            &|o| o.closure_days = vec![date(2026, 12, 30), date(2026, 12, 27)],
            "closure_days[1]",
            "2026-12-27",
        );
        check(
            &|o| o.la_code = String::from("12"),
            "la_code",
            "three-digit",
        );
    }

    #[test]
    fn a_sector_that_is_not_one_is_refused_when_read() {
        let json = serde_json::to_string(&valid())
            .unwrap()
            .replace("\"CV6 5\"", "\"CV6\"");
        let err = serde_json::from_str::<Organisation>(&json).unwrap_err();
        assert!(err.to_string().contains("not a postcode sector"), "{err}");
    }

    #[test]
    fn each_day_is_under_the_version_in_force_that_day() {
        let first = valid();
        let mut second = valid();
        second.timescales[0].within = "5 working days".parse().unwrap();
        second.closure_days = vec![date(2026, 12, 29)];
        let mut also_first = valid();
        also_first.closure_days = vec![date(2025, 12, 29)];
        let history = History::new([
            (FROM_THE_START, first.clone()),
            (date(2026, 6, 1), second.clone()),
        ]);
        assert_eq!(history.on(date(1999, 1, 1)), None);
        assert_eq!(history.on(date(2026, 5, 31)), Some(&first));
        assert_eq!(history.on(date(2026, 6, 1)), Some(&second));
        assert_eq!(history.latest(), Some(&second));
        let rules = history.rules().unwrap();
        let visit = |day| {
            rules
                .in_force(Duty::ChildProtectionVisit, day)
                .unwrap()
                .within
        };
        assert_eq!(visit(date(2026, 5, 31)), "10 working days".parse().unwrap());
        assert_eq!(visit(date(2026, 6, 1)), "5 working days".parse().unwrap());
        // A version's closure days count only while it is in force.
        let history = History::new([
            (FROM_THE_START, first.clone()),
            (date(2026, 6, 1), also_first),
        ]);
        let calendar = history.working_calendar().unwrap();
        assert!(calendar.is_working_day(date(2025, 12, 29)).unwrap());
        // A version that changes no rule changes no rule set; one stored later for the
        // same day replaces the earlier for that day.
        let same = History::new([
            (FROM_THE_START, first.clone()),
            (date(2026, 6, 1), first.clone()),
        ]);
        assert_eq!(same.rules().unwrap(), first.rules().unwrap());
        let replaced = History::new([(FROM_THE_START, second), (FROM_THE_START, first.clone())]);
        assert_eq!(replaced.latest(), Some(&first));
        assert_eq!(
            History::default().rules().unwrap(),
            *RuleSet::national().unwrap()
        );
    }

    #[test]
    fn a_document_without_timescales_reads_with_the_national_rules_alone() {
        let old = r#"{"authority":"Testshire","la_code":"999","areas":[
            {"name":"A","localities":[{"name":"L","postcode_districts":["ME14"],"teams":[]}]}]}"#;
        let org: Organisation = serde_json::from_str(old).unwrap();
        assert_eq!(org.areas[0].localities[0].postcode_districts, ["ME14"]);
        assert_eq!(org.rules().unwrap(), *RuleSet::national().unwrap());
        assert_eq!(
            org.working_calendar().unwrap(),
            *WorkingCalendar::england_and_wales().unwrap()
        );
        // And an organisation without them writes no empty lists.
        let json = serde_json::to_string(&bare()).unwrap();
        assert!(!json.contains("timescales") && !json.contains("closure_days"));
    }

    #[test]
    fn local_rules_and_closure_days_travel_with_the_organisation() {
        let mut org = bare();
        org.timescales = vec![Rule {
            duty: Duty::UnallocatedCase,
            clock: Clock::Unallocated,
            within: "28 days".parse().unwrap(),
            source: Source {
                kind: SourceKind::LocalPolicy,
                title: String::from("Testshire practice standards"),
            },
            effective_from: date(2012, 4, 1),
            effective_to: None,
        }];
        // A Tuesday between Christmas and New Year.
        org.closure_days = vec![date(2026, 12, 29)];
        let back: Organisation =
            serde_json::from_str(&serde_json::to_string(&org).unwrap()).unwrap();
        assert_eq!(back, org);
        let rules = back.rules().unwrap();
        assert!(
            rules
                .in_force(Duty::UnallocatedCase, date(2026, 1, 5))
                .is_some()
        );
        let calendar = back.working_calendar().unwrap();
        assert!(!calendar.is_working_day(date(2026, 12, 29)).unwrap());
        assert!(calendar.is_working_day(date(2026, 12, 30)).unwrap());
    }

    /// [`valid`] with a front door: team t-fd in the county services, and a manager's
    /// sign-off for no further action.
    fn with_front_door() -> Organisation {
        let mut org = valid();
        org.areas[0].localities[2]
            .teams
            .push(team("t-fd", Service::FrontDoor));
        org.front_door = Some(FrontDoorPolicy {
            team: "t-fd".parse().unwrap(),
            sign_off: vec![ContactOutcome::NoFurtherAction],
            suggest_at: 0.5,
            likely_at: 0.95,
        });
        org
    }

    #[test]
    fn the_front_door_policy_is_checked_and_optional() {
        assert_eq!(with_front_door().validate(), Ok(()));
        let check = |change: &dyn Fn(&mut FrontDoorPolicy), key: &str, says: &str| {
            let mut org = with_front_door();
            change(org.front_door.as_mut().unwrap());
            let err = org.validate().unwrap_err();
            assert_eq!(err.key.to_string(), key);
            assert_eq!(err.problem.to_string(), says);
        };
        check(
            &|f| f.team = "t-none".parse().unwrap(),
            "front_door.team",
            "there is no team 't-none' in the organisation",
        );
        check(
            &|f| f.team = "t-cin".parse().unwrap(),
            "front_door.team",
            "team 't-cin' is not a front-door team",
        );
        check(
            &|f| f.suggest_at = 0.0,
            "front_door.suggest_at",
            "must be a probability above 0 and at most 1",
        );
        check(
            &|f| f.likely_at = f32::NAN,
            "front_door.likely_at",
            "must be a probability above 0 and at most 1",
        );
        check(
            &|f| f.likely_at = 0.4,
            "front_door.likely_at",
            "must not be below suggest_at",
        );
        // Written only when there is one, so a document without it reads and writes back
        // as it was; the thresholds have defaults.
        let json = serde_json::to_string(&valid()).unwrap();
        assert!(!json.contains("front_door"));
        let org: Organisation = serde_json::from_str(
            &serde_json::to_string(&with_front_door())
                .unwrap()
                .replace(r#","suggest_at":0.5,"likely_at":0.95"#, ""),
        )
        .unwrap();
        assert_eq!(org, with_front_door());
    }

    #[test]
    fn routing_in_its_four_rules() {
        let org = with_front_door();
        let facts = |sector: Option<&str>, worker: Option<(&str, &str)>| RouteFacts {
            sector: sector.map(|s| s.parse().unwrap()),
            family_worker: worker.map(|(w, t)| (w.parse().unwrap(), t.parse().unwrap())),
        };
        let route_to = |outcome, level: Option<&str>, facts: &RouteFacts| {
            let r = route(&org, outcome, level, facts).unwrap();
            (
                r.team.to_string(),
                r.worker.map(|w| w.to_string()),
                r.locality,
                r.reason,
            )
        };
        let referral = ContactOutcome::Referral;
        // 1. The family's worker, whose team gives the level's service.
        assert_eq!(
            route_to(
                referral,
                Some("3"),
                &facts(Some("CV6 5"), Some(("W1", "t-cin")))
            ),
            (
                "t-cin".into(),
                Some("W1".into()),
                Some("Foleshill".into()),
                RouteReason::ExistingWorker
            )
        );
        // A worker in another service does not take the work: the locality decides.
        assert_eq!(
            route_to(
                referral,
                Some("3"),
                &facts(Some("CV6 1"), Some(("W2", "t-eh")))
            ),
            (
                "t-cin".into(),
                None,
                Some("Harmony".into()),
                RouteReason::Locality
            )
        );
        // 2. The locality's team, else one in its area: Foleshill has no CIN team.
        assert_eq!(
            route_to(referral, Some("3"), &facts(Some("CV6 5"), None)),
            (
                "t-cin".into(),
                None,
                Some("Foleshill".into()),
                RouteReason::Locality
            )
        );
        assert_eq!(
            route_to(ContactOutcome::EarlyHelp, None, &facts(Some("CV6 6"), None)),
            (
                "t-eh".into(),
                None,
                Some("Foleshill".into()),
                RouteReason::Locality
            )
        );
        // A strategy discussion goes to the service that holds child protection.
        assert_eq!(
            route_to(
                ContactOutcome::StrategyDiscussion,
                None,
                &facts(Some("CV2 1"), None)
            ),
            (
                "t-cin".into(),
                None,
                Some("Harmony".into()),
                RouteReason::Locality
            )
        );
        // 3. Out of area, and 4. no address: the front door.
        assert_eq!(
            route_to(referral, Some("3"), &facts(Some("ME1 1"), None)),
            ("t-fd".into(), None, None, RouteReason::OutOfArea)
        );
        assert_eq!(
            route_to(referral, Some("3"), &facts(None, None)),
            ("t-fd".into(), None, None, RouteReason::NoAddress)
        );
        // What cannot be routed says why.
        let none = facts(None, None);
        assert_eq!(
            route(&org, referral, Some("9"), &none),
            Err(RouteError::UnknownLevel("9".into()))
        );
        assert_eq!(
            route(&org, ContactOutcome::InformationAndAdvice, Some("1"), &none),
            Err(RouteError::NoService("advice"))
        );
        assert_eq!(
            route(&valid(), referral, Some("3"), &none),
            Err(RouteError::NoFrontDoor)
        );
    }
}
