//! Our own English sound code: Soundex, refined where English spelling is least like
//! its sound (PH sounds as F, CK as K, GH is silent after the first letter, the K of a
//! leading KN and the W of a leading WR are silent, a leading hard C is a K, and
//! between M and S or T, P is silent), so
//! "Philip" and "Filip", "Wright" and "Right", "Catherine" and "Katherine" share a code.

/// The code of a folded name (upper-case ASCII letters): its first sound's letter and
/// up to three consonant digits, packed into a `u32`. Zero for an empty name.
pub fn code(name: &[u8]) -> u32 {
    let spelt = respell(name);
    let Some((&first, rest)) = spelt.split_first() else {
        return 0;
    };
    let mut packed = u32::from(first) << 24;
    let mut digits = 0;
    let mut last = digit(first);
    for &c in rest {
        let d = digit(c);
        if d == 0 {
            // A vowel parts two equal consonants ("Tatum" keeps both T's); H and W do not.
            if !matches!(c, b'H' | b'W') {
                last = 0;
            }
            continue;
        }
        if d != last {
            packed |= u32::from(d) << (16 - 8 * digits);
            digits += 1;
            if digits == 3 {
                break;
            }
        }
        last = d;
    }
    packed
}

/// The name rewritten closer to its sound, before the Soundex digits are taken.
fn respell(name: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(name.len());
    let mut i = 0;
    while let Some(&c) = name.get(i) {
        let next = name.get(i + 1).copied();
        match (c, next) {
            (b'K', Some(b'N')) | (b'W', Some(b'R')) if i == 0 => {}
            (b'C', Some(b'A' | b'O' | b'U' | b'L' | b'R')) if i == 0 => out.push(b'K'),
            (b'P', Some(b'H')) => {
                out.push(b'F');
                i += 1;
            }
            // Thompson sounds as Thomson, Simpson as Simson.
            (b'P', Some(b'S' | b'T')) if i > 0 && name.get(i - 1) == Some(&b'M') => {}
            (b'C', Some(b'K')) => {
                out.push(b'K');
                i += 1;
            }
            (b'G', Some(b'H')) => {
                if i == 0 {
                    out.push(b'G');
                }
                i += 1;
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// Soundex's digit for a consonant; 0 for a vowel, H, W or Y.
fn digit(c: u8) -> u8 {
    match c {
        b'B' | b'F' | b'P' | b'V' => 1,
        b'C' | b'G' | b'J' | b'K' | b'Q' | b'S' | b'X' | b'Z' => 2,
        b'D' | b'T' => 3,
        b'L' => 4,
        b'M' | b'N' => 5,
        b'R' => 6,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &str, b: &str) -> bool {
        code(a.as_bytes()) == code(b.as_bytes())
    }

    #[test]
    fn names_that_sound_alike_share_a_code() {
        for (a, b) in [
            ("PHILIP", "FILIP"),
            ("STEPHEN", "STEVEN"),
            ("WRIGHT", "RIGHT"),
            ("KNIGHT", "NIGHT"),
            ("CATHERINE", "KATHERINE"),
            ("JACKSON", "JAKSON"),
            ("MOHAMMED", "MUHAMMAD"),
            ("SMITH", "SMYTH"),
            ("THOMPSON", "THOMSON"),
            ("MCDONAGH", "MCDONA"),
            ("LEIGH", "LEE"),
        ] {
            assert!(same(a, b), "{a} and {b}");
        }
    }

    #[test]
    fn names_that_sound_different_do_not() {
        for (a, b) in [
            ("SMITH", "JONES"),
            ("WILSON", "NELSON"),
            ("CHARLIE", "KARLIE"),
            ("BROWN", "GREEN"),
            ("TATUM", "TAM"),
        ] {
            assert!(!same(a, b), "{a} and {b}");
        }
    }

    #[test]
    fn an_empty_name_has_code_zero() {
        assert_eq!(code(b""), 0);
        assert_ne!(code(b"A"), 0);
    }
}
