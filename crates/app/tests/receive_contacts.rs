//! Receiving contacts on a real SQLite store: who may send one in, the one rule before
//! anything is written, new ids, and one access log row for each contact.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hearth_app::{App, AppError, Caller, ContactError};
use hearth_domain::access::{Permission, Role, UserName};
use hearth_domain::codes::ReferralSource;
use hearth_domain::contact::NewContact;
use hearth_domain::event::OccurredAt;
use hearth_domain::ids::{ContactId, Subject};
use hearth_store::{QueueFilter, Store};
use hearth_testkit::{organisation, sample};
use jiff::Timestamp;
use jiff::civil::date;
use std::sync::Arc;

fn now() -> Timestamp {
    "2024-06-03T10:00:00Z".parse().unwrap()
}

fn user(name: &str, role: Role) -> Caller {
    Caller::user(UserName::parse(name).unwrap(), role, "front door: test")
}

fn contact() -> NewContact {
    NewContact {
        received_at: OccurredAt::at(date(2024, 6, 3), 9, 15),
        source: ReferralSource::Schools,
        intake: sample::intake(),
    }
}

struct Fixture {
    app: App,
    store: Arc<dyn Store>,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.db");
    let store: Arc<dyn Store> = Arc::new(
        hearth_store::open_sqlite(path.to_str().unwrap())
            .await
            .unwrap(),
    );
    store.put_organisation(&organisation()).await.unwrap();
    Fixture {
        app: App::new(store.clone()),
        store,
        _dir: dir,
    }
}

impl Fixture {
    async fn contacts(&self) -> usize {
        let all = QueueFilter {
            statuses: vec![],
            decided_on: None,
            locality: None,
            urgency: None,
            limit: 1000,
        };
        self.store.contact_queue(&all).await.unwrap().len()
    }

    async fn log_of(&self, id: &ContactId) -> Vec<(String, String)> {
        self.store
            .access_log(&Subject::Contact(id.clone()))
            .await
            .unwrap()
            .into_iter()
            .map(|(_, actor, action)| (actor, action))
            .collect()
    }

    async fn log_rows(&self) -> u64 {
        match self.store.verify_chains().await.unwrap().access_log {
            hearth_store::ChainStatus::Intact { rows } => rows,
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn a_partners_contact_is_received_under_a_new_id_and_logged() {
    let f = fixture().await;
    let police = user("pc.tester", Role::Partner);
    let id = f
        .app
        .receive_contact(&police, now(), contact())
        .await
        .unwrap();
    let text = id.to_string();
    assert!(text.starts_with("CT") && text.len() == 12, "{text}");
    let record = f.store.contact(&id).await.unwrap().unwrap();
    assert_eq!(record.version, 1);
    assert_eq!(record.submitted_by.unwrap().as_str(), "pc.tester");
    assert_eq!(record.state.intake, Some(sample::intake()));
    assert_eq!(record.state.source, Some(ReferralSource::Schools));
    assert_eq!(
        f.log_of(&id).await,
        [("pc.tester".to_owned(), "submitted".to_owned())]
    );
    // Another contact, another id.
    let again = f
        .app
        .receive_contact(&police, now(), contact())
        .await
        .unwrap();
    assert_ne!(again, id);
    assert_eq!(f.contacts().await, 2);
}

#[tokio::test]
async fn a_role_that_may_not_send_contacts_is_refused_and_logged() {
    let f = fixture().await;
    let rows = f.log_rows().await;
    let analyst = user("pat.analyst", Role::Analyst);
    let refused = f.app.receive_contact(&analyst, now(), contact()).await;
    assert!(
        matches!(
            refused,
            Err(ContactError::App(AppError::Refused(
                Permission::SubmitContact
            )))
        ),
        "{refused:?}"
    );
    assert_eq!(f.log_rows().await, rows + 1);
    assert_eq!(f.contacts().await, 0);
}

#[tokio::test]
async fn a_contact_the_one_rule_refuses_is_not_written() {
    let f = fixture().await;
    let rows = f.log_rows().await;
    let mut tomorrow = contact();
    tomorrow.received_at = OccurredAt::on(date(2024, 6, 4));
    let refused = f
        .app
        .receive_contact(&user("pc.tester", Role::Partner), now(), tomorrow)
        .await
        .unwrap_err();
    assert_eq!(refused.to_string(), "received_at: is after today");
    assert_eq!(f.contacts().await, 0);
    assert_eq!(f.log_rows().await, rows);
}

#[tokio::test]
async fn a_batch_is_received_whole_or_not_at_all() {
    let f = fixture().await;
    let cli = Caller::command_line("import contacts: test");
    let mut bad = contact();
    bad.intake.people[0].date_of_birth = Some(date(2024, 6, 4));
    let refused = f
        .app
        .receive_batch(&cli, now(), vec![contact(), bad, contact()])
        .await
        .unwrap_err();
    assert_eq!(
        refused.to_string(),
        "contacts[1].people[0].date_of_birth: is after the contact was received"
    );
    assert_eq!(f.contacts().await, 0);

    let ids = f
        .app
        .receive_batch(&cli, now(), vec![contact(), contact(), contact()])
        .await
        .unwrap();
    assert_eq!(ids.len(), 3);
    assert_eq!(f.contacts().await, 3);
    for id in &ids {
        assert_eq!(
            f.log_of(id).await,
            [(hearth_app::COMMAND_LINE.to_owned(), "submitted".to_owned())]
        );
    }
}
