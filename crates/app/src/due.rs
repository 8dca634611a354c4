//! The due list drawn from a store: the authority's rules and calendar from its
//! organisation document, the children who may owe something, their obligations as the
//! domain works them out, and the list in order. The page, the API and `hearth due` all
//! draw it up through [`App::due_list`], so they cannot disagree, and each child it
//! shows is logged; every date in it comes from `hearth-domain`.
//!
//! A child's due clocks (`hearth_domain::obligations::DueClocks`) are kept in the
//! store's due cache, so that a list reads the journeys only of children recorded since
//! it was last drawn up: a row is used while it is the child's version, the rules and
//! calendar are those it was worked out under, and the list's day is on or after the
//! child's last event; any other child's journey is read, and their clocks written back.
//!
//! The front door's rows come from the contacts' own journeys (`front_door_rows`): each
//! open contact's decision and checks, under the organisation's front-door team, and
//! none of the copies a linked child's journey holds, so each duty counts once.

use crate::names::Names;
use crate::reader::Reader;
use crate::{App, AppError, Caller};
use hearth_domain::access::Permission;
use hearth_domain::calendar::{CalendarError, WorkingCalendar};
use hearth_domain::contact::ContactStatus;
use hearth_domain::due::Standing;
use hearth_domain::due::{
    DueItem, Tally, TeamTally, Window, due_items, duty_label, outstanding, settled_since, sort,
    summarise,
};
use hearth_domain::event::Event;
use hearth_domain::event::OccurredAt;
use hearth_domain::ids::EventId;
use hearth_domain::ids::{ChildId, ContactId, Subject, TeamId, WorkerId};
use hearth_domain::journey::ChildState;
use hearth_domain::obligations::{
    DUE_CLOCKS_FORMAT, DueClocks, Obligation, ObligationError, Status, contact_obligations,
    due_clocks, obligations,
};
use hearth_domain::org::{FROM_THE_START, History, Organisation, Worker};
use hearth_domain::recording::Recording;
use hearth_domain::timescales::{Due, Duty, RuleSet, TimescaleError};
use hearth_store::{
    ChildSummary, DueCacheKey, DueClocksFor, DueClocksRow, DueSource, HeldBy, QueueFilter, Store,
    StoreError, Version,
};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// Why a due list could not be drawn up. The first two are the asker's to fix; the
/// messages name ids and dates, never a person.
#[derive(Debug, thiserror::Error)]
pub enum DueError {
    #[error("there is no team '{0}' in this authority's organisation")]
    UnknownTeam(TeamId),
    #[error("there is no worker '{0}' in this authority's organisation")]
    UnknownWorker(WorkerId),
    #[error("{0}")]
    Date(CalendarError),
    #[error("the authority's timescale rules cannot be used: {0}")]
    Rules(#[from] TimescaleError),
    #[error("the authority's closure days cannot be used: {0}")]
    Calendar(CalendarError),
    #[error("the obligations of child {child} cannot be worked out: {source}")]
    Journey {
        child: ChildId,
        source: ObligationError,
    },
    #[error("the obligations of contact {contact} cannot be worked out: {source}")]
    ContactJourney {
        contact: ContactId,
        source: ObligationError,
    },
    #[error(
        "the cached due clocks of child {child} cannot be read ({reason}); run `hearth rebuild`"
    )]
    Cache { child: ChildId, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl DueError {
    /// Whether the asker can fix it (a bad date, team or worker), rather than us.
    pub fn is_bad_request(&self) -> bool {
        matches!(
            self,
            DueError::UnknownTeam(_) | DueError::UnknownWorker(_) | DueError::Date(_)
        )
    }
}

/// What a database says about its authority on a day: the organisation document as the
/// version in force that day has it (for names, teams and workers), and the rules and
/// calendar of every version, each in force for the days its version is. A day before
/// any version (or a database without one: a journal imported on its own) has no
/// organisation, and works to the national rules and England and Wales's calendar.
///
/// Everything here is worked out once per stored document (the server keeps it in
/// memory, `crate::authority_cache`), so nothing a request does grows with the size of
/// the workforce.
pub struct Authority {
    pub organisation: Option<Organisation>,
    pub rules: RuleSet,
    pub calendar: WorkingCalendar,
    /// Names the rules, the calendar and the form of the due clocks, so that clocks
    /// cached under any others are worked out again.
    pub fingerprint: String,
    /// Where each worker is in the organisation's list, and each team's name, by id.
    workers: HashMap<WorkerId, usize>,
    teams: HashMap<TeamId, String>,
}

/// The authority on every day, as one set of stored versions describes it: what the
/// server keeps in memory.
pub(crate) struct Authorities {
    /// Each version's first day and the authority while it is in force, in date order.
    versions: Vec<(Date, Arc<Authority>)>,
    /// The authority on a day before any version.
    before: Arc<Authority>,
    /// The checks an event recorded now must pass, under the version of its day.
    pub(crate) recording: Recording,
}

impl Authorities {
    pub(crate) fn new(history: History) -> Result<Authorities, DueError> {
        let rules = history.rules()?;
        let calendar = history.working_calendar().map_err(DueError::Calendar)?;
        let fingerprint = fingerprint(&rules, &calendar)?;
        let authority = |organisation: Option<&Organisation>| {
            Arc::new(Authority::new(
                organisation.cloned(),
                rules.clone(),
                calendar.clone(),
                fingerprint.clone(),
            ))
        };
        Ok(Authorities {
            versions: history
                .versions()
                .iter()
                .map(|(from, org)| (*from, authority(Some(org))))
                .collect(),
            before: authority(None),
            recording: Recording::new(&history),
        })
    }

    /// The authority on `day`: under the version in force that day, never a later one.
    pub(crate) fn on(&self, day: Date) -> Arc<Authority> {
        self.versions
            .iter()
            .rev()
            .find(|(from, _)| *from <= day)
            .map_or(&self.before, |(_, authority)| authority)
            .clone()
    }
}

impl Authority {
    /// The authority on `day`, read from the store.
    pub async fn of(store: &dyn Store, day: Date) -> Result<Arc<Authority>, DueError> {
        Ok(Authorities::new(store.organisation_history().await?)?.on(day))
    }

    fn new(
        organisation: Option<Organisation>,
        rules: RuleSet,
        calendar: WorkingCalendar,
        fingerprint: String,
    ) -> Authority {
        let mut workers = HashMap::new();
        let mut teams = HashMap::new();
        if let Some(org) = &organisation {
            // The first of a repeated id wins, as `Organisation::worker` and `team` find.
            for (i, w) in org.workers.iter().enumerate() {
                workers.entry(w.id.clone()).or_insert(i);
            }
            for (_, _, t) in org.teams() {
                teams.entry(t.id.clone()).or_insert_with(|| t.name.clone());
            }
        }
        Authority {
            organisation,
            rules,
            calendar,
            fingerprint,
            workers,
            teams,
        }
    }

    /// Refuse a team or worker the organisation does not have.
    fn check(&self, held_by: &HeldBy) -> Result<(), DueError> {
        match held_by {
            HeldBy::Anyone => Ok(()),
            HeldBy::Team(t) if !self.teams.contains_key(t) => Err(DueError::UnknownTeam(t.clone())),
            HeldBy::Worker(w) if !self.workers.contains_key(w) => {
                Err(DueError::UnknownWorker(w.clone()))
            }
            _ => Ok(()),
        }
    }

    /// The worker with this id in the organisation, if any.
    pub fn worker(&self, id: &WorkerId) -> Option<&Worker> {
        let org = self.organisation.as_ref()?;
        self.workers.get(id).and_then(|&i| org.workers.get(i))
    }

    pub fn team_name(&self, id: &TeamId) -> String {
        Names::team_name(self, id).map_or_else(|| id.to_string(), str::to_owned)
    }

    pub fn worker_name(&self, id: &WorkerId) -> String {
        Names::worker_name(self, id).map_or_else(|| id.to_string(), str::to_owned)
    }
}

impl Names for Authority {
    fn worker_name(&self, id: &WorkerId) -> Option<&str> {
        self.worker(id).map(|w| w.name.as_str())
    }

    fn team_name(&self, id: &TeamId) -> Option<&str> {
        self.teams.get(id).map(String::as_str)
    }
}

/// SHA-256 of the clocks' form, the rules and the closed days.
fn fingerprint(rules: &RuleSet, calendar: &WorkingCalendar) -> Result<String, DueError> {
    let mut hash = Sha256::new();
    hash.update(DUE_CLOCKS_FORMAT);
    hash.update(b"\n");
    let rules =
        serde_json::to_vec(rules.rules()).map_err(|e| TimescaleError::BadRules(e.to_string()))?;
    hash.update(&rules);
    for day in calendar.closed_days() {
        hash.update(b"\n");
        hash.update(day.to_string());
    }
    Ok(crate::auth::hex(&hash.finalize()))
}

/// A due list, in the order it is read (longest overdue first).
pub struct DueList<'r> {
    pub window: Window,
    pub items: Vec<DueItem<'r>>,
    pub total: Tally,
    pub teams: Vec<TeamTally>,
    /// The children on the list, for names and links.
    pub children: BTreeMap<ChildId, ChildSummary>,
}

