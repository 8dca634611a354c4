//! The one source of randomness: ChaCha8 seeded from the caller's seed, so the same
//! seed gives the same county on every machine. Small helpers for the distributions the
//! model uses; none of them can panic on an empty range.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The random source, public so that a bench can make people as given ([`crate::garble`])
/// from a seed of its own.
#[derive(Debug, Clone)]
pub struct Rand(ChaCha8Rng);

impl Rand {
    pub fn seeded(seed: u64) -> Rand {
        Rand(ChaCha8Rng::seed_from_u64(seed))
    }

    /// A child generator: each family gets its own, so changing how one family is
    /// simulated does not shift every later family's random numbers.
    pub(crate) fn fork(&mut self) -> Rand {
        Rand::seeded(self.u64())
    }

    pub(crate) fn u64(&mut self) -> u64 {
        self.0.random::<u64>()
    }

    /// Uniform in [0, 1).
    pub(crate) fn f64(&mut self) -> f64 {
        self.0.random::<f64>()
    }

    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// Uniform in `0..n`; 0 when `n` is 0.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        if n <= 1 {
            return 0;
        }
        let x = self.f64() * n as f64;
        (x as usize).min(n - 1)
    }

    /// Uniform in `lo..=hi`; `lo` when the range is empty.
    pub(crate) fn int(&mut self, lo: i32, hi: i32) -> i32 {
        if hi <= lo {
            return lo;
        }
        let span = (i64::from(hi) - i64::from(lo) + 1) as f64;
        let x = (self.f64() * span) as i64;
        (i64::from(lo) + x).min(i64::from(hi)) as i32
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            return None;
        }
        items.get(self.below(items.len()))
    }

    /// One of `items` with probability proportional to its weight; the last item if
    /// the weights do not add up (they always do in this crate's tables).
    pub(crate) fn weighted<T: Copy>(&mut self, items: &[(T, f64)]) -> Option<T> {
        let total: f64 = items.iter().map(|(_, w)| w.max(0.0)).sum();
        let mut x = self.f64() * total;
        for (item, w) in items {
            x -= w.max(0.0);
            if x < 0.0 {
                return Some(*item);
            }
        }
        items.last().map(|(item, _)| *item)
    }

    /// Standard normal (Box–Muller).
    pub(crate) fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.f64(); // (0, 1]
        let u2 = self.f64();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Log-normal with the given median and log-scale spread.
    pub(crate) fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }

    /// Exponential with the given mean.
    pub(crate) fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.f64()).ln()
    }

    /// Poisson count (Knuth's method; the means used here are small).
    pub(crate) fn poisson(&mut self, mean: f64) -> u32 {
        if mean <= 0.0 {
            return 0;
        }
        if mean > 30.0 {
            return (mean + mean.sqrt() * self.normal()).round().max(0.0) as u32;
        }
        let limit = (-mean).exp();
        let mut k = 0;
        let mut p = self.f64();
        while p > limit {
            k += 1;
            p *= self.f64();
        }
        k
    }
}

/// A duration in days as a whole number, at least `min`.
pub(crate) fn days(x: f64, min: i32) -> i32 {
    (x.round().min(1e8) as i32).max(min)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_numbers() {
        let mut a = Rand::seeded(7);
        let mut b = Rand::seeded(7);
        for _ in 0..100 {
            assert_eq!(a.u64(), b.u64());
        }
        assert_ne!(Rand::seeded(8).u64(), Rand::seeded(7).u64());
    }

    #[test]
    fn helpers_stay_in_range() {
        let mut r = Rand::seeded(1);
        for _ in 0..10_000 {
            let x = r.int(3, 5);
            assert!((3..=5).contains(&x));
            assert!(r.below(4) < 4);
        }
        assert_eq!(r.below(0), 0);
        assert_eq!(r.int(5, 2), 5);
        assert_eq!(r.weighted::<u8>(&[]), None);
        let n = 20_000;
        let mean: f64 = (0..n).map(|_| f64::from(r.poisson(3.0))).sum::<f64>() / n as f64;
        assert!((mean - 3.0).abs() < 0.1, "{mean}");
        let mut xs: Vec<f64> = (0..n).map(|_| r.lognormal(33.0, 0.6)).collect();
        xs.sort_by(f64::total_cmp);
        let median = xs[n / 2];
        assert!((median - 33.0).abs() < 1.5, "{median}");
    }
}
