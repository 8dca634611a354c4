//! Who holds each child's case, and the work that follows from holding it: visits at the
//! local policy's frequency and contacts about children already open. Done once a
//! family's casework is decided, because allocation depends on every stage's dates.
//!
//! A case keeps its worker across stages held by the same service, and usually on a
//! step down to early help ("one family, one worker"); siblings share a worker. When a
//! worker leaves, their cases move on — sometimes after an unallocated spell, though
//! never for a child on a protection plan or in care (Kent 2012 held to that).

use crate::SynthError;
use crate::calendar::{Day, age_on};
use crate::family::Sim;
use crate::front_door::PendingRoute;
use crate::journal::{self, Draft, Resolver, Who};
use crate::model;
use crate::org::{Stage, Want};
use hearth_domain::codes::PlacementType;
use hearth_domain::event::{Allocated, ContactRouted, Empty, Event, EventData, Visit};
use hearth_domain::org::{RouteFacts, Service, route};
use hearth_domain::timescales::Duty;

/// From each day, a child's allocated worker (None while unallocated), in date order.
type Timeline = Vec<(Day, Option<usize>)>;

/// A worker holding a case, for siblings to share.
#[derive(Debug, Clone, Copy)]
struct Held {
    service: Service,
    from: Day,
    to: Day,
    worker: usize,
    post: usize,
    team: usize,
}

#[derive(Debug, Clone, Copy)]
struct Current {
    worker: usize,
    post: usize,
    team: usize,
    service: Service,
}

