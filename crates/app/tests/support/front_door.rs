//! The front door's shared test fixture: an [`App`] on a real store (SQLite, or
//! PostgreSQL through `HEARTH_TEST_POSTGRES_URL`) holding Testshire with a front door,
//! one known child in a family with an allocated worker, and a contact about that child
//! as a school would send it (surname misspelt, no NHS number).
//!
//! A test file includes it with `#[path = "support/front_door.rs"] mod front_door;`.
//! Not every file uses every helper.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hearth_app::{App, Caller};
use hearth_domain::access::{Role, UserName};
use hearth_domain::codes::*;
use hearth_domain::contact::{GivenAddress, GivenPerson, Intake, NewContact, Referrer};
use hearth_domain::event::*;
use hearth_domain::identifiers::{NhsNumber, Postcode};
use hearth_domain::ids::*;
use hearth_domain::people::{Address, Name, PersonDetails};
use hearth_store::{Store, Version};
use jiff::Timestamp;
use jiff::civil::{Date, date};
use std::sync::Arc;

/// Runs each named `async fn name(backend: Backend)` as a test on SQLite and on
/// PostgreSQL (which needs `HEARTH_TEST_POSTGRES_URL`; without it those fail, never
/// skip, as in the store's conformance tests).
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name($crate::front_door::Backend::Sqlite).await
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name($crate::front_door::Backend::Postgres).await
            })*
        }
    };
}

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// "Now" in every front-door test: Monday 3 June 2024, 11:00 in Ashford.
pub fn now() -> Timestamp {
    "2024-06-03T10:00:00Z".parse().unwrap()
}

/// The day the contact was received.
pub const RECEIVED: Date = date(2024, 6, 3);

pub fn user(name: &str, role: Role) -> Caller {
    Caller::user(UserName::parse(name).unwrap(), role, "front door: test")
}

pub fn screener() -> Caller {
    user("jo.screener", Role::Screener)
}

pub fn manager() -> Caller {
    user("kim.manager", Role::TeamManager)
}

pub fn partner() -> Caller {
    user("pc.tester", Role::Partner)
}

/// The known child: Lily Hartwell, born 12 April 2016, of 4 Mill Lane, Ashford, in
/// family F1 with her mother Claire (A1); referred in January 2024 and allocated to W1
/// (Sam Patel) in T1, with an assessment under way.
pub const CHILD: &str = "C1";
pub const FAMILY: &str = "F1";
pub const MOTHER: &str = "A1";
pub const WORKER: &str = "W1";
pub const TEAM: &str = "T1";
pub const BORN: Date = date(2016, 4, 12);

pub fn child() -> ChildId {
    ChildId::parse(CHILD).unwrap()
}

pub fn family() -> FamilyId {
    FamilyId::parse(FAMILY).unwrap()
}

pub fn mother() -> AdultId {
    AdultId::parse(MOTHER).unwrap()
}

pub fn child_subject() -> Subject {
    Subject::Child(child())
}

fn address() -> Address {
    Address {
        lines: vec![String::from("4 Mill Lane")],
        town: String::from("Ashford"),
        postcode: "TN23 1AB".parse().unwrap(),
    }
}

fn event(subject: Subject, id: &str, on: &str, data: EventData) -> Event {
    Event {
        id: EventId::parse(id).unwrap(),
        subject,
        occurred_at: OccurredAt::parse(on).unwrap(),
        recorded_at: "2024-02-01T09:00:00Z".parse().unwrap(),
        recorded_by: Actor::parse("test").unwrap(),
        data,
    }
}

/// Lily's journey: registered in family F1, referred by the police, allocated,
/// assessed.
fn child_journey() -> Vec<Event> {
    use EventData as E;
    let e = |id: &str, on: &str, data| event(child_subject(), id, on, data);
    let lily = PersonDetails {
        name: Name {
            given: String::from("Lily"),
            family: String::from("Hartwell"),
        },
        date_of_birth: Some(BORN),
        expected_date_of_birth: None,
        sex: Sex::Female,
        ethnicity: Ethnicity::Wbri,
        disabilities: vec![],
        nhs_number: Some(NhsNumber::parse("9434765919").unwrap()),
        upn: None,
        address: Some(address()),
    };
    vec![
        e(
            "lily-01",
            "2024-01-10",
            E::PersonRegistered(PersonRegistered {
                adult: None,
                family: Some(family()),
                details: lily,
            }),
        ),
        e(
            "lily-02",
            "2024-01-11",
            E::ReferralAccepted(ReferralAccepted {
                referral: ReferralId::parse("R1").unwrap(),
                contact: None,
                source: ReferralSource::Police,
                primary_need: PrimaryNeed::AbuseOrNeglect,
            }),
        ),
        e(
            "lily-03",
            "2024-01-12",
            E::Allocated(Allocated {
                worker: WorkerId::parse(WORKER).unwrap(),
                team: TeamId::parse(TEAM).unwrap(),
                reason: None,
            }),
        ),
        e(
            "lily-04",
            "2024-01-12",
            E::AssessmentStarted(Default::default()),
        ),
    ]
}

