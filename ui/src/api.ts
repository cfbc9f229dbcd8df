// The only module that calls `invoke`: a typed `call` over the commands of docs/app-api.md, and
// the small wrappers the screens use. Every command takes one argument named `req`; failures
// reject with `{ code, message }`. The types come from ./bindings (generated from the Rust types:
// `TEEKA_BLESS=1 cargo test -p teeka-app --test bindings`).
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type {
  AefiSeverity,
  AefiSign,
  Referral,
  BeneficiaryStatus,
  Commands,
  DiscardReason,
  DoseCode,
  DoseInput,
  ReasonCode,
  SyncState,
  VialsInput,
  WorkerRole,
} from "./bindings";

/** A failed command as the UI sees it. Wider than the generated `AppError`: the shell's own
 * failures and whatever a rejected invoke gives end up here too (`UNKNOWN` when unreadable). */
export interface ApiError {
  code: string;
  message: string;
  /** The request's field the error is about, when it is about one (a form shows it there). */
  field?: string;
}

/** Every command the UI may invoke (generated from `local_commands!`, the shell's included). */
export type AllCommands = Commands;
export type CommandName = keyof AllCommands;
export type Req<K extends CommandName> = AllCommands[K]["req"];
export type Resp<K extends CommandName> = AllCommands[K]["resp"];

/** Turns whatever a rejected invoke gives into `{ code, message }`. */
export function toApiError(e: unknown): ApiError {
  if (e && typeof e === "object" && typeof (e as ApiError).code === "string") {
    const o = e as ApiError;
    const out: ApiError = { code: o.code, message: typeof o.message === "string" ? o.message : "" };
    if (typeof o.field === "string") out.field = o.field;
    return out;
  }
  if (typeof e === "string") {
    try {
      return toApiError(JSON.parse(e));
    } catch {
      return { code: "UNKNOWN", message: e };
    }
  }
  return { code: "UNKNOWN", message: String(e) };
}

type Listener = (e: ApiError) => void;
const errorListeners: Listener[] = [];
/** Called on every failed command (used to return to the lock screen on `LOCKED`). */
export function onApiError(l: Listener): () => void {
  errorListeners.push(l);
  return () => {
    const i = errorListeners.indexOf(l);
    if (i >= 0) errorListeners.splice(i, 1);
  };
}

/** Runs a command with its request; the answer has the command's response type. */
export async function call<K extends CommandName>(name: K, req: Req<K>): Promise<Resp<K>> {
  try {
    return await invoke<Resp<K>>(name, { req });
  } catch (raw) {
    const e = toApiError(raw);
    for (const l of errorListeners.slice()) l(e);
    throw e;
  }
}

