//! Checks that the web assets built by `scripts/assets.sh` are there before the crate
//! embeds them, so a fresh checkout fails with one sentence instead of a missing file.

use std::path::Path;

/// The files under `assets/dist/` that `src/assets.rs` embeds.
const ASSETS: &[&str] = &[
    "app.css",
    "govuk-frontend.min.js",
    "moj-frontend.min.js",
    "init.js",
];

fn main() {
    let dist = Path::new("assets/dist");
    println!("cargo::rerun-if-changed=assets/dist");
    let mut missing = false;
    for name in ASSETS {
        let path = dist.join(name);
        println!("cargo::rerun-if-changed={}", path.display());
        if !path.is_file() {
            missing = true;
        }
    }
    if missing {
        println!(
            "cargo::error=The web assets in crates/web/assets/dist are missing: run scripts/assets.sh (it needs npm) and build again."
        );
    }
}
