//! The test organisation: Testshire, one locality with one team and one worker; and
//! the same with a front door.

use hearth_domain::codes::ContactOutcome;
use hearth_domain::ids::{TeamId, WorkerId};
use hearth_domain::org::{
    Area, Employment, FrontDoorPolicy, Locality, Organisation, Service, Team, Worker, WorkerRole,
};
use jiff::civil::date;

/// Testshire (LA code 999): area East, locality Ashford (postcode sector TN23 1), team
/// T1 (Ashford CIN team), and worker W1, Sam Patel, a social worker in T1 since 2020.
pub fn organisation() -> Organisation {
    Organisation {
        authority: String::from("Testshire"),
        la_code: String::from("999"),
        child_population: 10_000,
        areas: vec![Area {
            name: String::from("East"),
            localities: vec![Locality {
                name: String::from("Ashford"),
                child_population: 10_000,
                postcode_sectors: vec!["TN23 1".parse().unwrap()],
                postcode_districts: vec![],
                teams: vec![Team {
                    id: TeamId::parse("T1").unwrap(),
                    name: String::from("Ashford CIN team"),
                    service: Service::ChildInNeed,
                }],
            }],
        }],
        workers: vec![Worker {
            id: WorkerId::parse("W1").unwrap(),
            name: String::from("Sam Patel"),
            role: WorkerRole::SocialWorker,
            team: TeamId::parse("T1").unwrap(),
            fte: 1.0,
            employment: Employment::Employed,
            start_date: date(2020, 1, 6),
            end_date: None,
            qualified: None,
        }],
        ..Organisation::default()
    }
}

/// Testshire with a front door: [`organisation`] plus a county-wide locality "Testshire
/// services" (no children, no sectors) holding team T0, the front door, which a manager
/// signs off no further action from. Worker W0, Jo Screener, screens there since 2020.
pub fn front_door_organisation() -> Organisation {
    let mut org = organisation();
    if let Some(area) = org.areas.first_mut() {
        area.localities.push(Locality {
            name: String::from("Testshire services"),
            child_population: 0,
            postcode_sectors: vec![],
            postcode_districts: vec![],
            teams: vec![Team {
                id: TeamId::parse("T0").unwrap(),
                name: String::from("Testshire front door"),
                service: Service::FrontDoor,
            }],
        });
    }
    org.workers.push(Worker {
        id: WorkerId::parse("W0").unwrap(),
        name: String::from("Jo Screener"),
        role: WorkerRole::Screener,
        team: TeamId::parse("T0").unwrap(),
        fte: 1.0,
        employment: Employment::Employed,
        start_date: date(2020, 1, 6),
        end_date: None,
        qualified: None,
    });
    org.front_door = Some(FrontDoorPolicy {
        team: TeamId::parse("T0").unwrap(),
        sign_off: vec![ContactOutcome::NoFurtherAction],
        suggest_at: 0.5,
        likely_at: 0.95,
    });
    org
}