impl<'r> DueList<'r> {
    /// The first `limit` duties not yet met (overdue or due soon), as a list of rows
    /// shows them.
    pub fn due_rows(&self, limit: usize) -> impl Iterator<Item = &DueItem<'r>> {
        self.items
            .iter()
            .filter(|i| i.standing != Standing::MetLate)
            .take(limit)
    }

    /// At most `limit` duties from the `offset`th, in the list's order.
    pub fn page(&self, offset: usize, limit: usize) -> &[DueItem<'r>] {
        let start = offset.min(self.items.len());
        let end = start.saturating_add(limit).min(self.items.len());
        self.items.get(start..end).unwrap_or_default()
    }
}

/// Whole due lists kept in memory while the journal stands still. Drawing up a list
/// reads every child of the authority who may owe something (tens of thousands for a
/// county, each with their due clocks), which does not depend on who asks; so a list
/// is drawn up once for its day, children and rules, and each request then only takes
/// out what the caller may not see and logs what it shows. Any append, from this
/// process or another, moves the journal and the lists are drawn up again.
#[derive(Default)]
pub(crate) struct DueLists {
    kept: std::sync::Mutex<Kept>,
    /// Held while a list is drawn up, so that requests arriving together for a list
    /// not kept draw it up once.
    drawing: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct Kept {
    /// The journal position the lists were drawn up at.
    position: u64,
    lists: Vec<Arc<KeptList>>,
}

/// How many lists are kept at once (days and teams asked for; a worker's is not kept);
/// the oldest goes.
const LISTS_KEPT: usize = 16;

/// A list as drawn up, before anything is taken out for the caller.
struct KeptList {
    fingerprint: String,
    /// The team the front door's rows were listed under.
    front_door: Option<TeamId>,
    held_by: HeldBy,
    window: Window,
    items: Vec<KeptItem>,
    children: BTreeMap<ChildId, ChildSummary>,
}

/// A listed duty as kept: the item with its rule as its place in the authority's rules,
/// since an item borrows its rule from the authority it is listed under.
#[derive(Clone)]
struct KeptItem {
    rule: usize,
    standing: Standing,
    team: Option<TeamId>,
    worker: Option<WorkerId>,
    child: Option<ChildId>,
    contact: Option<ContactId>,
    duty: Duty,
    clock_started: OccurredAt,
    clock_event: EventId,
    due: Due,
    status: Status,
}

impl KeptList {
    /// The list kept, or none if an item's rule is not one of `rules` (then it is not
    /// kept, and drawn up each time).
    fn new(list: &DueList<'_>, authority: &Authority, held_by: &HeldBy) -> Option<KeptList> {
        let rules = &authority.rules;
        let items = list
            .items
            .iter()
            .map(|i| {
                let o = &i.obligation;
                Some(KeptItem {
                    rule: rules.rules().iter().position(|r| std::ptr::eq(r, o.rule))?,
                    standing: i.standing,
                    team: i.team.clone(),
                    worker: i.worker.clone(),
                    child: o.child.clone(),
                    contact: o.contact.clone(),
                    duty: o.duty,
                    clock_started: o.clock_started,
                    clock_event: o.clock_event.clone(),
                    due: o.due,
                    status: o.status.clone(),
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(KeptList {
            fingerprint: authority.fingerprint.clone(),
            front_door: front_door_team(authority).cloned(),
            held_by: held_by.clone(),
            window: list.window,
            items,
            children: list.children.clone(),
        })
    }

    fn is_for(&self, authority: &Authority, as_at: Date, held_by: &HeldBy) -> bool {
        self.fingerprint == authority.fingerprint
            && self.front_door.as_ref() == front_door_team(authority)
            && self.window.as_at == as_at
            && self.held_by == *held_by
    }

    /// The list, its items borrowing their rules from `authority`.
    fn list<'r>(&self, authority: &'r Authority) -> Option<DueList<'r>> {
        let rules = authority.rules.rules();
        let items = self
            .items
            .iter()
            .map(|i| {
                Some(DueItem {
                    standing: i.standing,
                    team: i.team.clone(),
                    worker: i.worker.clone(),
                    obligation: Obligation {
                        child: i.child.clone(),
                        contact: i.contact.clone(),
                        duty: i.duty,
                        rule: rules.get(i.rule)?,
                        clock_started: i.clock_started,
                        clock_event: i.clock_event.clone(),
                        due: i.due,
                        status: i.status.clone(),
                    },
                })
            })
            .collect::<Option<Vec<_>>>()?;
        let (total, teams) = summarise(&items);
        Some(DueList {
            window: self.window,
            items,
            total,
            teams,
            children: self.children.clone(),
        })
    }
}

impl DueLists {
    /// The due list as at `as_at` for the children `held_by` says, as kept or else
    /// drawn up (and kept).
    pub(crate) async fn get<'r>(
        &self,
        store: &dyn Store,
        authority: &'r Authority,
        as_at: Date,
        held_by: &HeldBy,
    ) -> Result<DueList<'r>, DueError> {
        authority.check(held_by)?;
        // A worker's list reads only their own children, by index, and their cached
        // clocks: drawing it up costs less than keeping it, and there are hundreds of
        // workers, so it is neither kept nor queued behind the drawing of a county's.
        if let HeldBy::Worker(_) = held_by {
            return due_list(store, authority, as_at, held_by).await;
        }
        let position = store.journal_position().await?;
        if let Some(list) = self.kept(position, authority, as_at, held_by) {
            return Ok(list);
        }
        let _drawing = self.drawing.lock().await;
        if let Some(list) = self.kept(position, authority, as_at, held_by) {
            return Ok(list);
        }
        let list = due_list(store, authority, as_at, held_by).await?;
        // The position was read before the list was drawn up: if an append comes in
        // between, the list is kept under the older position and drawn up again next
        // time, never the reverse.
        if let Some(kept) = KeptList::new(&list, authority, held_by) {
            let mut guard = self.kept.lock().unwrap_or_else(|e| e.into_inner());
            if guard.position != position {
                *guard = Kept {
                    position,
                    lists: Vec::new(),
                };
            }
            if guard.lists.len() >= LISTS_KEPT {
                guard.lists.remove(0);
            }
            guard.lists.push(Arc::new(kept));
        }
        Ok(list)
    }

