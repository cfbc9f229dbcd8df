//! Session sites: the microplan's rows. Which villages or hamlets a site serves, of what kind, in
//! which high-risk area, who vaccinates and who mobilizes there, how far it is from the
//! cold-chain point, and its usual routine-immunization day (`../shared/docs/domain-reference.md`
//! §3.3–3.4).
//!
//! [`parse_sites`] reads the sites CSV of `teeka plan sites import` (`docs/formats.md`, "Session
//! sites"): every row checked, all rows or every located problem. Pure.

use crate::calendar::parse_weekday;
use crate::codes::Day;
use crate::codes::{HraType, SiteType};
use crate::facts::{check_phone, InputError};
pub use crate::model::Contact;
use crate::register::RowError;
use std::collections::HashMap;
use std::fmt;

/// The columns of the sites CSV, in the documented order (any order is read).
pub const SITE_COLUMNS: [&str; 12] = [
    "site_id",
    "name",
    "villages",
    "type",
    "hra",
    "anm",
    "anm_phone",
    "mobilizers",
    "avd",
    "distance_km",
    "travel_minutes",
    "ri_day",
];

/// The most problems reported at once.
const MAX_REPORTED: usize = 50;

/// What the microplan says of a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteFacts {
    pub name: String,
    /// The villages or hamlets it serves, by name, in the file's order.
    pub villages: Vec<String>,
    pub site_type: SiteType,
    pub hra: HraType,
    pub anm: Option<Contact>,
    /// ASHA / AWW mobilizers.
    pub mobilizers: Vec<Contact>,
    /// The alternate vaccine delivery person.
    pub avd: Option<Contact>,
    /// From the cold-chain point, in tenths of a kilometre (exact: `2.5` is 25).
    pub distance_tenths_km: Option<u32>,
    pub travel_minutes: Option<u32>,
    /// Its usual routine-immunization weekday.
    pub ri_day: Option<Day>,
}

impl SiteFacts {
    /// The fields of a site's registration, its villages given as the ids the store resolved
    /// the names to (in the file's order).
    pub fn fields(&self, villages: Vec<uuid::Uuid>) -> Vec<crate::model::SiteField> {
        use crate::model::SiteField;
        vec![
            SiteField::Name(self.name.clone()),
            SiteField::Villages(villages),
            SiteField::SiteType(self.site_type),
            SiteField::Hra(self.hra),
            SiteField::Anm(self.anm.clone()),
            SiteField::Mobilizers(self.mobilizers.clone()),
            SiteField::Avd(self.avd.clone()),
            SiteField::DistanceTenthsKm(self.distance_tenths_km),
            SiteField::TravelMinutes(self.travel_minutes),
            SiteField::RiDay(self.ri_day),
        ]
    }
}

/// One row of the sites file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteRow {
    pub line: u64,
    pub site_id: String,
    pub facts: SiteFacts,
}

/// Every problem of a sites file (at most [`MAX_REPORTED`] listed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SiteErrors {
    pub errors: Vec<RowError>,
    pub more: usize,
}

impl fmt::Display for SiteErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.errors.len() + self.more;
        write!(f, "the sites file has {total} problem{}; nothing was imported", if total == 1 { "" } else { "s" })?;
        for e in &self.errors {
            write!(f, "\n  {e}")?;
        }
        if self.more > 0 {
            write!(f, "\n  … and {} more", self.more)?;
        }
        Ok(())
    }
}

impl SiteErrors {
    /// Bad input, in the one vocabulary of codes.
    pub fn code(&self) -> &'static str {
        "INVALID_INPUT"
    }
}

#[derive(Default)]
struct Problems {
    errors: Vec<RowError>,
    more: usize,
}

impl Problems {
    fn push(&mut self, line: u64, column: Option<&str>, message: impl Into<String>) {
        if self.errors.len() < MAX_REPORTED {
            self.errors.push(RowError { line, column: column.map(str::to_string), message: message.into() });
        } else {
            self.more += 1;
        }
    }
}

