//! The workforce: the preset's teams filled with generated workers over the whole
//! simulated period, and the lookups casework needs ("a social worker in the team that
//! does child protection for this locality, in post on this day").
//!
//! Each team has a number of posts sized from the expected open cases and the preset's
//! caseload limits, so caseloads come out near the local policy. A post is held by a
//! succession of workers: permanent staff leave at the preset's turnover rate, agency
//! workers stay for months; a leaver's cases move to someone else, which is where most
//! changes of worker come from.

use crate::SynthError;
use crate::calendar::Day;
use crate::names::NameGroup;
use crate::preset::Preset;
use crate::random::{Rand, days};
use hearth_domain::codes::Sex;
use hearth_domain::identifiers::PostcodeSector;
use hearth_domain::ids::{Actor, TeamId, WorkerId};
use hearth_domain::org::{Employment, Organisation, Service, Worker, WorkerRole};

/// Where a child is in the system, for deciding who holds the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    EarlyHelp,
    Assessment,
    ChildInNeed,
    ChildProtection,
    LookedAfter,
}

/// Children open at any time per 10,000, by stage: what the model produces once
/// calibrated (see `tests/rates.rs`). Used only to size teams.
const OPEN_PER_10K: [(Stage, f64); 5] = [
    (Stage::EarlyHelp, 150.0),
    (Stage::Assessment, 57.0),
    (Stage::ChildInNeed, 165.0),
    (Stage::ChildProtection, 41.0),
    (Stage::LookedAfter, 67.0),
];
const CARE_LEAVERS_PER_10K: f64 = 30.0;
const SCREENERS_PER_10K: f64 = 1.2;
/// Workers carry a little under the limit on average.
const FILL: f64 = 0.85;

const SERVICES: [Service; 10] = [
    Service::FrontDoor,
    Service::EarlyHelp,
    Service::FamilySupport,
    Service::Assessment,
    Service::ChildInNeed,
    Service::ChildProtection,
    Service::ChildrenInCare,
    Service::CareLeavers,
    Service::Adoption,
    Service::Reviewing,
];

fn service_index(s: Service) -> usize {
    SERVICES.iter().position(|&x| x == s).unwrap_or(0)
}

/// When an authority has no team for a service, the work goes to the nearest kind of
/// team that it does have.
fn fallbacks(s: Service) -> &'static [Service] {
    use Service as S;
    match s {
        S::FrontDoor => &[S::FrontDoor],
        S::Reviewing => &[S::Reviewing],
        S::EarlyHelp => &[
            S::EarlyHelp,
            S::FamilySupport,
            S::ChildInNeed,
            S::Assessment,
        ],
        S::FamilySupport => &[
            S::FamilySupport,
            S::ChildInNeed,
            S::Assessment,
            S::ChildProtection,
        ],
        S::Assessment => &[
            S::Assessment,
            S::ChildInNeed,
            S::FamilySupport,
            S::ChildProtection,
        ],
        S::ChildInNeed => &[
            S::ChildInNeed,
            S::FamilySupport,
            S::Assessment,
            S::ChildProtection,
        ],
        S::ChildProtection => &[
            S::ChildProtection,
            S::ChildInNeed,
            S::FamilySupport,
            S::Assessment,
        ],
        S::ChildrenInCare => &[
            S::ChildrenInCare,
            S::ChildInNeed,
            S::FamilySupport,
            S::ChildProtection,
            S::Assessment,
        ],
        S::CareLeavers => &[
            S::CareLeavers,
            S::ChildrenInCare,
            S::ChildInNeed,
            S::FamilySupport,
        ],
        S::Adoption => &[
            S::Adoption,
            S::ChildrenInCare,
            S::ChildInNeed,
            S::FamilySupport,
        ],
    }
}

#[derive(Debug, Clone)]
pub(crate) struct LocalityInfo {
    pub(crate) area: usize,
    pub(crate) town: String,
    /// The locality's child population, as a weight.
    pub(crate) weight: f64,
    pub(crate) sectors: Vec<PostcodeSector>,
}

