// Generated from the Rust types by crates/app/src/bindings.rs (ts-rs): do not edit.
// Refresh with: TEEKA_BLESS=1 cargo test -p teeka-app --test bindings
/* eslint-disable */

/**
 * `activities`: the communication activities, newest first.
 */
export type ActivitiesReq = { village_id?: string | null, from?: string | null, to?: string | null, };

export type ActivityFigures = { kind: ActivityKind, count: number, attendance: number, };

/**
 * A communication activity of a village (SMNet's social mobilisation).
 */
export type ActivityKind = "mothers_meeting" | "community_meeting" | "religious_announcement" | "rally" | "miking";

/**
 * A communication activity as recorded.
 */
export type ActivityRecord = { id: string, village_id: string, village: string, date: string, kind: ActivityKind, led_by: string, leader: Persuader | null, attendance: number, note: string | null, };

export type AddChildReq = { household_id: string, name: string, sex: Sex, dob?: string | null, age_months?: number | null, mother_name?: string | null, doses?: Array<DoseInput>, };

export type AddDosesReq = { register_id: string, doses: Array<DoseInput>, };

export type AddPregnantWomanReq = { household_id: string, name: string, lmp?: string | null, edd?: string | null, doses?: Array<DoseInput>, };

/**
 * `add_round`: a round of the campaign with its calendar.
 */
export type AddRoundReq = { number: number, start: string, working_days?: number | null, ri_days?: Array<Day>, holidays?: Array<string>, };

export type AddVillageReq = { name: string, };

/**
 * `add_worker`: `signed_in_pin` is the signed-in worker's own PIN, required once the device has
 * a worker (the first needs none).
 */
export type AddWorkerReq = { name: string, role: WorkerRole, pin: string, signed_in_pin?: string | null, };

export type AefiCounts = { minor: number, severe: number, serious: number, };

export type AefiFigures = { minor: number, severe: number, serious: number, };

/**
 * An adverse event reported (its edits applied).
 */
export type AefiRecord = { id: string, date: string, severity: AefiSeverity, observed: string, codes: Array<DoseCode>, session_id: string | null, 
/**
 * The signs ticked (none in older reports).
 */
signs: Array<AefiSign>, 
/**
 * When it began.
 */
onset: string | null, 
/**
 * Where it was referred.
 */
referral: Referral | null, };

export type AefiReported = { id: string, };

/**
 * How bad an adverse event following immunization is (reference: minor, severe, serious).
 */
export type AefiSeverity = "minor" | "severe" | "serious";

/**
 * A sign seen after vaccination, ticked on the AEFI form. Seizure, unconsciousness,
 * difficulty breathing and anaphylaxis make a report serious ([`AefiSign::minimum_severity`]).
 */
export type AefiSign = "seizure" | "unconscious" | "breathing_difficulty" | "anaphylaxis" | "fever" | "swelling" | "pain" | "abscess" | "rash" | "persistent_crying" | "vomiting";

/**
 * An age as an ANM says it: the parts to say, the others zero. From five years on, years
 * only ("6 years"); from one year, years and months ("1 yr 2 mo"); from one month, completed
 * months ("7 months"); under a month, whole weeks from three weeks on ("3 weeks") and days
 * before that ("16 days": the birth doses are counted in days). Months are completed calendar
 * months, as the schedule counts them ([`completed_months`]).
 */
export type AgeParts = { years: number, months: number, weeks: number, days: number, };

/**
 * A vaccine (antigen) as counted at a session: several doses share one (OPV1–3, OPVB and
 * OPV0 are all OPV). Vials are opened per antigen.
 */
export type Antigen = "BCG" | "HEPB" | "OPV" | "PENTA" | "RVV" | "FIPV" | "PCV" | "MR" | "JE" | "DPT" | "VITA" | "TD";

export type AntigenCount = { antigen: Antigen, doses: number, };

/**
 * Due and vaccinated doses of one antigen: the round's due list (its first day) against the
 * doses given from that day to the report's date.
 */
export type AntigenFigures = { antigen: Antigen, due: number, vaccinated: number, children_due: number, children_vaccinated: number, women_due: number, women_vaccinated: number, };

/**
 * Every code the UI may receive (`docs/app-api.md`, "Error codes"): one vocabulary with the
 * CLI and HTTP. The store's, sync's and the protocol's codes keep their names, so the same
 * failure has the same code everywhere; the app adds only its own (`LOCKED`, `WRONG_PIN`,
 * `PIN_WAIT`, `NOT_ALLOWED`, `CANNOT_OPEN`).
 */
export type AppCode = "LOCKED" | "WRONG_PIN" | "PIN_WAIT" | "NOT_ALLOWED" | "INVALID_INPUT" | "NOT_FOUND" | "UNKNOWN_BENEFICIARY" | "UNKNOWN_VILLAGE" | "REGISTER_INVALID" | "SESSION_CLOSED" | "AEFI_SEVERITY_TOO_LOW" | "ONSET_IN_FUTURE" | "REASON_NOT_APPLICABLE" | "SESSION_IN_FUTURE" | "NOT_ENROLLED" | "NETWORK" | "UNTRUSTED_SERVER" | "UNAUTHORIZED" | "REVOKED" | "CODE_INVALID" | "OUT_OF_SCOPE" | "TOO_LARGE" | "BAD_REQUEST" | "INVALID_EVENT" | "FORBIDDEN_ROLE" | "UNKNOWN_ENTITY" | "AMBIGUOUS_VILLAGE" | "UNSUPPORTED_VERSION" | "UNAVAILABLE" | "INTERNAL" | "STORE_DATABASE" | "STORE_CORRUPT" | "STORE_TOO_NEW" | "DOB_TOO_OLD" | "LMP_TOO_OLD" | "EDD_PAST" | "UNKNOWN_SITE" | "UNKNOWN_ROUND" | "ROUND_EXISTS" | "OUTSIDE_ROUND" | "NO_REFUSAL" | "VIAL_NOT_USABLE" | "NO_DOSES_DUE" | "VIAL_DISCARDED" | "BAD_PACK_WIDTH" | "PACK_FAILED" | "CANNOT_OPEN" | "BAD_ABHA" | "BAD_RCH_ID" | "BAD_UWIN_ID" | "FHIR_INVALID";

/**
 * An error as the UI receives it: a stable `code` and an English `message` that says what and
 * where; `field`, when the error is about one field of the request (its name there: `dob`,
 * `phone`, `doses[1]`), so that a form shows it beside that field. Absent otherwise.
 */
export type AppError = { code: AppCode, message: string, field?: string, };

export type AppState = { language: string | null, workers: Array<Worker>, signed_in: Worker | null, today: string, lock_after_minutes: number, 
/**
 * Seconds left of the wait after too many wrong PINs (null when there is none): the lock
 * screen counts it down.
 */
pin_wait_seconds: number | null, codes: Codes, reasons: Array<ReasonCode>, refusal_reasons: Array<ReasonCode>, antigens: Array<Antigen>, sync: SyncState, };

/**
 * The figures of one area (the JSON's `AREA`, `docs/formats.md`).
 */
export type AreaFigures = { 
/**
 * Its path (`State/District/Block/…`).
 */
area: string, 
/**
 * Its id (`None` for the total of every area); absent from an older server's report.
 */
id: string | null, name: string, level: AreaLevel | null, 
/**
 * Sessions the plan holds on the round's days up to the date, and in the whole round.
 */
sessions_planned: number, sessions_planned_round: number, 
/**
 * Of those planned up to the date: held (a session opened at the site that day), marked
 * not held, and held with records (reporting completeness).
 */
sessions_held: number, sessions_not_held: number, not_held: Array<NotHeldCount>, sessions_reported: number, 
/**
 * `sessions_reported` ÷ (`sessions_planned` − `sessions_not_held`).
 */
reporting_percent: number | null, 
/**
 * Sessions held in the round that its plan does not hold (a routine session, another day).
 */
sessions_unplanned: number, 
/**
 * Doses of the round's due list, and given: the share covered is `covered_percent`.
 */
due: number, vaccinated: number, covered_percent: number | null, children: PeopleFigures, pregnant_women: PeopleFigures, antigens: Array<AntigenFigures>, 
/**
 * FIC among children of 12–23 months the day before the round, on the date, and on each
 * round day up to the date.
 */
fic_before: Fic, fic_after: Fic, fic_by_day: Array<FicDay>, dropout: DropOuts, 
/**
 * Left-outs and drop-outs remaining on the date (children; pregnant women by Td).
 */
left_out: number, drop_out: number, pregnant_left_out: number, pregnant_drop_out: number, 
/**
 * Resistant families whose case was open at some time in the round, by where it stands on
 * the date.
 */
refusal_families: number, refusals_open: number, refusals_still_refusing: number, refusals_persuaded: number, refusals_migrated: number, refusals_escalated: number, 
/**
 * `refusals_persuaded` ÷ (`refusal_families` − `refusals_migrated`).
 */
persuaded_percent: number | null, aefi: AefiFigures, wastage: Array<Wastage>, activities: Array<ActivityFigures>, 
/**
 * `null` in a device's report.
 */
devices: DeviceFigures | null, };

