//! What the web tests share: a fresh SQLite store in a temporary directory holding the
//! test kit's sample county, the real router on a free port, and users signed in.

#![allow(dead_code)]

use hearth_domain::access::{Role, UserName};
use hearth_domain::ids::Subject;
use hearth_store::{Store, User, open_sqlite};
pub use hearth_testkit::organisation;
use hearth_testkit::sample::journeys;
use jiff::Timestamp;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// The user the tests' default client is signed in as.
pub const USER: &str = "sam.patel";

/// The contact the example paths name: one [`seed_contact`] can write.
pub const CONTACT: &str = "CT0000000001";

/// A contact as a partner system would post it: about Ava Testington (C1, though it
/// does not say so, and misspells her surname), made this morning.
pub fn contact_body() -> serde_json::Value {
    serde_json::json!({
        "received_at": "2024-06-01T09:30",
        "source": "6",
        "referrer": {"organisation": "Testshire Police", "name": "PC Vigilant"},
        "people": [
            {"role": "child", "given_name": "Ava", "family_name": "Testingtn", "date_of_birth": "2015-06-01",
             "address": {"lines": ["1 Station Road"], "town": "Ashford", "postcode": "TN23 1AA"}},
            {"role": "adult", "given_name": "Alex", "family_name": "Testington", "relationship": "mother"}
        ],
        "narrative": "Police were called to a domestic incident; Ava was in the house.",
        "consent": "not_sought_risk",
        "urgency": "same_day",
        "partner_ref": "TP/2024/0601"
    })
}

/// Write contact `id` (about Ava Testington and her mother) as received from `by`,
/// straight into the store.
pub async fn seed_contact(store: &Arc<dyn Store>, id: &str, by: &str) {
    use hearth_domain::event::{ContactReceived, Event, EventData, OccurredAt};
    use hearth_domain::ids::{Actor, ContactId, EventId};
    let event_id = EventId::parse(&format!("{id}-received")).unwrap();
    let id = ContactId::parse(id).unwrap();
    let received = Event {
        id: event_id,
        subject: Subject::Contact(id.clone()),
        occurred_at: OccurredAt::parse("2024-06-01T09:30").unwrap(),
        recorded_at: NOW.parse().unwrap(),
        recorded_by: Actor::parse(by).unwrap(),
        data: EventData::ContactReceived(ContactReceived {
            intake: Some(Box::new(hearth_testkit::sample::intake())),
            ..ContactReceived::new(id, hearth_domain::codes::ReferralSource::Police)
        }),
    };
    store.append(0, vec![received]).await.unwrap();
}

/// The family the example paths name: Ava Testington (C1) and her father, Robin Quayle
/// (A1), on the family's journey ([`family_journey`]).
pub const FAMILY: &str = "F1";

/// [`FAMILY`]'s journey: Robin registered, and his tie to C1.
pub fn family_journey() -> Vec<hearth_domain::event::Event> {
    use hearth_domain::codes::RelationshipKind;
    use hearth_domain::event::{Event, EventData, OccurredAt, PersonRegistered, Relationship};
    use hearth_domain::ids::{Actor, AdultId, EventId, FamilyId, PersonRef};
    let family = FamilyId::parse(FAMILY).unwrap();
    let event = |id: &str, data| Event {
        id: EventId::parse(id).unwrap(),
        subject: Subject::Family(family.clone()),
        occurred_at: OccurredAt::parse("2024-02-01").unwrap(),
        recorded_at: NOW.parse().unwrap(),
        recorded_by: Actor::parse("jo.screener").unwrap(),
        data,
    };
    let adult = AdultId::parse("A1").unwrap();
    vec![
        event(
            "f1-01",
            EventData::PersonRegistered(PersonRegistered {
                adult: Some(adult.clone()),
                family: Some(family.clone()),
                details: hearth_testkit::details("Robin", "Quayle", jiff::civil::date(1979, 2, 3)),
            }),
        ),
        event(
            "f1-02",
            EventData::RelationshipAdded(Relationship {
                from: PersonRef::Adult(adult),
                to: PersonRef::parse("child:C1").unwrap(),
                relationship: RelationshipKind::Parent,
            }),
        ),
    ]
}