#[derive(Debug, Clone)]
pub(crate) struct TeamInfo {
    pub(crate) id: TeamId,
    pub(crate) service: Service,
    area: usize,
    locality: usize,
    social_workers: Vec<usize>,
    others: Vec<usize>,
    manager: Option<usize>,
}

/// One worker's time in a post; `end` is the first day they are no longer in it.
#[derive(Debug, Clone, Copy)]
struct Spell {
    start: Day,
    end: Day,
    worker: usize,
}

#[derive(Debug, Clone)]
struct Post {
    team: usize,
    spells: Vec<Spell>,
}

#[derive(Debug, Clone)]
pub(crate) struct Workforce {
    pub(crate) org: Organisation,
    pub(crate) teams: Vec<TeamInfo>,
    pub(crate) localities: Vec<LocalityInfo>,
    posts: Vec<Post>,
    actors: Vec<Actor>,
    /// The post each worker holds (by worker index).
    worker_post: Vec<usize>,
    /// Teams for each locality and service, after falling back to the area, the
    /// authority and related services.
    routes: Vec<Vec<Vec<usize>>>,
    screener_posts: Vec<usize>,
    iro_posts: Vec<usize>,
}

/// What the caller wants from an allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    SocialWorker,
    EarlyHelpWorker,
    PersonalAdviser,
}

