//! A family seen whole (issue 14 item 5, "one family, one worker, one plan"): who lives
//! where, the plan each child has and the family's early help plan, and the
//! professionals working with the family against the organisation's limit. Pure: the
//! application reads the journeys and hands their folds in.

use crate::codes::{Agency, CategoryOfAbuse};
use crate::event::{Allocated, Event, EventData};
use crate::ids::{ChildId, PersonRef, TeamId, WorkerId};
use crate::journey::{ChildState, Problem};
use crate::org::Policy;
use crate::people::Address;
use jiff::civil::Date;
use std::collections::{BTreeMap, BTreeSet};

/// People who live at one address, as their journeys hold it; everyone whose address
/// is not recorded is one group, with no address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Household {
    pub address: Option<Address>,
    pub members: Vec<PersonRef>,
}

/// Two addresses are one home when the postcode and the lines match, ignoring case and
/// spacing, since the same home is typed in by different people.
fn home_key(address: &Address) -> String {
    let mut key = address.postcode.to_string().to_lowercase();
    for line in &address.lines {
        key.push('|');
        key.extend(line.split_whitespace().flat_map(|w| w.chars().chain([' '])));
    }
    key.to_lowercase()
}

/// Group people by the address their journey holds: households in the order their
/// first member comes in `people`, members in the order given, and those with no
/// address last.
pub fn households<'a>(
    people: impl IntoIterator<Item = (PersonRef, Option<&'a Address>)>,
) -> Vec<Household> {
    let mut out: Vec<Household> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut unknown = Vec::new();
    for (person, address) in people {
        let Some(address) = address else {
            unknown.push(person);
            continue;
        };
        let at = *index.entry(home_key(address)).or_insert_with(|| {
            out.push(Household {
                address: Some(address.clone()),
                members: Vec::new(),
            });
            out.len() - 1
        });
        if let Some(household) = out.get_mut(at) {
            household.members.push(person);
        }
    }
    if !unknown.is_empty() {
        out.push(Household {
            address: None,
            members: unknown,
        });
    }
    out
}

/// The plan a child has now, from the fold of their journey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildPlan {
    /// Looked after: the care plan.
    Care {
        since: Date,
    },
    ChildProtection {
        since: Date,
        category: CategoryOfAbuse,
    },
    /// A care leaver: the pathway plan.
    Pathway {
        since: Date,
    },
    ChildInNeed {
        since: Date,
    },
    /// The family plan of early help.
    EarlyHelp {
        since: Date,
    },
    /// Open work, and no plan yet (an assessment under way, say).
    NotYet,
    /// No open work.
    NoOpenWork,
}

impl ChildPlan {
    /// The plan that leads, where a child has more than one: the statutory plan over
    /// early help, care over protection.
    pub fn of(state: &ChildState) -> ChildPlan {
        if let Some(la) = &state.looked_after {
            return ChildPlan::Care { since: la.started };
        }
        if let Some(cp) = &state.cp_plan {
            return ChildPlan::ChildProtection {
                since: cp.started,
                category: cp.latest_category,
            };
        }
        if let Some(cl) = &state.care_leaver {
            return ChildPlan::Pathway { since: cl.since };
        }
        if let Some(since) = state.cin.as_ref().and_then(|c| c.plan_started) {
            return ChildPlan::ChildInNeed { since };
        }
        if let Some(eh) = &state.early_help {
            return ChildPlan::EarlyHelp { since: eh.started };
        }
        if state.open_work().is_empty() {
            ChildPlan::NoOpenWork
        } else {
            ChildPlan::NotYet
        }
    }

    /// The plan in words: "Child protection plan (neglect) since 2026-03-02".
    pub fn describe(&self) -> String {
        match self {
            ChildPlan::Care { since } => format!("Care plan, looked after since {since}"),
            ChildPlan::ChildProtection { since, category } => format!(
                "Child protection plan ({}) since {since}",
                category.label().to_lowercase()
            ),
            ChildPlan::Pathway { since } => format!("Pathway plan, a care leaver since {since}"),
            ChildPlan::ChildInNeed { since } => format!("Child in need plan since {since}"),
            ChildPlan::EarlyHelp { since } => format!("Early help family plan since {since}"),
            ChildPlan::NotYet => String::from("No plan yet"),
            ChildPlan::NoOpenWork => String::from("No open work"),
        }
    }
}

/// The family's early help plan: open early help for any of its children is the
/// family's one plan, from the first of them to start, covering each child in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyEarlyHelp {
    pub since: Date,
    pub children: Vec<ChildId>,
}

