//! The organisation an authority's preset describes: areas, localities, teams and the
//! workers in them.

use crate::ids::{TeamId, WorkerId};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organisation {
    pub authority: String,
    /// The DfE three-digit local authority code (e.g. 886 for Kent).
    pub la_code: String,
    /// Children aged 0–17 living in the authority: the denominator of every rate per
    /// 10,000 (DOMAIN.md). Zero when not known.
    #[serde(default)]
    pub child_population: u32,
    pub areas: Vec<Area>,
    #[serde(default)]
    pub workers: Vec<Worker>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Area {
    pub name: String,
    pub localities: Vec<Locality>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Locality {
    pub name: String,
    /// Postcode districts (outward codes) that the locality serves, e.g. `ME14`.
    pub postcode_districts: Vec<String>,
    pub teams: Vec<Team>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
}
