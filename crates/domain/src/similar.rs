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

use std::borrow::Cow;

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
/// "Ramesha"/"Ramesh"). Devanagari is first written in Latin letters ([`devanagari_to_latin`]),
/// so "प्रिया" and "Priya" have one key; other scripts are kept as written (lower-cased).
pub fn name_key(name: &str) -> Vec<char> {
    let latin = devanagari_to_latin(name);
    let letters: String = latin.chars().filter(|c| c.is_alphabetic()).flat_map(char::to_lowercase).collect();
    let mut s = letters;
    let mut present = letters_in(&s);
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
        // Most names hold few of these: the letters present tell which rules cannot apply, and
        // looking first spares a copy of the name per rule.
        if letters_in(from) & present == letters_in(from) && s.contains(from) {
            s = s.replace(from, to);
            present |= letters_in(to);
        }
    }
    // An anusvara before p, b or m is written "m" as often as "n" ("Sampat", "Sanpat").
    for (from, to) in [("mp", "np"), ("mb", "nb")] {
        if letters_in(from) & present == letters_in(from) && s.contains(from) {
            s = s.replace(from, to);
        }
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

/// The ASCII letters `s` holds, one bit each.
fn letters_in(s: &str) -> u128 {
    s.bytes().filter(u8::is_ascii).fold(0, |m, b| m | 1u128 << b)
}

/// The Latin letters of a Devanagari consonant (without its vowel).
fn consonant(c: char) -> Option<&'static str> {
    Some(match c {
        'क' => "k",
        'ख' => "kh",
        'ग' => "g",
        'घ' => "gh",
        'ङ' | 'ञ' | 'ण' | 'न' => "n",
        'च' => "ch",
        'छ' => "chh",
        'ज' => "j",
        'झ' => "jh",
        'ट' | 'त' => "t",
        'ठ' | 'थ' => "th",
        'ड' | 'द' => "d",
        'ढ' | 'ध' => "dh",
        'प' => "p",
        'फ' => "ph",
        'ब' => "b",
        'भ' => "bh",
        'म' => "m",
        'य' | '\u{095F}' => "y",
        'र' => "r",
        'ल' | 'ळ' => "l",
        'व' => "v",
        'श' | 'ष' => "sh",
        'स' => "s",
        'ह' => "h",
        '\u{0958}' => "q",
        '\u{0959}' => "kh",
        '\u{095A}' => "g",
        '\u{095B}' => "z",
        '\u{095C}' => "r",
        '\u{095D}' => "rh",
        '\u{095E}' => "f",
        _ => return None,
    })
}

/// A consonant with a nukta (U+093C) written after it.
fn with_nukta(c: char) -> Option<&'static str> {
    Some(match c {
        'क' => "q",
        'ख' => "kh",
        'ग' => "g",
        'ज' => "z",
        'ड' => "r",
        'ढ' => "rh",
        'फ' => "f",
        'य' => "y",
        _ => return None,
    })
}

/// The Latin letters of an independent vowel or of a vowel sign.
fn vowel(c: char) -> Option<&'static str> {
    Some(match c {
        'अ' => "a",
        'आ' | 'ा' => "aa",
        'इ' | 'ि' => "i",
        'ई' | 'ी' => "ii",
        'उ' | 'ु' => "u",
        'ऊ' | 'ू' => "uu",
        'ऋ' | 'ृ' => "ri",
        'ए' | 'े' | 'ऍ' | 'ॅ' => "e",
        'ऐ' | 'ै' => "ai",
        'ओ' | 'ो' | 'ऑ' | 'ॉ' => "o",
        'औ' | 'ौ' => "au",
        _ => return None,
    })
}

fn is_sign(c: char) -> bool {
    matches!(c, 'ा'..='ौ' | '\u{094D}')
}

/// Devanagari written in plain Latin letters as names are spelt in a register: every consonant
/// carries its inherent "a" unless a vowel sign or a virama follows ("प्रिया" → "priyaa",
/// "मोहम्मद" → "mohammada"); anusvara and chandrabindu are "n", visarga "h", a nukta makes
/// ज़ "z" and फ़ "f". Other characters are kept. The inherent "a" that Hindi does not say
/// ("रमेश" → "ramesha") is left to the key, which drops a final "a", and to [`search_key`],
/// which drops every "a" after the first letter.
pub fn devanagari_to_latin(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| ('\u{0900}'..='\u{097F}').contains(&c)) {
        return Cow::Borrowed(text);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let nukta = chars.get(i + 1) == Some(&'\u{093C}');
        let base = if nukta { with_nukta(c).or_else(|| consonant(c)) } else { consonant(c) };
        if let Some(letters) = base {
            out.push_str(letters);
            i += if nukta { 2 } else { 1 };
            match chars.get(i) {
                Some(&'\u{094D}') => i += 1,
                Some(&s) if is_sign(s) => {}
                _ => out.push('a'),
            }
            continue;
        }
        match c {
            '\u{0902}' | '\u{0901}' => out.push('n'),
            '\u{0903}' => out.push('h'),
            '\u{093C}' | '\u{094D}' | 'ऽ' => {}
            _ => match vowel(c) {
                Some(v) => out.push_str(v),
                None => out.push(c),
            },
        }
        i += 1;
    }
    Cow::Owned(out)
}