export const api = {
  // Start, workers, language
  appState: () => call("app_state", {}),
  setLanguage: (language: string) => call("set_language", { language }),
  /** `signed_in_pin`: the signed-in worker's own PIN (not for the first worker). */
  addWorker: (name: string, role: WorkerRole, pin: string, signed_in_pin?: string) =>
    call("add_worker", signed_in_pin === undefined ? { name, role, pin } : { name, role, pin, signed_in_pin }),
  signIn: (worker_id: string, pin: string) => call("sign_in", { worker_id, pin }),
  lock: () => call("lock", {}),
  touch: () => call("touch", {}),
  uiReady: (screen: string) => call("ui_ready", { screen }),
  // Survey
  villages: () => call("villages", {}),
  addVillage: (name: string) => call("add_village", { name }),
  households: (village_id: string) => call("households", { village_id }),
  saveHousehold: (h: Req<"save_household">) => call("save_household", h),
  members: (household_id: string) => call("members", { household_id }),
  beneficiary: (register_id: string) => call("beneficiary", { register_id }),
  addChild: (c: Req<"add_child">) => call("add_child", c),
  addPregnantWoman: (w: Req<"add_pregnant_woman">) => call("add_pregnant_woman", w),
  updateBeneficiary: (u: Req<"update_beneficiary">) => call("update_beneficiary", u),
  addDoses: (register_id: string, doses: DoseInput[]) => call("add_doses", { register_id, doses }),
  setStatus: (register_id: string, status: BeneficiaryStatus) => call("set_status", { register_id, status }),
  recordRefusal: (register_id: string, reason: ReasonCode, codes?: DoseCode[], note?: string) =>
    call("record_refusal", { register_id, reason, ...(codes ? { codes } : {}), ...(note ? { note } : {}) }),
  recordDelivery: (d: Req<"record_delivery">) => call("record_delivery", d),
  search: (text: string, village_id?: string) => call("search", { text, village_id }),
  similarChildren: (village_id: string, name: string, dob?: string) =>
    call("similar_children", { village_id, name, dob }),
  similarHouseholds: (village_id: string, house_no: string, phone: string, id?: string) =>
    call("similar_households", { village_id, house_no: house_no || null, phone: phone || null, id: id ?? null }),
  // Session
  openSession: (site_id: string, date: string) => call("open_session", { site_id, date }),
  sessions: () => call("sessions", {}),
  sessionDue: (session_id: string) => call("session_due", { session_id }),
  sessionItem: (session_id: string, register_id: string) => call("session_item", { session_id, register_id }),
  recordGiven: (session_id: string, register_id: string, codes: DoseCode[]) =>
    call("record_given", { session_id, register_id, codes }),
  recordNotGiven: (session_id: string, register_id: string, codes: DoseCode[], reason: ReasonCode, note?: string) =>
    call("record_not_given", note === undefined ? { session_id, register_id, codes, reason } : { session_id, register_id, codes, reason, note }),
  undoNotGiven: (session_id: string, register_id: string) => call("undo_not_given", { session_id, register_id }),
  reportAefi: (a: {
    session_id?: string;
    register_id: string;
    severity: AefiSeverity;
    observed: string;
    codes: DoseCode[];
    signs?: AefiSign[];
    onset?: string | null;
    referral?: Referral | null;
  }) => call("report_aefi", a),
  updateAefi: (a: Req<"update_aefi">) => call("update_aefi", a),
  sessionTally: (session_id: string) => call("session_tally", { session_id }),
  closeSession: (session_id: string, vials: VialsInput[]) => call("close_session", { session_id, vials }),
  // Supervisor
  coverage: () => call("coverage", {}),
  followUp: (village_id?: string) => call("follow_up", { village_id }),
  setVillageAsha: (r: Req<"set_village_asha">) => call("set_village_asha", r),
  refusals: (village_id?: string) => call("refusals", { village_id }),
  recordHistory: (register_id: string) => call("record_history", { register_id }),
  devices: () => call("devices", {}),
  roundReport: (r: Req<"round_report">) => call("round_report", r),
  eveningPack: (r: Req<"evening_pack">) => call("evening_pack", r),
  openPack: (r: Req<"open_pack">) => call("open_pack", r),
  // Round (the campaign)
  roundCalendar: (r: Req<"round_calendar">) => call("round_calendar", r),
  sites: () => call("sites", {}),
  saveSite: (r: Req<"save_site">) => call("save_site", r),
  rounds: () => call("rounds", {}),
  addRound: (r: Req<"add_round">) => call("add_round", r),
  setRoundHoliday: (number: number, date: string, holiday: boolean) => call("set_round_holiday", { number, date, holiday }),
  roundPlan: (number: number) => call("round_plan", { number }),
  sessionNotHeld: (r: Req<"session_not_held">) => call("session_not_held", r),
  rescheduleSession: (r: Req<"reschedule_session">) => call("reschedule_session", r),
  mopUp: (number: number, site_id: string, date: string) => call("mop_up", { number, site_id, date }),
  roundWastage: (number: number) => call("round_wastage", { number }),
  siteKit: (site_id: string, date: string) => call("site_kit", { site_id, date }),
  openSiteSession: (site_id: string, date: string) => call("open_site_session", { site_id, date }),
  sessionLedger: (session_id: string) => call("session_ledger", { session_id }),
  openVial: (r: Req<"open_vial">) => call("open_vial", r),
  discardVial: (session_id: string, vial_id: string, reason: DiscardReason) => call("discard_vial", { session_id, vial_id, reason }),
  closeLedgerSession: (session_id: string) => call("close_ledger_session", { session_id }),
  // Case files and communication activities
  caseFiles: (r: Req<"case_files">) => call("case_files", r),
  recordCaseVisit: (r: Req<"record_case_visit">) => call("record_case_visit", r),
  assignCase: (r: Req<"assign_case">) => call("assign_case", r),
  escalateCase: (r: Req<"escalate_case">) => call("escalate_case", r),
  recordActivity: (r: Req<"record_activity">) => call("record_activity", r),
  activities: (r: Req<"activities">) => call("activities", r),
  // Sync
  syncState: () => call("sync_state", {}),
  enroll: (server: string, code: string, serverCert?: string) =>
    call("enroll", serverCert ? { server, code, server_cert: serverCert } : { server, code }),
  syncNow: () => call("sync_now", {}),
};

export type Api = typeof api;

/** The shell's events: `sync-state` (payload SyncState) and `data-changed`. */
export function onSyncState(f: (s: SyncState) => void): Promise<UnlistenFn> {
  return listen<SyncState>("sync-state", (e) => f(e.payload));
}
export function onDataChanged(f: () => void): Promise<UnlistenFn> {
  return listen("data-changed", () => f());
}
