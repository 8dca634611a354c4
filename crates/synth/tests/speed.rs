//! Kent at full size for ten years: how many events and how long. Ignored by default
//! (it takes seconds in release, minutes in debug):
//! `cargo test -p hearth-synth --release --test speed -- --ignored --nocapture`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hearth_synth::{Generator, Options, preset};
use jiff::civil::date;
use std::time::Instant;

#[test]
#[ignore]
fn kent_full_size_ten_years() {
    let p = preset("kent").unwrap();
    let options = Options {
        years: 10,
        seed: 1,
        scale: 1.0,
        end: date(2025, 3, 31),
    };
    let started = Instant::now();
    let mut generator = Generator::new(&p, &options).unwrap();
    let workers = generator.organisation().workers.len();
    let (mut families, mut events, mut in_window) = (0usize, 0usize, 0usize);
    let window = generator.window_start();
    for family in generator.by_ref() {
        families += 1;
        events += family.len();
        in_window += family.iter().filter(|e| e.date() >= window).count();
    }
    assert!(generator.error().is_none());
    let took = started.elapsed();
    println!(
        "kent 10 years: {families} families, {events} events ({in_window} in the window), {workers} workers, {:.1} s",
        took.as_secs_f64()
    );
    assert!(took.as_secs() < 60, "took {took:?}");
}
