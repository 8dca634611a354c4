//! The `hearth` binary on PostgreSQL: the same county as on SQLite, journal for journal,
//! and several web nodes serving one database.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::cargo::cargo_bin;
use hearth_testkit::new_postgres_database;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn hearth(args: &[&str]) -> Vec<u8> {
    let out = Command::new(cargo_bin("hearth"))
        .args(args)
        .env_remove("HEARTH_DB")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "hearth {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn generate(db: &str) {
    hearth(&[
        "generate",
        "--preset",
        "central-bedfordshire",
        "--years",
        "3",
        "--scale",
        "0.02",
        "--until",
        "2025-03-31",
        "--seed",
        "11",
        "--db",
        db,
    ]);
}

#[tokio::test]
async fn the_same_preset_and_seed_give_the_identical_journal_on_sqlite_and_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = dir.path().join("county.db").display().to_string();
    let postgres = new_postgres_database().await;
    generate(&sqlite);
    generate(&postgres);
    let on_sqlite = hearth(&["journal", "export", "--db", &sqlite]);
    let on_postgres = hearth(&["journal", "export", "--db", &postgres]);
    assert!(on_sqlite.len() > 100_000, "{} bytes", on_sqlite.len());
    assert!(on_sqlite == on_postgres, "the exports differ");
    // And one child's journal alike.
    let first = String::from_utf8(on_sqlite).unwrap();
    let child = first
        .lines()
        .find_map(|l| l.split("\"subject\":\"child:").nth(1))
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    assert_eq!(
        hearth(&["journal", "export", "--db", &sqlite, "--child", &child]),
        hearth(&["journal", "export", "--db", &postgres, "--child", &child])
    );
    // The due list, drawn from the due cache that generating leaves, alike.
    let due = |db: &str| {
        let args = [
            "due",
            "--db",
            db,
            "--as-at",
            "2025-03-31",
            "--format",
            "json",
        ];
        hearth(&args)
    };
    let listed = due(&sqlite);
    assert!(String::from_utf8_lossy(&listed).contains("\"standing\": \"overdue\""));
    assert!(listed == due(&postgres), "the due lists differ");
    // Rebuilding on PostgreSQL reports what SQLite reports, and empties and refills the
    // due cache (as at today) without changing the list.
    assert_eq!(
        hearth(&["rebuild", "--db", &sqlite]),
        hearth(&["rebuild", "--db", &postgres])
    );
    assert!(listed == due(&sqlite) && listed == due(&postgres));
}

/// A `hearth serve` process, stopped when dropped.
struct Node {
    process: Child,
    base: String,
    /// The bearer token the test's partner system calls with.
    token: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

async fn serve(db: &str) -> Node {
    // A port the system says is free; the server binds it a moment later.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let process = Command::new(cargo_bin("hearth"))
        .args(["serve", "--db", db, "--addr", &format!("127.0.0.1:{port}")])
        .env_remove("HEARTH_DB")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let node = Node {
        process,
        base: format!("http://127.0.0.1:{port}/api/v1"),
        token: String::new(),
    };
    let started = Instant::now();
    while reqwest::get(format!("{}/children", node.base))
        .await
        .is_err()
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "hearth serve did not answer on port {port}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    node
}

async fn post(node: &Node, child: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/children/{child}/events", node.base))
        .bearer_auth(&node.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn get(node: &Node, path: &str) -> (u16, serde_json::Value) {
    let response = reqwest::Client::new()
        .get(format!("{}{path}", node.base))
        .bearer_auth(&node.token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

fn visit(id: &str, version: u64) -> serde_json::Value {
    serde_json::json!({
        "version": version,
        "id": id,
        "occurred_at": "2024-05-02",
        "kind": "visit",
        "data": {"worker": "W1", "seen": true, "seen_alone": true},
    })
}

#[tokio::test]
async fn two_web_nodes_on_one_database_see_each_others_writes_at_once() {
    let db = new_postgres_database().await;
    // The first node to start migrates the empty database; the second finds it done.
    let (mut a, mut b) = tokio::join!(serve(&db), serve(&db));
    // A partner system with a token, which both nodes accept.
    let mut add = Command::new(cargo_bin("hearth"))
        .args(["user", "add", "--db", &db, "--name", "records.system"])
        .args(["--role", "social-worker", "--password-stdin"])
        .env_remove("HEARTH_DB")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    std::io::Write::write_all(add.stdin.as_mut().unwrap(), b"a long enough password\n").unwrap();
    assert!(add.wait().unwrap().success());
    let token = hearth(&["token", "create", "--db", &db, "--user", "records.system"]);
    let token = String::from_utf8(token).unwrap().trim().to_owned();
    a.token.clone_from(&token);
    b.token = token;

    let registration = serde_json::json!({
        "version": 0,
        "id": "n-01",
        "occurred_at": "2024-05-01",
        "kind": "person_registered",
        "data": {
            "name": {"given": "Nia", "family": "Twonode"},
            "date_of_birth": "2019-02-03",
            "sex": "F",
            "ethnicity": "WBRI",
        },
    });
    assert_eq!(post(&a, "C1", registration).await.0, 201);
    // Read through the other node straight away.
    let (status, child) = get(&b, "/children/C1").await;
    assert_eq!(status, 200, "{child}");
    assert_eq!(child["version"], 1);
    assert_eq!(child["details"]["name"]["family"], "Twonode");
    let (_, found) = get(&b, "/children?q=twonode").await;
    assert_eq!(found.as_array().unwrap().len(), 1);

    // Written through b, read through a; a's stale write is refused.
    assert_eq!(
        post(&b, "C1", visit("n-02", 1)).await,
        (201, serde_json::json!({"version": 2}))
    );
    let (status, problem) = post(&a, "C1", visit("n-03", 1)).await;
    assert_eq!(status, 409, "{problem}");
    let (_, journey) = get(&a, "/children/C1/journey").await;
    let ids: Vec<&str> = journey
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["n-01", "n-02"]);
}
