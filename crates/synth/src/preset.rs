//! Presets: everything about an authority as data (DESIGN.md, "Presets"). A council
//! adopting Hearth writes its own TOML file; nothing about an authority is hard-coded in
//! the generator. The four seed authorities ship embedded in the crate.

use hearth_domain::calendar::WorkingCalendar;
use hearth_domain::codes::{ContactOutcome, Ethnicity};
use hearth_domain::identifiers::Postcode;
use hearth_domain::ids::TeamId;
use hearth_domain::org::{Area, Locality, Organisation, Service, Team};
use hearth_domain::timescales::{Rule, RuleSet};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The presets shipped with Hearth, by the name `hearth demo --preset` takes.
pub const PRESETS: &[&str] = &["kent", "wiltshire", "central-bedfordshire", "coventry"];

const KENT: &str = include_str!("../presets/kent.toml");
const WILTSHIRE: &str = include_str!("../presets/wiltshire.toml");
const CENTRAL_BEDFORDSHIRE: &str = include_str!("../presets/central-bedfordshire.toml");
const COVENTRY: &str = include_str!("../presets/coventry.toml");

/// Why a preset could not be loaded. Presets hold no personal data, so messages may
/// quote them.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PresetError {
    #[error("there is no preset called '{name}'; the presets are: {known}")]
    Unknown { name: String, known: String },
    #[error("the preset is not valid TOML for a preset: {0}")]
    Toml(String),
    #[error("the preset is not usable: {0}")]
    Invalid(String),
}

/// An authority, as the generator and the demo need it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    pub authority: String,
    /// The DfE three-digit local authority code.
    pub la_code: String,
    /// Children aged 0–17 living in the authority (ONS mid-year estimate, rounded).
    pub child_population: u32,
    /// Postcode areas the authority lies in (e.g. `ME`).
    pub postcode_areas: Vec<String>,
    /// Share of children by ethnicity code (CIN census codes); normalised when used.
    pub ethnicity: BTreeMap<String, f64>,
    pub threshold: Threshold,
    pub routing: Routing,
    pub policy: Policy,
    pub staffing: Staffing,
    pub demand: Demand,
    pub areas: Vec<AreaSpec>,
    #[serde(default)]
    pub scorecard: Vec<Target>,
    /// Weekdays the authority's offices close beyond the bank holidays (e.g. between
    /// Christmas and New Year): working-day timescales do not count them.
    #[serde(default)]
    pub closure_days: Vec<jiff::civil::Date>,
    /// The authority's local-policy timescales, added to the national rules.
    #[serde(default)]
    pub timescales: Vec<Rule>,
}

/// The authority's levels of need, lowest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    pub levels: Vec<Level>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    /// The name recorded on `contact_decided` (e.g. `3b`).
    pub name: String,
    pub label: String,
    /// What the front door does at this level: `advice`, `early_help` or `referral`.
    pub outcome: ContactOutcome,
    /// The service that takes the work at this level (absent for advice only).
    #[serde(default)]
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

