//! A synthetic block: households in villages, children aged 0–5 years with partial dose
//! histories that follow the schedule, and pregnant women with Td doses. Written as a register
//! CSV, so building a store from it goes through `parse_register` and `import_register` like a
//! real head-count survey.
//!
//! Deterministic: the same seed, size and `today` give the same bytes.

use anyhow::{Context, Result};
use teeka_domain::register::{write_register, RegisterRow};
use teeka_domain::schedule::{After, Anchor, Condition, SCHEDULE};
use teeka_domain::{Age, BeneficiaryFacts, BeneficiaryStatus, Date, DoseCode, HouseholdFacts, Kind, RiskCategory, Sex};

/// splitmix64: small, fast and good enough to make test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0; the modulo bias is irrelevant here).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }

    /// Shuffles in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            xs.swap(i, j);
        }
    }
}

const VILLAGES: [&str; 50] = [
    "Rampur",
    "Sitapur",
    "Bhawanipur",
    "Chandpur",
    "Devgarh",
    "Fatehpur",
    "Gopalpur",
    "Haripur",
    "Islampur",
    "Jagdishpur",
    "Kalyanpur",
    "Lakshmipur",
    "Madhopur",
    "Nandgaon",
    "Osmanpur",
    "Pipariya",
    "Qadirpur",
    "Rasulpur",
    "Shivpuri",
    "Tilakpur",
    "Udaipur Khurd",
    "Vishnupur",
    "Wazirganj",
    "Yusufpur",
    "Zamania",
    "Amarpur",
    "Baghpur",
    "Chhatarpur",
    "Dharampur",
    "Ekma",
    "Govindpur",
    "Hasanpur",
    "Indrapuri",
    "Jaitpur",
    "Kishanpur",
    "Lalganj",
    "Mohanpur",
    "Narayanpur",
    "Parsa",
    "Raghunathpur",
    "Salempur",
    "Tarapur",
    "Umarpur",
    "Bairia",
    "Chainpur",
    "Dighwara",
    "Gaura",
    "Hajipur Kalan",
    "Jamalpur",
    "Keshopur",
];

const FIRST_F: [&str; 24] = [
    "Sunita", "Anita", "Pooja", "Priya", "Rekha", "Geeta", "Kavita", "Meena", "Savita", "Neha", "Asha", "Radha",
    "Fatima", "Shabnam", "Lakshmi", "Kiran", "Manju", "Seema", "Rani", "Sushma", "Nisha", "Jyoti", "Rubina", "Babita",
];
const FIRST_M: [&str; 24] = [
    "Ramesh", "Suresh", "Mahesh", "Rajesh", "Aman", "Rohit", "Arjun", "Vikas", "Sanjay", "Imran", "Salim", "Ravi",
    "Deepak", "Manoj", "Ajay", "Vijay", "Anil", "Sunil", "Rahul", "Aarav", "Vivaan", "Ayaan", "Krishna", "Ishaan",
];
const SURNAMES: [&str; 20] = [
    "Kumar", "Devi", "Yadav", "Singh", "Prasad", "Khatun", "Ansari", "Paswan", "Ram", "Sharma", "Gupta", "Mahto",
    "Manjhi", "Kushwaha", "Sah", "Thakur", "Rai", "Mandal", "Verma", "Chauhan",
];

/// What a generated register holds.
#[derive(Debug, Clone, Default)]
pub struct BlockStats {
    pub villages: usize,
    pub households: usize,
    pub children: usize,
    pub pregnant_women: usize,
    pub doses: usize,
}

/// A generated register, as CSV text, with what it holds.
pub struct Block {
    pub csv: String,
    pub stats: BlockStats,
}

fn add_days(d: Date, days: u64) -> Option<Date> {
    d.checked_add_days(chrono::Days::new(days))
}

fn sub_days(d: Date, days: u64) -> Option<Date> {
    d.checked_sub_days(chrono::Days::new(days))
}

/// A person's first name and surname.
fn name(rng: &mut Rng, female: bool) -> String {
    let first = if female { rng.pick(&FIRST_F) } else { rng.pick(&FIRST_M) };
    format!("{first} {}", rng.pick(&SURNAMES))
}