/**
 * Levels of the area hierarchy, from the top.
 */
export type AreaLevel = "state" | "district" | "block" | "subcentre" | "village";

/**
 * `assign_case`: who is to persuade a resistant family.
 */
export type AssignCaseReq = { household: string, persuader: Persuader, name?: string | null, };

/**
 * Who is to persuade a family.
 */
export type Assignment = { persuader: Persuader, name: string | null, };

/**
 * One beneficiary in full.
 */
export type Beneficiary = { doses: Array<DoseRecord>, not_given: Array<NotGivenRecord>, aefi: Array<AefiRecord>, 
/**
 * The doses not yet due, each with the date it falls due, soonest first.
 */
upcoming: Array<DueDose>, id: string, register_id: string, 
/**
 * The household's internal id (uuid).
 */
household_id: string, kind: Kind, name: string, sex: Sex | null, dob: string | null, lmp: string | null, edd: string | null, mother_name: string | null, 
/**
 * The national identifiers, normalised (`docs/formats.md`, "National identifiers").
 */
abha: string | null, rch_id: string | null, uwin_id: string | null, status: BeneficiaryStatus, classification: Classification, fully_immunized: boolean, due: Array<DueDose>, 
/**
 * A newborn registered by a delivery: the mother's register id.
 */
mother: string | null, 
/**
 * A mother whose delivery was recorded: the latest record of it.
 */
delivery: ExportDelivery | null, 
/**
 * The age on the date as an ANM says it (from the date of birth; `null` without one).
 */
age: AgeParts | null, 
/**
 * A pregnant woman without a date of birth: completed weeks of pregnancy from the LMP.
 */
pregnancy_weeks: number | null, village_id: string, village: string, house_no: string | null, head_of_household: string | null, 
/**
 * The household's phone.
 */
phone: string | null, };

export type BeneficiaryReq = { register_id: string, };

/**
 * Whether a beneficiary is still served here. Only `active` ones appear on a due list.
 */
export type BeneficiaryStatus = "active" | "migrated" | "died" | "delivered";

/**
 * One day of the strip.
 */
export type CalendarDay = { date: string, kind: DayKind, 
/**
 * 1 to the round's working days, on a working day; `null` on a day skipped.
 */
working_day: number | null, };

/**
 * A case file's escalation to the block task force (standing: not withdrawn).
 */
export type CaseEscalation = { on: string, note: string | null, };

/**
 * A resistant family's case file: the household, who refused what, who is to persuade them,
 * the visits (by date), the escalation and where the case stands
 * ([`teeka_domain::monitor::case_state`] on the date asked for).
 */
export type CaseFileRecord = { 
/**
 * The household's internal id.
 */
household: string, 
/**
 * The household's register id.
 */
household_id: string, village_id: string, village: string, house_no: string | null, head_of_household: string | null, phone: string | null, 
/**
 * The refusals standing, oldest first.
 */
refusals: Array<CaseRefusal>, assigned: Assignment | null, visits: Array<Visit>, escalated: CaseEscalation | null, state: CaseState, 
/**
 * Days from the first refusal to the date asked for.
 */
days_open: number, };

/**
 * `case_files`: the resistant families' case files, oldest first.
 */
export type CaseFilesReq = { 
/**
 * Only the families of this village.
 */
village_id?: string | null, 
/**
 * Only the cases still to work on (open, still refusing).
 */
open_only?: boolean, 
/**
 * "My families to visit": the cases still to work on first, then the closed ones, each
 * oldest first.
 */
mine?: boolean, };

/**
 * A member of a resistant family and what they refused at one visit.
 */
export type CaseRefusal = { register_id: string, name: string, 
/**
 * The doses refused, in schedule order.
 */
codes: Array<DoseCode>, reason: ReasonCode, date: string, };

/**
 * Where a case stands on a date.
 */
export type CaseState = { status: CaseStatus, 
/**
 * The first refusal standing.
 */
opened_on: string, 
/**
 * The first dose given, of a dose a member refused, on or after that refusal and after the
 * family's latest refusal.
 */
persuaded_on: string | null, 
/**
 * The last visit said "persuaded" and no refused dose is given yet.
 */
agreed_on: string | null, last_visit: string | null, visits: number, escalated_on: string | null, };

/**
 * Where a resistant family's case stands ([`crate::monitor::case_state`]): persuaded once a
 * refused dose has been given since, by itself; migrated or still refusing by the last
 * visit; open otherwise.
 */
export type CaseStatus = "open" | "still_refusing" | "persuaded" | "migrated";

/**
 * What an event did, as data: what the app shows in the worker's language (the audit's `what`
 * is its English wording).
 */
export type Change = { "type": "registered", register_id: string, kind: Kind, fields: Array<string>, } | { "type": "changed", fields: Array<string>, } | { "type": "household_registered", household_id: string, fields: Array<string>, } | { "type": "household_changed", fields: Array<string>, } | { "type": "dose_given", code: DoseCode, date: string, } | { "type": "dose_not_given", code: DoseCode, date: string, reason: ReasonCode, } | { "type": "not_given_withdrawn", records: number, } | { "type": "aefi_reported", severity: AefiSeverity, date: string, } | { "type": "aefi_changed", fields: Array<string>, } | { "type": "delivery_recorded", date: string, outcome: DeliveryOutcome, newborns: number, } | { "type": "area_defined", level: AreaLevel, name: string, } | { "type": "other", kind: string, };

/**
 * Left-out, drop-out or up to date, from the vaccine doses (vitamin A does not count). A
 * pregnant woman is classified by Td ([`classify`]). "Up to date" is the classification alone:
 * doses may be due now (not yet overdue); the screens show how many beside it.
 */
export type Classification = "left_out" | "drop_out" | "up_to_date";

/**
 * `close_ledger_session`: closes a session with its ledger.
 */
export type CloseLedgerSessionReq = { session_id: string, };

export type CloseSessionReq = { session_id: string, vials?: Array<VialsInput>, };

/**
 * The dose codes of each kind of beneficiary, in schedule order.
 */
export type Codes = { child: Array<DoseCode>, pregnant_woman: Array<DoseCode>, };

/**
 * A person of the microplan: a name, and a phone when known.
 */
export type Contact = { name: string, phone: string | null, };

/**
 * A person of a site (its ANM, a mobilizer, the alternate vaccine delivery person).
 */
export type ContactInput = { name: string, phone?: string | null, };

/**
 * Coverage of a register (or one village of it) on a date.
 */
export type Coverage = { date: string, village: string | null, 
/**
 * Active children born on or before the date.
 */
children: number, 
/**
 * Active pregnant women whose LMP is on or before the date.
 */
pregnant_women: number, fic: Fic, dropout: DropOuts, left_out: number, drop_out: number, up_to_date: number, resistant_households: number, 
/**
 * The active pregnant women by Td ([`classify`]): no Td (left out), Td-1 without Td-2
 * once it is due (drop-out), the others (protected or on schedule).
 */
pregnant_left_out: number, pregnant_drop_out: number, pregnant_up_to_date: number, };

/**
 * Coverage of everything, and of each village.
 */
export type CoverageResp = { total: Coverage, villages: Array<VillageCoverage>, };

/**
 * A day of the week, as the microplan and the round calendar write it (`wed`): a site's
 * routine-immunization day, the RI days a round skips.
 */
export type Day = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";

/**
 * What a day of a round's calendar strip is.
 */
export type DayKind = "working" | "sunday" | "ri_day" | "holiday";

/**
 * The mother after her delivery, and the newborns it registered (with their birth doses due).
 */
