//! The supervisor's screens: the round dashboard's report, coverage, follow-up, refusals.

use crate::error::{AppCode, AppError};
use crate::fields::opt_date_field;
use crate::types::*;
use crate::views::{supervisor, survey};
use crate::{App, Clock};
use base64::Engine as _;
use std::path::Path;
use teeka_domain::kit::VaccineTable;
use teeka_domain::plan::SessionNorms;
use teeka_pack::Lang;

/// The evening pack's PNG width in pixels: about 150 dpi on A4, sharp on a phone and in print.
pub const PACK_PNG_WIDTH: u32 = 1240;

impl App {
    /// `coverage`: of everything and of each village, on today.
    pub fn coverage(&mut self, _req: CoverageReq, clock: Clock) -> Result<CoverageResp, AppError> {
        self.guard(&clock)?;
        Ok(supervisor::coverage(self.store()?, clock.today)?)
    }

    /// `follow_up`: left-out and drop-out children and pregnant women with a dose due, with their
    /// doses due and how to reach them.
    pub fn follow_up(&mut self, req: FollowUpReq, clock: Clock) -> Result<Vec<FollowUpItem>, AppError> {
        self.guard(&clock)?;
        Ok(supervisor::follow_up(self.store()?, req.village_id, clock.today)?)
    }

    /// `set_village_asha`: the village's ASHA, her name and phone (one `village_asha_set` event;
    /// empty clears); the village with them.
    pub fn set_village_asha(&mut self, req: SetVillageAshaReq, clock: Clock) -> Result<Village, AppError> {
        let ctx = self.guard(&clock)?;
        self.store_mut()?.set_village_asha(
            req.village_id,
            req.asha_name.as_deref(),
            req.asha_phone.as_deref(),
            &ctx,
        )?;
        Ok(survey::village(self.store()?, req.village_id, clock.today)?)
    }

    /// `round_report`: the round's report (`teeka_domain::monitor`) of a village or of an area by
    /// its path, else of the
    /// device's enrolled area, else of every area it holds, on `on` (default today), with the
    /// default session norms and vaccine table.
    pub fn round_report(&mut self, req: RoundReportReq, clock: Clock) -> Result<RoundReport, AppError> {
        self.guard(&clock)?;
        self.report_of(req, &clock)
    }

    fn report_of(&self, req: RoundReportReq, clock: &Clock) -> Result<RoundReport, AppError> {
        let on = opt_date_field("on", req.on.as_deref())?.unwrap_or(clock.today);
        let norms = SessionNorms::default();
        let area = match (&req.village_id, req.area.as_deref().filter(|a| !a.trim().is_empty())) {
            (Some(v), _) => Some(*v),
            (None, Some(path)) => Some(self.store()?.area_by_path(path)?),
            (None, None) => None,
        };
        Ok(self.store()?.round_report(req.round, area, on, &norms, &VaccineTable::default())?)
    }