impl Sim<'_> {
    /// Finish the family: allocations, visits, open-case contacts, then the events.
    /// `None` when nothing about the family falls inside the window.
    pub(crate) fn finish(mut self) -> Result<Option<Vec<Event>>, SynthError> {
        let last = self
            .fam
            .children
            .iter()
            .filter_map(|c| c.journal.last_day())
            .chain(self.fam.journal.last_day())
            .max();
        if last.is_none_or(|d| d < self.ctx.window_start) {
            return Ok(None);
        }
        let mut out = Vec::new();
        let ctx = self.ctx;
        let family_journal = std::mem::take(&mut self.fam.journal);
        let resolver = Resolver {
            wf: &ctx.wf,
            timeline: &[],
            iro_post: None,
            advisers: &[],
        };
        out.extend(journal::finish(
            family_journal,
            &self.fam.subject,
            ctx.end,
            &resolver,
            &mut self.rng,
        )?);
        let mut held = Vec::new();
        let mut timelines = Vec::new();
        for k in 0..self.fam.children.len() {
            if self.child(k).is_none_or(|c| c.registered.is_none()) {
                continue;
            }
            let timeline = self.allocate(k, &mut held)?;
            self.visits(k, &timeline)?;
            self.open_case_contacts(k)?;
            let Some(c) = self.fam.children.get_mut(k) else {
                continue;
            };
            let drafts = std::mem::take(&mut c.journal);
            let subject = c.subject.clone();
            let advisers = c.advisers.clone();
            let resolver = Resolver {
                wf: &ctx.wf,
                timeline: &timeline,
                iro_post: c.iro_post,
                advisers: &advisers,
            };
            out.extend(journal::finish(
                drafts,
                &subject,
                ctx.end,
                &resolver,
                &mut self.rng,
            )?);
            timelines.push((k, timeline));
        }
        // The contacts' journeys last, each with where its decisions went.
        let resolver = Resolver {
            wf: &ctx.wf,
            timeline: &[],
            iro_post: None,
            advisers: &[],
        };
        for mut contact in std::mem::take(&mut self.fam.contacts) {
            for pending in contact.routes.iter().rev() {
                if let Some(data) = self.routed(pending, &timelines) {
                    let draft = Draft {
                        day: pending.day,
                        minute: Some(pending.minute),
                        who: pending.who,
                        data,
                    };
                    let at = pending.at.min(contact.journal.drafts.len());
                    contact.journal.drafts.insert(at, draft);
                }
            }
            out.extend(journal::finish(
                contact.journal,
                &contact.subject,
                ctx.end,
                &resolver,
                &mut self.rng,
            )?);
        }
        Ok(Some(out))
    }

    /// Where a decision went, as the app routes one (`org::route`): to the worker the
    /// child or a brother or sister already had the day before, if their team does the
    /// work; else to the locality's team; else the front door's. None for outcomes no
    /// team takes.
    fn routed(&self, pending: &PendingRoute, timelines: &[(usize, Timeline)]) -> Option<EventData> {
        let wf = &self.ctx.wf;
        let before = |tl: &[(Day, Option<usize>)]| {
            let i = tl.partition_point(|(d, _)| *d < pending.day);
            tl.get(i.checked_sub(1)?).and_then(|(_, w)| *w)
        };
        let own = timelines.iter().filter(|(k, _)| *k == pending.child);
        let siblings = timelines.iter().filter(|(k, _)| *k != pending.child);
        let family_worker = own
            .chain(siblings)
            .find_map(|(_, tl)| before(tl))
            .and_then(|w| Some((wf.worker_id(w)?, wf.team_of(w)?.clone())));
        let facts = RouteFacts {
            sector: pending.sector.clone(),
            family_worker,
        };
        let routed = route(&wf.org, pending.outcome, pending.level.as_deref(), &facts).ok()?;
        Some(EventData::ContactRouted(ContactRouted {
            child: Some(self.child(pending.child)?.id.clone()),
            team: routed.team,
            worker: routed.worker,
            locality: routed.locality,
            reason: routed.reason,
        }))
    }

    fn allocate(
        &mut self,
        k: usize,
        held: &mut Vec<Held>,
    ) -> Result<Vec<(Day, Option<usize>)>, SynthError> {
        let ctx = self.ctx;
        let wf = &ctx.wf;
        let end = ctx.end;
        let mut periods = self.child(k).map(|c| c.periods.clone()).unwrap_or_default();
        periods.sort_by_key(|p| p.from);
        let mut tl: Vec<(Day, Option<usize>)> = Vec::new();
        let mut events: Vec<(Day, Who, EventData)> = Vec::new();
        let mut cur: Option<Current> = None;
        let mut prev_to: Option<Day> = None;
        for (i, p) in periods.iter().enumerate() {
            if p.from > end {
                break;
            }
            let to = p.to.min(end.plus(1));
            let contiguous = prev_to.is_some_and(|t| p.from.since(t) <= 2);
            let want = match (p.stage, p.service) {
                (Stage::EarlyHelp, Service::EarlyHelp | Service::FamilySupport) => {
                    Want::EarlyHelpWorker
                }
                _ => Want::SocialWorker,
            };
            let keep = contiguous
                && cur.is_some_and(|c| {
                    wf.in_post(c.worker, p.from)
                        && (c.service == p.service || (p.stage == Stage::EarlyHelp && p.step_down))
                })
                && (p.stage != Stage::EarlyHelp || !p.step_down || self.rng.chance(0.7));
            if !keep {
                let delay = if contiguous {
                    0
                } else {
                    match p.stage {
                        Stage::Assessment if self.rng.chance(0.6) => 0,
                        Stage::Assessment => self.rng.int(1, 2),
                        Stage::EarlyHelp => self.rng.int(1, 8),
                        _ => 0,
                    }
                };
                let day = ctx
                    .days
                    .after(ctx.days.on_or_after(p.from), delay as u32)
                    .min(to);
                let shared = held
                    .iter()
                    .find(|h| {
                        h.service == p.service
                            && h.from <= day
                            && day <= h.to
                            && wf.in_post(h.worker, day)
                    })
                    .map(|h| (h.worker, h.post, h.team));
                let found =
                    shared.or_else(|| wf.choose(p.locality, p.service, want, day, &mut self.rng));
                match found {
                    Some((worker, post, team)) => {
                        events.push((day, Who::Worker(worker), self.allocated(worker, team)?));
                        tl.push((day, Some(worker)));
                        cur = Some(Current {
                            worker,
                            post,
                            team,
                            service: p.service,
                        });
                    }
                    None => {
                        if cur.is_some() {
                            events.push((day, Who::CaseHolder, EventData::Unallocated(Empty {})));
                            tl.push((day, None));
                        }
                        cur = None;
                    }
                }
            }
            // Leavers' cases move to a colleague, sometimes after a gap.
            while let Some(c) = cur {
                let Some(leave) = wf.leaves(c.worker, c.post) else {
                    break;
                };
                if leave >= to {
                    break;
                }
                let gap_ok = matches!(
                    p.stage,
                    Stage::EarlyHelp | Stage::ChildInNeed | Stage::Assessment
                );
                let back = if gap_ok && self.rng.chance(0.25) {
                    events.push((leave, Who::CaseHolder, EventData::Unallocated(Empty {})));
                    tl.push((leave, None));
                    leave.plus(self.rng.int(3, 50))
                } else {
                    leave
                };
                if back >= to {
                    cur = None;
                    break;
                }
                let team = c.team;
                let next = wf
                    .choose_in_team(team, want, back, &mut self.rng)
                    .or_else(|| wf.choose(p.locality, p.service, want, back, &mut self.rng));
                match next {
                    Some((worker, post, team)) => {
                        events.push((back, Who::Worker(worker), self.allocated(worker, team)?));
                        tl.push((back, Some(worker)));
                        cur = Some(Current {
                            worker,
                            post,
                            team,
                            service: p.service,
                        });
                    }
                    None => {
                        if back == leave {
                            events.push((leave, Who::CaseHolder, EventData::Unallocated(Empty {})));
                            tl.push((leave, None));
                        }
                        cur = None;
                        break;
                    }
                }
            }
            if let Some(c) = cur {
                held.push(Held {
                    service: p.service,
                    from: p.from,
                    to,
                    worker: c.worker,
                    post: c.post,
                    team: c.team,
                });
            }
            prev_to = Some(p.to);
            // A closed case has no worker.
            let next_contiguous = periods.get(i + 1).is_some_and(|n| n.from.since(p.to) <= 2);
            if !next_contiguous && p.to <= end && cur.is_some() {
                events.push((p.to, Who::CaseHolder, EventData::Unallocated(Empty {})));
                tl.push((p.to.plus(1), None));
                cur = None;
            }
        }
        if let Some(c) = self.child_mut(k) {
            for (day, who, data) in events {
                c.journal.push(day, who, data);
            }
        }
        Ok(tl)
    }

    fn allocated(&self, worker: usize, team: usize) -> Result<EventData, SynthError> {
        let wf = &self.ctx.wf;
        match (wf.worker_id(worker), wf.team_id(team)) {
            (Some(worker), Some(team)) => Ok(EventData::Allocated(Allocated {
                worker,
                team: team.clone(),
                reason: None,
            })),
            _ => Err(SynthError::Internal(
                "allocation to an unknown worker".into(),
            )),
        }
    }

    fn visits(&mut self, k: usize, tl: &[(Day, Option<usize>)]) -> Result<(), SynthError> {
        let ctx = self.ctx;
        let policy = &ctx.policy;
        let Some((dob, periods)) = self.child(k).map(|c| (c.dob, c.periods.clone())) else {
            return Ok(());
        };
        let placements = self.placements(k);
        let cin_wd = policy.cin_visit_working_days as i32;
        for p in &periods {
            if p.from > ctx.end {
                continue;
            }
            let to = p.to.min(ctx.end);
            // Each visit, and whether the child was seen.
            let mut days: Vec<(Day, bool)> = Vec::new();
            match p.stage {
                Stage::Assessment => {
                    let d = ctx.days.after(p.from, self.rng.int(1, 5) as u32);
                    days.push((d, self.seen(dob, d)));
                    if self.rng.chance(0.3) {
                        let d = ctx.days.after(d, self.rng.int(5, 15) as u32);
                        days.push((d, self.seen(dob, d)));
                    }
                }
                // Early help workers meet families at TAF meetings and sessions that are
                // not statutory visits; only social work visits are recorded.
                Stage::EarlyHelp => {}
                Stage::ChildInNeed => {
                    let mut d = ctx.days.after(p.from, self.rng.int(2, 10) as u32);
                    while d <= to {
                        days.push((d, self.seen(dob, d)));
                        let gap = if self.rng.chance(0.85) {
                            self.rng.int((cin_wd * 3 / 4).max(1), cin_wd)
                        } else {
                            self.rng.int(cin_wd + 1, cin_wd + cin_wd / 2 + 1)
                        };
                        d = ctx.days.after(d, gap as u32);
                    }
                }
                // The authority's standard: a visit, the child seen, at most so many
                // working days after the plan started or the child was last seen.
                Stage::ChildProtection => {
                    let step = ctx.cp_visit_working_days;
                    let mut due = ctx.days.after(p.from, step);
                    let mut earliest = ctx.days.after(p.from, 1);
                    loop {
                        let d =
                            self.meet(earliest, due, model::CP_VISIT_LATE, model::VISIT_LATE_MEAN);
                        if d > to {
                            break;
                        }
                        let seen = self.seen(dob, d);
                        days.push((d, seen));
                        // An unborn baby cannot be seen: the visits to the mother keep
                        // their rhythm. A child who was not in is visited again soon.
                        if seen || d < dob {
                            due = ctx.days.after(d, step);
                            earliest = ctx.days.after(d, (step / 2).max(1));
                        } else {
                            earliest = ctx.days.after(d, self.rng.int(1, 3) as u32);
                        }
                    }
                }
                Stage::LookedAfter => {
                    for (i, &(from, placement_type)) in placements.iter().enumerate() {
                        if from < p.from || from > to {
                            continue;
                        }
                        let until = placements.get(i + 1).map_or(to, |n| n.0.min(to));
                        self.placement_visits(from, until, placement_type, dob, &mut days)?;
                    }
                }
            }
            for (d, seen) in days.into_iter().filter(|&(d, _)| d >= p.from && d <= to) {
                let i = tl.partition_point(|(day, _)| *day <= d);
                let Some(worker) = i
                    .checked_sub(1)
                    .and_then(|i| tl.get(i))
                    .and_then(|(_, w)| *w)
                else {
                    continue;
                };
                let Some(id) = ctx.wf.worker_id(worker) else {
                    continue;
                };
                let alone_p = match p.stage {
                    Stage::ChildProtection => 0.7,
                    Stage::LookedAfter => 0.5,
                    _ => 0.35,
                };
                let seen_alone = seen && age_on(dob, d) >= 5 && self.rng.chance(alone_p);
                self.push(
                    k,
                    d,
                    Who::Worker(worker),
                    EventData::Visit(Visit {
                        worker: id,
                        seen,
                        seen_alone,
                    }),
                );
            }
        }
        Ok(())
    }

    /// The child's placements in date order: the day each started, and its type.
    fn placements(&self, k: usize) -> Vec<(Day, PlacementType)> {
        let mut out: Vec<(Day, PlacementType)> = self
            .child(k)
            .map(|c| {
                c.journal
                    .drafts
                    .iter()
                    .filter_map(|d| match &d.data {
                        EventData::PlacementStarted(p) => Some((d.day, p.placement_type)),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.sort_by_key(|p| p.0);
        out
    }

    /// Visits to a child in care in one placement, from `from` until the day before
    /// `until`: within a week of the move, then at most six-weekly, or three-monthly
    /// after a year in a placement meant to last (Care Planning Regulations 2010, reg 28),
    /// each counted from the last visit at which the child was seen.
    fn placement_visits(
        &mut self,
        from: Day,
        until: Day,
        placement_type: PlacementType,
        dob: Day,
        days: &mut Vec<(Day, bool)>,
    ) -> Result<(), SynthError> {
        let mut due = self.ctx.due(Duty::FirstPlacementVisit, from)?;
        let mut earliest = from.plus(1);
        loop {
            let d = self.meet(
                earliest,
                due,
                model::PLACEMENT_VISIT_LATE,
                model::VISIT_LATE_MEAN,
            );
            if d >= until {
                return Ok(());
            }
            let seen = self.seen(dob, d);
            days.push((d, seen));
            if seen {
                let settled = placement_type.is_long_term() && d >= from.plus_years(1);
                let (duty, lead) = if settled {
                    (Duty::LongTermPlacementVisit, 30)
                } else {
                    (Duty::PlacementVisit, 14)
                };
                due = self.ctx.due(duty, d)?;
                earliest = due.minus(lead);
            } else {
                earliest = self.ctx.days.after(d, self.rng.int(1, 3) as u32);
            }
        }
    }

    /// Whether the child was seen at a visit on `day`: an unborn child cannot be, and
    /// now and then a child is out or the visit falls through.
    fn seen(&mut self, dob: Day, day: Day) -> bool {
        day >= dob && !self.rng.chance(model::NOT_SEEN)
    }

    fn open_case_contacts(&mut self, k: usize) -> Result<(), SynthError> {
        let Some(periods) = self.child(k).map(|c| c.periods.clone()) else {
            return Ok(());
        };
        for p in &periods {
            let to = p.to.min(self.ctx.end);
            if to <= p.from {
                continue;
            }
            let rate = match p.stage {
                Stage::Assessment => continue,
                Stage::EarlyHelp => model::OPEN_CONTACTS_PER_YEAR_EH,
                Stage::ChildInNeed => model::OPEN_CONTACTS_PER_YEAR_CIN,
                Stage::ChildProtection => model::OPEN_CONTACTS_PER_YEAR_CP,
                Stage::LookedAfter => model::OPEN_CONTACTS_PER_YEAR_CLA,
            };
            let n = self.rng.poisson(rate * f64::from(to.since(p.from)) / 365.0);
            let mut days: Vec<Day> = (0..n)
                .map(|_| p.from.plus(self.rng.int(0, to.since(p.from))))
                .collect();
            days.sort();
            for d in days {
                self.open_case_contact(k, d, p.level)?;
            }
        }
        Ok(())
    }
}