impl Workforce {
    pub(crate) fn build(
        preset: &Preset,
        scale: f64,
        from: Day,
        to: Day,
        rng: &mut Rand,
    ) -> Result<Workforce, SynthError> {
        // The policy comes from the organisation the preset describes, as the product
        // reads it from the database; the preset adds only what the simulation alone
        // needs (towns for addresses, staffing, demand).
        let org = preset.organisation();
        let (Some(routing), Some(p)) = (org.routing.clone(), org.policy.clone()) else {
            return Err(SynthError::Internal(
                "the organisation has no routing or policy".into(),
            ));
        };
        let mut localities = Vec::new();
        let mut teams = Vec::new();
        let specs = preset.areas.iter().flat_map(|a| a.localities.iter());
        let locs = org
            .areas
            .iter()
            .enumerate()
            .flat_map(|(ai, a)| a.localities.iter().map(move |l| (ai, l)));
        for ((ai, loc), spec) in locs.zip(specs) {
            let li = localities.len();
            localities.push(LocalityInfo {
                area: ai,
                town: spec.town.clone().unwrap_or_else(|| loc.name.clone()),
                weight: if loc.postcode_sectors.is_empty() {
                    0.0
                } else {
                    f64::from(loc.child_population)
                },
                sectors: loc.postcode_sectors.clone(),
            });
            for t in &loc.teams {
                teams.push(TeamInfo {
                    id: t.id.clone(),
                    service: t.service,
                    area: ai,
                    locality: li,
                    social_workers: Vec::new(),
                    others: Vec::new(),
                    manager: None,
                });
            }
        }
        let routes = build_routes(&teams, &localities);
        let population = f64::from(preset.child_population) * scale;
        let per_10k = population / 10_000.0;
        let total_weight: f64 = localities.iter().map(|l| l.weight).sum::<f64>().max(1e-9);

        // Fractional posts per team: (social worker or other role).
        let mut need: Vec<(f64, f64)> = vec![(0.0, 0.0); teams.len()];
        let mut add = |service: Service, children: f64, limit: u32, social: bool| {
            for (li, loc) in localities.iter().enumerate() {
                let share = loc.weight / total_weight;
                let Some(ts) = routes.get(li).and_then(|r| r.get(service_index(service))) else {
                    continue;
                };
                for &t in ts {
                    let posts = children * share / ts.len() as f64 / (f64::from(limit) * FILL);
                    if let Some(n) = need.get_mut(t) {
                        if social {
                            n.0 += posts;
                        } else {
                            n.1 += posts;
                        }
                    }
                }
            }
        };
        for (stage, open) in OPEN_PER_10K {
            let children = open * per_10k;
            match stage {
                Stage::EarlyHelp => {
                    let levels: Vec<Service> = org
                        .levels_for(hearth_domain::codes::ContactOutcome::EarlyHelp)
                        .filter_map(|l| l.service)
                        .collect();
                    for s in &levels {
                        add(
                            *s,
                            children / levels.len() as f64,
                            p.early_help_caseload,
                            false,
                        );
                    }
                }
                Stage::Assessment => {
                    let levels: Vec<Service> = org
                        .levels_for(hearth_domain::codes::ContactOutcome::Referral)
                        .filter_map(|l| l.service)
                        .collect();
                    for s in &levels {
                        add(*s, children / levels.len() as f64, p.caseload_limit, true);
                    }
                }
                Stage::ChildInNeed => add(routing.child_in_need, children, p.caseload_limit, true),
                Stage::ChildProtection => {
                    add(routing.child_protection, children, p.caseload_limit, true)
                }
                Stage::LookedAfter => add(
                    routing.looked_after,
                    children,
                    p.max_looked_after_per_social_worker,
                    true,
                ),
            }
        }
        add(
            routing.care_leavers,
            CARE_LEAVERS_PER_10K * per_10k,
            p.personal_adviser_caseload,
            false,
        );
        // Fixed-size functions.
        let fd: Vec<usize> = (0..teams.len())
            .filter(|&t| {
                teams
                    .get(t)
                    .is_some_and(|x| x.service == Service::FrontDoor)
            })
            .collect();
        let rv: Vec<usize> = (0..teams.len())
            .filter(|&t| {
                teams
                    .get(t)
                    .is_some_and(|x| x.service == Service::Reviewing)
            })
            .collect();
        for (list, posts) in [
            (&fd, SCREENERS_PER_10K * per_10k),
            (
                &rv,
                (41.0 + 67.0) * per_10k / f64::from(p.iro_caseload) / FILL,
            ),
        ] {
            for &t in list {
                if let Some(n) = need.get_mut(t) {
                    n.1 += posts / list.len() as f64;
                }
            }
        }

        // Agency workers stay for months, permanent staff for years; the share hired from
        // agencies is set so that the share *in post* matches the preset.
        let st = &preset.staffing;
        let tenure_employed = 365.0 / st.annual_turnover;
        let tenure_agency = st.agency_tenure_months * 30.44;
        let a = st.agency_share;
        let hire_agency = if a <= 0.0 {
            0.0
        } else {
            a * tenure_employed / (a * tenure_employed + (1.0 - a) * tenure_agency)
        };
        let mix = preset.ethnicity_mix();

        let mut wf = Workforce {
            org,
            teams,
            localities,
            posts: Vec::new(),
            actors: Vec::new(),
            worker_post: Vec::new(),
            routes,
            screener_posts: Vec::new(),
            iro_posts: Vec::new(),
        };
        for t in 0..wf.teams.len() {
            let Some(team) = wf.teams.get(t) else {
                continue;
            };
            let (service, team_id) = (team.service, team.id.clone());
            let (sw, other) = need.get(t).copied().unwrap_or((0.0, 0.0));
            let case_holding = !matches!(service, Service::FrontDoor | Service::Reviewing);
            let min = if case_holding { 2.0 } else { 1.0 };
            let (n_sw, n_other) = match service {
                Service::FrontDoor
                | Service::Reviewing
                | Service::EarlyHelp
                | Service::CareLeavers => (0, other.max(min).ceil() as usize),
                Service::FamilySupport => (sw.max(min).ceil() as usize, other.ceil() as usize),
                _ => ((sw + other).max(min).ceil() as usize, 0),
            };
            let other_role = match service {
                Service::FrontDoor => WorkerRole::Screener,
                Service::Reviewing => WorkerRole::Iro,
                Service::CareLeavers => WorkerRole::PersonalAdviser,
                _ => WorkerRole::EarlyHelpWorker,
            };
            let mut roles = vec![(WorkerRole::TeamManager, 1)];
            roles.push((WorkerRole::SocialWorker, n_sw));
            roles.push((other_role, n_other));
            for (role, n) in roles {
                for _ in 0..n {
                    let agency_p = match role {
                        WorkerRole::SocialWorker => hire_agency,
                        WorkerRole::TeamManager | WorkerRole::Iro => hire_agency / 2.0,
                        _ => hire_agency / 4.0,
                    };
                    let post = wf.posts.len();
                    let mut spells = Vec::new();
                    // The first holder has been in post for a while already.
                    let mut start = from.minus(rng.int(0, (tenure_employed * 1.5) as i32));
                    loop {
                        let agency = rng.chance(agency_p);
                        let mean = if agency {
                            tenure_agency
                        } else {
                            tenure_employed
                        };
                        let end = start.plus(days(rng.exponential(mean), 45));
                        let worker = wf.org.workers.len();
                        let id = WorkerId::parse(&format!("W{:05}", worker + 1))?;
                        let group = NameGroup::for_ethnicity(
                            rng.weighted(&mix)
                                .unwrap_or(hearth_domain::codes::Ethnicity::Wbri),
                            rng,
                        );
                        let sex = if rng.chance(0.8) {
                            Sex::Female
                        } else {
                            Sex::Male
                        };
                        let name = format!("{} {}", group.given(sex, rng), group.surname(rng));
                        let fte = if agency || rng.chance(0.8) {
                            1.0
                        } else if rng.chance(0.5) {
                            0.8
                        } else {
                            0.6
                        };
                        wf.actors.push(Actor::parse(id.as_str())?);
                        wf.worker_post.push(post);
                        wf.org.workers.push(Worker {
                            id,
                            name,
                            role,
                            team: team_id.clone(),
                            fte,
                            employment: if agency {
                                Employment::Agency
                            } else {
                                Employment::Employed
                            },
                            start_date: start.to_date(),
                            end_date: (end <= to).then(|| end.minus(1).to_date()),
                            qualified: None,
                        });
                        spells.push(Spell { start, end, worker });
                        if end > to {
                            break;
                        }
                        // Vacancies: some posts are refilled at once, others stay empty
                        // for weeks.
                        start = if rng.chance(0.4) {
                            end
                        } else {
                            end.plus(rng.int(1, 60))
                        };
                        if start > to {
                            break;
                        }
                    }
                    wf.posts.push(Post { team: t, spells });
                    if let Some(team) = wf.teams.get_mut(t) {
                        match role {
                            WorkerRole::TeamManager => team.manager = Some(post),
                            WorkerRole::SocialWorker => team.social_workers.push(post),
                            _ => team.others.push(post),
                        }
                    }
                    match role {
                        WorkerRole::Screener => wf.screener_posts.push(post),
                        WorkerRole::Iro => wf.iro_posts.push(post),
                        _ => {}
                    }
                }
            }
        }
        Ok(wf)
    }

