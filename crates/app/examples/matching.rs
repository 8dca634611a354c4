//! The matching bench (bench/matching.sh; issue 13): reads the people of a generated
//! county from its projections (`child_state`, and the adults in `family_state`),
//! builds the index, trains the model, then matches held-out contacts made with
//! `hearth_synth::garble` from people whose records it knows, about one in ten of them
//! left out of the index so that they are new. Prints pair precision, recall and F1 for
//! the top candidate at the suggestion threshold, the true pairs lost to blocking, and
//! the time to find candidates per contact. The clock is read here and nowhere else.
//!
//! Usage: cargo run --release -p hearth-app --example matching -- DB [CONTACTS]

use hearth_domain::codes::GivenRole;
use hearth_domain::contact::GivenPerson;
use hearth_domain::ids::{AdultId, ChildId, FamilyId, PersonRef};
use hearth_domain::matching::score::SUGGEST;
use hearth_domain::matching::train::{self, TrainingRule};
use hearth_domain::matching::{Index, MatchModel, Matcher, PersonRecord};
use hearth_domain::people::PersonDetails;
use hearth_synth::{Rand, Rates, garble};
use sqlx::Row;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::error::Error;
use std::time::{Duration, Instant};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

struct Person {
    record: PersonRecord,
    details: PersonDetails,
    role: GivenRole,
}

/// splitmix64, for choosing families and people.
struct Pick(u64);

impl Pick {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut x = self.0;
        x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((x ^ (x >> 31)) % n.max(1) as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.below(1_000_000) as f64) < p * 1_000_000.0
    }
}

fn record(person: PersonRef, family: Option<FamilyId>, d: &PersonDetails) -> PersonRecord {
    PersonRecord {
        person,
        family,
        given_name: d.name.given.clone(),
        family_name: d.name.family.clone(),
        other_names: Vec::new(),
        date_of_birth: d.date_of_birth,
        expected_date_of_birth: d.expected_date_of_birth,
        nhs_number: d.nhs_number.clone(),
        postcode: d.address.as_ref().map(|a| a.postcode.clone()),
        sex: Some(d.sex),
    }
}

async fn people(db: &str) -> Result<Vec<Person>> {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{db}?mode=ro")).await?;
    let mut out = Vec::new();
    let children = sqlx::query(
        "SELECT child_id, json_extract(state, '$.details'), json_extract(state, '$.family') \
         FROM child_state WHERE json_extract(state, '$.merged_into') IS NULL",
    )
    .fetch_all(&pool)
    .await?;
    for row in children {
        let id: String = row.try_get(0)?;
        let Some(details) = row.try_get::<Option<String>, _>(1)? else {
            continue;
        };
        let details: PersonDetails = serde_json::from_str(&details)?;
        let family = row
            .try_get::<Option<String>, _>(2)?
            .map(|f| FamilyId::parse(&f))
            .transpose()?;
        let role = if details.date_of_birth.is_none() {
            GivenRole::Unborn
        } else {
            GivenRole::Child
        };
        out.push(Person {
            record: record(PersonRef::Child(ChildId::parse(&id)?), family, &details),
            details,
            role,
        });
    }
    let families =
        sqlx::query("SELECT family_id, json_extract(state, '$.adults') FROM family_state")
            .fetch_all(&pool)
            .await?;
    let mut seen = HashSet::new();
    for row in families {
        let family = FamilyId::parse(&row.try_get::<String, _>(0)?)?;
        let Some(adults) = row.try_get::<Option<String>, _>(1)? else {
            continue;
        };
        let adults: BTreeMap<AdultId, PersonDetails> = serde_json::from_str(&adults)?;
        for (id, details) in adults {
            if seen.insert(id.clone()) {
                out.push(Person {
                    record: record(PersonRef::Adult(id), Some(family.clone()), &details),
                    details,
                    role: GivenRole::Adult,
                });
            }
        }
    }
    Ok(out)
}

/// A contact: one to three of a family's children, and an adult of it half the time.
fn contacts(
    families: &[Vec<usize>],
    everyone: &[Person],
    count: usize,
    pick: &mut Pick,
) -> Vec<Vec<usize>> {
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        let Some(members) = families.get(pick.below(families.len())) else {
            break;
        };
        let (children, adults): (Vec<usize>, Vec<usize>) = members
            .iter()
            .partition(|&&i| everyone[i].role != GivenRole::Adult);
        if children.is_empty() {
            continue;
        }
        let mut contact = Vec::new();
        for _ in 0..1 + pick.below(3.min(children.len())) {
            let child = children[pick.below(children.len())];
            if !contact.contains(&child) {
                contact.push(child);
            }
        }
        if !adults.is_empty() && pick.chance(0.5) {
            contact.push(adults[pick.below(adults.len())]);
        }
        out.push(contact);
    }
    out
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

#[derive(Default)]
struct Tally {
    true_pairs: usize,
    suggested: usize,
    right: usize,
}

impl Tally {
    fn print(&self, what: &str) {
        let precision = self.right as f64 / self.suggested.max(1) as f64;
        let recall = self.right as f64 / self.true_pairs.max(1) as f64;
        let f1 = 2.0 * precision * recall / (precision + recall).max(f64::MIN_POSITIVE);
        println!(
            "{what}: precision {precision:.4}, recall {recall:.4}, F1 {f1:.4} \
             ({} right of {} suggested; {} true pairs)",
            self.right, self.suggested, self.true_pairs
        );
    }
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let db = args.next().ok_or("usage: matching DB [CONTACTS]")?;
    let count: usize = args.next().map_or(Ok(5_000), |n| n.parse())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;

