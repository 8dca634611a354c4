//! Presets: everything about an authority as data (DESIGN.md, "Presets"). A council
//! adopting Hearth writes its own TOML file; nothing about an authority is hard-coded in
//! the generator. The four seed authorities ship embedded in the crate.

use hearth_domain::calendar::WorkingCalendar;
use hearth_domain::codes::Ethnicity;
use hearth_domain::identifiers::PostcodeSector;
use hearth_domain::ids::TeamId;
use hearth_domain::org::{Area, Locality, Organisation, Service, Team};
pub use hearth_domain::org::{
    FrontDoorPolicy, Level, Polarity, Policy, Routing, Target, Threshold,
};
use hearth_domain::timescales::{Rule, RuleSet};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
    /// How the front door works (the screening team, sign-off, match thresholds); a
    /// council's own preset written before it was kept may leave it out.
    #[serde(default)]
    pub front_door: Option<FrontDoorPolicy>,
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
    /// Children aged 0–17 living here (0 for a locality that only hosts teams); the
    /// localities' populations add up to the authority's.
    #[serde(default)]
    pub child_population: u32,
    /// The postcode sectors the locality serves (e.g. `CV2 1`).
    #[serde(default)]
    pub postcode_sectors: Vec<PostcodeSector>,
    #[serde(default)]
    pub teams: Vec<TeamSpec>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamSpec {
    pub id: TeamId,
    pub name: String,
    pub service: Service,
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

    /// The organisation the preset describes, without workers (the generator adds them):
    /// everything in the preset that the product acts on (levels, routing, front door, sectors,
    /// populations, caseload limits, targets, local rules and closure days), so that a
    /// database generated from the preset needs the preset for none of it, and the
    /// generator itself reads the policy from here.
    pub fn organisation(&self) -> Organisation {
        Organisation {
            authority: self.authority.clone(),
            la_code: self.la_code.clone(),
            child_population: self.child_population,
            threshold: self.threshold.clone(),
            routing: Some(self.routing.clone()),
            policy: Some(self.policy.clone()),
            front_door: self.front_door.clone(),
            scorecard: self.scorecard.clone(),
            timescales: self.timescales.clone(),
            closure_days: self.closure_days.clone(),
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
                            child_population: l.child_population,
                            postcode_sectors: l.postcode_sectors.clone(),
                            postcode_districts: Vec::new(),
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

    /// The organisation's own checks (the domain's, as for a council's file), then what
    /// only the generator needs.
    fn check(&self) -> Result<(), PresetError> {
        let bad = |m: String| Err(PresetError::Invalid(m));
        self.organisation()
            .validate()
            .map_err(|e| PresetError::Invalid(e.to_string()))?;
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
        Ok(())
    }

    fn check_areas(&self) -> Result<(), PresetError> {
        let bad = |m: String| Err(PresetError::Invalid(m));
        let mut services: Vec<Service> = Vec::new();
        for area in &self.areas {
            for loc in &area.localities {
                for sector in &loc.postcode_sectors {
                    if !self.postcode_areas.iter().any(|a| a == sector.area()) {
                        return bad(format!(
                            "locality '{}': sector '{sector}' is outside the postcode areas",
                            loc.name
                        ));
                    }
                }
                for team in &loc.teams {
                    if !services.contains(&team.service) {
                        services.push(team.service);
                    }
                }
            }
        }
        for needed in [Service::FrontDoor, Service::Reviewing] {
            if !services.contains(&needed) {
                return bad(format!(
                    "the organisation needs a team with service {}",
                    needed.code()
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
    fn every_preset_names_its_front_door_in_the_organisation() {
        use hearth_domain::codes::ContactOutcome;
        for name in PRESETS {
            let org = preset(name).unwrap().organisation();
            let front_door = org.front_door.as_ref().unwrap_or_else(|| panic!("{name}"));
            let team = org.team(&front_door.team).unwrap();
            assert_eq!(team.service, Service::FrontDoor, "{name}");
            assert!(front_door.needs_sign_off(ContactOutcome::StrategyDiscussion));
            assert!(!front_door.needs_sign_off(ContactOutcome::Referral));
            assert_eq!((front_door.suggest_at, front_door.likely_at), (0.5, 0.95));
            let json = serde_json::to_string(&org).unwrap();
            assert!(json.contains(r#""front_door":{"team":"#), "{name}");
            assert_eq!(serde_json::from_str::<Organisation>(&json).unwrap(), org);
        }
    }

    /// Wiltshire's pods hold families from 2b to 4; its early support and children in
    /// care teams sit in each hub's services, not in a pod.
    #[test]
    fn wiltshire_routes_by_pod_and_hub() {
        use hearth_domain::codes::{ContactOutcome, RouteReason};
        use hearth_domain::ids::WorkerId;
        use hearth_domain::org::{RouteFacts, route};
        let org = preset("wiltshire").unwrap().organisation();
        let at = |sector: &str| RouteFacts {
            sector: Some(sector.parse().unwrap()),
            family_worker: None,
        };
        let team = |id: &str| TeamId::parse(id).unwrap();
        let chippenham = route(&org, ContactOutcome::Referral, Some("3b"), &at("SN14 1")).unwrap();
        assert_eq!(chippenham.team, team("wilts-north-pod1"));
        assert_eq!(chippenham.locality.as_deref(), Some("Chippenham pod"));
        assert_eq!(chippenham.reason, RouteReason::Locality);
        // 2a is early support, which the hub holds for its pods.
        let early = route(&org, ContactOutcome::EarlyHelp, Some("2a"), &at("SN14 1")).unwrap();
        assert_eq!(early.team, team("wilts-north-early-support"));
        // A family whose pod worker holds them keeps that worker at 3b.
        let known = RouteFacts {
            family_worker: Some((WorkerId::parse("W7").unwrap(), team("wilts-north-pod2"))),
            ..at("SN14 1")
        };
        let kept = route(&org, ContactOutcome::Referral, Some("3b"), &known).unwrap();
        assert_eq!(
            (kept.team, kept.worker, kept.reason),
            (
                team("wilts-north-pod2"),
                Some(WorkerId::parse("W7").unwrap()),
                RouteReason::ExistingWorker
            )
        );
        let away = route(&org, ContactOutcome::Referral, Some("3b"), &at("ME1 1")).unwrap();
        assert_eq!(
            (away.team, away.reason),
            (team("wilts-front-door"), RouteReason::OutOfArea)
        );
    }

    #[test]
    fn kent_has_twelve_districts_in_four_areas() {
        let p = preset("kent").unwrap();
        let districts: Vec<_> = p
            .areas
            .iter()
            .flat_map(|a| a.localities.iter())
            .filter(|l| l.child_population > 0)
            .collect();
        assert_eq!(districts.len(), 12);
        assert_eq!(
            p.areas
                .iter()
                .filter(|a| a.localities.iter().any(|l| l.child_population > 0))
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
        let kent = KENT.replacen("\"TN23 1\"", "\"TN2Z3 1\"", 1);
        assert!(
            parse_preset(&kent)
                .unwrap_err()
                .to_string()
                .contains("not a postcode sector")
        );
        let kent = KENT.replacen("\"TN23 1\"", "\"SW1 1\"", 1);
        assert!(
            parse_preset(&kent)
                .unwrap_err()
                .to_string()
                .contains("outside the postcode areas")
        );
        let kent = KENT.replacen("child_population = 350000", "child_population = 350001", 1);
        let err = parse_preset(&kent).unwrap_err().to_string();
        assert!(
            err.contains("child_population") && err.contains("350001"),
            "{err}"
        );
        assert!(matches!(
            parse_preset("authority = 3"),
            Err(PresetError::Toml(_))
        ));
    }

    #[test]
    fn every_preset_has_the_local_timescales_as_rules() {
        use hearth_domain::timescales::Period;
        let day = jiff::civil::date(2026, 1, 5);
        for name in PRESETS {
            let rules = preset(name).unwrap().organisation().rules().unwrap();
            for (duty, within) in [
                (Duty::PartnerCheckRed, Period::Hours(4)),
                (Duty::PartnerCheckAmber, Period::Hours(24)),
                (Duty::PartnerCheckGreen, Period::Hours(72)),
                (Duty::ChildProtectionVisit, Period::WorkingDays(10)),
                (Duty::UnallocatedCase, Period::Days(28)),
            ] {
                let rule = rules
                    .in_force(duty, day)
                    .unwrap_or_else(|| panic!("{name}: no {duty:?} rule"));
                assert_eq!(rule.within, within, "{name} {duty:?}");
                assert_eq!(rule.source.kind, SourceKind::LocalPolicy, "{name}");
            }
        }
    }

    #[test]
    fn coventry_splits_cv2_and_cv6_between_localities_by_sector() {
        let org = preset("coventry").unwrap().organisation();
        for district in ["CV2", "CV6"] {
            let localities: std::collections::BTreeSet<&str> = org
                .areas
                .iter()
                .flat_map(|a| a.localities.iter())
                .filter(|l| l.postcode_sectors.iter().any(|s| s.district() == district))
                .map(|l| l.name.as_str())
                .collect();
            assert_eq!(localities.len(), 2, "{district}: {localities:?}");
        }
        // Every preset's localities carry its children, sector by sector.
        for name in PRESETS {
            let org = preset(name).unwrap().organisation();
            let sum: u32 = org
                .areas
                .iter()
                .flat_map(|a| a.localities.iter())
                .map(|l| l.child_population)
                .sum();
            assert_eq!(sum, org.child_population, "{name}");
        }
    }
}
