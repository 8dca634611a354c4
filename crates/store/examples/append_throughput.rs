//! Journal append throughput, for `bench/store.sh`: WRITERS concurrent tasks each append
//! APPENDS single-event writes (a visit), either each to a child of its own or all to
//! one child, retrying on conflict as a web node would. Prints events/s and conflicts.
//! With `access`, each task instead writes APPENDS access-log rows, one at a time, as
//! workers opening records do.
//!
//! Usage: append_throughput DB WRITERS APPENDS own|same|access
//! DB must be a new, empty database (a SQLite path or a postgres:// URL).

use hearth_domain::codes::{Ethnicity, Sex};
use hearth_domain::event::{Event, EventData, OccurredAt, PersonRegistered, Visit};
use hearth_domain::ids::{Actor, ChildId, EventId, Subject, WorkerId};
use hearth_domain::people::{Name, PersonDetails};
use hearth_store::{Store, StoreError, Version};
use std::sync::Arc;
use std::time::Instant;

type Failure = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [db, writers, appends, mode] = args.as_slice() else {
        return Err("usage: append_throughput DB WRITERS APPENDS own|same|access".into());
    };
    let writers: usize = writers.parse()?;
    let appends: usize = appends.parse()?;
    let same_child = match mode.as_str() {
        "own" => false,
        "same" => true,
        "access" => return access(db, writers, appends).await,
        _ => {
            return Err(
                "the last argument is `own` (a child per writer), `same` or `access`".into(),
            );
        }
    };
    let store = hearth_store::open(db).await?;
    if store.count_events().await? > 0 {
        return Err(format!("{db} already holds events; give a new, empty database").into());
    }
    let children: Vec<String> = if same_child {
        vec!["B0".to_owned()]
    } else {
        (0..writers).map(|w| format!("B{w}")).collect()
    };
    for c in &children {
        store.append(0, vec![registration(c)?]).await?;
    }

    let started = Instant::now();
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let child = children[if same_child { 0 } else { w }].clone();
            tokio::spawn(write(store.clone(), child, w, appends))
        })
        .collect();
    let mut conflicts = 0;
    for task in tasks {
        conflicts += task.await??;
    }
    let seconds = started.elapsed().as_secs_f64();
    let events = writers * appends;
    println!(
        "{events} appends by {writers} writer(s) on {} child(ren): {seconds:.2} s, {:.0} events/s, {conflicts} conflicts retried",
        children.len(),
        events as f64 / seconds
    );
    Ok(())
}

/// WRITERS tasks each logging APPENDS views, one row a call.
async fn access(db: &str, writers: usize, appends: usize) -> Result<(), Failure> {
    let store = hearth_store::open(db).await?;
    let at: jiff::Timestamp = "2024-05-01T09:00:00Z".parse()?;
    let started = Instant::now();
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                let subject = Subject::Child(ChildId::parse(&format!("B{w}"))?);
                for _ in 0..appends {
                    store.log_access(at, "bench", &subject, "view").await?;
                }
                Ok::<_, Failure>(())
            })
        })
        .collect();
    for task in tasks {
        task.await??;
    }
    let seconds = started.elapsed().as_secs_f64();
    let rows = writers * appends;
    println!(
        "{rows} access-log rows by {writers} writer(s): {seconds:.2} s, {:.0} rows/s",
        rows as f64 / seconds
    );
    Ok(())
}

async fn write(
    store: Arc<dyn Store>,
    child: String,
    w: usize,
    appends: usize,
) -> Result<u64, Failure> {
    let mut version: Version = 1;
    let mut conflicts = 0;
    for n in 0..appends {
        let event = event(
            &child,
            &format!("w{w}-{n}"),
            EventData::Visit(Visit {
                worker: WorkerId::parse("W1")?,
                seen: true,
                seen_alone: true,
            }),
        )?;
        loop {
            match store.append(version, vec![event.clone()]).await {
                Ok(v) => {
                    version = v;
                    break;
                }
                Err(StoreError::Conflict { actual, .. }) => {
                    conflicts += 1;
                    version = actual;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(conflicts)
}

fn registration(child: &str) -> Result<Event, Failure> {
    let details = PersonDetails {
        name: Name {
            given: "Bench".to_owned(),
            family: format!("Child {child}"),
        },
        date_of_birth: Some(jiff::civil::date(2018, 1, 1)),
        expected_date_of_birth: None,
        sex: Sex::Female,
        ethnicity: Ethnicity::Wbri,
        disabilities: vec![],
        nhs_number: None,
        upn: None,
        address: None,
    };
    event(
        child,
        &format!("{child}-registered"),
        EventData::PersonRegistered(PersonRegistered {
            adult: None,
            family: None,
            details,
        }),
    )
}

fn event(child: &str, id: &str, data: EventData) -> Result<Event, Failure> {
    Ok(Event {
        id: EventId::parse(id)?,
        subject: Subject::Child(ChildId::parse(child)?),
        occurred_at: OccurredAt::parse("2024-05-01")?,
        recorded_at: "2024-05-01T09:00:00Z".parse()?,
        recorded_by: Actor::parse("bench")?,
        data,
    })
}
