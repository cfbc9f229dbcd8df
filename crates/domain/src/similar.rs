//! Whether two names written by different people are probably the same name.
//!
//! Indian names are written in Latin letters in many ways: "Pooja" and "Puja", "Sunita" and
//! "Sunitha", "Lakshmi" and "Laxmi", "Mohd." and "Mohd". [`similar_names`] first reduces both names
//! to a key that erases the usual transliteration variants, then allows a small edit distance
//! (Damerau–Levenshtein: one insertion, deletion, substitution or swap of neighbours) on the keys:
//! one edit for short names, two for names of eight letters or more.
//!
//! It is meant to *suggest* that a child being added may already be on the register (together
//! with a date of birth close to the other's), never to merge anything by itself. So it leans
//! towards suggesting: a worker dismisses a wrong suggestion in a second, while a missed
//! duplicate means a child counted twice and called for doses already given.

/// Whether `a` and `b` are probably the same name, written by different people.
pub fn similar_names(a: &str, b: &str) -> bool {
    let (ka, kb) = (name_key(a), name_key(b));
    if ka.is_empty() || kb.is_empty() {
        return false;
    }
    if ka == kb {
        return true;
    }
    let letters = ka.len().max(kb.len());
    // Very short names ("Ram", "Raj") differ in one letter from many others: require the same key.
    let allowed = match letters {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    };
    allowed > 0 && distance(&ka, &kb) <= allowed
}

/// The name reduced to a key in which the usual spelling variants coincide: lower case, letters
/// only (spaces, dots, hyphens dropped), then `ksh`/`x`, `th`/`t`, `dh`/`d`, `bh`/`b`, `ph`/`f`,
/// `sh`/`s`, `w`/`v`, `z`/`j`, `q`/`k`, `ck`/`k`, `ee`/`i`, `oo`/`u`, `ou`/`u`, `y` between letters
/// as `i`, then doubled letters once and vowels `aa`→`a`, and a final `a` dropped ("Sita"/"Sit",
/// "Ramesha"/"Ramesh"). Other scripts are kept as written (lower-cased), so names in Devanagari
/// compare exactly then by distance.
pub fn name_key(name: &str) -> Vec<char> {
    let letters: String = name.chars().filter(|c| c.is_alphabetic()).flat_map(char::to_lowercase).collect();
    let mut s = letters;
    for (from, to) in [
        ("ksh", "x"),
        ("ks", "x"),
        ("kh", "k"),
        ("gh", "g"),
        ("th", "t"),
        ("dh", "d"),
        ("bh", "b"),
        ("ph", "f"),
        ("sh", "s"),
        ("ch", "c"),
        ("ck", "k"),
        ("w", "v"),
        ("z", "j"),
        ("q", "k"),
        ("ee", "i"),
        ("ii", "i"),
        ("oo", "u"),
        ("ou", "u"),
        ("uu", "u"),
        ("aa", "a"),
        ("y", "i"),
    ] {
        s = s.replace(from, to);
    }
    let mut key: Vec<char> = Vec::with_capacity(s.len());
    for c in s.chars() {
        if key.last() != Some(&c) {
            key.push(c);
        }
    }
    if key.len() > 2 && key.last() == Some(&'a') {
        key.pop();
    }
    key
}

/// Damerau–Levenshtein distance (optimal string alignment) between two keys.
fn distance(a: &[char], b: &[char]) -> usize {
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    d[0] = (0..=m).collect();
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[n][m]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spelling_variants_of_one_name_are_similar() {
        for (a, b) in [
            ("Pooja", "Puja"),
            ("Sunita", "Sunitha"),
            ("Lakshmi", "Laxmi"),
            ("Lakshmi", "Lakshmee"),
            ("Deepak", "Dipak"),
            ("Mohd. Arif", "mohd arif"),
            ("Vijay", "Wijay"),
            ("Shobha", "Sobha"),
            ("Priyanka", "Priyanka"),
            ("Kumar", "Kumaar"),
            ("Anil", "Aneel"),
            ("Ramesh", "Ramesha"),
            ("Phoolmati", "Fulmati"),
            ("Geeta", "Gita"),
            ("Radhika", "Radika"),
            ("Sanjana", "Sanjna"),
            ("Sunil", "Suinl"),
            ("Chandrakanta", "Chandrakant"),
            ("Baby of Sunita", "Baby of Sunitha"),
        ] {
            assert!(similar_names(a, b), "{a} / {b}");
            assert!(similar_names(b, a), "{b} / {a}");
        }
    }

    #[test]
    fn different_names_are_not_similar() {
        // Sita and Gita differ in their first letter only, yet they are two common and distinct
        // names: keys of 3 letters ("sit", "git") must be equal, so they are not similar. Names
        // that short leave too little to tell a typo from another name.
        for (a, b) in [
            ("Ram", "Shyam"),
            ("Sita", "Gita"),
            ("Raj", "Ravi"),
            ("Anita", "Sunita"),
            ("Pooja", "Preeti"),
            ("Mohan", "Sohan Lal"),
            ("Rahul", "Rohit"),
            ("", "Asha"),
            ("...", "..."),
        ] {
            assert!(!similar_names(a, b), "{a} / {b}");
        }
    }

    #[test]
    fn keys_erase_case_space_and_punctuation() {
        assert_eq!(name_key("  R. K.  Sharma "), name_key("rk sharma"));
        assert_eq!(name_key("Pooja"), name_key("puja"));
        assert_eq!(distance(&['a', 'b'], &['b', 'a']), 1);
        assert_eq!(distance(&[], &['a']), 1);
    }
}