    fn kept<'r>(
        &self,
        position: u64,
        authority: &'r Authority,
        as_at: Date,
        held_by: &HeldBy,
    ) -> Option<DueList<'r>> {
        let kept = {
            let guard = self.kept.lock().unwrap_or_else(|e| e.into_inner());
            if guard.position != position {
                return None;
            }
            guard
                .lists
                .iter()
                .find(|l| l.is_for(authority, as_at, held_by))?
                .clone()
        };
        kept.list(authority)
    }
}

/// What a due list shows, and so which children its use is logged for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    /// Every duty, child by child (the API, `hearth due --format json`): every child on
    /// the list is logged.
    Children,
    /// The first this many rows of [`DueList::due_rows`] (the page): the children of
    /// those rows are logged.
    Rows(usize),
    /// Every duty from the `offset`th, at most `limit` (the API, a page at a time): the
    /// children of those duties are logged.
    Page { offset: usize, limit: usize },
    /// The counts alone, naming no child (for someone who may see figures only):
    /// nothing is logged.
    CountsOnly,
}

impl App {
    /// The due list as at `as_at` for the children `held_by` says, with restricted
    /// children the caller may not see left out. A list of children needs
    /// `ViewDueList` and logs each child it shows (as `listing` says) before it is
    /// handed back; counts alone need `ViewFigures`.
    pub async fn due_list<'r>(
        &self,
        caller: &Caller,
        now: Timestamp,
        authority: &'r Authority,
        as_at: Date,
        held_by: &HeldBy,
        listing: Listing,
    ) -> Result<DueList<'r>, AppError> {
        let need = match listing {
            Listing::CountsOnly => Permission::ViewFigures,
            Listing::Children | Listing::Rows(_) | Listing::Page { .. } => Permission::ViewDueList,
        };
        self.check(caller, now, need, &caller.purpose).await?;
        let mut list = self
            .due_lists
            .get(self.store(), authority, as_at, held_by)
            .await?;
        let reader = Reader::new(self.store(), caller, now);
        reader.hide_restricted(&mut list).await?;
        let shown: Vec<&DueItem<'r>> = match listing {
            Listing::CountsOnly => return Ok(list),
            Listing::Children => list.items.iter().collect(),
            Listing::Rows(limit) => list.due_rows(limit).collect(),
            Listing::Page { offset, limit } => list.page(offset, limit).iter().collect(),
        };
        let children: BTreeSet<&ChildId> = shown
            .iter()
            .filter_map(|i| i.obligation.child.as_ref())
            .collect();
        // A contact's own rows name the contact (a child's mirrored rows are not listed).
        let contacts: BTreeSet<&ContactId> = shown
            .iter()
            .filter(|i| i.obligation.child.is_none())
            .filter_map(|i| i.obligation.contact.as_ref())
            .collect();
        let children: Vec<ChildId> = match listing {
            // Every child the list names, met late or not.
            Listing::Children => list.children.keys().cloned().collect(),
            _ => children.into_iter().cloned().collect(),
        };
        reader.log_shown(&children).await?;
        if !contacts.is_empty() {
            let subjects: Vec<Subject> = contacts
                .into_iter()
                .cloned()
                .map(Subject::Contact)
                .collect();
            self.store()
                .log_access_many(now, caller.actor(), &subjects, &caller.purpose)
                .await?;
        }
        Ok(list)
    }
}

