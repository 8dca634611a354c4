//! The organisation an authority's preset describes: areas, localities, teams and the
//! workers in them, and the authority's own timescale policy (local rules and closure
//! days), so that a database describes its authority without the preset it came from.

use crate::calendar::{CalendarError, WorkingCalendar};
use crate::ids::{TeamId, WorkerId};
use crate::timescales::{Rule, RuleSet, TimescaleError};
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
    /// The authority's local-policy timescales, added to the national rules. Absent from
    /// documents written before they were kept here: those authorities work to the
    /// national rules alone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timescales: Vec<Rule>,
    /// Weekdays the authority's offices close beyond the bank holidays.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub closure_days: Vec<Date>,
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

    /// England's national timescales with the authority's local policy.
    pub fn rules(&self) -> Result<RuleSet, TimescaleError> {
        RuleSet::national()?.with_local(&self.timescales)
    }

    /// England and Wales's working days, less the authority's closure days.
    pub fn working_calendar(&self) -> Result<WorkingCalendar, CalendarError> {
        WorkingCalendar::england_and_wales()?.with_closures(self.closure_days.iter().copied())
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
            areas: vec![],
            workers: vec![],
            timescales: vec![],
            closure_days: vec![],
        }
    }

    #[test]
    fn a_document_without_timescales_reads_with_the_national_rules_alone() {
        let old = r#"{"authority":"Testshire","la_code":"999","areas":[]}"#;
        let org: Organisation = serde_json::from_str(old).unwrap();
        assert_eq!(org, bare());
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
}
