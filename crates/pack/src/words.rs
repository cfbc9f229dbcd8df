//! Every label of the page, in English and in Hindi. The Hindi follows the app's glossary
//! (`ui/src/i18n/README.md`) and reuses the wording of `ui/src/i18n/hi.ts` where the same idea
//! is there: चरण (round), सत्र (session), ड्यू लिस्ट (due list), पूर्ण टीकाकरण, ड्रॉप-आउट दर,
//! मना करने वाले घर, टीके के बाद परेशानी (एईएफआई) with मामूली / गंभीर / अति गंभीर, the reasons a
//! session was not held. Never देय/अतिदेय, परिवार/मकान, nor Latin letters. Numbers stay in
//! Western digits. `{x}` marks a parameter ([`fill`]).

use teeka_domain::codes::{AreaLevel, CaseStatus, NotHeldReason};

/// The page's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Hi,
}

impl Lang {
    /// Both languages.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Hi];

    /// `en` or `hi` (as the app's `setLanguage` and `<html lang>`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Hi => "hi",
        }
    }

    /// `en` or `hi`, any case; `None` otherwise.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "hi" => Some(Lang::Hi),
            _ => None,
        }
    }
}

/// The labels of one language.
pub(crate) struct Words {
    pub title: &'static str,
    pub round: &'static str,
    pub day_of: &'static str,
    pub after_day: &'static str,
    pub before_first: &'static str,
    pub all_areas: &'static str,
    pub made_from: &'static str,

    pub covered: &'static str,
    pub covered_sub: &'static str,
    pub sessions: &'static str,
    pub sessions_sub: &'static str,
    pub fic: &'static str,
    pub fic_before: &'static str,
    pub fic_now: &'static str,
    pub fic_sub: &'static str,
    pub dropout: &'static str,
    pub dropout_sub: &'static str,
    pub refusals: &'static str,
    pub refusals_sub: &'static str,
    pub aefi: &'static str,
    pub aefi_sub: &'static str,
    pub remaining: &'static str,
    pub remaining_sub: &'static str,
    pub activities: &'static str,
    pub activities_sub: &'static str,
    pub devices: &'static str,
    pub devices_sub: &'static str,

    pub sessions_title: &'static str,
    pub sessions_planned: &'static str,
    pub held_records: &'static str,
    pub held_no_records: &'static str,
    pub not_held: &'static str,
    pub no_word: &'static str,
    pub not_held_reasons: &'static str,

    pub bars_villages: &'static str,
    pub bars_blocks: &'static str,
    pub below_line: &'static str,
    pub nobody_due: &'static str,
    pub bars_more: &'static str,

    pub red_title: &'static str,
    pub red_low: &'static str,
    pub red_not_reported: &'static str,
    pub red_old_case: &'static str,
    pub red_still_refusing: &'static str,
    pub red_serious: &'static str,
    pub red_more: &'static str,
    pub red_none: &'static str,
}

const EN: Words = Words {
    title: "Evening pack for the task force",
    round: "Round {n}",
    day_of: "Day {k} of {m}",
    after_day: "After day {k} of {m}",
    before_first: "Before day 1 of {m}",
    all_areas: "All areas",
    made_from: "Teeka · counted from the round's records alone · figures to {date}",

    covered: "Due list covered",
    covered_sub: "{a} of {b} doses given",
    sessions: "Sessions held / planned",
    sessions_sub: "{n} not held · {r} with records",
    fic: "Fully immunized (12–23 months)",
    fic_before: "before the round",
    fic_now: "now:",
    fic_sub: "{a} of {b} children",
    dropout: "Drop-out rate, Penta 1 to Penta 3",
    dropout_sub: "{a} had Penta 1, {b} of them Penta 3",
    refusals: "Refusing households persuaded",
    refusals_sub: "{p} · {o} open · {s} still refusing",
    aefi: "AEFI (side effects)",
    aefi_sub: "minor {a} · severe {b} · serious {c}",
    remaining: "Children still to reach",
    remaining_sub: "left out {a} · dropped out {b}",
    activities: "Meetings and announcements",
    activities_sub: "{n} people attended",
    devices: "Phones not synced in 24 hours",
    devices_sub: "{n} with the clock off by over 5 minutes",

    sessions_title: "Sessions held against planned",
    sessions_planned: "{n} planned to date · {m} in the whole round",
    held_records: "held, with records",
    held_no_records: "held, no records",
    not_held: "not held",
    no_word: "no word",
    not_held_reasons: "Not held:",

    bars_villages: "Due list covered, village by village",
    bars_blocks: "Due list covered, block by block",
    below_line: "below 80%",
    nobody_due: "nobody due",
    bars_more: "{n} more not shown, each at {p} or more",

    red_title: "Red list: act on these",
    red_low: "{name}: {p} of the due list covered ({a} of {b} doses)",
    red_not_reported: "{site} ({name}), {date}: no report from the session",
    red_old_case: "Refusing household {hh} ({name}): case open {d} days, since {date}",
    red_still_refusing: "Refusing household {hh} ({name}): still refusing after {d} days, since {date}",
    red_serious: "Serious AEFI: {id} ({name}), {date}",
    red_more: "and {n} more",
    red_none: "Nothing on the red list.",
};