/// The due list as at `as_at` for the children `held_by` says.
async fn due_list<'r>(
    store: &dyn Store,
    authority: &'r Authority,
    as_at: Date,
    held_by: &HeldBy,
) -> Result<DueList<'r>, DueError> {
    authority.check(held_by)?;
    let window = Window::new(as_at, &authority.calendar).map_err(DueError::Date)?;
    let mut items = Vec::new();
    let mut children = BTreeMap::new();
    let mut fresh = Vec::new();
    let mut failed = None;
    let cache = DueCacheKey {
        fingerprint: &authority.fingerprint,
        as_at,
    };
    // A child settled on or before the start of the month has nothing on the list
    // (hearth_domain::due::settled_since), so the store skips reading them.
    store
        .unsettled_due(
            window.met_late_after,
            held_by,
            Some(&cache),
            &mut |child: &ChildSummary, source: DueSource| {
                if failed.is_some() {
                    return;
                }
                match child_items(authority, &window, child, source, &mut fresh) {
                    Ok(listed) => {
                        if !listed.is_empty() {
                            children.insert(child.id.clone(), child.clone());
                            items.extend(listed);
                        }
                    }
                    Err(e) => failed = Some(e),
                }
            },
        )
        .await?;
    if let Some(e) = failed {
        return Err(e);
    }
    front_door_rows(store, authority, &window, held_by, &mut items).await?;
    children.retain(|id, _| {
        items
            .iter()
            .any(|i| i.obligation.child.as_ref() == Some(id))
    });
    if !fresh.is_empty()
        && let Err(e) = store.put_due_clocks(&fresh).await
    {
        // The list stands without the cache; the next one reads the journeys again.
        tracing::warn!(
            "could not cache the due clocks of {} children: {e}",
            fresh.len()
        );
    }
    sort(&mut items);
    let (total, teams) = summarise(&items);
    Ok(DueList {
        window,
        items,
        total,
        teams,
        children,
    })
}