export type DeliveryDone = { mother: Member, newborns: Array<Member>, };

/**
 * How a pregnancy ended, as the MCP card and the RCH register record it. A live birth
 * registers each newborn; a maternal death also marks the mother died.
 */
export type DeliveryOutcome = "live_birth" | "stillbirth" | "abortion" | "maternal_death";

/**
 * The devices enrolled within an area (the server's report only).
 */
export type DeviceFigures = { enrolled: number, 
/**
 * Not synced in the last 24 hours (or never).
 */
not_synced_24h: number, 
/**
 * Clock off by more than 5 minutes at the last sync.
 */
clock_off: number, };

/**
 * One enrolled device, as a supervisor sees it.
 */
export type DeviceInfo = { device_id: string, 
/**
 * The path of the device's area (`State/District/Block/Subcentre/Village`).
 */
area: string, role: Role, 
/**
 * The worker who recorded its latest event the server holds (the event's author); `None`
 * before it pushed any, and from servers older than this field.
 */
worker: string | null, 
/**
 * When it first enrolled (enrolling again with the same code keeps this time).
 */
enrolled_at: string, 
/**
 * Its last push or pull; `None` if it never synced.
 */
last_sync_at: string | null, 
/**
 * Events waiting on the device, as it reported at its last push.
 */
pending: number | null, 
/**
 * Its clock minus the server's at its last push, in milliseconds.
 */
clock_skew_ms: number | null, 
/**
 * Cut off by the server (`teeka-server revoke`).
 */
revoked: boolean, };

/**
 * Diluents, one per reconstituted vial.
 */
export type Diluents = { BCG: number, MR: number, JE: number, };

/**
 * Why an opened vial was discarded (domain reference §6.1, the open-vial policy).
 */
export type DiscardReason = "SESSION_END" | "TIME_LIMIT" | "VVM_DISCARD" | "EXPIRED" | "CONTAMINATED" | "FROZEN" | "LABEL_MISSING";

/**
 * `discard_vial`: an open vial discarded now, with its reason; the ledger of `session_id`
 * (the session the screen shows) after it.
 */
export type DiscardVialReq = { session_id: string, vial_id: string, reason: DiscardReason, };

/**
 * One dose of the National Immunization Schedule, in schedule order.
 */
export type DoseCode = "BCG" | "HEPB0" | "OPV0" | "OPV1" | "OPV2" | "OPV3" | "PENTA1" | "PENTA2" | "PENTA3" | "RVV1" | "RVV2" | "RVV3" | "FIPV1" | "FIPV2" | "FIPV3" | "PCV1" | "PCV2" | "PCVB" | "MR1" | "MR2" | "JE1" | "JE2" | "DPT1" | "DPT2" | "DPT3" | "DPTB1" | "DPTB2" | "OPVB" | "VITA1" | "VITA2" | "VITA3" | "VITA4" | "VITA5" | "VITA6" | "VITA7" | "VITA8" | "VITA9" | "TD10" | "TD16" | "TD1" | "TD2" | "TDB";

export type DoseCount = { code: DoseCode, doses: number, };

/**
 * A dose from the MCP card.
 */
export type DoseInput = { code: DoseCode, date: string, };

/**
 * A dose on record (corrections applied).
 */
export type DoseRecord = { id: string, code: DoseCode, date: string, flagged: boolean, session_id: string | null, };

/**
 * The status of one dose on one date.
 */
export type DoseStatus = "given" | "due" | "overdue" | "upcoming" | "expired" | "not_applicable";

/**
 * The answer of `add_doses`.
 */
export type DosesAdded = { member: Member, warnings: Array<Warning>, };

/**
 * A drop-out rate between two doses: (from − to) ÷ from × 100, over the children who could
 * have had the later dose on the date: those who have it, or for whom it is overdue (past its
 * due date as the schedule dates it for the child, plus the grace) or expired. A child too
 * young for it, or not yet due it after a late first dose, is no drop-out yet.
 * `docs/schedule.md`, "Coverage".
 */
export type DropOut = { 
/**
 * The active children who could have had the later dose on the date.
 */
cohort: number, 
/**
 * Of them, those with the first dose on record.
 */
from: number, 
/**
 * Of them, those with the later dose on record.
 */
to: number, 
/**
 * Percent with one decimal; `null` when nobody had the first dose.
 */
rate: number | null, };

export type DropOuts = { penta1_penta3: DropOut, penta1_mr1: DropOut, bcg_mr1: DropOut, mr1_mr2: DropOut, };

/**
 * One dose on a due list.
 */
export type DueDose = { code: DoseCode, 
/**
 * `due` or `overdue` (`upcoming` in [`upcoming`]).
 */
status: DoseStatus, due_on: string | null, 
/**
 * When the previous dose of the series was given.
 */
last_on: string | null, };

/**
 * `{}`.
 */
export type Empty = Record<symbol, never>;

/**
 * `enroll`'s request.
 */
export type EnrollReq = { server: string, code: string, 
/**
 * The server's certificate to pin (PEM: its own, or the authority that issued it), as the
 * supervisor hands it over; absent or blank: the system's authorities.
 */
server_cert?: string, };

/**
 * `{code, message}` of the last sync failure.
 */
export type ErrorBody = { code: AppCode, message: string, };

/**
 * `escalate_case`: a case escalated to the block task force today (`escalated: false`
 * withdraws it).
 */
export type EscalateCaseReq = { household: string, escalated: boolean, note?: string | null, };

/**
 * `evening_pack`'s answer: the page saved as PDF and PNG in the app's directory for packs, and
 * the PNG again as a `data:image/png;base64,` URL for the preview.
 */
export type EveningPack = { round: number, on: string, 
/**
 * The report's area: its path, `*` for every area the device holds.
 */
area: string, 
/**
 * Its name, as the page's header shows it.
 */
name: string, lang: PackLang, 
/**
 * The directory the files are in.
 */
dir: string, pdf_path: string, png_path: string, 
/**
 * `evening-pack-<area>-round<N>-<YYYY-MM-DD>-<lang>` (the two files add `.pdf` and `.png`).
 */
file_stem: string, png_width: number, png_height: number, png_data_url: string, };

/**
 * `evening_pack`: the round report of `round_report` (the same area: a village, an area by its
 * path, else the device's), drawn as the task force's one-page evening pack in `lang`.
 */
export type EveningPackReq = { round: number, village_id?: string | null, area?: string | null, on?: string | null, 
/**
 * `en` or `hi`.
 */
lang: PackLang, };

/**
 * How a pregnancy ended (the `delivery_recorded` event that last said so).
 */
export type ExportDelivery = { date: string, outcome: DeliveryOutcome, 
/**
 * The newborns it registered.
 */
live_births: number, };

/**
 * Full immunization among the children aged 12–23 months on the date.
 */
export type Fic = { 
/**
 * Active children who had their first birthday but not their second.
 */
cohort: number, fully_immunized: number, percent: number | null, };

/**
 * FIC on one day of the round.
 */
export type FicDay = { day: string, cohort: number, fully_immunized: number, percent: number | null, };

/**
 * A beneficiary to follow up, with what a supervisor needs to reach them.
 */
export type FollowUpItem = { house_no: string | null, head_of_household: string | null, 
/**
 * The household's phone.
 */
phone: string | null, 
/**
 * A child's mother's name.
 */
mother_name: string | null, 
/**
 * The village's ASHA as a supervisor set her (`set_village_asha`); without one, the ASHA
 * workers of this device (names joined, no phone).
 */
asha_name: string | null, asha_phone: string | null, register_id: string, name: string, kind: Kind, 
/**
 * So that a screen says a child's word in agreement (बच्ची for a girl); `null` when unknown.
 */
sex: Sex | null, 
/**
 * The household's register id (as on the due list).
 */
household_id: string, village: string, classification: Classification, fully_immunized: boolean, doses: Array<DueDose>, 
/**
 * The age on the date as an ANM says it (a child, or anyone with a date of birth).
 */
age: AgeParts | null, 
/**
 * A pregnant woman: completed weeks of pregnancy from the LMP.
 */
pregnancy_weeks: number | null, 
/**
 * A pregnant woman: the expected date of delivery.
 */
edd: string | null, given?: Array<DoseCode>, not_given?: Array<NotGivenCode>, };

/**
 * A member and where they live (search results).
 */