const HI: Words = Words {
    title: "टास्क फ़ोर्स के लिए शाम की रिपोर्ट",
    round: "चरण {n}",
    day_of: "दिन {k} (कुल {m} दिन)",
    after_day: "दिन {k} के बाद (कुल {m} दिन)",
    before_first: "पहले दिन से पहले (कुल {m} दिन)",
    all_areas: "सभी क्षेत्र",
    made_from: "टीका · सिर्फ़ चरण के रिकॉर्ड से गिना गया · {date} तक के आँकड़े",

    covered: "ड्यू लिस्ट की कवरेज",
    covered_sub: "{b} में से {a} खुराकें दी गईं",
    sessions: "सत्र हुए / योजना में",
    sessions_sub: "{n} नहीं हुए · {r} के रिकॉर्ड आए",
    fic: "पूर्ण टीकाकरण (12–23 महीने)",
    fic_before: "चरण से पहले",
    fic_now: "अब:",
    fic_sub: "{b} में से {a} बच्चे",
    dropout: "ड्रॉप-आउट दर: पेंटा 1 से पेंटा 3",
    dropout_sub: "पेंटा 1: {a} बच्चे, उनमें से पेंटा 3: {b}",
    refusals: "मना करने वाले घर जो मान गए",
    refusals_sub: "{p} · {o} पर काम जारी · {s} अब भी मना",
    aefi: "टीके के बाद परेशानी (एईएफआई)",
    aefi_sub: "मामूली {a} · गंभीर {b} · अति गंभीर {c}",
    remaining: "जिन बच्चों तक पहुँचना है",
    remaining_sub: "कोई टीका नहीं {a} · टीके छूटे {b}",
    activities: "बैठकें और घोषणाएँ",
    activities_sub: "{n} लोग आए",
    devices: "24 घंटे से सिंक नहीं हुए फ़ोन",
    devices_sub: "{n} फ़ोन की घड़ी 5 मिनट से ज़्यादा गलत",

    sessions_title: "योजना के सत्र: कितने हुए",
    sessions_planned: "आज तक {n} सत्र योजना में · पूरे चरण में {m}",
    held_records: "हुए, रिकॉर्ड आए",
    held_no_records: "हुए, रिकॉर्ड नहीं आए",
    not_held: "नहीं हुए",
    no_word: "कोई खबर नहीं",
    not_held_reasons: "सत्र नहीं हुआ:",

    bars_villages: "गाँव के हिसाब से ड्यू लिस्ट की कवरेज",
    bars_blocks: "ब्लॉक के हिसाब से ड्यू लिस्ट की कवरेज",
    below_line: "80% से कम",
    nobody_due: "किसी को टीका नहीं लगना",
    bars_more: "{n} और नहीं दिखाए, सब {p} या ज़्यादा",

    red_title: "लाल सूची: इन पर तुरंत काम करें",
    red_low: "{name}: ड्यू लिस्ट की कवरेज {p} ({b} में से {a} खुराकें)",
    red_not_reported: "{site} ({name}), {date}: सत्र की रिपोर्ट नहीं आई",
    red_old_case: "मना करने वाला घर {hh} ({name}): {d} दिन से काम जारी, {date} से",
    red_still_refusing: "मना करने वाला घर {hh} ({name}): {d} दिन बाद भी मना, {date} से",
    red_serious: "अति गंभीर परेशानी (एईएफआई): {id} ({name}), {date}",
    red_more: "और {n}",
    red_none: "लाल सूची में कुछ नहीं।",
};

impl Words {
    pub fn of(lang: Lang) -> &'static Words {
        match lang {
            Lang::En => &EN,
            Lang::Hi => &HI,
        }
    }
}

pub(crate) fn level(lang: Lang, level: AreaLevel) -> &'static str {
    match (lang, level) {
        (Lang::En, AreaLevel::State) => "state",
        (Lang::En, AreaLevel::District) => "district",
        (Lang::En, AreaLevel::Block) => "block",
        (Lang::En, AreaLevel::Subcentre) => "sub-centre",
        (Lang::En, AreaLevel::Village) => "village",
        (Lang::Hi, AreaLevel::State) => "राज्य",
        (Lang::Hi, AreaLevel::District) => "ज़िला",
        (Lang::Hi, AreaLevel::Block) => "ब्लॉक",
        (Lang::Hi, AreaLevel::Subcentre) => "उप-केंद्र",
        (Lang::Hi, AreaLevel::Village) => "गाँव",
    }
}