    let started = Instant::now();
    let everyone = runtime.block_on(people(&db))?;
    let adults = everyone
        .iter()
        .filter(|p| p.role == GivenRole::Adult)
        .count();
    println!(
        "people: {} children, {} adults (read in {:.1} s)",
        everyone.len() - adults,
        adults,
        started.elapsed().as_secs_f64()
    );
    let mut by_family: HashMap<&FamilyId, Vec<usize>> = HashMap::new();
    for (i, p) in everyone.iter().enumerate() {
        if let Some(f) = &p.record.family {
            by_family.entry(f).or_default().push(i);
        }
    }
    let mut families: Vec<(&FamilyId, Vec<usize>)> = by_family.into_iter().collect();
    families.sort();
    let families: Vec<Vec<usize>> = families.into_iter().map(|(_, m)| m).collect();

    // Held-out contacts, and about one person in ten of them left out of the index.
    let mut pick = Pick(2);
    let held_out = contacts(&families, &everyone, count, &mut pick);
    let mut new_people = HashSet::new();
    for &i in held_out.iter().flatten() {
        if pick.chance(0.1) {
            new_people.insert(i);
        }
    }
    let training = contacts(&families, &everyone, count, &mut Pick(1));

    let started = Instant::now();
    let index = Index::build(
        everyone
            .iter()
            .enumerate()
            .filter(|(i, _)| !new_people.contains(i))
            .map(|(_, p)| p.record.clone()),
    );
    println!(
        "index: {} people in {:.1} s",
        index.len(),
        started.elapsed().as_secs_f64()
    );

    let rates = Rates::default();
    let as_given = |contact: &[usize], rng: &mut Rand| -> Vec<GivenPerson> {
        contact
            .iter()
            .map(|&i| garble(&everyone[i].details, everyone[i].role, rng, &rates))
            .collect()
    };
    let mut rng = Rand::seeded(1);
    let training: Vec<GivenPerson> = training
        .iter()
        .flat_map(|c| as_given(c, &mut rng))
        .collect();
    let mut rng = Rand::seeded(2);
    let held_out: Vec<(Vec<usize>, Vec<GivenPerson>)> = held_out
        .into_iter()
        .map(|c| {
            let given = as_given(&c, &mut rng);
            (c, given)
        })
        .collect();

    let started = Instant::now();
    let starting = MatchModel::starting()?;
    let with_u = train::estimate_u(&index, &starting, 1_000_000, 1);
    let mut trained = with_u.clone();
    for rule in [TrainingRule::DateOfBirth, TrainingRule::Names] {
        let pairs = train::blocked_pairs(&index, &training, rule);
        trained = train::em(&trained, &pairs, rule, 20);
    }
    println!(
        "training: u from 1,000,000 random pairs, m by EM over {} training people, {:.1} s; model {}",
        training.len(),
        started.elapsed().as_secs_f64(),
        trained.fingerprint()
    );

    // Blocking: is the true person among the people a search reads?
    let (mut lost, mut lost_capped, mut capped, mut sizes) = (0, 0, 0, Vec::new());
    for (contact, given) in &held_out {
        for (&i, g) in contact.iter().zip(given) {
            let blocked = index.blocked(g);
            sizes.push(blocked.len());
            let hit_cap = blocked.truncated || blocked.skipped_keys > 0;
            capped += usize::from(hit_cap);
            if let Some(slot) = index.slot_of(&everyone[i].record.person)
                && !blocked.contains(slot)
            {
                lost += 1;
                lost_capped += usize::from(hit_cap);
            }
        }
    }
    sizes.sort_unstable();
    println!(
        "blocking: {lost} true pairs lost ({lost_capped} of them where a cap applied; caps applied for {capped} people); \
         people read per search p50 {}, p99 {}, max {}",
        sizes.get(sizes.len() / 2).copied().unwrap_or(0),
        sizes.get(sizes.len() * 99 / 100).copied().unwrap_or(0),
        sizes.last().copied().unwrap_or(0)
    );

    for (name, model) in [
        ("starting m, trained u", &with_u),
        ("trained (u, then EM for m)", &trained),
    ] {
        let matcher = Matcher::new(&index, model);
        let mut tally = Tally::default();
        let mut times = Vec::with_capacity(held_out.len());
        for (contact, given) in &held_out {
            let started = Instant::now();
            let found = matcher.find_for_contact(given, 5);
            times.push(started.elapsed());
            for (&i, candidates) in contact.iter().zip(&found) {
                let known = !new_people.contains(&i);
                tally.true_pairs += usize::from(known);
                if let Some(top) = candidates.first().filter(|c| c.probability >= SUGGEST) {
                    tally.suggested += 1;
                    tally.right += usize::from(known && top.person == everyone[i].record.person);
                }
            }
        }
        tally.print(name);
        times.sort_unstable();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "  time per contact ({} contacts, {} people): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            times.len(),
            held_out.iter().map(|(c, _)| c.len()).sum::<usize>(),
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.99)),
            ms(times.last().copied().unwrap_or_default())
        );
    }
    Ok(())
}