/// A site id: 1 to 40 letters, digits, `-` or `_`.
pub fn valid_site_id(id: &str) -> bool {
    (1..=40).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Checks the fields of a site entered one at a time (the app's form, `Store::register_site`):
/// what the sites file's columns check, each error naming its field. `registration` also asks
/// for a name, a type and at least one village. Village ids are the store's to check.
pub fn check_site_fields(fields: &[crate::model::SiteField], registration: bool) -> Result<(), InputError> {
    use crate::model::SiteField;
    let text = |field: &str, v: &str| -> Result<(), InputError> {
        if v.trim().is_empty() || v.chars().any(char::is_control) || v.chars().count() > 100 {
            return Err(InputError::at(
                field,
                format!("{field}: '{v}' is not a name (1 to 100 characters, no control characters)"),
            ));
        }
        Ok(())
    };
    let person = |field: &str, c: &Contact| -> Result<(), InputError> {
        text(field, &c.name)?;
        if let Some(p) = c.phone.as_deref() {
            check_phone(p).map_err(|m| InputError::at(field, format!("{field}: {m}")))?;
        }
        Ok(())
    };
    for f in fields {
        match f {
            SiteField::Name(n) => text("name", n)?,
            SiteField::Villages(v) => {
                if v.is_empty() {
                    return Err(InputError::at("villages", "a site serves at least one village"));
                }
                if (1..v.len()).any(|i| v[..i].contains(&v[i])) {
                    return Err(InputError::at("villages", "a village is named twice"));
                }
            }
            SiteField::Anm(Some(c)) => person("anm", c)?,
            SiteField::Avd(Some(c)) => person("avd", c)?,
            SiteField::Mobilizers(m) => m.iter().try_for_each(|c| person("mobilizers", c))?,
            SiteField::DistanceTenthsKm(Some(d)) if *d > 5000 => {
                return Err(InputError::at("distance_km", "a distance is from 0 to 500 km"))
            }
            SiteField::TravelMinutes(Some(t)) if *t > 1440 => {
                return Err(InputError::at("travel_minutes", "a travel time is from 0 to 1440 minutes"))
            }
            _ => {}
        }
    }
    if registration {
        for (name, field) in [("name", "name"), ("site_type", "type"), ("villages", "villages")] {
            if !fields.iter().any(|f| f.name() == name) {
                return Err(InputError::at(field, format!("a site needs its {field}")));
            }
        }
    }
    Ok(())
}

/// `NAME` or `NAME:PHONE`.
fn contact(text: &str) -> Result<Contact, String> {
    let (name, phone) = match text.rsplit_once(':') {
        Some((n, p)) => (n.trim(), Some(p.trim())),
        None => (text.trim(), None),
    };
    if name.is_empty() {
        return Err(format!("'{text}' has no name: write NAME or NAME:PHONE"));
    }
    if name.chars().any(char::is_control) || name.chars().count() > 100 {
        return Err(format!("'{name}' is not a name (at most 100 characters, no control characters)"));
    }
    let phone = match phone {
        Some(p) if !p.is_empty() => {
            check_phone(p)?;
            Some(p.to_string())
        }
        _ => None,
    };
    Ok(Contact { name: name.to_string(), phone })
}

/// `2.5` → 25 tenths; from 0 to 500 km, at most one decimal.
fn distance(text: &str) -> Option<u32> {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() || frac.len() > 1 || !whole.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let tenths = whole.parse::<u32>().ok()?.checked_mul(10)?.checked_add(frac.parse::<u32>().unwrap_or(0))?;
    (tenths <= 5000).then_some(tenths)
}

/// Parses and checks a sites file: all rows, or every located problem.
pub fn parse_sites(bytes: &[u8]) -> Result<Vec<SiteRow>, SiteErrors> {
    let mut p = Problems::default();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut records = reader.records();
    let header: Vec<String> = match records.next() {
        Some(Ok(h)) => h.iter().map(|c| c.trim().to_ascii_lowercase()).collect(),
        Some(Err(e)) => {
            p.push(1, None, format!("unreadable first line: {e}"));
            return Err(SiteErrors { errors: p.errors, more: 0 });
        }
        None => {
            p.push(
                1,
                None,
                format!("the file is empty: the first line must name the columns ({})", SITE_COLUMNS.join(",")),
            );
            return Err(SiteErrors { errors: p.errors, more: 0 });
        }
    };
    let mut at: HashMap<&str, usize> = HashMap::new();
    for (i, name) in header.iter().enumerate() {
        match SITE_COLUMNS.iter().find(|c| **c == name.as_str()) {
            None => p.push(1, Some(name), format!("unknown column: the columns are {}", SITE_COLUMNS.join(","))),
            Some(c) => {
                if at.insert(c, i).is_some() {
                    p.push(1, Some(name), "this column appears twice");
                }
            }
        }
    }
    for c in SITE_COLUMNS {
        if !at.contains_key(c) {
            p.push(1, Some(c), "required column is missing");
        }
    }
    if !p.errors.is_empty() {
        return Err(SiteErrors { errors: p.errors, more: p.more });
    }
    let mut rows = Vec::new();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    for (n, record) in records.enumerate() {
        let line = n as u64 + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                p.push(line, None, format!("unreadable line: {e}"));
                continue;
            }
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if record.len() != header.len() {
            p.push(line, None, format!("{} cells; the first line names {} columns", record.len(), header.len()));
            continue;
        }
        let cell = |c: &str| at.get(c).and_then(|i| record.get(*i)).map_or("", str::trim);
        let before = p.errors.len() + p.more;
        let site_id = cell("site_id").to_string();
        if !valid_site_id(&site_id) {
            p.push(line, Some("site_id"), format!("'{site_id}' is not a site id (1 to 40 letters, digits, - or _)"));
        } else if let Some(first) = first_line.insert(site_id.clone(), line) {
            p.push(line, Some("site_id"), format!("{site_id} is already on line {first}"));
        }
        let name = cell("name").to_string();
        if name.is_empty() || name.chars().any(char::is_control) || name.chars().count() > 100 {
            p.push(line, Some("name"), "a site needs a name (at most 100 characters)");
        }
        let mut villages: Vec<String> = Vec::new();
        for v in cell("villages").split(';').map(str::trim).filter(|v| !v.is_empty()) {
            if villages.iter().any(|x| x.eq_ignore_ascii_case(v)) {
                p.push(line, Some("villages"), format!("'{v}' is named twice"));
            } else {
                villages.push(v.to_string());
            }
        }
        if villages.is_empty() {
            p.push(line, Some("villages"), "a site serves at least one village (names separated by ;)");
        }
        let site_type = cell("type").parse::<SiteType>().map_err(|e| p.push(line, Some("type"), e.to_string())).ok();
        let hra = match cell("hra") {
            "" => Some(HraType::None),
            h => h.parse::<HraType>().map_err(|e| p.push(line, Some("hra"), e.to_string())).ok(),
        };
        let anm = match cell("anm") {
            "" => None,
            a => contact(a).map_err(|m| p.push(line, Some("anm"), m)).ok(),
        };
        let anm = match (anm, cell("anm_phone")) {
            (a, "") => a,
            (Some(a), phone) => match check_phone(phone) {
                Ok(()) => Some(Contact { phone: Some(phone.to_string()), ..a }),
                Err(m) => {
                    p.push(line, Some("anm_phone"), m);
                    None
                }
            },
            (None, _) => {
                if cell("anm").is_empty() {
                    p.push(line, Some("anm_phone"), "a phone without an ANM: write the ANM's name too");
                }
                None
            }
        };
        let mut mobilizers = Vec::new();
        for m in cell("mobilizers").split(';').map(str::trim).filter(|m| !m.is_empty()) {
            match contact(m) {
                Ok(c) => mobilizers.push(c),
                Err(e) => p.push(line, Some("mobilizers"), e),
            }
        }
        let avd = match cell("avd") {
            "" => None,
            a => contact(a).map_err(|m| p.push(line, Some("avd"), m)).ok(),
        };
        let distance_tenths_km = match cell("distance_km") {
            "" => None,
            d => {
                let v = distance(d);
                if v.is_none() {
                    p.push(
                        line,
                        Some("distance_km"),
                        format!("'{d}' is not a distance from 0 to 500 km (one decimal at most)"),
                    );
                }
                v
            }
        };
        let travel_minutes = match cell("travel_minutes") {
            "" => None,
            t => match t.parse::<u32>() {
                Ok(m) if m <= 1440 => Some(m),
                _ => {
                    p.push(line, Some("travel_minutes"), format!("'{t}' is not a number of minutes from 0 to 1440"));
                    None
                }
            },
        };
        let ri_day = match cell("ri_day") {
            "" => None,
            d => parse_weekday(d).map(Day::of).map_err(|e| p.push(line, Some("ri_day"), e.to_string())).ok(),
        };
        if p.errors.len() + p.more > before {
            continue;
        }
        if let (Some(site_type), Some(hra)) = (site_type, hra) {
            rows.push(SiteRow {
                line,
                site_id,
                facts: SiteFacts {
                    name,
                    villages,
                    site_type,
                    hra,
                    anm,
                    mobilizers,
                    avd,
                    distance_tenths_km,
                    travel_minutes,
                    ri_day,
                },
            });
        }
    }
    if !p.errors.is_empty() || p.more > 0 {
        return Err(SiteErrors { errors: p.errors, more: p.more });
    }
    if rows.is_empty() {
        return Err(SiteErrors {
            errors: vec![RowError {
                line: 2,
                column: None,
                message: "no sites: the file has only its first line".into(),
            }],
            more: 0,
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "site_id,name,villages,type,hra,anm,anm_phone,mobilizers,avd,distance_km,travel_minutes,ri_day\n";

    fn parse(body: &str) -> Result<Vec<SiteRow>, SiteErrors> {
        parse_sites(format!("{HEADER}{body}").as_bytes())
    }

    fn problems(body: &str) -> Vec<String> {
        match parse(body) {
            Ok(rows) => panic!("accepted: {rows:?}"),
            Err(e) => e.errors.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn a_microplan_reads_whole() {
        let rows = parse(
            "S-01,Rampur AWC,Rampur;Rampur Tola,fixed,,Meena Devi,9876543210,Sunita:9123456780;Kamla,Ramu:9988776655,2.5,20,wed\n\
             S-02,Brick kiln 3,Salempur,outreach,brick_kiln,,,,,,,\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rows.len(), 2);
        let s = &rows[0].facts;
        assert_eq!((rows[0].line, rows[0].site_id.as_str()), (2, "S-01"));
        assert_eq!(s.villages, ["Rampur", "Rampur Tola"]);
        assert_eq!((s.site_type, s.hra), (SiteType::Fixed, HraType::None));
        assert_eq!(s.anm, Some(Contact { name: "Meena Devi".into(), phone: Some("9876543210".into()) }));
        assert_eq!(
            s.mobilizers,
            [
                Contact { name: "Sunita".into(), phone: Some("9123456780".into()) },
                Contact { name: "Kamla".into(), phone: None }
            ]
        );
        assert_eq!(s.avd.as_ref().map(|a| a.name.as_str()), Some("Ramu"));
        assert_eq!((s.distance_tenths_km, s.travel_minutes, s.ri_day), (Some(25), Some(20), Some(Day::Wed)));
        let k = &rows[1].facts;
        assert_eq!((k.hra, k.anm.as_ref(), k.ri_day, k.distance_tenths_km), (HraType::BrickKiln, None, None, None));
        // Columns in another order, a byte-order mark and CRLF line ends read the same.
        let reordered =
            "\u{feff}name,site_id,type,villages,hra,anm,anm_phone,mobilizers,avd,distance_km,travel_minutes,ri_day\r\n\
                         Kiln,S-9,mobile,Salempur,nomadic,,,,,,,\r\n";
        let rows = parse_sites(reordered.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((rows[0].site_id.as_str(), rows[0].facts.site_type), ("S-9", SiteType::Mobile));
    }

    #[test]
    fn every_bad_cell_is_located_and_nothing_is_returned() {
        let got = problems(
            "S 1,,,clinic,swamp,Meena,12,:9876543210,Ramu:abc,-1,1500,someday\n\
             S-2,Two,A;a,fixed,,,9876543210,,,2.55,x,\n\
             S-3,Three,A,fixed\n\
             S-2,Again,B,outreach,,,,,,,,\n",
        );
        assert_eq!(
            got,
            [
                "line 2, column 'site_id': 'S 1' is not a site id (1 to 40 letters, digits, - or _)",
                "line 2, column 'name': a site needs a name (at most 100 characters)",
                "line 2, column 'villages': a site serves at least one village (names separated by ;)",
                "line 2, column 'type': unknown site type 'clinic' (expected one of: fixed outreach mobile)",
                "line 2, column 'hra': unknown high-risk-area type 'swamp' (expected one of: none urban_slum nomadic brick_kiln construction_site riverine forest_tribal hilly other_migrant)",
                "line 2, column 'anm_phone': '12' has 2 digits; a phone number has 10 (13 with +91)",
                "line 2, column 'mobilizers': ':9876543210' has no name: write NAME or NAME:PHONE",
                "line 2, column 'avd': 'abc' is not a phone number (digits, +, spaces and dashes only)",
                "line 2, column 'distance_km': '-1' is not a distance from 0 to 500 km (one decimal at most)",
                "line 2, column 'travel_minutes': '1500' is not a number of minutes from 0 to 1440",
                "line 2, column 'ri_day': 'someday' is not a weekday: write mon, tue, wed, thu, fri, sat or sun",
                "line 3, column 'villages': 'a' is named twice",
                "line 3, column 'anm_phone': a phone without an ANM: write the ANM's name too",
                "line 3, column 'distance_km': '2.55' is not a distance from 0 to 500 km (one decimal at most)",
                "line 3, column 'travel_minutes': 'x' is not a number of minutes from 0 to 1440",
                "line 4: 4 cells; the first line names 12 columns",
                "line 5, column 'site_id': S-2 is already on line 3",
            ]
        );
    }

    #[test]
    fn a_bad_header_is_refused_before_any_row() {
        let e = parse_sites(b"site_id,name,villages,kind\nS-1,A,B,fixed\n").unwrap_err();
        let got: Vec<String> = e.errors.iter().map(ToString::to_string).collect();
        assert!(got[0].starts_with("line 1, column 'kind': unknown column"), "{got:?}");
        assert!(got.iter().any(|g| g == "line 1, column 'type': required column is missing"), "{got:?}");
        assert!(parse_sites(b"").is_err());
        assert_eq!(
            parse("").unwrap_err().to_string(),
            "the sites file has 1 problem; nothing was imported\n  line 2: no sites: the file has only its first line"
        );
    }

    #[test]
    fn a_site_entered_in_a_form_is_checked_as_the_file_is() {
        use crate::model::SiteField;
        let v = uuid::Uuid::nil();
        let ok = [
            SiteField::Name("Rampur AWC".into()),
            SiteField::SiteType(SiteType::Outreach),
            SiteField::Villages(vec![v]),
            SiteField::Anm(Some(Contact { name: "Meena".into(), phone: Some("9876543210".into()) })),
        ];
        assert_eq!(check_site_fields(&ok, true), Ok(()));
        let field = |fields: &[SiteField], reg| check_site_fields(fields, reg).unwrap_err().field;
        assert_eq!(field(&ok[..2], true).as_deref(), Some("villages"), "a registration needs its villages");
        assert_eq!(check_site_fields(&ok[..1], false), Ok(()), "an update names only what changes");
        assert_eq!(field(&[SiteField::Name(" ".into())], false).as_deref(), Some("name"));
        assert_eq!(field(&[SiteField::Villages(vec![])], false).as_deref(), Some("villages"));
        assert_eq!(field(&[SiteField::Villages(vec![v, v])], false).as_deref(), Some("villages"));
        let bad_phone = SiteField::Mobilizers(vec![Contact { name: "Sunita".into(), phone: Some("123".into()) }]);
        assert_eq!(field(&[bad_phone], false).as_deref(), Some("mobilizers"));
        assert_eq!(field(&[SiteField::DistanceTenthsKm(Some(5001))], false).as_deref(), Some("distance_km"));
        assert_eq!(field(&[SiteField::TravelMinutes(Some(1441))], false).as_deref(), Some("travel_minutes"));
        assert!(valid_site_id("S-01") && !valid_site_id("S 01") && !valid_site_id(""));
    }
}