/// As `notheld.*` in the app's `en.ts` / `hi.ts`.
pub(crate) fn not_held(lang: Lang, reason: NotHeldReason) -> &'static str {
    use NotHeldReason as R;
    match (lang, reason) {
        (Lang::En, R::VaccineNotAvailable) => "Vaccine not available",
        (Lang::En, R::AnmAbsent) => "ANM absent",
        (Lang::En, R::MobilizerAbsent) => "Mobilizer absent",
        (Lang::En, R::HolidayDeclared) => "Holiday declared",
        (Lang::En, R::LawAndOrder) => "Law and order",
        (Lang::En, R::Weather) => "Weather",
        (Lang::En, R::Other) => "Other reason",
        (Lang::Hi, R::VaccineNotAvailable) => "टीका नहीं था",
        (Lang::Hi, R::AnmAbsent) => "एएनएम नहीं आ सकीं",
        (Lang::Hi, R::MobilizerAbsent) => "बुलाने वाला कोई नहीं था",
        (Lang::Hi, R::HolidayDeclared) => "छुट्टी घोषित हुई",
        (Lang::Hi, R::LawAndOrder) => "कानून-व्यवस्था की समस्या",
        (Lang::Hi, R::Weather) => "मौसम खराब",
        (Lang::Hi, R::Other) => "कोई और कारण",
    }
}

/// The red-list line of an old case, by where it stands.
pub(crate) fn old_case(w: &Words, status: CaseStatus) -> &'static str {
    match status {
        CaseStatus::StillRefusing => w.red_still_refusing,
        _ => w.red_old_case,
    }
}

/// `template` with each `{key}` replaced by its value.
pub(crate) fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (k, v) in args {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(w: &Words) -> Vec<&'static str> {
        vec![
            w.title,
            w.round,
            w.day_of,
            w.after_day,
            w.before_first,
            w.all_areas,
            w.made_from,
            w.covered,
            w.covered_sub,
            w.sessions,
            w.sessions_sub,
            w.fic,
            w.fic_before,
            w.fic_now,
            w.fic_sub,
            w.dropout,
            w.dropout_sub,
            w.refusals,
            w.refusals_sub,
            w.aefi,
            w.aefi_sub,
            w.remaining,
            w.remaining_sub,
            w.activities,
            w.activities_sub,
            w.devices,
            w.devices_sub,
            w.sessions_title,
            w.sessions_planned,
            w.held_records,
            w.held_no_records,
            w.not_held,
            w.no_word,
            w.not_held_reasons,
            w.bars_villages,
            w.bars_blocks,
            w.below_line,
            w.nobody_due,
            w.bars_more,
            w.red_title,
            w.red_low,
            w.red_not_reported,
            w.red_old_case,
            w.red_still_refusing,
            w.red_serious,
            w.red_more,
            w.red_none,
        ]
    }

    fn params(s: &str) -> Vec<String> {
        let mut out: Vec<String> =
            s.split('{').skip(1).filter_map(|p| p.split_once('}').map(|(k, _)| k.to_string())).collect();
        out.sort();
        out
    }

    #[test]
    fn both_languages_have_the_same_parameters() {
        for (en, hi) in all(&EN).into_iter().zip(all(&HI)) {
            assert_eq!(params(en), params(hi), "{en} / {hi}");
        }
    }

    #[test]
    fn hindi_keeps_the_glossary() {
        let mut hindi: Vec<&str> = all(&HI);
        hindi.extend(NotHeldReason::ALL.iter().map(|r| not_held(Lang::Hi, *r)));
        hindi.extend(AreaLevel::ALL.iter().map(|l| level(Lang::Hi, *l)));
        for s in hindi {
            for banned in ["देय", "अतिदेय", "परिवार", "मकान", "राउंड", "लाभार्थी"]
            {
                assert!(!s.contains(banned), "{s} says {banned}");
            }
            let without_params: String = s.split('{').map(|p| p.split_once('}').map_or(p, |(_, rest)| rest)).collect();
            assert!(!without_params.chars().any(|c| c.is_ascii_alphabetic()), "{s} has Latin letters");
            assert!(!s.chars().any(|c| ('\u{0966}'..='\u{096F}').contains(&c)), "{s} has Devanagari digits");
        }
        assert_eq!(HI.round, "चरण {n}");
    }

    #[test]
    fn fill_replaces_every_parameter() {
        assert_eq!(fill("{b} में से {a}", &[("a", "3"), ("b", "4")]), "4 में से 3");
    }
}