/// How late after it becomes due a dose is given: mostly within a week or two, sometimes months.
fn delay(rng: &mut Rng) -> u64 {
    let r = rng.unit();
    if r < 0.55 {
        rng.range(0, 7)
    } else if r < 0.85 {
        rng.range(8, 30)
    } else {
        rng.range(31, 120)
    }
}

/// fIPV-3 is given only to children whose MR-1 cannot predate its introduction (1 Jan 2023):
/// MR-1 is given at 9 months at the earliest, so children born on or after 1 April 2022.
fn fipv3_possible(dob: Date) -> bool {
    Date::from_ymd_opt(2022, 4, 1).is_some_and(|d| dob >= d)
}

/// The doses on a child's card on `today`: the schedule walked in order, each dose given a
/// little after it is due (and after the previous dose of its series) if the family keeps
/// coming; some children are never vaccinated, many stop at some age, vitamin A is often missed.
fn child_doses(rng: &mut Rng, dob: Date, today: Date) -> Vec<(DoseCode, Date)> {
    let mut given: [Option<Date>; 42] = [None; 42];
    let mut doses = Vec::new();
    if rng.chance(0.06) {
        return doses; // zero-dose child
    }
    // How reliably this family comes to sessions, and whether (and when) it stops coming.
    let keeps = 0.55 + 0.4 * rng.unit();
    let stops_at = if rng.chance(0.55) { add_days(dob, rng.range(20, 900)) } else { None };
    let vita_uptake = 0.2 + 0.4 * rng.unit();
    // Doses due together are given together: eligible date -> date given.
    let mut visits: Vec<(Date, Date)> = Vec::new();
    let first_birthday = Age::Years(1).after(dob);
    for rule in SCHEDULE.iter().filter(|r| r.anchor == Anchor::Birth) {
        let i = rule.code.index();
        match rule.condition {
            Condition::Always => {}
            Condition::FipvThird => {
                let before_one = [DoseCode::Fipv1, DoseCode::Fipv2]
                    .iter()
                    .filter_map(|c| given[c.index()])
                    .any(|d| first_birthday.is_some_and(|b| d < b));
                if !fipv3_possible(dob) || !before_one {
                    continue;
                }
            }
            _ => continue, // JE (no endemic village here), DPT catch-up
        }
        let Some(mut eligible) = rule.due.after(dob).max(rule.earliest.after(dob)) else { continue };
        let prev = match rule.after {
            After::Nothing => None,
            After::Dose(code, gap) => Some((code, gap)),
            After::DtpPrimary(gap) => Some((DoseCode::Penta3, gap)),
        };
        if let Some((code, gap)) = prev {
            let Some(after) = given[code.index()].and_then(|p| gap.after(p)) else { continue };
            eligible = eligible.max(after);
        }
        let birth_dose = rule.due == Age::Days(0);
        let p = if !rule.code.is_vaccine() {
            vita_uptake
        } else if birth_dose {
            0.85
        } else {
            keeps
        };
        if stops_at.is_some_and(|s| eligible >= s) || !rng.chance(p) {
            continue;
        }
        let date = match visits.iter().find(|(e, _)| *e == eligible) {
            Some((_, d)) => *d,
            None => {
                let wait = if birth_dose { rng.range(0, 1) } else { delay(rng) };
                let Some(d) = add_days(eligible, wait) else { continue };
                visits.push((eligible, d));
                d
            }
        };
        let expires = rule.expires.and_then(|e| e.after(dob));
        if date > today || expires.is_some_and(|e| date >= e) {
            continue;
        }
        given[i] = Some(date);
        doses.push((rule.code, date));
    }
    doses
}

/// Td-1 at the first antenatal visit, Td-2 four weeks or more later.
fn woman_doses(rng: &mut Rng, lmp: Date, today: Date) -> Vec<(DoseCode, Date)> {
    let mut doses = Vec::new();
    if !rng.chance(0.85) {
        return doses;
    }
    let Some(td1) = add_days(lmp, rng.range(42, 140)) else { return doses };
    if td1 > today {
        return doses;
    }
    doses.push((DoseCode::Td1, td1));
    if rng.chance(0.85) {
        if let Some(td2) = add_days(td1, 28 + rng.range(0, 40)) {
            if td2 <= today && add_days(lmp, 280).is_some_and(|edd| td2 <= edd) {
                doses.push((DoseCode::Td2, td2));
            }
        }
    }
    doses
}

