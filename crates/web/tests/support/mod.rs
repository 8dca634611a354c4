//! What the web tests share: a fresh SQLite store in a temporary directory holding a
//! small hand-written county, the real router on a free port, and users signed in.

#![allow(dead_code)]

use hearth_domain::access::{Role, UserName};
use hearth_domain::codes::*;
use hearth_domain::event::*;
use hearth_domain::identifiers::NhsNumber;
use hearth_domain::ids::*;
use hearth_domain::org::*;
use hearth_domain::people::{Address, Name, PersonDetails};
use hearth_store::{Store, User, open_sqlite};
use jiff::Timestamp;
use jiff::civil::{Date, date};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// The user the tests' default client is signed in as.
pub const USER: &str = "sam.patel";

/// Every route of the router that needs someone signed in, with a request that would
/// succeed for a role allowed it, and the permission it needs (none: anyone signed in).
pub fn protected_routes() -> Vec<(
    reqwest::Method,
    &'static str,
    Option<hearth_domain::access::Permission>,
)> {
    use hearth_domain::access::Permission::*;
    vec![
        (reqwest::Method::GET, "/", Some(SearchChildren)),
        (reqwest::Method::GET, "/?q=testington", Some(SearchChildren)),
        (reqwest::Method::GET, "/children/C1", Some(ReadRecord)),
        (
            reqwest::Method::GET,
            "/children/C1/access-log",
            Some(ReadAccessLog),
        ),
        (reqwest::Method::GET, "/due", Some(ViewDueList)),
        (reqwest::Method::GET, "/due/counts", Some(ViewFigures)),
        (reqwest::Method::GET, "/account", None),
        (
            reqwest::Method::GET,
            "/api/v1/children?q=testington",
            Some(SearchChildren),
        ),
        (
            reqwest::Method::GET,
            "/api/v1/children/C1",
            Some(ReadRecord),
        ),
        (
            reqwest::Method::GET,
            "/api/v1/children/C1/journey",
            Some(ReadRecord),
        ),
        (
            reqwest::Method::POST,
            "/api/v1/children/C1/events",
            Some(RecordEvents),
        ),
        (
            reqwest::Method::GET,
            "/api/v1/due?as_at=2024-06-01",
            Some(ViewDueList),
        ),
        (
            reqwest::Method::GET,
            "/api/v1/due/counts?as_at=2024-06-01",
            Some(ViewFigures),
        ),
    ]
}

/// A client signed in as someone, and what it was given.
pub struct SignedIn {
    pub client: reqwest::Client,
    pub cookie: String,
    pub csrf: String,
}

/// Add user `name` with `role` and start a session for them directly in the store (no
/// password, so no slow hashing), giving a client that sends the session's cookie and
/// CSRF token with every request.
pub async fn sign_in(store: &Arc<dyn Store>, name: &str, role: Role, now: Timestamp) -> SignedIn {
    let user = User {
        name: UserName::parse(name).unwrap(),
        role,
        password_hash: String::from("not a hash: signs in only through a test session"),
        created_at: now,
    };
    store.add_user(&user).await.unwrap();
    let (id, session) = hearth_web::session::new_session(&user.name, now);
    store.start_session(&session).await.unwrap();
    let cookie = format!("{}={id}", hearth_web::session::SESSION_COOKIE);
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("cookie", cookie.parse().unwrap());
    headers.insert(
        hearth_web::session::CSRF_HEADER,
        session.csrf_token.parse().unwrap(),
    );
    let client = reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    SignedIn {
        client,
        cookie,
        csrf: session.csrf_token,
    }
}

pub const NOW: &str = "2024-06-01T12:00:00Z";

pub struct TestApp {
    pub addr: SocketAddr,
    pub store: Arc<dyn Store>,
    /// Signed in as [`USER`], a social worker, with the session's CSRF token sent too.
    pub client: reqwest::Client,
    /// Nobody signed in.
    pub anonymous: reqwest::Client,
    /// Seconds the server's clock is past [`NOW`]: see [`TestApp::advance`].
    pub offset: Arc<AtomicI64>,
    pub _dir: tempfile::TempDir,
}

impl TestApp {
    /// A fresh store holding the test county, served on 127.0.0.1 at a free port.
    pub async fn spawn() -> TestApp {
        Self::spawn_wrapped(|store| store).await
    }

    /// As `spawn`, but the server sees the store through `wrap`.
    pub async fn spawn_wrapped(wrap: impl FnOnce(Arc<dyn Store>) -> Arc<dyn Store>) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hearth.db");
        let store: Arc<dyn Store> = Arc::new(open_sqlite(path.to_str().unwrap()).await.unwrap());
        store.put_organisation(&organisation()).await.unwrap();
        store.append_batch(journeys()).await.unwrap();

        let now: Timestamp = NOW.parse().unwrap();
        let offset = Arc::new(AtomicI64::new(0));
        let seconds = offset.clone();
        let clock: hearth_web::Clock = Arc::new(move || {
            now.checked_add(jiff::SignedDuration::from_secs(
                seconds.load(Ordering::SeqCst),
            ))
            .unwrap()
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = hearth_web::router(
            wrap(store.clone()),
            clock,
            hearth_web::PublicOrigins::local(addr),
        );
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        let signed_in = sign_in(&store, USER, Role::SocialWorker, now).await;
        TestApp {
            addr,
            store,
            client: signed_in.client,
            anonymous: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            offset,
            _dir: dir,
        }
    }

    /// Move the server's clock on by `seconds`.
    pub fn advance(&self, seconds: i64) {
        self.offset.fetch_add(seconds, Ordering::SeqCst);
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("http://{}{path}", self.addr))
            .send()
            .await
            .unwrap()
    }