/// The front door's rows (plan §1.7, §5): each open contact's own duties (its decision,
/// each partner check still awaited) as one row each, held by the organisation's
/// front-door team; and, so that each duty counts once, none of the rows a child's
/// journey has for a contact that has a journey of its own (the mirrors of its receipt
/// and checks). A contact recorded only on a child's journey (before contacts had
/// journeys) keeps its rows on the child.
async fn front_door_rows<'r>(
    store: &dyn Store,
    authority: &'r Authority,
    window: &Window,
    held_by: &HeldBy,
    items: &mut Vec<DueItem<'r>>,
) -> Result<(), DueError> {
    let team = front_door_team(authority);
    let listed = match held_by {
        HeldBy::Anyone => true,
        HeldBy::Team(t) => team == Some(t),
        HeldBy::Worker(_) => false,
    };
    // The open contacts are read only for a list that shows the front door's rows; any
    // other list asks after just the contacts its children's rows name.
    let open = if listed {
        store
            .contact_queue(&QueueFilter {
                statuses: vec![
                    ContactStatus::New,
                    ContactStatus::AwaitingChecks,
                    ContactStatus::AwaitingDecision,
                    ContactStatus::AwaitingSignOff,
                ],
                decided_on: None,
                locality: None,
                urgency: None,
                limit: u32::MAX,
            })
            .await?
    } else {
        Vec::new()
    };
    let mut journeys: HashMap<ContactId, bool> =
        open.iter().map(|c| (c.state.id.clone(), true)).collect();
    let mirrored: BTreeSet<ContactId> = items
        .iter()
        .filter_map(|i| i.obligation.contact.clone())
        .collect();
    for contact in mirrored {
        if let std::collections::hash_map::Entry::Vacant(entry) = journeys.entry(contact) {
            let has = store.contact(entry.key()).await?.is_some();
            entry.insert(has);
        }
    }
    items.retain(|i| {
        i.obligation
            .contact
            .as_ref()
            .is_none_or(|c| !journeys.get(c).copied().unwrap_or(false))
    });
    if !listed {
        return Ok(());
    }
    for record in open {
        let id = &record.state.id;
        let (events, _) = store.journey(&Subject::Contact(id.clone())).await?;
        let duties = contact_obligations(
            id,
            &events,
            &authority.rules,
            &authority.calendar,
            window.as_at,
        )
        .map_err(|source| DueError::ContactJourney {
            contact: id.clone(),
            source,
        })?;
        items.extend(due_items(
            duties.into_iter().map(Obligation::from).collect(),
            window,
            team,
            None,
        ));
    }
    Ok(())
}