export type Found = { id: string, register_id: string, 
/**
 * The household's internal id (uuid).
 */
household_id: string, kind: Kind, name: string, sex: Sex | null, dob: string | null, lmp: string | null, edd: string | null, mother_name: string | null, 
/**
 * The national identifiers, normalised (`docs/formats.md`, "National identifiers").
 */
abha: string | null, rch_id: string | null, uwin_id: string | null, status: BeneficiaryStatus, classification: Classification, fully_immunized: boolean, due: Array<DueDose>, 
/**
 * A newborn registered by a delivery: the mother's register id.
 */
mother: string | null, 
/**
 * A mother whose delivery was recorded: the latest record of it.
 */
delivery: ExportDelivery | null, 
/**
 * The age on the date as an ANM says it (from the date of birth; `null` without one).
 */
age: AgeParts | null, 
/**
 * A pregnant woman without a date of birth: completed weeks of pregnancy from the LMP.
 */
pregnancy_weeks: number | null, village_id: string, village: string, house_no: string | null, head_of_household: string | null, 
/**
 * The household's phone.
 */
phone: string | null, };

/**
 * One change of a record, as the supervisor's history shows it.
 */
export type HistoryEntry = { event_id: string, 
/**
 * The device's clock when it was made (information only: devices' clocks are wrong).
 */
recorded_at: string, 
/**
 * The worker who made it: name, and stable id (`null` in events from before workers had ids).
 */
author: string, worker: string | null, device_id: string, 
/**
 * Made on this device.
 */
this_device: boolean, 
/**
 * Made here and not yet sent to the server.
 */
pending: boolean, change: Change, 
/**
 * The earlier records it corrects or withdraws.
 */
corrects: Array<string>, 
/**
 * A later record corrects or withdraws it.
 */
corrected: boolean, 
/**
 * The fields it wrote whose value a later write from another device replaced.
 */
lost: Array<string>, };

/**
 * A household with its counts.
 */
export type Household = { id: string, household_id: string, village_id: string, village: string, house_no: string | null, head_of_household: string | null, phone: string | null, risk_category: RiskCategory | null, resistant: boolean, 
/**
 * Beneficiaries (any status).
 */
members: number, 
/**
 * Active members with a dose due or overdue.
 */
due: number, };

export type HouseholdsReq = { village_id: string, };

/**
 * The high-risk-area type of a session site (domain reference §3.3: the polio programme's
 * HRAs and the hard-to-reach areas IMI targets).
 */
export type HraType = "none" | "urban_slum" | "nomadic" | "brick_kiln" | "construction_site" | "riverine" | "forest_tribal" | "hilly" | "other_migrant";

/**
 * The answer of `record_given` and `record_not_given`: the beneficiary's item at the session.
 */
export type ItemRecorded = { item: SessionItem, warnings: Array<Warning>, };

/**
 * Whom a register row describes.
 */
export type Kind = "child" | "pregnant_woman";

/**
 * One antigen of a kit.
 */
export type KitItem = { antigen: Antigen, doses_due: number, doses_needed: number, vials: number, open_vials_usable: number, };

/**
 * The latest not-given record standing of a beneficiary.
 */
export type LastNotGiven = { code: DoseCode, date: string, reason: ReasonCode, note: string | null, };

/**
 * What closing with the ledger did: the session, and its ledger after (vials discarded at the
 * end, those carried forward still open).
 */
export type LedgerClosed = { session: SessionRecord, ledger: SessionLedger, 
/**
 * How many vials were discarded at the closing, and how many carried forward.
 */
discarded: number, carried: number, };

/**
 * The session of a ledger.
 */
export type LedgerSession = { id: string, 
/**
 * The microplan's id of the site it is held at (`S-01`), when it is held at one.
 */
site_id: string | null, 
/**
 * That site's name.
 */
site: string | null, 
/**
 * The village it is recorded at (a site's first village).
 */
village_id: string, village: string, date: string, closed: boolean, };

/**
 * A vial of a session's ledger.
 */
export type LedgerVial = { id: string, 
/**
 * The session that opened it.
 */
session_id: string, antigen: Antigen, batch: string | null, expiry: string | null, vvm: number | null, opened_at: string, 
/**
 * Opened at an earlier session and carried in under the open-vial policy.
 */
carried_in: boolean, discarded: VialDiscard | null, limit: LimitKind, 
/**
 * Minutes left under the 4-hour limit (0 once past), else `null`.
 */
minutes_left: number | null, 
/**
 * Days of use left under the 28-day limit, the day `on` included (0 once past), else `null`.
 */
days_left: number | null, 
/**
 * Past its limit: must not be used.
 */
past_limit: boolean, };

/**
 * Which limit an open vial is under.
 */
export type LimitKind = "four_hours" | "twenty_eight_days" | "session_end";

/**
 * A beneficiary with their doses due on the date and their classification.
 */
export type Member = { id: string, register_id: string, 
/**
 * The household's internal id (uuid).
 */
household_id: string, kind: Kind, name: string, sex: Sex | null, dob: string | null, lmp: string | null, edd: string | null, mother_name: string | null, 
/**
 * The national identifiers, normalised (`docs/formats.md`, "National identifiers").
 */
abha: string | null, rch_id: string | null, uwin_id: string | null, status: BeneficiaryStatus, classification: Classification, fully_immunized: boolean, due: Array<DueDose>, 
/**
 * A newborn registered by a delivery: the mother's register id.
 */
mother: string | null, 
/**
 * A mother whose delivery was recorded: the latest record of it.
 */
delivery: ExportDelivery | null, 
/**
 * The age on the date as an ANM says it (from the date of birth; `null` without one).
 */
age: AgeParts | null, 
/**
 * A pregnant woman without a date of birth: completed weeks of pregnancy from the LMP.
 */
pregnancy_weeks: number | null, };

export type MembersReq = { household_id: string, };

/**
 * Who of a round's due list at a site is still due on a day of the round
 * (`teeka plan mop-up --format json`).
 */
export type MopUp = { round: number, site_id: string, site_name: string, date: string, items: Array<MopUpItem>, };

/**
 * One beneficiary of a mop-up list.
 */
export type MopUpItem = { register_id: string, name: string, kind: Kind, household_id: string, village: string, 
/**
 * The doses still due or overdue on the mop-up's date.
 */
doses: Array<DueDose>, last_not_given: LastNotGiven | null, };

/**
 * `mop_up`: who of the round's due list at a site is still due on a day of the round.
 */
export type MopUpReq = { number: number, site_id: string, date: string, };

export type NewbornInput = { 
/**
 * May be "Baby of <mother>" until the child is named.
 */
name: string, sex: Sex, };

/**
 * A dose not given at a session, and why.
 */
export type NotGivenCode = { code: DoseCode, reason: ReasonCode, 
/**
 * What an "other" reason was.
 */
note: string | null, };

/**
 * A dose not given, on record.
 */
export type NotGivenRecord = { id: string, code: DoseCode, date: string, reason: ReasonCode, session_id: string | null, 
/**
 * What an "other" reason was.
 */
note: string | null, };

export type NotHeldCount = { reason: NotHeldReason, count: number, };

/**
 * Why a planned session was not held.
 */
export type NotHeldReason = "VACCINE_NOT_AVAILABLE" | "ANM_ABSENT" | "MOBILIZER_ABSENT" | "HOLIDAY_DECLARED" | "LAW_AND_ORDER" | "WEATHER" | "OTHER";

/**
 * How `open_pack` opens a file.
 */
export type OpenHow = "open" | "reveal";

/**
 * `open_pack` (the shell's): one file of an evening pack, by its name in the directory for packs
 * (`evening_pack`'s `file_stem` with `.pdf` or `.png`), opened with the system's program for it
 * (`open`) or shown in its folder (`reveal`, desktop only).
 */
export type OpenPackReq = { file: string, how: OpenHow, };

export type OpenSessionReq = { site_id: string, date: string, };

/**
 * `open_site_session`: the session at a microplan site on a day (resumed when it is open).
 */
export type OpenSiteSessionReq = { site_id: string, date: string, };

/**
 * `open_vial`: a vial opened now at an open session.
 */
export type OpenVialReq = { session_id: string, antigen: Antigen, batch?: string | null, expiry?: string | null, vvm?: number | null, };

/**
 * The answer of `open_session`: the session, and whether it was already open at that site and
 * date (then it is resumed, with what it recorded).
 */