    /// The status and body of a page.
    pub async fn page(&self, path: &str) -> (u16, String) {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }

    pub async fn access_log(&self, child: &str) -> Vec<(String, String, String)> {
        self.store
            .access_log(&Subject::parse(&format!("child:{child}")).unwrap())
            .await
            .unwrap()
    }
}

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
        }],
        ..Organisation::default()
    }
}

pub fn details(given: &str, family: &str, born: Option<Date>, due: Option<Date>) -> PersonDetails {
    PersonDetails {
        name: Name {
            given: given.to_owned(),
            family: family.to_owned(),
        },
        date_of_birth: born,
        expected_date_of_birth: due,
        sex: Sex::Female,
        ethnicity: Ethnicity::Wbri,
        disabilities: vec![],
        nhs_number: None,
        upn: None,
        address: None,
    }
}

pub fn ev(child: &str, id: &str, on: &str, data: EventData) -> Event {
    Event {
        id: EventId::parse(id).unwrap(),
        subject: Subject::parse(&format!("child:{child}")).unwrap(),
        occurred_at: OccurredAt::parse(on).unwrap(),
        recorded_at: "2024-05-01T09:00:00Z".parse().unwrap(),
        recorded_by: Actor::parse("test").unwrap(),
        data,
    }
}

pub fn c1_journey() -> Vec<Event> {
    use EventData as E;
    let k1 = || ContactId::parse("K1").unwrap();
    let w1 = || WorkerId::parse("W1").unwrap();
    let mut ava = details("Ava", "Testington", Some(date(2015, 6, 1)), None);
    ava.nhs_number = Some(NhsNumber::parse("9434765919").unwrap());
    ava.address = Some(Address {
        lines: vec![String::from("1 High Street")],
        town: String::from("Ashford"),
        postcode: "TN23 1AA".parse().unwrap(),
    });
    let c = |id: &str, on: &str, data| ev("C1", id, on, data);
    vec![
        c(
            "c1-01",
            "2024-01-10",
            E::PersonRegistered(PersonRegistered {
                adult: None,
                family: None,
                details: ava,
            }),
        ),
        c(
            "c1-02",
            "2024-01-10T09:15",
            E::ContactReceived(ContactReceived {
                contact: k1(),
                source: ReferralSource::Police,
            }),
        ),
        c(
            "c1-03",
            "2024-01-11",
            E::ContactDecided(ContactDecided {
                contact: k1(),
                outcome: ContactOutcome::Referral,
                level: Some(String::from("4")),
            }),
        ),
        c(
            "c1-04",
            "2024-01-11",
            E::ReferralAccepted(ReferralAccepted {
                referral: ReferralId::parse("R1").unwrap(),
                contact: Some(k1()),
                source: ReferralSource::Police,
                primary_need: PrimaryNeed::AbuseOrNeglect,
            }),
        ),
        c(
            "c1-05",
            "2024-01-12",
            E::Allocated(Allocated {
                worker: w1(),
                team: TeamId::parse("T1").unwrap(),
            }),
        ),
        c("c1-06", "2024-01-12", E::AssessmentStarted(Empty {})),
        c(
            "c1-07",
            "2024-01-15",
            E::StrategyDiscussion(StrategyDiscussion { s47: true }),
        ),
        c("c1-08", "2024-01-15", E::S47Started(Empty {})),
        c(
            "c1-09",
            "2024-01-25",
            E::S47Completed(S47Completed {
                icpc_required: true,
            }),
        ),
        c("c1-10", "2024-02-05", E::IcpcHeld(IcpcHeld { plan: true })),
        c(
            "c1-11",
            "2024-02-05",
            E::CpPlanStarted(CpCategory {
                category: CategoryOfAbuse::Neglect,
            }),
        ),
        c(
            "c1-12",
            "2024-02-10",
            E::Visit(Visit {
                worker: w1(),
                seen: true,
                seen_alone: true,
            }),
        ),
        c(
            "c1-13",
            "2024-03-01",
            E::Visit(Visit {
                worker: w1(),
                seen: false,
                seen_alone: false,
            }),
        ),
        c(
            "c1-14",
            "2024-03-04",
            E::EventRetracted(EventRetracted {
                event: EventId::parse("c1-13").unwrap(),
                reason: String::from("entered on the wrong child"),
            }),
        ),
    ]
}

pub fn journeys() -> Vec<Event> {
    let mut events = c1_journey();
    events.push(ev(
        "C2",
        "c2-01",
        "2024-03-01",
        EventData::PersonRegistered(PersonRegistered {
            adult: None,
            family: None,
            details: details("Ben", "Unborn", None, Some(date(2024, 9, 1))),
        }),
    ));
    events
}

/// The page runs no script of its own: the one script is GOV.UK Frontend's starter,
/// an external file (the CSP forbids inline scripts), and the page works without it.
pub fn assert_only_the_external_script(page: &str) {
    assert_eq!(page.matches("<script").count(), 1, "{page}");
    assert!(
        page.contains(r#"<script type="module" src="/assets/init.js"></script>"#),
        "{page}"
    );
}

/// Asserts that `needles` occur in `haystack` in this order.
pub fn assert_in_order(haystack: &str, needles: &[&str]) {
    let mut from = 0;
    for needle in needles {
        match haystack[from..].find(needle) {
            Some(at) => from += at + needle.len(),
            None => panic!("{needle:?} missing, or out of order, in:\n{haystack}"),
        }
    }
}