pub fn early_help_plan<'a>(
    children: impl IntoIterator<Item = &'a ChildState>,
) -> Option<FamilyEarlyHelp> {
    let mut plan: Option<FamilyEarlyHelp> = None;
    for child in children {
        let Some(eh) = &child.early_help else {
            continue;
        };
        let p = plan.get_or_insert_with(|| FamilyEarlyHelp {
            since: eh.started,
            children: Vec::new(),
        });
        p.since = p.since.min(eh.started);
        p.children.push(child.id.clone());
    }
    plan
}

/// Who a professional is: one of the authority's workers, or a partner agency.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Involved {
    Worker(WorkerId),
    Agency(Agency),
}

/// What a professional does for the family's children.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProfessionalRole {
    AllocatedWorker,
    PersonalAdviser,
    PartnerAgency,
}

impl ProfessionalRole {
    pub fn label(self) -> &'static str {
        match self {
            ProfessionalRole::AllocatedWorker => "Allocated worker",
            ProfessionalRole::PersonalAdviser => "Personal adviser",
            ProfessionalRole::PartnerAgency => "Partner agency",
        }
    }
}

/// One professional working with the family, counted once however many of its
/// children they work with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Professional {
    pub who: Involved,
    pub roles: BTreeSet<ProfessionalRole>,
    /// The team of an allocated worker, as the allocation names it.
    pub team: Option<TeamId>,
    pub children: BTreeSet<ChildId>,
}

/// The partner agencies a child's journey names from `since` on: those asked for a
/// check, or answering one, about a contact concerning the child.
pub fn agencies_named(journey: &[Event], since: Date) -> BTreeSet<Agency> {
    journey
        .iter()
        .filter(|e| e.date() >= since)
        .filter_map(|e| match &e.data {
            EventData::PartnerCheckRequested(c) | EventData::PartnerCheckReturned(c) => {
                Some(c.agency)
            }
            _ => None,
        })
        .collect()
}

/// Everyone working with the family's children: each child's allocated worker and
/// personal adviser, and the partner agencies their journeys name (given with each
/// child). Workers first, by id, then agencies.
pub fn professionals<'a>(
    children: impl IntoIterator<Item = (&'a ChildState, &'a BTreeSet<Agency>)>,
) -> Vec<Professional> {
    let mut all: BTreeMap<Involved, Professional> = BTreeMap::new();
    let mut add = |who: Involved, role, team: Option<&TeamId>, child: &ChildId| {
        let p = all.entry(who.clone()).or_insert_with(|| Professional {
            who,
            roles: BTreeSet::new(),
            team: None,
            children: BTreeSet::new(),
        });
        p.roles.insert(role);
        if p.team.is_none() {
            p.team = team.cloned();
        }
        p.children.insert(child.clone());
    };
    for (child, agencies) in children {
        if let Some(a) = &child.allocation {
            add(
                Involved::Worker(a.worker.clone()),
                ProfessionalRole::AllocatedWorker,
                Some(&a.team),
                &child.id,
            );
        }
        if let Some(adviser) = child.care_leaver.as_ref().and_then(|c| c.adviser.as_ref()) {
            add(
                Involved::Worker(adviser.clone()),
                ProfessionalRole::PersonalAdviser,
                None,
                &child.id,
            );
        }
        for agency in agencies {
            add(
                Involved::Agency(*agency),
                ProfessionalRole::PartnerAgency,
                None,
                &child.id,
            );
        }
    }
    all.into_values().collect()
}

/// Whether `count` professionals is more than the organisation allows a family at
/// once; never, when its policy sets no limit.
pub fn too_many_professionals(count: usize, policy: Option<&Policy>) -> bool {
    policy
        .and_then(|p| p.max_professionals_per_family)
        .is_some_and(|limit| count > limit as usize)
}

/// Why a family's allocation is refused, in one sentence naming a child by id only.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllocationRefused {
    #[error("Choose at least one child with open work to allocate")]
    NoChildren,
    #[error("Child {0} is not one of this family's children")]
    NotInFamily(ChildId),
    #[error("Child {0} has no open work to allocate")]
    NoOpenWork(ChildId),
    #[error("Child {child}'s record refuses the allocation: {problem}")]
    Refused { child: ChildId, problem: Problem },
}

