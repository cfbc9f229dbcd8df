// Typed wrappers for every command of docs/app-api.md. The only module that calls `invoke`.
// Every command takes one argument named `req`; failures reject with `{ code, message }`.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";

export type Role = "asha" | "anm" | "supervisor";
export type Lang = string;
export type Classification = "left_out" | "drop_out" | "up_to_date";
export type Severity = "minor" | "severe" | "serious";
export type Kind = "child" | "pregnant_woman";
export type Status = "active" | "migrated" | "died";
export type Sex = "M" | "F" | "O";

export interface ApiError {
  code: string;
  message: string;
}

export interface Worker {
  id: string;
  name: string;
  role: Role;
}
export interface Village {
  id: string;
  name: string;
  households: number;
  children: number;
  pregnant_women: number;
  due: number;
}
export interface Household {
  id: string;
  household_id: string;
  village_id: string;
  village: string;
  house_no: string | null;
  head_of_household: string | null;
  phone: string | null;
  risk_category: string | null;
  resistant: boolean;
  members: number;
  due: number;
}
export interface DueDose {
  code: string;
  status: "due" | "overdue";
  due_on: string | null;
  last_on: string | null;
}
export interface Member {
  id: string;
  register_id: string;
  household_id: string;
  kind: Kind;
  name: string;
  sex: Sex | null;
  dob: string | null;
  lmp: string | null;
  edd: string | null;
  mother_name: string | null;
  status: Status;
  classification: Classification;
  fully_immunized: boolean;
  due: DueDose[];
}
export interface Place {
  village_id: string;
  village: string;
  house_no: string | null;
  head_of_household: string | null;
}
export interface DoseRecord {
  id: string;
  code: string;
  date: string;
  flagged: boolean;
  session_id: string | null;
}
export interface NotGivenRecord {
  id: string;
  code: string;
  date: string;
  reason: string;
  session_id: string | null;
}
export interface AefiRecord {
  id: string;
  date: string;
  severity: Severity;
  observed: string;
  codes: string[];
  session_id: string | null;
}
export type Beneficiary = Member &
  Place & { doses: DoseRecord[]; not_given: NotGivenRecord[]; aefi: AefiRecord[] };
export type Found = Member & Place;
export interface Session {
  id: string;
  site_id: string;
  site: string;
  date: string;
  closed: boolean;
  vials: { antigen: string; opened: number }[];
}
export interface SessionItem {
  register_id: string;
  name: string;
  kind: Kind;
  household_id: string;
  village: string;
  classification: Classification;
  fully_immunized: boolean;
  doses: DueDose[];
  given?: string[];
  not_given?: { code: string; reason: string }[];
}
export interface Tally {
  session_id: string;
  by_antigen: { antigen: string; doses: number }[];
  by_dose: { code: string; doses: number }[];
  not_given: { reason: string; count: number }[];
  aefi: { minor: number; severe: number; serious: number };
  beneficiaries: number;
  children: number;
  pregnant_women: number;
}
export interface SyncState {
  enrolled: boolean;
  server_url: string | null;
  area: string | null;
  role: string | null;
  device_id: string | null;
  pending: number;
  set_aside: number;
  syncing: boolean;
  last_success: string | null;
  last_error: ApiError | null;
  next_attempt_in_s: number | null;
}
export interface AppState {
  language: Lang | null;
  workers: Worker[];
  signed_in: Worker | null;
  today: string;
  lock_after_minutes: number;
  codes: { child: string[]; pregnant_woman: string[] };
  reasons: string[];
  refusal_reasons: string[];
  antigens: string[];
  sync: SyncState;
}
export interface Dropout {
  from: number;
  to: number;
  rate: number | null;
}
export interface Coverage {
  date: string;
  village: string | null;
  children: number;
  pregnant_women: number;
  fic: { cohort: number; fully_immunized: number; percent: number | null };
  dropout: {
    penta1_penta3: Dropout;
    penta1_mr1: Dropout;
    bcg_mr1: Dropout;
    mr1_mr2: Dropout;
  };
  left_out: number;
  drop_out: number;
  up_to_date: number;
  resistant_households: number;
}
export interface CoverageReport {
  total: Coverage;
  villages: { village_id: string; village: string; coverage: Coverage }[];
}
export interface Refusal {
  register_id: string;
  name: string;
  village: string;
  house_no: string | null;
  head_of_household: string | null;
  code: string;
  date: string;
  reason: string;
}
export interface Device {
  device_id: string;
  area: string;
  role: string;
  enrolled_at: string;
  last_sync_at: string | null;
  pending: number;
  clock_skew_ms: number | null;
  revoked: boolean;
}
export interface DoseEntry {
  code: string;
  date: string;
}
/** Why a record is unusual (it was saved): `code` with its `params` (dose codes, ISO dates,
 * register ids, statuses), translated by the UI. */