/// Family F1: Claire Hartwell (A1), Lily's mother.
fn family_journey() -> Vec<Event> {
    use EventData as E;
    let subject = Subject::Family(family());
    let e = |id: &str, on: &str, data| event(subject.clone(), id, on, data);
    let claire = PersonDetails {
        name: Name {
            given: String::from("Claire"),
            family: String::from("Hartwell"),
        },
        date_of_birth: Some(date(1987, 9, 30)),
        sex: Sex::Female,
        address: Some(address()),
        ..blank_details()
    };
    vec![
        e(
            "f1-01",
            "2024-01-10",
            E::PersonRegistered(PersonRegistered {
                adult: Some(mother()),
                family: Some(family()),
                details: claire,
            }),
        ),
        e(
            "f1-02",
            "2024-01-10",
            E::RelationshipAdded(Relationship {
                from: PersonRef::Adult(mother()),
                to: PersonRef::Child(child()),
                relationship: RelationshipKind::Parent,
            }),
        ),
    ]
}

fn blank_details() -> PersonDetails {
    PersonDetails {
        name: Name {
            given: String::new(),
            family: String::new(),
        },
        date_of_birth: None,
        expected_date_of_birth: None,
        sex: Sex::Unknown,
        ethnicity: Ethnicity::Nobt,
        disabilities: vec![],
        nhs_number: None,
        upn: None,
        address: None,
    }
}

/// What a school sends about Lily and her mother: Lily's surname misspelt
/// ("Hartwel"), no NHS number, her date of birth and postcode right.
pub fn contact_about_child() -> NewContact {
    let given_address = GivenAddress {
        lines: vec![String::from("4 Mill Lane")],
        town: String::from("Ashford"),
        postcode: Some(Postcode::parse("TN23 1AB").unwrap()),
    };
    let person = |role, given: &str, family: &str, born| GivenPerson {
        role,
        given_name: String::from(given),
        family_name: String::from(family),
        other_names: vec![],
        date_of_birth: Some(born),
        expected_date_of_birth: None,
        sex: None,
        nhs_number: None,
        address: Some(given_address.clone()),
        relationship: None,
    };
    NewContact {
        received_at: OccurredAt::at(RECEIVED, 9, 15),
        source: ReferralSource::Schools,
        intake: Intake {
            via: Channel::Form,
            referrer: Referrer {
                organisation: Some(String::from("Mill Lane Primary")),
                name: String::from("Designated Safeguarding Lead"),
                role: None,
                phone: None,
                email: None,
            },
            people: vec![
                person(GivenRole::Child, "Lily", "Hartwel", BORN),
                GivenPerson {
                    relationship: Some(String::from("mother")),
                    ..person(GivenRole::Adult, "Claire", "Hartwell", date(1987, 9, 30))
                },
            ],
            narrative: String::from("Lily said she was frightened to go home."),
            consent: Consent::NotSoughtRisk,
            urgency: Urgency::SameDay,
            partner_ref: None,
        },
    }
}

/// The store and the app over it, with the county's records written.
pub struct FrontDoor {
    pub app: App,
    pub store: Arc<dyn Store>,
    _dir: Option<tempfile::TempDir>,
}

impl FrontDoor {
    pub async fn new(backend: Backend) -> FrontDoor {
        let (url, dir) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("hearth.db").display());
                (url, Some(dir))
            }
            Backend::Postgres => (hearth_testkit::new_postgres_database().await, None),
        };
        let store = hearth_store::open(&url).await.unwrap();
        store
            .put_organisation(&hearth_testkit::front_door_organisation())
            .await
            .unwrap();
        store.append(0, child_journey()).await.unwrap();
        store.append(0, family_journey()).await.unwrap();
        FrontDoor {
            app: App::new(store.clone()),
            store,
            _dir: dir,
        }
    }

    /// Receive [`contact_about_child`] from a partner, and return its id.
    pub async fn receive_about_child(&self) -> ContactId {
        self.app
            .receive_contact(&partner(), now(), contact_about_child())
            .await
            .unwrap()
    }

    /// The contact's version as stored now.
    pub async fn version(&self, contact: &ContactId) -> Version {
        self.store.contact(contact).await.unwrap().unwrap().version
    }

    /// A journey's events in journal order.
    pub async fn journey(&self, subject: &Subject) -> Vec<Event> {
        self.store.journey(subject).await.unwrap().0
    }

    /// A subject's access log as (actor, action), oldest first.
    pub async fn log_of(&self, subject: &Subject) -> Vec<(String, String)> {
        self.store
            .access_log(subject)
            .await
            .unwrap()
            .into_iter()
            .map(|(_, actor, action)| (actor, action))
            .collect()
    }

    /// How many rows the access log has, all subjects together.
    pub async fn log_rows(&self) -> u64 {
        match self.store.verify_chains().await.unwrap().access_log {
            hearth_store::ChainStatus::Intact { rows } => rows,
            other => panic!("{other:?}"),
        }
    }
}