    /// `evening_pack`: the report `round_report` gives for the same request, drawn by
    /// `teeka-pack` as the task force's one page in `lang`, saved as PDF and PNG
    /// (`evening-pack-<area>-round<N>-<date>-<lang>`, replacing the files of the same name) in the
    /// app's directory for packs; not for an ASHA (`NOT_ALLOWED`). Both pictures are drawn before
    /// either file is written, and each file is written beside its name and then renamed, so a
    /// failure leaves no half-written pack.
    pub fn evening_pack(&mut self, req: EveningPackReq, clock: Clock) -> Result<EveningPack, AppError> {
        self.guard(&clock)?;
        self.not_asha("make the evening pack")?;
        let (lang, pack_lang) = match Lang::from_code(&req.lang) {
            Some(Lang::En) => (Lang::En, PackLang::En),
            Some(Lang::Hi) => (Lang::Hi, PackLang::Hi),
            None => return Err(AppError::invalid_field("lang", format!("lang '{}' is not one of: en hi", req.lang))),
        };
        let dir = self.pack_dir.clone().ok_or_else(|| {
            AppError::new(AppCode::PackFailed, "this app has no directory to save the evening pack in")
        })?;
        let EveningPackReq { round, village_id, area, on, .. } = req;
        let report = self.report_of(RoundReportReq { round, village_id, area, on }, &clock)?;
        let pdf = teeka_pack::pack_pdf(&report, lang)?;
        let png = teeka_pack::pack_png(&report, lang, PACK_PNG_WIDTH)?;
        let file_stem = format!(
            "evening-pack-{}-round{}-{}-{}",
            file_part(&report.total.area),
            report.round,
            report.on,
            lang.code()
        );
        std::fs::create_dir_all(&dir).map_err(|e| save_failed(&dir, e))?;
        let pdf_path = dir.join(format!("{file_stem}.pdf"));
        let png_path = dir.join(format!("{file_stem}.png"));
        write_whole(&pdf_path, &pdf)?;
        write_whole(&png_path, &png)?;
        let png_height = (teeka_pack::PAGE_HEIGHT * PACK_PNG_WIDTH as f32 / teeka_pack::PAGE_WIDTH).round() as u32;
        Ok(EveningPack {
            round: report.round,
            on: report.on,
            area: report.total.area.clone(),
            name: report.total.name.clone(),
            lang: pack_lang,
            dir: dir.display().to_string(),
            pdf_path: pdf_path.display().to_string(),
            png_path: png_path.display().to_string(),
            file_stem,
            png_width: PACK_PNG_WIDTH,
            png_height,
            png_data_url: format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(&png)),
        })
    }

    /// The path of a saved evening pack's file, for the shell's `open_pack`: `file` is a plain
    /// file name (no directory part) of a pack (`evening-pack-….pdf` or `.png`) that is in the
    /// directory for packs; a signed-in worker other than an ASHA. Anything else is refused, so
    /// the UI can open no other file.
    pub fn pack_file(&mut self, file: &str, clock: Clock) -> Result<std::path::PathBuf, AppError> {
        self.guard(&clock)?;
        self.not_asha("open the evening pack")?;
        let plain = !file.is_empty()
            && !file.contains(['/', '\\', '\0'])
            && file != "."
            && file != ".."
            && file.starts_with("evening-pack-")
            && (file.ends_with(".pdf") || file.ends_with(".png"));
        if !plain {
            return Err(AppError::invalid_field("file", format!("'{file}' is not the name of an evening pack's file")));
        }
        let dir =
            self.pack_dir.as_ref().ok_or_else(|| AppError::new(AppCode::NotFound, "no evening pack was saved"))?;
        let path = dir.join(file);
        if !path.is_file() {
            return Err(AppError::new(AppCode::NotFound, format!("no evening pack '{file}' in {}", dir.display())));
        }
        Ok(path)
    }

    /// `record_history`: who changed a beneficiary's record, what, when and from which device,
    /// newest first: the supervisor's (another worker is `NOT_ALLOWED`).
    pub fn record_history(&mut self, req: RecordHistoryReq, clock: Clock) -> Result<RecordHistory, AppError> {
        self.guard(&clock)?;
        if self.signed_in_role() != Some(teeka_domain::WorkerRole::Supervisor) {
            return Err(AppError::new(AppCode::NotAllowed, "a record's history is the supervisor's view"));
        }
        Ok(supervisor::record_history(self.store()?, req.register_id.trim())?)
    }

    /// `refusals`: newest first, each with the person's age.
    pub fn refusals(&mut self, req: RefusalsReq, clock: Clock) -> Result<Vec<Refusal>, AppError> {
        self.guard(&clock)?;
        Ok(supervisor::refusals(self.store()?, req.village_id, clock.today)?)
    }
}

/// An area's path as part of a file name: letters and digits of any script kept (ASCII ones in
/// lower case), every run of anything else one `-`, at most 60 characters; `*` (every area the
/// device holds) is `all-areas`.
pub(crate) fn file_part(area: &str) -> String {
    let mut out = String::new();
    for c in area.chars() {
        if c.is_alphanumeric() || is_mark(c) {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut out: String = out.trim_end_matches('-').chars().take(60).collect();
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        "all-areas".into()
    } else {
        out
    }
}

/// A combining mark of Devanagari (vowel signs, virama, nukta…): part of a word, not a gap.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{0900}'..='\u{0903}' | '\u{093A}'..='\u{094F}' | '\u{0951}'..='\u{0957}' | '\u{0962}'..='\u{0963}')
}

fn save_failed(path: &Path, e: std::io::Error) -> AppError {
    AppError::new(AppCode::PackFailed, format!("the evening pack could not be saved in {}: {e}", path.display()))
}

/// Writes the whole file beside its name, then renames it into place.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), AppError> {
    let mut part = path.as_os_str().to_owned();
    part.push(".part");
    let part = std::path::PathBuf::from(part);
    let written = std::fs::write(&part, bytes).and_then(|()| std::fs::rename(&part, path));
    written.map_err(|e| {
        let _ = std::fs::remove_file(&part);
        save_failed(path, e)
    })
}

#[cfg(test)]
mod tests {
    use super::file_part;

    #[test]
    fn an_area_becomes_a_safe_part_of_a_file_name() {
        assert_eq!(file_part("UP/Sitapur/Mahmudabad"), "up-sitapur-mahmudabad");
        assert_eq!(file_part("Rampur SC/Rampur"), "rampur-sc-rampur");
        assert_eq!(file_part("*"), "all-areas");
        assert_eq!(file_part("../../etc/passwd"), "etc-passwd");
        assert_eq!(file_part("  a//b\\c:d*?\"<>|  "), "a-b-c-d");
        assert_eq!(file_part("रामपुर/खेड़ा"), "रामपुर-खेड़ा");
        assert_eq!(file_part(&"x".repeat(100)).len(), 60);
        assert_eq!(file_part(&format!("{}/y", "x".repeat(59))), "x".repeat(59));
    }
}