/// The key a search compares: the name's [`name_key`] without the letter "a" after the first
/// letter, since the "a" a Hindi name does not say is sometimes written ("Kamala", "कमला") and
/// sometimes not ("Kamla").
pub fn search_key(name: &str) -> String {
    name_key(name).into_iter().enumerate().filter(|&(i, c)| i == 0 || c != 'a').map(|(_, c)| c).collect()
}

/// What a worker typed in the search box, ready to test many names against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    key: String,
    text: String,
    digits: String,
}

/// The fewest digits a query needs to be looked for in phone numbers.
pub const PHONE_DIGITS: usize = 3;

impl SearchQuery {
    /// The query for `text` (trimmed); `None` when it has nothing to look for.
    pub fn new(text: &str) -> Option<SearchQuery> {
        let text = text.trim().to_lowercase();
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        // Names have no digits: a query with some is a register id or a phone ("B-0001" is not
        // the name "b").
        let key = if digits.is_empty() { search_key(&text) } else { String::new() };
        if key.is_empty() && digits.is_empty() && text.is_empty() {
            return None;
        }
        Some(SearchQuery { key, text, digits })
    }

    /// Whether `name`, in either script, contains the query's name: their [`search_key`]s (never
    /// for a query with digits).
    pub fn matches_name(&self, name: &str) -> bool {
        !self.key.is_empty() && search_key(name).contains(&self.key)
    }

    /// Whether a register id contains the query as typed (any case).
    pub fn matches_id(&self, id: &str) -> bool {
        !self.text.is_empty() && id.to_lowercase().contains(&self.text)
    }

    /// Whether a phone number contains the query's digits (at least [`PHONE_DIGITS`] of them,
    /// and nothing but digits, spaces, "+" and "-" typed).
    pub fn matches_phone(&self, phone: &str) -> bool {
        let only_digits = self.text.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-'));
        only_digits
            && self.digits.len() >= PHONE_DIGITS
            && phone.chars().filter(char::is_ascii_digit).collect::<String>().contains(&self.digits)
    }
}

/// Whether the name `name` is found by the search `query` (in either script; see [`SearchQuery`]).
pub fn matches_search(query: &str, name: &str) -> bool {
    SearchQuery::new(query).is_some_and(|q| q.matches_name(name))
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

    #[test]
    fn devanagari_is_written_in_latin_letters() {
        assert_eq!(devanagari_to_latin("प्रिया"), "priyaa");
        assert_eq!(devanagari_to_latin("मोहम्मद"), "mohammada");
        assert_eq!(devanagari_to_latin("लक्ष्मी"), "lakshmii");
        assert_eq!(devanagari_to_latin("ज़ैनब"), "zainaba");
        assert_eq!(devanagari_to_latin("अंकित"), "ankita");
        assert_eq!(devanagari_to_latin("कृष्णा"), "krishnaa");
        assert_eq!(devanagari_to_latin("Priya 2"), "Priya 2");
    }

    #[test]
    fn a_search_finds_a_name_in_either_script() {
        for (query, name) in [
            ("priya", "प्रिया"),
            ("प्रिया", "Priya"),
            ("sunita", "सुनीता"),
            ("सुनीता", "Sunita"),
            ("mohammad", "मोहम्मद"),
            ("मोहम्मद", "Mohammad"),
            ("lakshmi", "लक्ष्मी"),
            ("laxmi", "लक्ष्मी"),
            ("ramesh", "रमेश"),
            ("deepak", "दीपक"),
            ("pooja", "पूजा"),
            ("kamla", "कमला"),
            ("कमला", "Kamla"),
            ("zainab", "ज़ैनब"),
            ("krishna", "कृष्णा"),
            ("anjali", "अंजलि"),
            ("sampat", "संपत"),
            ("radhika", "राधिका"),
            ("suni", "सुनीता देवी"),
            ("PRIYA", "Priyanka Kumari"),
            ("sunita", "Sunitha"),
        ] {
            assert!(matches_search(query, name), "{query} should find {name}");
        }
    }

    #[test]
    fn a_search_does_not_find_other_names() {
        for (query, name) in [
            ("priya", "सुनीता"),
            ("सुनीता", "Anita"),
            ("mohan", "Sohan"),
            ("gita", "सीता"),
            ("rahul", "रोहित"),
            ("", "Priya"),
            ("   ", "Priya"),
        ] {
            assert!(!matches_search(query, name), "{query} should not find {name}");
        }
    }

    #[test]
    fn a_query_matches_ids_as_typed_and_phones_by_digits() {
        let q = SearchQuery::new("b-00").unwrap();
        assert!(q.matches_id("B-0001"));
        assert!(!q.matches_name("Bablu"), "a query with digits is no name");
        assert!(!q.matches_phone("9800012345"));
        let q = SearchQuery::new("98765").unwrap();
        assert!(q.matches_phone("+91 98765 43210"));
        assert!(!q.matches_phone("9123456789"));
        assert!(!SearchQuery::new("98").unwrap().matches_phone("9812345678"));
        assert!(SearchQuery::new("  ").is_none());
    }

    #[test]
    fn similar_names_are_found_across_scripts_too() {
        assert!(similar_names("प्रिया", "Priya"));
        assert!(similar_names("सुनीता", "Sunitha"));
        assert!(!similar_names("सीता", "Gita"));
    }
}