/// Local policy (DOMAIN.md marks these as local, not law).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Open cases per case-holding worker.
    pub caseload_limit: u32,
    pub max_looked_after_per_social_worker: u32,
    /// Child protection visits, at most this many working days apart.
    pub cp_visit_working_days: u32,
    /// Child in need visits, at most this many working days apart.
    pub cin_visit_working_days: u32,
    /// Looked-after visits, at most this many days apart in the first year of a
    /// placement (Care Planning Regulations 2010, reg 28: six-weekly).
    pub cla_visit_days: u32,
    /// A case unallocated for longer than this is flagged.
    pub unallocated_flag_days: u32,
    pub early_help_caseload: u32,
    pub iro_caseload: u32,
    pub personal_adviser_caseload: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Staffing {
    /// Share of case-holding posts filled by agency workers at any one time.
    pub agency_share: f64,
    /// Share of permanent staff who leave in a year.
    pub annual_turnover: f64,
    /// How long an agency worker usually stays.
    pub agency_tenure_months: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Demand {
    /// Referrals a year per 10,000 children: scales the whole county's activity.
    pub referrals_per_10k: f64,
    /// Unaccompanied asylum-seeking children arriving a year per 10,000 children.
    pub uasc_per_10k: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaSpec {
    pub name: String,
    pub localities: Vec<LocalitySpec>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalitySpec {
    pub name: String,
    /// The town written on addresses in this locality (defaults to the name).
    #[serde(default)]
    pub town: Option<String>,
    /// Share of the authority's children living here, relative to the other
    /// localities (0 for a locality that only hosts teams).
    #[serde(default = "one")]
    pub weight: f64,
    #[serde(default)]
    pub postcode_districts: Vec<String>,
    #[serde(default)]
    pub teams: Vec<TeamSpec>,
}

fn one() -> f64 {
    1.0
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamSpec {
    pub id: TeamId,
    pub name: String,
    pub service: Service,
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
    #[serde(default)]
    pub floor: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Polarity {
    Higher,
    Lower,
}

/// Load one of the presets shipped with Hearth by name.
pub fn preset(name: &str) -> Result<Preset, PresetError> {
    let text = match name {
        "kent" => KENT,
        "wiltshire" => WILTSHIRE,
        "central-bedfordshire" => CENTRAL_BEDFORDSHIRE,
        "coventry" => COVENTRY,
        _ => {
            return Err(PresetError::Unknown {
                name: name.to_owned(),
                known: PRESETS.join(", "),
            });
        }
    };
    parse_preset(text)
}

/// Parse and check a preset file's text.
pub fn parse_preset(toml: &str) -> Result<Preset, PresetError> {
    let preset: Preset = toml::from_str(toml).map_err(|e| PresetError::Toml(e.to_string()))?;
    preset.check()?;
    Ok(preset)
}

impl Preset {
    /// England's national timescales with the authority's local policy.
    pub fn rules(&self) -> Result<RuleSet, PresetError> {
        RuleSet::national()
            .and_then(|n| n.with_local(&self.timescales))
            .map_err(|e| PresetError::Invalid(e.to_string()))
    }

    /// England and Wales's working days, less the authority's closure days.
    pub fn working_calendar(&self) -> Result<WorkingCalendar, PresetError> {
        WorkingCalendar::england_and_wales()
            .and_then(|c| c.with_closures(self.closure_days.iter().copied()))
            .map_err(|e| PresetError::Invalid(e.to_string()))
    }

    /// The organisation the preset describes, without workers (the generator adds them).
    /// It carries the local timescales and closure days, so a database generated from the
    /// preset computes due dates with them without knowing the preset.
    pub fn organisation(&self) -> Organisation {
        Organisation {
            authority: self.authority.clone(),
            la_code: self.la_code.clone(),
            child_population: self.child_population,
            areas: self
                .areas
                .iter()
                .map(|a| Area {
                    name: a.name.clone(),
                    localities: a
                        .localities
                        .iter()
                        .map(|l| Locality {
                            name: l.name.clone(),
                            postcode_districts: l.postcode_districts.clone(),
                            teams: l
                                .teams
                                .iter()
                                .map(|t| Team {
                                    id: t.id.clone(),
                                    name: t.name.clone(),
                                    service: t.service,
                                })
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
            workers: Vec::new(),
            timescales: self.timescales.clone(),
            closure_days: self.closure_days.clone(),
        }
    }

    /// The ethnicity mix as codes and shares, in code order, shares summing to 1.
    pub fn ethnicity_mix(&self) -> Vec<(Ethnicity, f64)> {
        let total: f64 = self.ethnicity.values().sum();
        self.ethnicity
            .iter()
            .filter_map(|(code, share)| {
                Ethnicity::from_code(code)
                    .ok()
                    .map(|e| (e, share / total.max(f64::MIN_POSITIVE)))
            })
            .collect()
    }

    /// Levels whose outcome is `outcome`, lowest first.
    pub fn levels_for(&self, outcome: ContactOutcome) -> impl Iterator<Item = &Level> {
        self.threshold
            .levels
            .iter()
            .filter(move |l| l.outcome == outcome)
    }

    fn check(&self) -> Result<(), PresetError> {
        let bad = |m: String| Err(PresetError::Invalid(m));
        if self.authority.trim().is_empty() {
            return bad("authority must not be empty".into());
        }
        if self.la_code.len() != 3 || !self.la_code.bytes().all(|b| b.is_ascii_digit()) {
            return bad(format!(
                "la_code '{}' must be the three-digit DfE code",
                self.la_code
            ));
        }
        if self.child_population == 0 {
            return bad("child_population must be more than 0".into());
        }
        if self.ethnicity.is_empty() {
            return bad("ethnicity must list at least one code".into());
        }
        for (code, share) in &self.ethnicity {
            if let Err(e) = Ethnicity::from_code(code) {
                return bad(format!("ethnicity: {e}"));
            }
            if !(share.is_finite() && *share >= 0.0) {
                return bad(format!("ethnicity share for {code} must be 0 or more"));
            }
        }
        if self.ethnicity.values().sum::<f64>() <= 0.0 {
            return bad("ethnicity shares must not all be 0".into());
        }
        self.check_threshold()?;
        self.check_areas()?;
        let s = &self.staffing;
        if !(0.0..1.0).contains(&s.agency_share) {
            return bad("staffing.agency_share must be at least 0 and below 1".into());
        }
        if !(s.annual_turnover > 0.0 && s.annual_turnover < 2.0) {
            return bad("staffing.annual_turnover must be above 0 and below 2".into());
        }
        if !(s.agency_tenure_months >= 1.0 && s.agency_tenure_months.is_finite()) {
            return bad("staffing.agency_tenure_months must be at least 1".into());
        }
        let d = &self.demand;
        if !(d.referrals_per_10k > 0.0 && d.referrals_per_10k < 5000.0) {
            return bad("demand.referrals_per_10k must be above 0 and below 5000".into());
        }
        if !(d.uasc_per_10k >= 0.0 && d.uasc_per_10k < 100.0) {
            return bad("demand.uasc_per_10k must be at least 0 and below 100".into());
        }
        let p = &self.policy;
        for (name, v) in [
            ("caseload_limit", p.caseload_limit),
            (
                "max_looked_after_per_social_worker",
                p.max_looked_after_per_social_worker,
            ),
            ("cp_visit_working_days", p.cp_visit_working_days),
            ("cin_visit_working_days", p.cin_visit_working_days),
            ("cla_visit_days", p.cla_visit_days),
            ("unallocated_flag_days", p.unallocated_flag_days),
            ("early_help_caseload", p.early_help_caseload),
            ("iro_caseload", p.iro_caseload),
            ("personal_adviser_caseload", p.personal_adviser_caseload),
        ] {
            if v == 0 || v > 365 {
                return bad(format!("policy.{name} must be between 1 and 365"));
            }
        }
        for t in &self.scorecard {
            if t.kpi.trim().is_empty() || !t.target.is_finite() {
                return bad("each scorecard line needs a kpi and a finite target".into());
            }
        }
        Ok(())
    }

    fn check_threshold(&self) -> Result<(), PresetError> {
        let bad = |m: String| Err(PresetError::Invalid(m));
        let mut names = BTreeSet::new();
        for level in &self.threshold.levels {
            if level.name.trim().is_empty() {
                return bad("a threshold level needs a name".into());
            }
            if !names.insert(level.name.as_str()) {
                return bad(format!("threshold level '{}' is listed twice", level.name));
            }
            match level.outcome {
                ContactOutcome::NoFurtherAction => {
                    return bad(format!(
                        "threshold level '{}': no further action is not a level of need",
                        level.name
                    ));
                }
                ContactOutcome::EarlyHelp | ContactOutcome::Referral if level.service.is_none() => {
                    return bad(format!(
                        "threshold level '{}' must name the service it routes to",
                        level.name
                    ));
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
                return bad(format!(
                    "the threshold needs at least one level with outcome '{}'",
                    outcome.code()
                ));
            }
        }
        Ok(())
    }

    fn check_areas(&self) -> Result<(), PresetError> {
        let bad = |m: String| Err(PresetError::Invalid(m));
        if self.areas.is_empty() {
            return bad("the preset needs at least one area".into());
        }
        let mut team_ids = BTreeSet::new();
        let mut services: Vec<Service> = Vec::new();
        let mut weight = 0.0;
        for area in &self.areas {
            for loc in &area.localities {
                if !(loc.weight.is_finite() && loc.weight >= 0.0) {
                    return bad(format!("locality '{}': weight must be 0 or more", loc.name));
                }
                if loc.weight > 0.0 && loc.postcode_districts.is_empty() {
                    return bad(format!(
                        "locality '{}' has children (weight above 0) but no postcode districts",
                        loc.name
                    ));
                }
                if !loc.postcode_districts.is_empty() {
                    weight += loc.weight;
                }
                for district in &loc.postcode_districts {
                    let valid = Postcode::parse(&format!("{district} 1AB"))
                        .is_ok_and(|p| p.outward() == district);
                    if !valid {
                        return bad(format!(
                            "locality '{}': '{district}' is not a postcode district",
                            loc.name
                        ));
                    }
                    let area_code: String = district
                        .chars()
                        .take_while(char::is_ascii_alphabetic)
                        .collect();
                    if !self.postcode_areas.contains(&area_code) {
                        return bad(format!(
                            "locality '{}': district '{district}' is outside the postcode areas",
                            loc.name
                        ));
                    }
                }
                for team in &loc.teams {
                    if !team_ids.insert(team.id.clone()) {
                        return bad(format!("team id '{}' is used twice", team.id));
                    }
                    if !services.contains(&team.service) {
                        services.push(team.service);
                    }
                }
            }
        }
        if weight <= 0.0 {
            return bad("at least one locality must have children (weight and districts)".into());
        }
        for needed in [Service::FrontDoor, Service::Reviewing] {
            if !services.contains(&needed) {
                return bad(format!(
                    "the organisation needs a team with service {:?}",
                    needed
                ));
            }
        }
        let case_holding = [
            Service::Assessment,
            Service::ChildInNeed,
            Service::ChildProtection,
            Service::FamilySupport,
            Service::ChildrenInCare,
        ];
        if !case_holding.iter().any(|s| services.contains(s)) {
            return bad("the organisation needs at least one case-holding social work team".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_domain::event::OccurredAt;
    use hearth_domain::timescales::{Due, Duty, SourceKind};

    #[test]
    fn every_preset_parses() {
        for name in PRESETS {
            let p = preset(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(p.child_population > 0);
            let org = p.organisation();
            assert!(org.teams().count() > 3, "{name}");
            assert!((p.ethnicity_mix().iter().map(|(_, s)| s).sum::<f64>() - 1.0).abs() < 1e-9);
        }
        assert_eq!(preset("kent").unwrap().la_code, "886");
        assert_eq!(preset("wiltshire").unwrap().la_code, "865");
        assert_eq!(preset("central-bedfordshire").unwrap().la_code, "823");
        assert_eq!(preset("coventry").unwrap().la_code, "331");
    }

    #[test]
    fn kent_has_twelve_districts_in_four_areas() {
        let p = preset("kent").unwrap();
        let districts: Vec<_> = p
            .areas
            .iter()
            .flat_map(|a| a.localities.iter())
            .filter(|l| l.weight > 0.0)
            .collect();
        assert_eq!(districts.len(), 12);
        assert_eq!(
            p.areas
                .iter()
                .filter(|a| a.localities.iter().any(|l| l.weight > 0.0))
                .count(),
            4
        );
    }

    #[test]
    fn closure_days_in_a_preset_stop_the_working_day_clock() {
        let mut p = preset("kent").unwrap();
        let christmas_eve = jiff::civil::date(2026, 12, 24);
        let open = p.working_calendar().unwrap();
        assert_eq!(
            open.add_working_days(christmas_eve, 1).unwrap(),
            jiff::civil::date(2026, 12, 29)
        );
        p.closure_days = vec![jiff::civil::date(2026, 12, 29)];
        let closed = p.working_calendar().unwrap();
        assert_eq!(
            closed.add_working_days(christmas_eve, 1).unwrap(),
            jiff::civil::date(2026, 12, 30)
        );
        p.closure_days = vec![jiff::civil::date(2026, 12, 27)];
        let err = p.working_calendar().unwrap_err().to_string();
        assert!(err.contains("2026-12-27"), "{err}");
    }

    #[test]
    fn the_organisation_carries_the_local_rules_and_closure_days() {
        let mut p = preset("kent").unwrap();
        p.closure_days = vec![jiff::civil::date(2026, 12, 29)];
        let org = p.organisation();
        assert_eq!(org.timescales, p.timescales);
        assert_eq!(org.rules().unwrap(), p.rules().unwrap());
        assert_eq!(
            org.working_calendar().unwrap(),
            p.working_calendar().unwrap()
        );
    }

    #[test]
    fn kent_flags_cases_unallocated_over_28_days() {
        let rules = preset("kent").unwrap().rules().unwrap();
        let day = jiff::civil::date(2012, 9, 3);
        let rule = rules.in_force(Duty::UnallocatedCase, day).unwrap();
        assert_eq!(rule.source.kind, SourceKind::LocalPolicy);
        let due = rule
            .due(
                OccurredAt::on(day),
                &preset("kent").unwrap().working_calendar().unwrap(),
            )
            .unwrap();
        assert_eq!(due, Due::On(jiff::civil::date(2012, 10, 1)));
        // Every preset's rules combine with the national ones.
        for name in PRESETS {
            preset(name).unwrap().rules().unwrap();
        }
    }

    #[test]
    fn wiltshire_levels() {
        let p = preset("wiltshire").unwrap();
        let names: Vec<_> = p.threshold.levels.iter().map(|l| l.name.as_str()).collect();
        for l in ["2a", "2b", "3a", "3b", "4"] {
            assert!(names.contains(&l), "{names:?}");
        }
    }

    #[test]
    fn unknown_preset_lists_known_names() {
        let err = preset("narnia").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("narnia") && msg.contains("kent") && msg.contains("coventry"));
    }

    #[test]
    fn bad_presets_are_refused_with_a_reason() {
        let kent = KENT.replace("la_code = \"886\"", "la_code = \"88\"");
        assert!(
            parse_preset(&kent)
                .unwrap_err()
                .to_string()
                .contains("la_code")
        );
        let kent = KENT.replacen("\"TN23\"", "\"TN2Z3\"", 1);
        assert!(
            parse_preset(&kent)
                .unwrap_err()
                .to_string()
                .contains("not a postcode district")
        );
        assert!(matches!(
            parse_preset("authority = 3"),
            Err(PresetError::Toml(_))
        ));
    }
}