export type OpenedSession = { resumed: boolean, id: string, site_id: string, site: string, date: string, closed: boolean, vials: Array<VialsUsed>, };

/**
 * The evening pack's language.
 */
export type PackLang = "en" | "hi";

/**
 * People on the round's due list, and those of them given at least one of their doses due.
 */
export type PeopleFigures = { due: number, vaccinated: number, 
/**
 * Doses due, and given.
 */
doses_due: number, doses_vaccinated: number, };

/**
 * Who persuades a resistant family, or made a visit to one (SMNet's case work: influencers,
 * religious leaders, mothers' meetings).
 */
export type Persuader = "asha" | "anm" | "aww" | "mobilizer" | "religious_leader" | "community_influencer" | "medical_officer";

/**
 * What a supervisor must fix in a plan.
 */
export type PlanProblem = { "code": "NO_ANM", site_id: string, } | { "code": "ANM_OVERBOOKED", anm: string, sessions: number, days: number, };

/**
 * One session of the round's plan: which site, which day, how many expected, and what
 * happened to it.
 */
export type PlanSession = { site_id: string, site_name: string, day: string, 
/**
 * 1-based, among the site's sessions in the round.
 */
number: number, injections: number, 
/**
 * How many beneficiaries are expected (the register ids are not sent).
 */
expected: number, not_held: NotHeldReason | null, note: string | null, 
/**
 * The day the plan first gave it, when it was moved.
 */
moved_from: string | null, };

/**
 * A site as the plan sees it: its due list's size and its sessions.
 */
export type PlanSite = { site_id: string, name: string, type: SiteType, anm: string | null, villages: Array<string>, 
/**
 * Beneficiaries on the round's due list in its villages.
 */
due: number, injections: number, sessions: number, };

/**
 * Why a dose due was not given (reference §4). Refusals mark the household resistant.
 */
export type ReasonCode = "REFUSED_FEAR_AEFI" | "REFUSED_RELIGIOUS" | "REFUSED_FAMILY" | "REFUSED_NO_FAITH" | "REFUSED_OTHER" | "CHILD_SICK" | "NOT_AT_HOME" | "MIGRATED_TEMPORARILY" | "UNAWARE" | "SITE_TOO_FAR" | "VACCINE_OUT_OF_STOCK" | "SESSION_NOT_HELD" | "OTHER";

export type ReasonCount = { reason: ReasonCode, count: number, };

/**
 * `record_activity`: a communication activity held in a village.
 */
export type RecordActivityReq = { village_id: string, date: string, kind: ActivityKind, led_by: string, leader?: Persuader | null, attendance: number, note?: string | null, };

/**
 * `record_case_visit`: a visit to a resistant family.
 */
export type RecordCaseVisitReq = { 
/**
 * The household's internal id.
 */
household: string, date: string, by: Persuader, by_name?: string | null, action: VisitAction, outcome: VisitOutcome, note?: string | null, };

/**
 * `record_delivery`: how a pregnant woman's pregnancy ended; a newborn for each live birth.
 */
export type RecordDeliveryReq = { register_id: string, date: string, outcome: DeliveryOutcome, newborns?: Array<NewbornInput>, };

export type RecordGivenReq = { session_id: string, register_id: string, codes: Array<DoseCode>, };

/**
 * `record_history`: every change of one beneficiary this device holds, newest first.
 */
export type RecordHistory = { register_id: string, name: string, entries: Array<HistoryEntry>, };

export type RecordNotGivenReq = { session_id: string, register_id: string, codes: Array<DoseCode>, reason: ReasonCode, 
/**
 * What the reason was (required for `OTHER`).
 */
note?: string, };

export type RecordRefusalReq = { register_id: string, reason: ReasonCode, 
/**
 * The doses refused, chosen by the worker (absent or empty: every dose due today).
 */
codes?: Array<DoseCode>, 
/**
 * What the reason was (required for `OTHER`).
 */
note?: string, };

/**
 * What the task force must act on.
 */
export type RedItem = { "kind": "low_coverage", area: string, name: string, due: number, vaccinated: number, percent: number, } | { "kind": "not_reported", site_id: string, site_name: string, area: string, day: string, } | { "kind": "old_case", household_id: string, area: string, opened_on: string, days_open: number, status: CaseStatus, } | { "kind": "serious_aefi", register_id: string, area: string, date: string, };

/**
 * Where a severe or serious AEFI was referred (or that it was not).
 */
export type Referral = "not_referred" | "phc" | "chc" | "hospital";

/**
 * A refusal visit, with whom it is about as every list says it: kind, sex and age.
 */
export type Refusal = { 
/**
 * `null` only when the register no longer holds the beneficiary here.
 */
kind: Kind | null, sex: Sex | null, age: AgeParts | null, pregnancy_weeks: number | null, register_id: string, name: string, village: string, house_no: string | null, head_of_household: string | null, 
/**
 * The first dose refused (in schedule order); `codes` has them all.
 */
code: DoseCode, date: string, reason: ReasonCode, 
/**
 * Every dose refused at this visit, in schedule order.
 */
codes: Array<DoseCode>, note: string | null, session_id: string | null, };

/**
 * The round report of an area (`teeka report --format json`, `docs/formats.md`).
 */
export type Report = { round: number, on: string, 
/**
 * The round's working days.
 */
days: Array<string>, total: AreaFigures, 
/**
 * Its child areas, one level down, by name.
 */
areas: Array<AreaFigures>, 
/**
 * The evening pack's bars: the villages of a block or smaller area, the blocks of a
 * district or state.
 */
units: Array<UnitBar>, red_list: Array<RedItem>, };

export type ReportAefiReq = { session_id?: string | null, register_id: string, severity: AefiSeverity, observed: string, codes?: Array<DoseCode>, signs?: Array<AefiSign>, 
/**
 * When it began: RFC 3339 (`2026-03-10T09:30:00+05:30`); required for severe and serious.
 */
onset?: string | null, referral?: Referral | null, };

/**
 * `reschedule_session`: a planned session moved to another working day of the round.
 */
export type RescheduleSessionReq = { number: number, site_id: string, date: string, to: string, };

/**
 * High-risk-area type of a household (reference §3.3).
 */
export type RiskCategory = "urban_slum" | "migratory" | "brick_kiln" | "construction_site" | "nomadic" | "tribal" | "riverine" | "forest_hilly" | "other";

/**
 * What a device may do: an ASHA surveys, an ANM runs sessions, a supervisor oversees a block.
 */
export type Role = "asha" | "anm" | "supervisor";

/**
 * A round with its calendar as it is now (holidays declared since it was made included).
 */
export type Round = { number: number, start: string, working_days: number, ri_days: Array<Day>, holidays: Array<string>, calendar: RoundCalendar, };

/**
 * A round's calendar: every day from its start to its last working day, each marked.
 */
export type RoundCalendar = { days: Array<CalendarDay>, 
/**
 * The working days only, in order (the `days` of `teeka plan calendar`).
 */
working: Array<string>, };

/**
 * `round_calendar`: a round's days before it is stored (the add-round form's preview), or any
 * calendar: the start, its working days (default 7), the RI weekdays and the holidays it skips.
 */
export type RoundCalendarReq = { start: string, working_days?: number | null, ri_days?: Array<Day>, holidays?: Array<string>, };

/**
 * `round_plan`: the round's session plan.
 */
export type RoundPlanReq = { number: number, };

/**
 * A round's plan for the screens.
 */
export type RoundPlanView = { round: Round, sites: Array<PlanSite>, sessions: Array<PlanSession>, problems: Array<PlanProblem>, };

/**
 * `round_report`: a round's report of a village or an area, or of the device's area (`on`:
 * today when absent).
 */
export type RoundReportReq = { round: number, village_id?: string | null, 
/**
 * An area by its path, as a report's `area` names it (the dashboard's tap on an area).
 */
area?: string | null, on?: string | null, };

/**
 * A round's wastage: per site of its plan, and over them all (the vials and doses summed).
 */
export type RoundWastage = { round: number, sites: Array<SiteWastage>, total: Array<Wastage>, };

/**
 * `round_wastage`: the wastage of a round's days, per site and in all.
 */
export type RoundWastageReq = { number: number, };

export type SaveHouseholdReq = { id?: string | null, village_id: string, house_no?: string | null, head_of_household?: string | null, phone?: string | null, risk_category?: RiskCategory | null, };