/// Requests for the route at `path` (a path of the route table) that a caller it allows
/// would have answered: the child is C1, the contact [`CONTACT`] (the route x role test
/// gives each role its own; its first person, and a police check), the asset the
/// stylesheet, the due lists are as at [`NOW`]'s day, and the search page is asked both
/// empty and with a query.
pub fn example_paths(path: &str) -> Vec<String> {
    match path {
        "/" => vec![String::from("/"), String::from("/?q=testington")],
        "/api/v1/children" => vec![String::from("/api/v1/children?q=testington")],
        "/api/v1/due" | "/api/v1/due/counts" => vec![format!("{path}?as_at=2024-06-01")],
        "/teams/{id}" => vec![String::from("/teams/T1")],
        "/children/{id}/record/{kind}/draft" => {
            vec![String::from("/children/C1/record/case_note_recorded/draft")]
        }
        "/families/{id}"
        | "/families/{id}/notes"
        | "/families/{id}/allocate"
        | "/api/v1/families/{id}" => {
            vec![path.replace("{id}", FAMILY)]
        }
        _ if path.starts_with("/api/v1/contacts/") => {
            vec![path.replace("{id}", CONTACT).replace("{agency}", "police")]
        }
        _ if path.starts_with("/contacts/") || path.starts_with("/partner/contacts/") => vec![
            path.replace("{id}", CONTACT)
                .replace("{given}", "0")
                .replace("{agency}", "police"),
        ],
        _ => vec![
            path.replace("{id}", "C1")
                .replace("{name}", "app.css")
                .replace("{kind}", "visit")
                .replace("{event}", "c1-12"),
        ],
    }
}

/// Every route of `hearth_web::routes::table()` that needs someone signed in, as
/// requests that would succeed for a role allowed it, with the permission each needs
/// (none: anyone signed in), in the table's order.
pub fn protected_routes() -> Vec<(
    reqwest::Method,
    String,
    Option<hearth_domain::access::Permission>,
)> {
    let mut requests = Vec::new();
    for route in hearth_web::routes::table() {
        if route.access == hearth_web::routes::Access::Public {
            continue;
        }
        let method = match route.method {
            hearth_web::routes::Method::Get => reqwest::Method::GET,
            hearth_web::routes::Method::Post => reqwest::Method::POST,
        };
        for path in example_paths(route.path) {
            requests.push((method.clone(), path, route.access.permission()));
        }
    }
    requests
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
    sign_in_as_worker(store, name, role, None, now).await
}

/// As [`sign_in`], with the user linked to `worker` in the organisation.
pub async fn sign_in_as_worker(
    store: &Arc<dyn Store>,
    name: &str,
    role: Role,
    worker: Option<&str>,
    now: Timestamp,
) -> SignedIn {
    let user = User {
        name: UserName::parse(name).unwrap(),
        role,
        password_hash: String::from("not a hash: signs in only through a test session"),
        created_at: now,
        worker: worker.map(|w| hearth_domain::ids::WorkerId::parse(w).unwrap()),
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

/// Post `fields` as a browser's form would: the session's cookie, and its CSRF token in
/// the form (not in a header), following no redirect. Gives the status, the redirect's
/// location if any, and the body.
pub async fn post_form(
    app: &TestApp,
    user: &SignedIn,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, Option<String>, String) {
    let mut form = vec![("csrf", user.csrf.as_str())];
    form.extend_from_slice(fields);
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(app.url(path))
        .header("cookie", &user.cookie)
        .header("origin", format!("http://{}", app.addr))
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    (status, location, response.text().await.unwrap())
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
        store.append(0, family_journey()).await.unwrap();

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