/// The team that holds the front door's rows: the organisation's front-door team.
fn front_door_team(authority: &Authority) -> Option<&TeamId> {
    authority
        .organisation
        .as_ref()
        .and_then(|o| o.front_door.as_ref())
        .map(|f| &f.team)
}

/// What one child has on the list, from their cached clocks or else their journey. The
/// clocks a journey leaves (whatever the list's day) go to `fresh`, for the cache.
fn child_items<'r>(
    authority: &'r Authority,
    window: &Window,
    child: &ChildSummary,
    source: DueSource,
    fresh: &mut Vec<DueClocksRow>,
) -> Result<Vec<DueItem<'r>>, DueError> {
    let (rules, calendar, as_at) = (&authority.rules, &authority.calendar, window.as_at);
    let journey_error = |source| DueError::Journey {
        child: child.id.clone(),
        source,
    };
    let found = match source {
        DueSource::Cached(text) => {
            let clocks: DueClocks = serde_json::from_str(&text).map_err(|e| DueError::Cache {
                child: child.id.clone(),
                reason: e.to_string(),
            })?;
            clocks
                .finish(&child.id, rules, calendar, as_at)
                .map_err(journey_error)?
        }
        DueSource::Journey {
            events,
            version,
            cached,
        } => {
            // Not caching is only slower, so a journey whose clocks cannot be kept is
            // listed as ever.
            let kept = (!cached)
                .then(|| due_clocks(&child.id, &events, rules, calendar).ok())
                .flatten()
                .flatten()
                .and_then(|c| Some((c.last_date, serde_json::to_string(&c).ok()?)));
            if let Some((last_date, clocks)) = kept {
                fresh.push(DueClocksRow {
                    child: child.id.clone(),
                    version,
                    fingerprint: authority.fingerprint.clone(),
                    last_date,
                    clocks,
                });
            }
            obligations(&child.id, &events, rules, calendar, as_at).map_err(journey_error)?
        }
    };
    Ok(due_items(
        found,
        window,
        child.team.as_ref(),
        child.worker.as_ref(),
    ))
}

