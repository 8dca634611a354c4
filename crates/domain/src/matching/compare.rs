//! String similarity on folded names (upper-case ASCII bytes). Our own, not `strsim`:
//! these work on bytes without allocating and stop early at a cut-off, which is what
//! makes thousands of comparisons per person cheap; `strsim` is the tests' oracle.
//! Names longer than [`MAX`] bytes are compared on their first [`MAX`].

/// The longest name compared in full: the match flags are bits of a `u64`.
pub const MAX: usize = 64;

fn clip(s: &[u8]) -> &[u8] {
    &s[..s.len().min(MAX)]
}

/// Jaro-Winkler similarity, 0 (nothing alike) to 1 (equal): Winkler's boost for a
/// common prefix (scale 0.1, at most four letters) applies above a Jaro of 0.7.
pub fn jaro_winkler(a: &[u8], b: &[u8]) -> f64 {
    let (a, b) = (clip(a), clip(b));
    let jaro = jaro(a, b);
    if jaro > 0.7 {
        jaro + 0.1 * common_prefix(a, b) as f64 * (1.0 - jaro)
    } else {
        jaro
    }
}

/// Whether Jaro-Winkler similarity reaches `cut`, deciding from the lengths alone when
/// they are too far apart, which is most pairs of different names.
pub fn jaro_winkler_at_least(a: &[u8], b: &[u8], cut: f64) -> bool {
    let (a, b) = (clip(a), clip(b));
    let (short, long) = (a.len().min(b.len()), a.len().max(b.len()));
    if short == 0 {
        return long == 0 && cut <= 1.0;
    }
    // At best every letter of the shorter name matches, in order (and the boost,
    // rising with Jaro, is at most this).
    let best_jaro = (1.0 + short as f64 / long as f64 + 1.0) / 3.0;
    let best = best_jaro + 0.1 * common_prefix(a, b) as f64 * (1.0 - best_jaro);
    best >= cut && jaro_winkler(a, b) >= cut
}

fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count()
}

fn jaro(a: &[u8], b: &[u8]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let (mut a_used, mut b_used) = (0u64, 0u64);
    let mut matches = 0usize;
    for (i, &c) in a.iter().enumerate() {
        let start = i.saturating_sub(window);
        let end = (i + window + 1).min(b.len());
        for (j, &d) in b.iter().enumerate().take(end).skip(start) {
            if b_used & (1 << j) == 0 && d == c {
                a_used |= 1 << i;
                b_used |= 1 << j;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut half_transpositions = 0usize;
    let mut j = 0;
    for (i, &c) in a.iter().enumerate() {
        if a_used & (1 << i) == 0 {
            continue;
        }
        while b_used & (1 << j) == 0 {
            j += 1;
        }
        if b[j] != c {
            half_transpositions += 1;
        }
        j += 1;
    }
    let m = matches as f64;
    let t = (half_transpositions / 2) as f64;
    (m / a.len() as f64 + m / b.len() as f64 + (m - t) / m) / 3.0
}

/// The Damerau-Levenshtein distance (optimal string alignment: insertions, deletions,
/// substitutions and swaps of two neighbours, each costing one) if it is at most
/// `bound`; `None` when it is more, found out as soon as a whole row exceeds it.
pub fn damerau_levenshtein_within(a: &[u8], b: &[u8], bound: usize) -> Option<usize> {
    let (a, b) = (clip(a), clip(b));
    if a.len().abs_diff(b.len()) > bound {
        return None;
    }
    // Three rows of the table: two rows back (for swaps), the last, and this one.
    let mut before = [0usize; MAX + 1];
    let mut last = [0usize; MAX + 1];
    let mut row = [0usize; MAX + 1];
    for (j, cell) in last.iter_mut().enumerate().take(b.len() + 1) {
        *cell = j;
    }
    for i in 1..=a.len() {
        row[0] = i;
        let mut smallest = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (last[j] + 1).min(row[j - 1] + 1).min(last[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            row[j] = d;
            smallest = smallest.min(d);
        }
        if smallest > bound {
            return None;
        }
        before = last;
        last = row;
    }
    Some(last[b.len()]).filter(|&d| d <= bound)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn name() -> impl Strategy<Value = String> {
        // Few letters, so that close pairs come up often.
        "[A-F]{0,9}"
    }

    #[test]
    fn known_values() {
        let close = |a: &str, b: &str| jaro_winkler(a.as_bytes(), b.as_bytes());
        assert!((close("MARTHA", "MARHTA") - 0.961).abs() < 0.001);
        assert!((close("DWAYNE", "DUANE") - 0.84).abs() < 0.001);
        assert_eq!(close("SMITH", "SMITH"), 1.0);
        assert_eq!(close("ABC", "XYZ"), 0.0);
        let dl = |a: &str, b: &str| damerau_levenshtein_within(a.as_bytes(), b.as_bytes(), 9);
        assert_eq!(dl("SMITH", "SMIHT"), Some(1));
        assert_eq!(dl("SMITH", "SMYTHE"), Some(2));
        assert_eq!(dl("", "ABC"), Some(3));
        assert_eq!(
            damerau_levenshtein_within(b"JONES", b"SMITH", 2),
            None,
            "over the bound"
        );
    }

    proptest! {
        #[test]
        fn jaro_winkler_agrees_with_strsim(a in name(), b in name()) {
            let ours = jaro_winkler(a.as_bytes(), b.as_bytes());
            prop_assert!((ours - strsim::jaro_winkler(&a, &b)).abs() < 1e-9);
        }

        #[test]
        fn the_cut_off_never_changes_the_answer(a in name(), b in name(), cut in 0.5f64..1.0) {
            let full = jaro_winkler(a.as_bytes(), b.as_bytes()) >= cut;
            prop_assert_eq!(jaro_winkler_at_least(a.as_bytes(), b.as_bytes(), cut), full);
        }

        #[test]
        fn damerau_levenshtein_agrees_with_strsim(a in name(), b in name(), bound in 0usize..4) {
            let exact = strsim::osa_distance(&a, &b);
            let within = damerau_levenshtein_within(a.as_bytes(), b.as_bytes(), bound);
            prop_assert_eq!(within, Some(exact).filter(|&d| d <= bound));
        }

        #[test]
        fn similarities_are_symmetric(a in name(), b in name()) {
            let (a, b) = (a.as_bytes(), b.as_bytes());
            prop_assert_eq!(jaro_winkler(a, b), jaro_winkler(b, a));
            prop_assert_eq!(damerau_levenshtein_within(a, b, 3), damerau_levenshtein_within(b, a, 3));
        }

        #[test]
        fn long_names_do_not_panic(a in "[A-Z]{60,80}", b in "[A-Z]{60,80}") {
            let jw = jaro_winkler(a.as_bytes(), b.as_bytes());
            prop_assert!((0.0..=1.0).contains(&jw));
            let _ = damerau_levenshtein_within(a.as_bytes(), b.as_bytes(), 2);
        }
    }
}