export interface Warning {
  code: string;
  params: Record<string, string | null>;
}
export interface Recorded {
  item: SessionItem;
  warnings: Warning[];
}

/** Turns whatever a rejected invoke gives into `{ code, message }`. */
export function toApiError(e: unknown): ApiError {
  if (e && typeof e === "object" && typeof (e as ApiError).code === "string") {
    const o = e as ApiError;
    return { code: o.code, message: typeof o.message === "string" ? o.message : "" };
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

async function call<T>(name: string, req: object = {}): Promise<T> {
  try {
    return (await invoke<T>(name, { req })) as T;
  } catch (raw) {
    const e = toApiError(raw);
    for (const l of errorListeners.slice()) l(e);
    throw e;
  }
}

export const api = {
  // Start, workers, language
  appState: () => call<AppState>("app_state"),
  setLanguage: (language: Lang) => call<null>("set_language", { language }),
  addWorker: (name: string, role: Role, pin: string) => call<Worker>("add_worker", { name, role, pin }),
  signIn: (worker_id: string, pin: string) => call<Worker>("sign_in", { worker_id, pin }),
  lock: () => call<null>("lock"),
  touch: () => call<null>("touch"),
  uiReady: (screen: string) => call<null>("ui_ready", { screen }),
  // Survey
  villages: () => call<Village[]>("villages"),
  addVillage: (name: string) => call<Village>("add_village", { name }),
  households: (village_id: string) => call<Household[]>("households", { village_id }),
  saveHousehold: (h: {
    id?: string;
    village_id: string;
    house_no: string;
    head_of_household: string;
    phone: string;
    risk_category: string | null;
  }) => call<Household>("save_household", h),
  members: (household_id: string) => call<Member[]>("members", { household_id }),
  beneficiary: (register_id: string) => call<Beneficiary>("beneficiary", { register_id }),
  addChild: (c: {
    household_id: string;
    name: string;
    sex: Sex;
    dob?: string;
    age_months?: number;
    mother_name?: string;
    doses: DoseEntry[];
  }) => call<Member>("add_child", c),
  addPregnantWoman: (w: { household_id: string; name: string; lmp?: string; edd?: string; doses: DoseEntry[] }) =>
    call<Member>("add_pregnant_woman", w),
  updateBeneficiary: (u: {
    register_id: string;
    name?: string;
    sex?: Sex;
    dob?: string;
    lmp?: string;
    mother_name?: string;
  }) => call<Member>("update_beneficiary", u),
  addDoses: (register_id: string, doses: DoseEntry[]) =>
    call<{ member: Member; warnings: Warning[] }>("add_doses", { register_id, doses }),
  setStatus: (register_id: string, status: Status) => call<Member>("set_status", { register_id, status }),
  recordRefusal: (register_id: string, reason: string) => call<Member>("record_refusal", { register_id, reason }),
  search: (text: string, village_id?: string) => call<Found[]>("search", { text, village_id }),
  similarChildren: (village_id: string, name: string, dob?: string) =>
    call<Found[]>("similar_children", { village_id, name, dob }),
  // Session
  openSession: (site_id: string, date: string) => call<Session>("open_session", { site_id, date }),
  sessions: () => call<Session[]>("sessions"),
  sessionDue: (session_id: string) => call<SessionItem[]>("session_due", { session_id }),
  recordGiven: (session_id: string, register_id: string, codes: string[]) =>
    call<Recorded>("record_given", { session_id, register_id, codes }),
  recordNotGiven: (session_id: string, register_id: string, codes: string[], reason: string) =>
    call<Recorded>("record_not_given", { session_id, register_id, codes, reason }),
  reportAefi: (a: { session_id?: string; register_id: string; severity: Severity; observed: string; codes: string[] }) =>
    call<{ id: string }>("report_aefi", a),
  sessionTally: (session_id: string) => call<Tally>("session_tally", { session_id }),
  closeSession: (session_id: string, vials: { antigen: string; opened: number }[]) =>
    call<Session>("close_session", { session_id, vials }),
  // Supervisor
  coverage: () => call<CoverageReport>("coverage"),
  followUp: (village_id?: string) => call<SessionItem[]>("follow_up", { village_id }),
  refusals: (village_id?: string) => call<Refusal[]>("refusals", { village_id }),
  devices: () => call<Device[]>("devices"),
  // Sync
  syncState: () => call<SyncState>("sync_state"),
  enroll: (server: string, code: string) => call<SyncState>("enroll", { server, code }),
  syncNow: () => call<SyncState>("sync_now"),
};

export type Api = typeof api;

/** The shell's events: `sync-state` (payload SyncState) and `data-changed`. */
export function onSyncState(f: (s: SyncState) => void): Promise<UnlistenFn> {
  return listen<SyncState>("sync-state", (e) => f(e.payload));
}
export function onDataChanged(f: () => void): Promise<UnlistenFn> {
  return listen("data-changed", () => f());
}