/// A family allocated to one worker (one family, one worker): an `allocated` for each
/// child chosen, each with the reason given. `children` are the family's children as
/// their journeys fold now; `chosen` those the manager left ticked. A child chosen must
/// be one of them and have open work; one already with this worker in this team needs
/// nothing recorded and is left out. A child moved from another worker needs the reason
/// (`recording::check_change_of_worker`). Each allocation is tried on the child's state,
/// so a journey that refuses one refuses the whole (nothing is written for any child).
pub fn allocate_family<'a>(
    children: impl IntoIterator<Item = &'a ChildState>,
    chosen: &BTreeSet<ChildId>,
    to: &Allocated,
    on: Date,
) -> Result<Vec<(ChildId, Allocated)>, AllocationRefused> {
    let children: BTreeMap<&ChildId, &ChildState> =
        children.into_iter().map(|c| (&c.id, c)).collect();
    if chosen.is_empty() {
        return Err(AllocationRefused::NoChildren);
    }
    let mut out = Vec::new();
    for id in chosen {
        let state = children
            .get(id)
            .ok_or_else(|| AllocationRefused::NotInFamily(id.clone()))?;
        if state.open_work().is_empty() {
            return Err(AllocationRefused::NoOpenWork(id.clone()));
        }
        if state
            .allocation
            .as_ref()
            .is_some_and(|a| a.worker == to.worker && a.team == to.team)
        {
            continue;
        }
        let refused = |problem| AllocationRefused::Refused {
            child: id.clone(),
            problem,
        };
        crate::recording::check_change_of_worker(state, to).map_err(refused)?;
        let mut trial = (*state).clone();
        trial
            .try_apply(on, &EventData::Allocated(to.clone()))
            .map_err(refused)?;
        out.push((id.clone(), to.clone()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::journey::{Allocation, CareLeaver, EarlyHelpEpisode};
    use jiff::civil::date;

    fn address(line: &str, postcode: &str) -> Address {
        Address {
            lines: vec![line.to_owned()],
            town: String::from("Ashford"),
            postcode: postcode.parse().unwrap(),
        }
    }

    fn person(p: &str) -> PersonRef {
        PersonRef::parse(p).unwrap()
    }

    #[test]
    fn people_at_one_address_are_one_household_however_it_is_typed() {
        let home = address("1 High Street", "TN23 1AA");
        let same = address("1  high street", "tn23 1aa");
        let other = address("9 Low Road", "TN24 2BB");
        let people = vec![
            (person("adult:A1"), Some(&home)),
            (person("adult:A2"), Some(&other)),
            (person("child:C1"), None),
            (person("child:C2"), Some(&same)),
        ];
        let found = households(people);
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].address, Some(home));
        assert_eq!(
            found[0].members,
            vec![person("adult:A1"), person("child:C2")]
        );
        assert_eq!(found[1].members, vec![person("adult:A2")]);
        assert_eq!(found[2].address, None);
        assert_eq!(found[2].members, vec![person("child:C1")]);
    }

    fn child(id: &str) -> ChildState {
        ChildState::new(ChildId::parse(id).unwrap())
    }

    fn allocated(state: &mut ChildState, worker: &str, team: &str) {
        state.allocation = Some(Allocation {
            worker: WorkerId::parse(worker).unwrap(),
            team: TeamId::parse(team).unwrap(),
            since: date(2026, 1, 5),
        });
    }

    #[test]
    fn a_worker_for_two_children_is_one_professional() {
        let mut c1 = child("C1");
        let mut c2 = child("C2");
        allocated(&mut c1, "W1", "T1");
        allocated(&mut c2, "W1", "T1");
        let mut c3 = child("C3");
        c3.care_leaver = Some(CareLeaver {
            since: date(2025, 6, 1),
            adviser: Some(WorkerId::parse("W2").unwrap()),
        });
        let police = BTreeSet::from([Agency::Police]);
        let both = BTreeSet::from([Agency::Police, Agency::Health]);
        let none = BTreeSet::new();
        let found = professionals([(&c1, &police), (&c2, &both), (&c3, &none)]);
        let who: Vec<&Involved> = found.iter().map(|p| &p.who).collect();
        assert_eq!(
            who,
            vec![
                &Involved::Worker(WorkerId::parse("W1").unwrap()),
                &Involved::Worker(WorkerId::parse("W2").unwrap()),
                &Involved::Agency(Agency::Police),
                &Involved::Agency(Agency::Health),
            ]
        );
        assert_eq!(found[0].children.len(), 2);
        assert_eq!(found[0].team, Some(TeamId::parse("T1").unwrap()));
        assert_eq!(
            found[1].roles,
            BTreeSet::from([ProfessionalRole::PersonalAdviser])
        );
        assert_eq!(found[2].children.len(), 2);
    }

    #[test]
    fn too_many_is_more_than_the_limit_and_never_without_one() {
        let mut policy = Policy {
            caseload_limit: 20,
            max_looked_after_per_social_worker: 15,
            early_help_caseload: 15,
            iro_caseload: 55,
            personal_adviser_caseload: 22,
            cin_visit_working_days: 30,
            max_professionals_per_family: None,
        };
        assert!(!too_many_professionals(40, Some(&policy)));
        assert!(!too_many_professionals(40, None));
        policy.max_professionals_per_family = Some(5);
        assert!(!too_many_professionals(5, Some(&policy)));
        assert!(too_many_professionals(6, Some(&policy)));
    }

    #[test]
    fn the_leading_plan_and_the_familys_early_help() {
        let mut c1 = child("C1");
        assert_eq!(ChildPlan::of(&c1), ChildPlan::NoOpenWork);
        c1.early_help = Some(EarlyHelpEpisode {
            started: date(2026, 2, 1),
            step_down: false,
            assessment_completed: None,
        });
        assert_eq!(
            ChildPlan::of(&c1).describe(),
            "Early help family plan since 2026-02-01"
        );
        let mut c2 = child("C2");
        c2.early_help = Some(EarlyHelpEpisode {
            started: date(2026, 1, 10),
            step_down: false,
            assessment_completed: None,
        });
        let c3 = child("C3");
        let plan = early_help_plan([&c1, &c2, &c3]).unwrap();
        assert_eq!(plan.since, date(2026, 1, 10));
        assert_eq!(plan.children, vec![c1.id.clone(), c2.id.clone()]);
        assert_eq!(early_help_plan([&c3]), None);
    }

    /// A registered child in early help, allocated to nobody.
    fn in_early_help(id: &str) -> ChildState {
        use crate::codes::{Ethnicity, Sex};
        use crate::people::{Name, PersonDetails};
        let mut state = child(id);
        state.details = Some(PersonDetails {
            name: Name {
                given: String::from("Sam"),
                family: String::from("Tester"),
            },
            date_of_birth: Some(date(2015, 3, 1)),
            expected_date_of_birth: None,
            sex: Sex::Female,
            ethnicity: Ethnicity::Wbri,
            disabilities: vec![],
            nhs_number: None,
            upn: None,
            address: None,
        });
        state.early_help = Some(EarlyHelpEpisode {
            started: date(2026, 1, 5),
            step_down: false,
            assessment_completed: None,
        });
        state
    }

    #[test]
    fn a_family_is_allocated_child_by_child_or_not_at_all() {
        let ids = |list: &[&str]| -> BTreeSet<ChildId> {
            list.iter().map(|i| ChildId::parse(i).unwrap()).collect()
        };
        let to = Allocated {
            worker: WorkerId::parse("W2").unwrap(),
            team: TeamId::parse("T1").unwrap(),
            reason: Some(String::from("One worker for the family")),
        };
        let on = date(2026, 3, 2);
        let c1 = in_early_help("C1");
        let mut c2 = in_early_help("C2");
        allocated(&mut c2, "W1", "T1");
        let mut c3 = in_early_help("C3");
        allocated(&mut c3, "W2", "T1");
        let mut c4 = in_early_help("C4");
        c4.early_help = None;
        let family = [&c1, &c2, &c3, &c4];
        let allocated_to = |chosen: &[&str]| -> Vec<String> {
            allocate_family(family, &ids(chosen), &to, on)
                .unwrap()
                .into_iter()
                .map(|(child, a)| {
                    assert_eq!(a, to);
                    child.to_string()
                })
                .collect()
        };
        // C3 has W2 already: nothing to record for her.
        assert_eq!(allocated_to(&["C1", "C2", "C3"]), ["C1", "C2"]);
        // C2 unticked stays with W1.
        assert_eq!(allocated_to(&["C1"]), ["C1"]);
        // Each refusal names one child, by id.
        let refused = |chosen: &[&str], children: &[&ChildState]| {
            allocate_family(children.iter().copied(), &ids(chosen), &to, on)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            refused(&[], &family),
            "Choose at least one child with open work to allocate"
        );
        assert_eq!(
            refused(&["C1", "C9"], &family),
            "Child C9 is not one of this family's children"
        );
        assert_eq!(
            refused(&["C1", "C4"], &family),
            "Child C4 has no open work to allocate"
        );
        // A journey that refuses the allocation refuses the family's: nothing for C1.
        let mut c5 = in_early_help("C5");
        c5.date_of_death = Some(date(2026, 2, 1));
        assert_eq!(
            allocate_family([&c1, &c5], &ids(&["C1", "C5"]), &to, on),
            Err(AllocationRefused::Refused {
                child: ChildId::parse("C5").unwrap(),
                problem: Problem::AfterDeath,
            })
        );
        assert!(refused(&["C1", "C5"], &[&c1, &c5]).starts_with("Child C5's record refuses"));
        // Moving C2 from W1 says why.
        let silent = Allocated {
            reason: None,
            ..to.clone()
        };
        assert_eq!(
            allocate_family(family, &ids(&["C1", "C2"]), &silent, on),
            Err(AllocationRefused::Refused {
                child: ChildId::parse("C2").unwrap(),
                problem: Problem::ChangeOfWorkerNeedsReason,
            })
        );
        assert!(allocate_family(family, &ids(&["C1"]), &silent, on).is_ok());
    }
}