/**
 * `save_site`: a new site (`new: true`, its `site_id` new on this device) or every field of a
 * known one (only those that changed are recorded). Supervisors and ANMs only.
 */
export type SaveSiteReq = { site_id: string, new?: boolean, name: string, villages: Array<string>, type: SiteType, hra: HraType, anm?: ContactInput | null, mobilizers?: Array<ContactInput>, avd?: ContactInput | null, distance_tenths_km?: number | null, travel_minutes?: number | null, ri_day?: Day | null, };

export type SearchReq = { text: string, village_id?: string | null, };

/**
 * A due-list entry of a session (or of the follow-up list), with what the session recorded.
 */
export type SessionItem = { register_id: string, name: string, kind: Kind, 
/**
 * So that a screen says a child's word in agreement (बच्ची for a girl); `null` when unknown.
 */
sex: Sex | null, 
/**
 * The household's register id (as on the due list).
 */
household_id: string, village: string, classification: Classification, fully_immunized: boolean, doses: Array<DueDose>, 
/**
 * The age on the date as an ANM says it (a child, or anyone with a date of birth).
 */
age: AgeParts | null, 
/**
 * A pregnant woman: completed weeks of pregnancy from the LMP.
 */
pregnancy_weeks: number | null, 
/**
 * A pregnant woman: the expected date of delivery.
 */
edd: string | null, given?: Array<DoseCode>, not_given?: Array<NotGivenCode>, };

/**
 * `{ session_id, register_id }`: one beneficiary at a session (a walk-in just added).
 */
export type SessionItemReq = { session_id: string, register_id: string, };

/**
 * A session's vial ledger (`teeka session show`).
 */
export type SessionLedger = { session: LedgerSession, 
/**
 * The vials opened at the session, then the vials carried in, each by opening time.
 */
vials: Array<LedgerVial>, 
/**
 * Per antigen, the vials carried in that are still open and within their limits.
 */
open_vials_usable: { [key in Antigen]?: number }, 
/**
 * Per antigen, the doses given at the session.
 */
doses_given: { [key in Antigen]?: number }, 
/**
 * Per antigen with a vial opened or a dose given, in kit order.
 */
wastage: Array<Wastage>, };

/**
 * `session_ledger`: a session's vials with the time left on each.
 */
export type SessionLedgerReq = { session_id: string, };

/**
 * `session_not_held`: a planned session not held, with its reason (`note` for `OTHER`).
 */
export type SessionNotHeldReq = { number: number, site_id: string, date: string, reason: NotHeldReason, note?: string | null, };

/**
 * A session on record, with its site's name.
 */
export type SessionRecord = { id: string, site_id: string, site: string, date: string, closed: boolean, vials: Array<VialsUsed>, };

export type SessionReq = { session_id: string, };

export type SetLanguageReq = { language?: string | null, };

/**
 * `set_round_holiday`: a day of the round declared a holiday (`holiday: false` undoes it).
 */
export type SetRoundHolidayReq = { number: number, date: string, holiday: boolean, };

export type SetStatusReq = { register_id: string, status: BeneficiaryStatus, };

/**
 * `{ village_id, asha_name?, asha_phone? }`: a village's ASHA (empty or absent clears).
 */
export type SetVillageAshaReq = { village_id: string, asha_name?: string, asha_phone?: string, };

/**
 * Sex as written on the register.
 */
export type Sex = "M" | "F" | "O";

export type SignInReq = { worker_id: string, pin: string, };

export type SimilarChildrenReq = { village_id: string, name: string, dob?: string | null, };

/**
 * `similar_households`: what the household form holds (either may be empty), and the household
 * being edited, which is left out.
 */
export type SimilarHouseholdsReq = { village_id: string, house_no?: string | null, phone?: string | null, id?: string | null, };

/**
 * A site's carry kit on a day (`teeka plan kit`).
 */
export type SiteKit = { 
/**
 * The microplan's id of the site.
 */
site: string, date: string, items: Array<KitItem>, supplies: Supplies, };

/**
 * `site_kit`: what the carrier must hold for a site on a day (`teeka plan kit`).
 */
export type SiteKitReq = { site_id: string, date: string, };

/**
 * A session site of the microplan, as stored.
 */
export type SiteRecord = { site_id: string, name: string, 
/**
 * The villages it serves that this store knows, in the microplan's order.
 */
villages: Array<SiteVillage>, type: SiteType, hra: HraType, anm: Contact | null, mobilizers: Array<Contact>, avd: Contact | null, 
/**
 * From the cold-chain point, in tenths of a kilometre (25 is 2.5 km).
 */
distance_tenths_km: number | null, travel_minutes: number | null, ri_day: Day | null, };

/**
 * A session site's kind in the microplan (domain reference §3.4).
 */
export type SiteType = "fixed" | "outreach" | "mobile";

/**
 * A village a site serves, as this store knows it.
 */
export type SiteVillage = { id: string, name: string, };

/**
 * One site's wastage over a round's days.
 */
export type SiteWastage = { site_id: string, name: string, wastage: Array<Wastage>, };

/**
 * What goes with the vaccines.
 */
export type Supplies = { 
/**
 * AD syringes of 0.1 ml (BCG, fIPV), with the syringe wastage.
 */
ad_syringes_0_1ml: number, 
/**
 * AD syringes of 0.5 ml (every other injection), with the syringe wastage.
 */
ad_syringes_0_5ml: number, 
/**
 * One per reconstituted vial (BCG, MR, JE).
 */
reconstitution_syringes: number, diluents: Diluents, hub_cutters: number, red_bags: number, black_bags: number, mcp_cards: number, };

/**
 * The sync state the UI shows (`SyncState` of docs/app-api.md): made in one place,
 * `sync::sync_state`, from the store's bookkeeping ([`teeka_store::SyncStatus`]) and the
 * background worker's live part ([`crate::sync::Live`]: `syncing`, the last run's error,
 * `next_attempt_in_s`).
 */
export type SyncState = { enrolled: boolean, server_url: string | null, area: string | null, role: string | null, device_id: string, pending: number, 
/**
 * How many own events the server set aside.
 */
set_aside: number, syncing: boolean, last_success: string | null, last_error: ErrorBody | null, next_attempt_in_s: number | null, };

/**
 * The numbers of a session. `beneficiaries` counts those who received at least one dose at it
 * (split into `children` and `pregnant_women`); not-given records count per reason. Counts are
 * listed in schedule (antigen, dose, reason) order, leaving out zeros.
 */
export type Tally = { session_id: string, by_antigen: Array<AntigenCount>, by_dose: Array<DoseCount>, not_given: Array<ReasonCount>, aefi: AefiCounts, beneficiaries: number, children: number, pregnant_women: number, };

/**
 * `ui_ready`: the UI's first screen is interactive.
 */
export type UiReadyReq = { screen: string, };

/**
 * `undo_not_given`: withdraws what the session recorded as not given to a beneficiary.
 */
export type UndoNotGivenReq = { session_id: string, register_id: string, };

/**
 * One bar of the evening pack's chart: the share of an area's due list covered.
 */
export type UnitBar = { area: string, name: string, due: number, vaccinated: number, percent: number | null, };

/**
 * `update_aefi`: the report's form saved again, whole.
 */
export type UpdateAefiReq = { aefi_id: string, severity: AefiSeverity, observed: string, codes?: Array<DoseCode>, signs?: Array<AefiSign>, onset?: string | null, referral?: Referral | null, };

export type UpdateBeneficiaryReq = { register_id: string, name?: string | null, sex?: Sex | null, dob?: string | null, lmp?: string | null, mother_name?: string | null, 
/**
 * The ABHA number (14 digits; dashes and spaces allowed); empty clears it.
 */
abha?: string | null, 
/**
 * The RCH ID (12 digits); empty clears it.
 */
rch_id?: string | null, 
/**
 * The U-WIN id (4 to 32 letters, digits or dashes); empty clears it.
 */
uwin_id?: string | null, };

/**
 * How a vial was discarded.
 */
export type VialDiscard = { reason: DiscardReason, at: string, 
/**
 * The later session it was discarded at, when it was carried forward.
 */
session_id: string | null, };

export type VialsInput = { antigen: Antigen, opened: number, };

/**
 * Vials of one antigen opened at a session.
 */
export type VialsUsed = { antigen: Antigen, opened: number, };