/// What a bulk load needs to fill the due cache as it writes a new county: each child's
/// clocks under `organisation` as its only version, as the first due list as at `as_at`
/// would cache them. A child settled before that list's window is not read by it, so
/// gets no row.
pub fn clocks_for(organisation: &Organisation, as_at: Date) -> Result<DueClocksFor, DueError> {
    let history = History::new([(FROM_THE_START, organisation.clone())]);
    let authority = Authorities::new(history)?.on(as_at);
    let window = Window::new(as_at, &authority.calendar).map_err(DueError::Date)?;
    let unsettled_after = window.met_late_after;
    Ok(Arc::new(move |state: &ChildState, journey: &[Event]| {
        if settled_since(state).is_some_and(|day| day <= unsettled_after) {
            return None;
        }
        // A journey whose clocks cannot be worked out is left to the first list, which
        // names what is wrong with it.
        let clocks = due_clocks(&state.id, journey, &authority.rules, &authority.calendar)
            .ok()
            .flatten()?;
        Some(DueClocksRow {
            child: state.id.clone(),
            version: journey.len() as Version,
            fingerprint: authority.fingerprint.clone(),
            last_date: clocks.last_date,
            clocks: serde_json::to_string(&clocks).ok()?,
        })
    }))
}

/// Fill the due cache for every child a list as at `as_at` reads, so that the first
/// list drawn up after a county is generated, imported or rebuilt is as quick as the
/// next (a list as at a later day reads no more children).
pub async fn warm_due_cache(store: &dyn Store, as_at: Date) -> Result<(), DueError> {
    let authority = Authority::of(store, as_at).await?;
    due_list(store, &authority, as_at, &HeldBy::Anyone).await?;
    Ok(())
}

/// The list as the API and `hearth due --format json` give it.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DueBody<'a> {
    #[serde(flatten)]
    pub window: Window,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub team: Option<&'a TeamId>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub worker: Option<&'a WorkerId>,
    pub total: Tally,
    pub teams: &'a [TeamTally],
    pub obligations: &'a [DueItem<'a>],
    /// Which part of the list `obligations` is, when it is one page of it (the API).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    // Described as the page's fields, each optional: a flattened `None` adds nothing
    // to the object (a derived `Option` schema would say the object may be null).
    #[cfg_attr(feature = "openapi", schema(value_type = Page))]
    pub page: Option<Page>,
}

/// Where a page of a due list's obligations is in the whole list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page {
    /// How many obligations the whole list has.
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub count: usize,
    /// The place in the whole list of the page's first obligation (from 0).
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub offset: usize,
    /// The most a page holds; none when the page is the whole list.
    pub limit: Option<usize>,
}

impl<'a> DueBody<'a> {
    pub fn new(list: &'a DueList<'a>, held_by: &'a HeldBy) -> DueBody<'a> {
        let (team, worker) = match held_by {
            HeldBy::Anyone => (None, None),
            HeldBy::Team(t) => (Some(t), None),
            HeldBy::Worker(w) => (None, Some(w)),
        };
        DueBody {
            window: list.window,
            team,
            worker,
            total: list.total,
            teams: &list.teams,
            obligations: &list.items,
            page: None,
        }
    }

    /// One page of the list: at most `limit` obligations (all, with none) from the
    /// `offset`th, and where they are in it.
    pub fn page(
        list: &'a DueList<'a>,
        held_by: &'a HeldBy,
        offset: usize,
        limit: Option<usize>,
    ) -> DueBody<'a> {
        DueBody {
            obligations: list.page(offset, limit.unwrap_or(usize::MAX)),
            page: Some(Page {
                count: list.items.len(),
                offset,
                limit,
            }),
            ..DueBody::new(list, held_by)
        }
    }
}

/// Where a listed duty stands, in words: "Overdue by 3 working days", "Due 2026-04-02",
/// "Met 2 working days late on 2026-03-12".
pub fn standing_text(item: &DueItem) -> String {
    obligation_standing(&item.obligation)
}

