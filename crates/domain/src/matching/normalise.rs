//! Names folded to upper-case ASCII letters, once, so every comparison after works on
//! bytes: "Zoë O'Brien-Łukasz" → "ZOE", "OBRIEN", parts "OBRIEN" and "LUKASZ".

/// The letters of `text` in upper-case ASCII: accents folded by our own small table,
/// everything that is not a letter (spaces, hyphens, apostrophes, digits) dropped.
pub fn fold(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        push_folded(c, &mut out);
    }
    out
}

/// The parts of a name split on spaces and hyphens, each folded; empty parts dropped.
/// A double-barrelled or hyphenated surname has two or more.
pub fn parts(text: &str) -> Vec<Vec<u8>> {
    text.split(|c: char| c.is_whitespace() || c == '-')
        .map(fold)
        .filter(|part| !part.is_empty())
        .collect()
}

fn push_folded(c: char, out: &mut Vec<u8>) {
    if c.is_ascii_alphabetic() {
        out.push(c.to_ascii_uppercase() as u8);
        return;
    }
    if c.is_ascii() {
        return;
    }
    // Upper-casing first halves the table (and turns ß into SS).
    for u in c.to_uppercase() {
        if u.is_ascii_alphabetic() {
            out.push(u as u8);
        } else {
            out.extend_from_slice(accent(u).as_bytes());
        }
    }
}

/// The plain letters an accented capital is written with, for the alphabets of the
/// families an English authority most often serves (Western and Central European,
/// Baltic, Romanian, Turkish); anything else is dropped.
fn accent(c: char) -> &'static str {
    match c {
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ą' | 'Ă' | 'Ā' => "A",
        'Æ' => "AE",
        'Ç' | 'Ć' | 'Č' => "C",
        'Ð' | 'Ď' | 'Đ' => "D",
        'È' | 'É' | 'Ê' | 'Ë' | 'Ę' | 'Ě' | 'Ė' | 'Ē' => "E",
        'Ğ' | 'Ģ' => "G",
        'Ì' | 'Í' | 'Î' | 'Ï' | 'İ' | 'Į' | 'Ī' => "I",
        'Ķ' => "K",
        'Ł' | 'Ľ' | 'Ĺ' | 'Ļ' => "L",
        'Ñ' | 'Ń' | 'Ň' | 'Ņ' => "N",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ő' | 'Ō' => "O",
        'Œ' => "OE",
        'Ŕ' | 'Ř' => "R",
        'Ś' | 'Š' | 'Ş' | 'Ș' => "S",
        'Ť' | 'Ţ' | 'Ț' => "T",
        'Þ' => "TH",
        'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ů' | 'Ű' | 'Ų' | 'Ū' => "U",
        'Ý' | 'Ÿ' => "Y",
        'Ź' | 'Ż' | 'Ž' => "Z",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folded(text: &str) -> String {
        String::from_utf8_lossy(&fold(text)).into_owned()
    }

    #[test]
    fn folds_case_accents_and_punctuation() {
        assert_eq!(folded("O'Brien"), "OBRIEN");
        assert_eq!(folded("  zoë "), "ZOE");
        assert_eq!(folded("Wiśniewski"), "WISNIEWSKI");
        assert_eq!(folded("Łukasz"), "LUKASZ");
        assert_eq!(folded("Strauß"), "STRAUSS");
        assert_eq!(folded("Ștefan"), "STEFAN");
        assert_eq!(folded("Smith-Jones"), "SMITHJONES");
        assert_eq!(folded("John 2nd"), "JOHNND");
        assert_eq!(folded("李"), "");
    }

    #[test]
    fn splits_surnames_into_parts() {
        let parts: Vec<String> = parts("Smith-Jones  de Silva")
            .into_iter()
            .map(|p| String::from_utf8_lossy(&p).into_owned())
            .collect();
        assert_eq!(parts, ["SMITH", "JONES", "DE", "SILVA"]);
        assert!(super::parts(" - ").is_empty());
    }
}