fn village_name(i: usize) -> String {
    let base = VILLAGES[i % VILLAGES.len()];
    match i / VILLAGES.len() {
        0 => base.to_string(),
        n => format!("{base} {}", n + 1),
    }
}

/// Generates a register of `beneficiaries` rows (every tenth a pregnant woman) in `villages`
/// villages, as on `today`.
pub fn generate(beneficiaries: usize, villages: usize, today: Date, seed: u64) -> Result<Block> {
    anyhow::ensure!(villages > 0, "at least one village is needed");
    let mut rng = Rng::new(seed);
    let mut rows = Vec::with_capacity(beneficiaries);
    let mut stats = BlockStats { villages: villages.min(beneficiaries.max(1)), ..BlockStats::default() };
    let risks = RiskCategory::ALL;
    let mut household_left = 0usize;
    let mut household = (String::new(), String::new(), None, None, None, None::<RiskCategory>, String::new());
    let mut per_village = vec![0usize; villages];
    for n in 0..beneficiaries {
        if household_left == 0 {
            let v = if stats.households < villages { stats.households } else { rng.below(villages as u64) as usize };
            per_village[v] += 1;
            let female_head = rng.chance(0.1);
            let head = name(&mut rng, female_head);
            let phone =
                rng.chance(0.7).then(|| format!("{}{:09}", rng.pick(&['6', '7', '8', '9']), rng.below(1_000_000_000)));
            let house_no = rng.chance(0.9).then(|| format!("{}", rng.range(1, 400)));
            let risk = rng.chance(0.1).then(|| *rng.pick(risks));
            let mother = name(&mut rng, true);
            household = (
                format!("H{:02}-{:05}", v + 1, per_village[v]),
                village_name(v),
                house_no,
                Some(head),
                phone,
                risk,
                mother,
            );
            household_left = 1 + [0, 0, 1, 1, 1, 2, 2, 3][rng.below(8) as usize];
            stats.households += 1;
        }
        household_left -= 1;
        let (household_id, village, house_no, head, phone, risk, mother) = &household;
        let status = {
            let r = rng.unit();
            if r < 0.02 {
                Some(BeneficiaryStatus::Migrated)
            } else if r < 0.025 {
                Some(BeneficiaryStatus::Died)
            } else if r < 0.5 {
                Some(BeneficiaryStatus::Active)
            } else {
                None // not stated: active
            }
        };
        let (kind, sex, dob, lmp, doses, person, mother_name) = if n % 10 == 9 {
            stats.pregnant_women += 1;
            let lmp = sub_days(today, rng.range(0, 270)).context("LMP out of range")?;
            (Kind::PregnantWoman, None, None, Some(lmp), woman_doses(&mut rng, lmp, today), mother.clone(), None)
        } else {
            stats.children += 1;
            let dob = sub_days(today, rng.range(0, 5 * 365)).context("date of birth out of range")?;
            let sex = if rng.chance(0.48) { Sex::F } else { Sex::M };
            let doses = child_doses(&mut rng, dob, today);
            let first = name(&mut rng, sex == Sex::F);
            (Kind::Child, Some(sex), Some(dob), None, doses, first, Some(mother.clone()))
        };
        stats.doses += doses.len();
        rows.push(RegisterRow {
            line: 0,
            register_id: format!("TK{:06}", n + 1),
            household_id: household_id.clone(),
            village: village.clone(),
            household: HouseholdFacts {
                house_no: house_no.clone(),
                head_of_household: head.clone(),
                phone: phone.clone(),
                risk_category: *risk,
            },
            kind,
            facts: BeneficiaryFacts { name: person, sex, dob, lmp, mother_name, ..Default::default() },
            status,
            doses,
            implausible: None,
        });
    }
    let csv = write_register(&rows).context("writing the register CSV")?;
    Ok(Block { csv, stats })
}
