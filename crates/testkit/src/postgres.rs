//! A database of its own, for one test, on the PostgreSQL server named by
//! `HEARTH_TEST_POSTGRES_URL` (`./scripts/test.sh` starts a throwaway one and sets it).
//! Without that variable a PostgreSQL test fails, never skips.

use std::sync::atomic::{AtomicU32, Ordering};

/// A new, empty database on the test server, named for this process and a counter so
/// that tests running at once never share one. Returns its URL.
pub async fn new_postgres_database() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let Ok(server) = std::env::var("HEARTH_TEST_POSTGRES_URL") else {
        panic!(
            "HEARTH_TEST_POSTGRES_URL is not set: run ./scripts/test.sh, which starts a throwaway PostgreSQL for these tests"
        );
    };
    let name = format!(
        "hearth_test_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let admin = sqlx::PgPool::connect(&server)
        .await
        .unwrap_or_else(|e| panic!("cannot reach the test PostgreSQL at {server}: {e}"));
    for sql in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&admin)
            .await
            .unwrap();
    }
    admin.close().await;
    let (base, _) = server.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}