/**
 * A village with its counts (active beneficiaries; `due`: those with a dose due or overdue).
 */
export type Village = { id: string, name: string, households: number, children: number, pregnant_women: number, due: number, 
/**
 * The village's ASHA (`set_village_asha`).
 */
asha_name: string | null, asha_phone: string | null, };

export type VillageCoverage = { village_id: string, village: string, coverage: Coverage, };

export type VillageFilterReq = { village_id?: string | null, };

/**
 * A visit to a resistant family.
 */
export type Visit = { id: string, date: string, by: Persuader, by_name: string | null, action: VisitAction, outcome: VisitOutcome, note: string | null, };

/**
 * What was done on a visit to a resistant family.
 */
export type VisitAction = "home_visit" | "counselling" | "mothers_meeting" | "religious_leader_visit" | "announcement";

/**
 * How a visit to a resistant family ended, in the worker's words. Whether the family is
 * persuaded is shown by the doses (`monitor::case_status`), not only by this.
 */
export type VisitOutcome = "persuaded" | "still_refusing" | "migrated";

/**
 * Why a dose being recorded is unusual. Serialized as `{"code": …, "params": {…}}` so that the
 * UI can say it in the worker's language; [`fmt::Display`] gives the English sentence the CLI
 * prints.
 */
export type Warning = { "code": "ALREADY_GIVEN", "params": { dose: DoseCode, given_on: string, } } | { "code": "EARLY", "params": { dose: DoseCode, date: string, due_on: string | null, } } | { "code": "PAST_MAX_AGE", "params": { dose: DoseCode, date: string, } } | { "code": "NOT_APPLICABLE", "params": { dose: DoseCode, date: string, } } | { "code": "NOT_ACTIVE", "params": { register_id: string, status: BeneficiaryStatus, } };

/**
 * Vaccine wastage of one antigen over some sessions: (doses in the opened vials − doses given)
 * ÷ doses in the opened vials. More doses given than the opened vials hold is a data error
 * (a vial not recorded, or a dose recorded twice): flagged, and the negative rate shown.
 */
export type Wastage = { antigen: Antigen, vials_opened: number, doses_in_vials: number, doses_given: number, 
/**
 * Percent with one decimal; `null` when no vial was opened.
 */
rate: number | null, 
/**
 * More doses given than the opened vials hold.
 */
data_error: boolean, };

/**
 * A worker of this device (local only), as the UI sees them: never the PIN's hash.
 */
export type Worker = { id: string, name: string, role: WorkerRole, };

/**
 * What a worker signed in on a device does.
 */
export type WorkerRole = "asha" | "anm" | "supervisor";

/** Every local command (`local_commands!` in crates/app): its request, its answer, and
 * whether it changes the register (`write`). */
export type Commands = {
  app_state: { req: Empty; resp: AppState; access: "read" };
  set_language: { req: SetLanguageReq; resp: null; access: "read" };
  add_worker: { req: AddWorkerReq; resp: Worker; access: "read" };
  sign_in: { req: SignInReq; resp: Worker; access: "read" };
  lock: { req: Empty; resp: null; access: "read" };
  touch: { req: Empty; resp: null; access: "read" };
  villages: { req: Empty; resp: Array<Village>; access: "read" };
  add_village: { req: AddVillageReq; resp: Village; access: "write" };
  households: { req: HouseholdsReq; resp: Array<Household>; access: "read" };
  save_household: { req: SaveHouseholdReq; resp: Household; access: "write" };
  members: { req: MembersReq; resp: Array<Member>; access: "read" };
  beneficiary: { req: BeneficiaryReq; resp: Beneficiary; access: "read" };
  add_child: { req: AddChildReq; resp: Member; access: "write" };
  add_pregnant_woman: { req: AddPregnantWomanReq; resp: Member; access: "write" };
  update_beneficiary: { req: UpdateBeneficiaryReq; resp: Member; access: "write" };
  add_doses: { req: AddDosesReq; resp: DosesAdded; access: "write" };
  set_status: { req: SetStatusReq; resp: Member; access: "write" };
  record_refusal: { req: RecordRefusalReq; resp: Member; access: "write" };
  record_delivery: { req: RecordDeliveryReq; resp: DeliveryDone; access: "write" };
  search: { req: SearchReq; resp: Array<Found>; access: "read" };
  similar_children: { req: SimilarChildrenReq; resp: Array<Found>; access: "read" };
  similar_households: { req: SimilarHouseholdsReq; resp: Array<Household>; access: "read" };
  open_session: { req: OpenSessionReq; resp: OpenedSession; access: "write" };
  sessions: { req: Empty; resp: Array<SessionRecord>; access: "read" };
  session_due: { req: SessionReq; resp: Array<SessionItem>; access: "read" };
  session_item: { req: SessionItemReq; resp: SessionItem; access: "read" };
  record_given: { req: RecordGivenReq; resp: ItemRecorded; access: "write" };
  record_not_given: { req: RecordNotGivenReq; resp: ItemRecorded; access: "write" };
  report_aefi: { req: ReportAefiReq; resp: AefiReported; access: "write" };
  update_aefi: { req: UpdateAefiReq; resp: AefiRecord; access: "write" };
  undo_not_given: { req: UndoNotGivenReq; resp: ItemRecorded; access: "write" };
  session_tally: { req: SessionReq; resp: Tally; access: "read" };
  close_session: { req: CloseSessionReq; resp: SessionRecord; access: "write" };
  coverage: { req: Empty; resp: CoverageResp; access: "read" };
  follow_up: { req: VillageFilterReq; resp: Array<FollowUpItem>; access: "read" };
  set_village_asha: { req: SetVillageAshaReq; resp: Village; access: "write" };
  refusals: { req: VillageFilterReq; resp: Array<Refusal>; access: "read" };
  record_history: { req: BeneficiaryReq; resp: RecordHistory; access: "read" };
  round_report: { req: RoundReportReq; resp: Report; access: "read" };
  evening_pack: { req: EveningPackReq; resp: EveningPack; access: "read" };
  round_calendar: { req: RoundCalendarReq; resp: RoundCalendar; access: "read" };
  sites: { req: Empty; resp: Array<SiteRecord>; access: "read" };
  save_site: { req: SaveSiteReq; resp: SiteRecord; access: "write" };
  rounds: { req: Empty; resp: Array<Round>; access: "read" };
  add_round: { req: AddRoundReq; resp: Round; access: "write" };
  set_round_holiday: { req: SetRoundHolidayReq; resp: Round; access: "write" };
  round_plan: { req: RoundPlanReq; resp: RoundPlanView; access: "read" };
  session_not_held: { req: SessionNotHeldReq; resp: RoundPlanView; access: "write" };
  reschedule_session: { req: RescheduleSessionReq; resp: RoundPlanView; access: "write" };
  mop_up: { req: MopUpReq; resp: MopUp; access: "read" };
  round_wastage: { req: RoundWastageReq; resp: RoundWastage; access: "read" };
  site_kit: { req: SiteKitReq; resp: SiteKit; access: "read" };
  open_site_session: { req: OpenSiteSessionReq; resp: OpenedSession; access: "write" };
  session_ledger: { req: SessionLedgerReq; resp: SessionLedger; access: "read" };
  open_vial: { req: OpenVialReq; resp: SessionLedger; access: "write" };
  discard_vial: { req: DiscardVialReq; resp: SessionLedger; access: "write" };
  close_ledger_session: { req: CloseLedgerSessionReq; resp: LedgerClosed; access: "write" };
  case_files: { req: CaseFilesReq; resp: Array<CaseFileRecord>; access: "read" };
  record_case_visit: { req: RecordCaseVisitReq; resp: CaseFileRecord; access: "write" };
  assign_case: { req: AssignCaseReq; resp: CaseFileRecord; access: "write" };
  escalate_case: { req: EscalateCaseReq; resp: CaseFileRecord; access: "write" };
  record_activity: { req: RecordActivityReq; resp: ActivityRecord; access: "write" };
  activities: { req: ActivitiesReq; resp: Array<ActivityRecord>; access: "read" };
  sync_state: { req: Empty; resp: SyncState; access: "read" };
  sync_now: { req: Empty; resp: SyncState; access: "shell" };
  enroll: { req: EnrollReq; resp: SyncState; access: "shell" };
  devices: { req: Empty; resp: Array<DeviceInfo>; access: "shell" };
  ui_ready: { req: UiReadyReq; resp: null; access: "shell" };
  open_pack: { req: OpenPackReq; resp: null; access: "shell" };
};