    pub(crate) fn actor(&self, worker: usize) -> Option<&Actor> {
        self.actors.get(worker)
    }

    pub(crate) fn team_id(&self, team: usize) -> Option<&TeamId> {
        self.teams.get(team).map(|t| &t.id)
    }

    pub(crate) fn worker_id(&self, worker: usize) -> Option<hearth_domain::ids::WorkerId> {
        self.org.workers.get(worker).map(|w| w.id.clone())
    }

    /// Whether `worker` is still in post on `day`.
    pub(crate) fn in_post(&self, worker: usize, day: Day) -> bool {
        self.worker_post
            .get(worker)
            .and_then(|&post| self.leaves(worker, post))
            .is_some_and(|end| day < end)
    }

    /// The worker holding `post` on `day`, if it is filled.
    fn holder(&self, post: usize, day: Day) -> Option<(usize, Day)> {
        let spells = &self.posts.get(post)?.spells;
        let i = spells.partition_point(|s| s.start <= day);
        let s = spells.get(i.checked_sub(1)?)?;
        (day < s.end).then_some((s.worker, s.end))
    }

    /// The day `worker` leaves (the first day not in post), if before the end.
    pub(crate) fn leaves(&self, worker: usize, post: usize) -> Option<Day> {
        self.posts
            .get(post)?
            .spells
            .iter()
            .find(|s| s.worker == worker)
            .map(|s| s.end)
    }