/// Where a duty stands, in words, as [`standing_text`] says it of a listed duty.
pub fn obligation_standing(o: &Obligation) -> String {
    let days = |n: i64| {
        if n == 1 {
            String::from("1 working day")
        } else {
            format!("{n} working days")
        }
    };
    match &o.status {
        Status::Overdue { working_days } if *working_days > 0 => {
            format!("Overdue by {}", days(*working_days))
        }
        // Past its due date, but no working day yet (a weekend, or a duty in hours).
        Status::Overdue { .. } => format!("Overdue since {}", o.due.date()),
        Status::MetLate {
            on,
            working_days_late,
            ..
        } => format!("Met {} late on {}", days(*working_days_late), on.date),
        _ => format!("Due {}", o.due.date()),
    }
}

/// What child `child` owes as at `as_at`, overdue first, then soonest due
/// ([`hearth_domain::due::outstanding`]): worked out from their journey as the caller
/// has already read it, by the fold the due list runs on each journey it reads.
pub fn child_outstanding<'r>(
    authority: &'r Authority,
    child: &ChildId,
    journey: &[Event],
    as_at: Date,
) -> Result<Vec<Obligation<'r>>, DueError> {
    let found = obligations(child, journey, &authority.rules, &authority.calendar, as_at).map_err(
        |source| DueError::Journey {
            child: child.clone(),
            source,
        },
    )?;
    Ok(outstanding(found))
}

/// The duty and its timescale, in words: "Assessment: 45 working days (Working Together
/// to Safeguard Children 2013 onwards, chapter 1)".
pub fn duty_text(item: &DueItem) -> (String, String) {
    let rule = item.obligation.rule;
    (
        duty_label(item.obligation.duty).to_owned(),
        format!("{} ({})", rule.within, rule.source.title),
    )
}

/// A value as given, trimmed; none if empty.
fn given(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// Why a due list's request cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadRequest {
    #[error("'{0}' is not a date: write it as YYYY-MM-DD")]
    Date(String),
    #[error("'{0}' is not a team id")]
    Team(String),
    #[error("'{0}' is not a worker id")]
    Worker(String),
    #[error("choose a team or a worker, not both")]
    Both,
}

/// The day and the children a due list is asked for, from text (a query string or the
/// command line); an empty value counts as not given. The day defaults to `today`.
pub fn parse_request(
    as_at: Option<&str>,
    team: Option<&str>,
    worker: Option<&str>,
    today: Date,
) -> Result<(Date, HeldBy), BadRequest> {
    let as_at = match given(as_at) {
        Some(text) => text
            .parse::<Date>()
            .map_err(|_| BadRequest::Date(text.to_owned()))?,
        None => today,
    };
    let held_by = match (given(team), given(worker)) {
        (Some(_), Some(_)) => return Err(BadRequest::Both),
        (Some(t), None) => {
            HeldBy::Team(TeamId::parse(t).map_err(|_| BadRequest::Team(t.to_owned()))?)
        }
        (None, Some(w)) => {
            HeldBy::Worker(WorkerId::parse(w).map_err(|_| BadRequest::Worker(w.to_owned()))?)
        }
        (None, None) => HeldBy::Anyone,
    };
    Ok((as_at, held_by))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn a_request_reads_a_day_and_a_team_or_a_worker() {
        let today = date(2026, 3, 31);
        assert_eq!(
            parse_request(None, None, None, today),
            Ok((today, HeldBy::Anyone))
        );
        assert_eq!(
            parse_request(Some(" "), Some(""), None, today),
            Ok((today, HeldBy::Anyone))
        );
        assert_eq!(
            parse_request(Some("2025-01-06"), Some("T1"), None, today),
            Ok((date(2025, 1, 6), HeldBy::Team(TeamId::parse("T1").unwrap())))
        );
        assert_eq!(
            parse_request(None, None, Some("W1"), today),
            Ok((today, HeldBy::Worker(WorkerId::parse("W1").unwrap())))
        );
        assert_eq!(
            parse_request(Some("2025-02-30"), None, None, today),
            Err(BadRequest::Date(String::from("2025-02-30")))
        );
        assert_eq!(
            parse_request(None, Some("T1"), Some("W1"), today),
            Err(BadRequest::Both)
        );
        assert_eq!(
            parse_request(None, Some("no such team!"), None, today),
            Err(BadRequest::Team(String::from("no such team!")))
        );
    }
}