/** Every dose code, in schedule order. */
export const DOSE_CODES = ["BCG", "HEPB0", "OPV0", "OPV1", "OPV2", "OPV3", "PENTA1", "PENTA2", "PENTA3", "RVV1", "RVV2", "RVV3", "FIPV1", "FIPV2", "FIPV3", "PCV1", "PCV2", "PCVB", "MR1", "MR2", "JE1", "JE2", "DPT1", "DPT2", "DPT3", "DPTB1", "DPTB2", "OPVB", "VITA1", "VITA2", "VITA3", "VITA4", "VITA5", "VITA6", "VITA7", "VITA8", "VITA9", "TD10", "TD16", "TD1", "TD2", "TDB"] as const;
/** Every antigen. */
export const ANTIGENS = ["BCG", "HEPB", "OPV", "PENTA", "RVV", "FIPV", "PCV", "MR", "JE", "DPT", "VITA", "TD"] as const;
/** Why a dose was not given. */
export const REASONS = ["REFUSED_FEAR_AEFI", "REFUSED_RELIGIOUS", "REFUSED_FAMILY", "REFUSED_NO_FAITH", "REFUSED_OTHER", "CHILD_SICK", "NOT_AT_HOME", "MIGRATED_TEMPORARILY", "UNAWARE", "SITE_TOO_FAR", "VACCINE_OUT_OF_STOCK", "SESSION_NOT_HELD", "OTHER"] as const;
/** The reasons that are refusals. */
export const REFUSAL_REASONS = ["REFUSED_FEAR_AEFI", "REFUSED_RELIGIOUS", "REFUSED_FAMILY", "REFUSED_NO_FAITH", "REFUSED_OTHER"] as const;
/** High-risk-area types of a household. */
export const RISK_CATEGORIES = ["urban_slum", "migratory", "brick_kiln", "construction_site", "nomadic", "tribal", "riverine", "forest_hilly", "other"] as const;
/** Every error code the UI may receive. */
export const ERROR_CODES = ["LOCKED", "WRONG_PIN", "PIN_WAIT", "NOT_ALLOWED", "INVALID_INPUT", "NOT_FOUND", "UNKNOWN_BENEFICIARY", "UNKNOWN_VILLAGE", "REGISTER_INVALID", "SESSION_CLOSED", "AEFI_SEVERITY_TOO_LOW", "ONSET_IN_FUTURE", "REASON_NOT_APPLICABLE", "SESSION_IN_FUTURE", "NOT_ENROLLED", "NETWORK", "UNTRUSTED_SERVER", "UNAUTHORIZED", "REVOKED", "CODE_INVALID", "OUT_OF_SCOPE", "TOO_LARGE", "BAD_REQUEST", "INVALID_EVENT", "FORBIDDEN_ROLE", "UNKNOWN_ENTITY", "AMBIGUOUS_VILLAGE", "UNSUPPORTED_VERSION", "UNAVAILABLE", "INTERNAL", "STORE_DATABASE", "STORE_CORRUPT", "STORE_TOO_NEW", "DOB_TOO_OLD", "LMP_TOO_OLD", "EDD_PAST", "UNKNOWN_SITE", "UNKNOWN_ROUND", "ROUND_EXISTS", "OUTSIDE_ROUND", "NO_REFUSAL", "VIAL_NOT_USABLE", "NO_DOSES_DUE", "VIAL_DISCARDED", "BAD_PACK_WIDTH", "PACK_FAILED", "CANNOT_OPEN", "BAD_ABHA", "BAD_RCH_ID", "BAD_UWIN_ID", "FHIR_INVALID"] as const;
/** The codes of the core's warnings. */
export const WARNING_CODES = ["ALREADY_GIVEN", "EARLY", "PAST_MAX_AGE", "NOT_APPLICABLE", "NOT_ACTIVE"] as const;
/** A beneficiary's classification. */
export const CLASSIFICATIONS = ["left_out", "drop_out", "up_to_date"] as const;
/** AEFI severities. */
export const SEVERITIES = ["minor", "severe", "serious"] as const;
/** The reasons that apply to a child (`ReasonCode::applies_to`). */
export const CHILD_REASONS = ["REFUSED_FEAR_AEFI", "REFUSED_RELIGIOUS", "REFUSED_FAMILY", "REFUSED_NO_FAITH", "REFUSED_OTHER", "CHILD_SICK", "NOT_AT_HOME", "MIGRATED_TEMPORARILY", "UNAWARE", "SITE_TOO_FAR", "VACCINE_OUT_OF_STOCK", "SESSION_NOT_HELD", "OTHER"] as const;
/** The reasons that apply to a pregnant woman (`ReasonCode::applies_to`). */
export const PREGNANT_WOMAN_REASONS = ["REFUSED_FEAR_AEFI", "REFUSED_RELIGIOUS", "REFUSED_FAMILY", "REFUSED_NO_FAITH", "REFUSED_OTHER", "NOT_AT_HOME", "MIGRATED_TEMPORARILY", "UNAWARE", "SITE_TOO_FAR", "VACCINE_OUT_OF_STOCK", "SESSION_NOT_HELD", "OTHER"] as const;
/** The reasons that need a note saying what they were. */
export const NOTE_REASONS = ["REFUSED_OTHER", "OTHER"] as const;
/** The longest note, in characters. */
export const MAX_NOTE = 100;
/** Signs ticked on the AEFI form. */
export const AEFI_SIGNS = ["seizure", "unconscious", "breathing_difficulty", "anaphylaxis", "fever", "swelling", "pain", "abscess", "rash", "persistent_crying", "vomiting"] as const;
/** The signs that make an AEFI serious (`AefiSign::minimum_severity`). */
export const SERIOUS_SIGNS = ["seizure", "unconscious", "breathing_difficulty", "anaphylaxis"] as const;
/** Where an AEFI was referred. */
export const REFERRALS = ["not_referred", "phc", "chc", "hospital"] as const;
/** Workers' roles. */
export const ROLES = ["asha", "anm", "supervisor"] as const;
/** Beneficiaries' statuses. */
export const STATUSES = ["active", "migrated", "died", "delivered"] as const;
/** How a pregnancy ended. */
export const DELIVERY_OUTCOMES = ["live_birth", "stillbirth", "abortion", "maternal_death"] as const;
/** Who may be assigned to persuade a resistant family, or visit it. */
export const PERSUADERS = ["asha", "anm", "aww", "mobilizer", "religious_leader", "community_influencer", "medical_officer"] as const;
/** What was done at a visit to a resistant family. */
export const VISIT_ACTIONS = ["home_visit", "counselling", "mothers_meeting", "religious_leader_visit", "announcement"] as const;
/** How a visit to a resistant family ended. */
export const VISIT_OUTCOMES = ["persuaded", "still_refusing", "migrated"] as const;
/** Communication activities. */
export const ACTIVITY_KINDS = ["mothers_meeting", "community_meeting", "religious_announcement", "rally", "miking"] as const;
/** The most people an activity may count. */
export const MAX_ATTENDANCE = 10000;
/** The antigen of each dose code (vials and the tally count per antigen). */
export const DOSE_ANTIGENS: Record<DoseCode, Antigen> = { BCG: "BCG", HEPB0: "HEPB", OPV0: "OPV", OPV1: "OPV", OPV2: "OPV", OPV3: "OPV", PENTA1: "PENTA", PENTA2: "PENTA", PENTA3: "PENTA", RVV1: "RVV", RVV2: "RVV", RVV3: "RVV", FIPV1: "FIPV", FIPV2: "FIPV", FIPV3: "FIPV", PCV1: "PCV", PCV2: "PCV", PCVB: "PCV", MR1: "MR", MR2: "MR", JE1: "JE", JE2: "JE", DPT1: "DPT", DPT2: "DPT", DPT3: "DPT", DPTB1: "DPT", DPTB2: "DPT", OPVB: "OPV", VITA1: "VITA", VITA2: "VITA", VITA3: "VITA", VITA4: "VITA", VITA5: "VITA", VITA6: "VITA", VITA7: "VITA", VITA8: "VITA", VITA9: "VITA", TD10: "TD", TD16: "TD", TD1: "TD", TD2: "TD", TDB: "TD" };