    pub(crate) fn teams_for(&self, locality: usize, service: Service) -> &[usize] {
        self.routes
            .get(locality)
            .and_then(|r| r.get(service_index(service)))
            .map_or(&[], Vec::as_slice)
    }

    /// A worker of the wanted kind in one of the teams doing `service` for `locality`,
    /// in post on `day`: (worker, post, team).
    pub(crate) fn choose(
        &self,
        locality: usize,
        service: Service,
        want: Want,
        day: Day,
        rng: &mut Rand,
    ) -> Option<(usize, usize, usize)> {
        let teams = self.teams_for(locality, service);
        let &team = rng.pick(teams)?;
        self.choose_in_team(team, want, day, rng)
    }

    pub(crate) fn choose_in_team(
        &self,
        team: usize,
        want: Want,
        day: Day,
        rng: &mut Rand,
    ) -> Option<(usize, usize, usize)> {
        let info = self.teams.get(team)?;
        let (first, second) = match want {
            Want::SocialWorker => (&info.social_workers, &info.others),
            Want::EarlyHelpWorker | Want::PersonalAdviser => (&info.others, &info.social_workers),
        };
        for list in [first, second] {
            if list.is_empty() {
                continue;
            }
            for _ in 0..6 {
                if let Some(&post) = rng.pick(list)
                    && let Some((w, _)) = self.holder(post, day)
                {
                    return Some((w, post, team));
                }
            }
            for &post in list {
                if let Some((w, _)) = self.holder(post, day) {
                    return Some((w, post, team));
                }
            }
        }
        let post = info.manager?;
        self.holder(post, day).map(|(w, _)| (w, post, team))
    }

    /// Whoever holds `post` on `day`, or failing that someone in the same team.
    pub(crate) fn holder_or_colleague(
        &self,
        post: usize,
        day: Day,
        rng: &mut Rand,
    ) -> Option<usize> {
        if let Some((w, _)) = self.holder(post, day) {
            return Some(w);
        }
        let team = self.posts.get(post)?.team;
        self.choose_in_team(team, Want::SocialWorker, day, rng)
            .map(|(w, _, _)| w)
    }

    pub(crate) fn screener(&self, day: Day, rng: &mut Rand) -> Option<usize> {
        let &post = rng.pick(&self.screener_posts)?;
        self.holder_or_colleague(post, day, rng)
    }

    /// The manager of the front door (the screeners' team) on `day`, who signs off the
    /// decisions the authority asks a manager to.
    pub(crate) fn front_door_manager(&self, day: Day) -> Option<usize> {
        let team = self.posts.get(*self.screener_posts.first()?)?.team;
        let post = self.teams.get(team)?.manager?;
        self.holder(post, day).map(|(w, _)| w)
    }

    /// The team of the post `worker` holds.
    pub(crate) fn team_of(&self, worker: usize) -> Option<&TeamId> {
        let post = self.posts.get(*self.worker_post.get(worker)?)?;
        self.team_id(post.team)
    }

    pub(crate) fn iro_post(&self, rng: &mut Rand) -> Option<usize> {
        rng.pick(&self.iro_posts).copied()
    }
}

fn build_routes(teams: &[TeamInfo], localities: &[LocalityInfo]) -> Vec<Vec<Vec<usize>>> {
    localities
        .iter()
        .enumerate()
        .map(|(li, loc)| {
            SERVICES
                .iter()
                .map(|&service| {
                    for &s in fallbacks(service) {
                        let of = |pred: &dyn Fn(&TeamInfo) -> bool| -> Vec<usize> {
                            (0..teams.len())
                                .filter(|&t| {
                                    teams.get(t).is_some_and(|x| x.service == s && pred(x))
                                })
                                .collect()
                        };
                        for found in [
                            of(&|t| t.locality == li),
                            of(&|t| t.area == loc.area),
                            of(&|_| true),
                        ] {
                            if !found.is_empty() {
                                return found;
                            }
                        }
                    }
                    Vec::new()
                })
                .collect()
        })
        .collect()
}
