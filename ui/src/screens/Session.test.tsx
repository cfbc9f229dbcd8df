// The ANM's session screen against a fake core (issue 9, items 5–7): opening (resumed, never in
// the future), doses not given (chosen, with reasons that apply and a note for "other", undone),
// the AEFI form (danger signs, onset and referral, reopened with what was saved), and closing
// with doses given and no vial opened.
import { afterEach, describe, expect, it } from "vitest";
import { en } from "../i18n/en";
import { onsetInstant } from "../lib/aefi";
import { appState, calledWith, cleanup, click, fail, mount, q, qa, setLang, text, tick, type } from "../test/harness";

const village = { id: "v1", name: "Rampur", households: 1, children: 1, pregnant_women: 1, due: 2 };
const session = (over: Record<string, unknown> = {}) => ({ id: "s1", site_id: "v1", site: "Rampur", date: "2026-11-22", closed: false, vials: [], ...over });
const due = (code: string) => ({ code, status: "due", due_on: "2026-11-01", last_on: null });
type Item = { register_id: string; kind: string; not_given: { code: string; reason: string; note: string | null }[]; [k: string]: unknown };
const child = (): Item => ({
  register_id: "C-1", name: "Aarav", kind: "child", household_id: "HH-1", village: "Rampur", classification: "drop_out",
  fully_immunized: false, doses: [due("OPV2"), due("PENTA2"), due("RVV2")], given: ["PCV1"], not_given: [],
});
const woman = (): Item => ({
  register_id: "W-1", name: "Kamla", kind: "pregnant_woman", household_id: "HH-1", village: "Rampur", classification: "drop_out",
  fully_immunized: false, doses: [due("TD2")], given: [], not_given: [],
});
const tally = (given: number) => ({
  session_id: "s1", by_antigen: given ? [{ antigen: "PENTA", doses: given }] : [], by_dose: given ? [{ code: "PENTA2", doses: given }] : [],
  not_given: [], aefi: { minor: 0, severe: 0, serious: 0 }, beneficiaries: given ? 1 : 0, children: given ? 1 : 0, pregnant_women: 0,
});
const savedAefi = {
  id: "a1", date: "2026-11-22", severity: "severe", observed: "high fever", codes: ["PENTA2"], session_id: "s1",
  signs: ["fever"], onset: onsetInstant("2026-11-22", "08:15"), referral: "phc",
};

function core(opts: { resumed?: boolean; given?: number; aefi?: unknown[] } = {}) {
  const items: Record<string, Item> = { "C-1": child(), "W-1": woman() };
  return (cmd: string, req: Record<string, unknown> | undefined): unknown => {
    const rid = req?.register_id as string;
    switch (cmd) {
      case "app_state": return appState("anm", { reasons: ["REFUSED_FAMILY", "CHILD_SICK", "NOT_AT_HOME", "OTHER"] });
      case "villages": return [village];
      case "sessions": return [];
      case "open_session": return (req!.date as string) > "2026-11-22" ? fail("SESSION_IN_FUTURE") : { ...session({ date: req!.date }), resumed: !!opts.resumed };
      case "session_due": return Object.values(items).map((i) => ({ ...i }));
      case "session_tally": return tally(opts.given ?? 0);
      case "record_not_given": {
        const codes = req!.codes as string[];
        items[rid] = { ...items[rid], not_given: codes.map((code) => ({ code, reason: req!.reason as string, note: (req!.note as string) ?? null })) };
        return { item: items[rid], warnings: [] };
      }
      case "undo_not_given":
        items[rid] = { ...items[rid], not_given: [] };
        return { item: items[rid], warnings: [] };
      case "beneficiary": return { register_id: rid, aefi: opts.aefi ?? [] };
      case "report_aefi": return { id: "a2" };
      case "update_aefi": return { ...savedAefi, ...req, id: req!.aefi_id };
      case "close_session": return session({ closed: true, vials: req!.vials });
      default: return null;
    }
  };
}

const row = (rid: string) => qa("session-item").find((e) => e.dataset.registerId === rid)!;
const inRow = (rid: string, id: string) => row(rid).querySelector<HTMLElement>(`[data-testid="${id}"]`)!;
const pressed = (id: string) => q(id)!.getAttribute("aria-pressed") === "true";
const disabled = (id: string) => (q(id) as HTMLButtonElement).disabled;

async function opened(opts: Parameters<typeof core>[0] = {}) {
  const calls = await mount(core(opts));
  await click("session-open");
  await tick();
  return calls;
}

afterEach(cleanup);

describe("Session", () => {
  it("a date after today is refused with a message that says so, and nothing is asked of the core", async () => {
    const calls = await mount(core());
    await type("session-date", "23/11/2026");
    await click("session-open");
    expect(text("error")).toBe(en["session.future"]);
    expect(calledWith(calls, "open_session")).toEqual([]);
    await type("session-date", "22/11/2026");
    await click("session-open");
    expect(calledWith(calls, "open_session")).toEqual([{ site_id: "v1", date: "2026-11-22" }]);
    expect(q("session-resumed")).toBeNull();
  });

  it("opening a session already open at that site and date says it is resumed, with its tally", async () => {
    const calls = await opened({ resumed: true, given: 4 });
    expect(text("session-resumed")).toBe(en["session.resumed"]);
    expect(calledWith(calls, "session_tally")).toEqual([{ session_id: "s1" }]);
    expect(text("tally-open")).toContain("4 doses given");
    await setLang("hi");
    expect(text("session-resumed")).not.toMatch(/[a-z]{4}/);
  });

  it("not given: every open dose preselected, each can be unticked, recorded in one visit, and undone", async () => {
    const calls = await opened();
    await click(inRow("C-1", "not-given"));
    // PCV1 was given at this session: only the open doses are offered, all ticked.
    expect(qa("not-given-sheet").length).toBe(1);
    expect(["OPV2", "PENTA2", "RVV2"].map((c) => pressed(`ng-dose-${c}`))).toEqual([true, true, true]);
    expect(q("ng-dose-PCV1")).toBeNull();
    await click("ng-dose-RVV2");
    expect(pressed("ng-dose-RVV2")).toBe(false);
    await click("reason-REFUSED_FAMILY");
    expect(calledWith(calls, "record_not_given")).toEqual([
      { session_id: "s1", register_id: "C-1", codes: ["OPV2", "PENTA2"], reason: "REFUSED_FAMILY" },
    ]);
    expect(q("not-given-sheet")).toBeNull();
    expect(inRow("C-1", "chip-OPV2").dataset.status).toBe("not_given");
    expect(inRow("C-1", "chip-RVV2").dataset.status).toBe("due");
    // Entered by mistake: undone while the session is open.
    await click(inRow("C-1", "undo-not-given"));
    expect(calledWith(calls, "undo_not_given")).toEqual([{ session_id: "s1", register_id: "C-1" }]);
    expect(inRow("C-1", "chip-OPV2").dataset.status).toBe("due");
    expect(inRow("C-1", "undo-not-given")).toBeNull();
    // With nothing ticked there is nothing to record.
    await click(inRow("C-1", "not-given"));
    for (const c of ["OPV2", "PENTA2", "RVV2"]) await click(`ng-dose-${c}`);
    await click("reason-NOT_AT_HOME");
    expect(text("error")).toBe(en["session.choose_doses"]);
    expect(calledWith(calls, "record_not_given")).toHaveLength(1);
  });

  it("the reasons offered fit the person, and 'other reason' takes a short note", async () => {
    const calls = await opened();
    await click(inRow("C-1", "not-given"));
    expect(q("reason-CHILD_SICK")).not.toBeNull();
    await click("sheet-close");
    await click(inRow("W-1", "not-given"));
    expect(q("reason-CHILD_SICK")).toBeNull();
    expect(q("reason-NOT_AT_HOME")).not.toBeNull();
    await click("reason-OTHER");
    expect(calledWith(calls, "record_not_given")).toEqual([]);
    expect((q("ng-note") as HTMLInputElement).maxLength).toBe(100);
    await click("ng-save");
    expect(text("error")).toBe(en["session.note_needed"]);
    expect(calledWith(calls, "record_not_given")).toEqual([]);
    await type("ng-note", "  at her mother's house ");
    await click("ng-save");
    expect(calledWith(calls, "record_not_given")).toEqual([
      { session_id: "s1", register_id: "W-1", codes: ["TD2"], reason: "OTHER", note: "at her mother's house" },
    ]);
  });

  it("AEFI: a danger sign makes it serious, the lower choices disabled; serious asks for the onset and shows the referral", async () => {
    const calls = await opened();
    await click(inRow("C-1", "aefi"));
    expect(calledWith(calls, "beneficiary")).toEqual([{ register_id: "C-1" }]);
    expect(q("aefi-saved-before")).toBeNull();
    expect(q("aefi-referral-box")).toBeNull();
    await click("aefi-severity-minor");
    expect(q("aefi-referral-box")).toBeNull();
    await click("aefi-sign-seizure");
    expect(pressed("aefi-severity-serious")).toBe(true);
    expect([disabled("aefi-severity-minor"), disabled("aefi-severity-severe"), disabled("aefi-severity-serious")]).toEqual([true, true, false]);
    expect(text("aefi-serious-sign")).toBe(en["aefi.serious_sign"]);
    // Unticking the sign frees the lower choices again; ticking it makes it serious again.
    await click("aefi-sign-seizure");
    expect(disabled("aefi-severity-minor")).toBe(false);
    expect(q("aefi-serious-sign")).toBeNull();
    await click("aefi-severity-minor");
    await click("aefi-sign-seizure");
    expect(pressed("aefi-severity-serious")).toBe(true);
    expect(text("aefi-referral-box")).toContain(en["aefi.referral_steps"]);
    await click("aefi-save");
    expect(text("error")).toBe(en["aefi.bad_time"]);
    await type("aefi-onset-time", "09:30");
    await click("aefi-save");
    expect(text("error")).toBe(en["aefi.choose_referral"]);
    await click("aefi-referral-chc");
    await click("aefi-save");
    expect(calledWith(calls, "report_aefi")).toEqual([
      { session_id: "s1", register_id: "C-1", severity: "serious", observed: "", codes: ["PCV1"], signs: ["seizure"], onset: onsetInstant("2026-11-22", "09:30"), referral: "chc" },
    ]);
  });

  it("AEFI: the form reopens with what was saved and saves an edit of it", async () => {
    const calls = await opened({ aefi: [savedAefi] });
    await click(inRow("C-1", "aefi"));
    expect(text("aefi-saved-before")).toBe(en["aefi.saved_before"]);
    expect(pressed("aefi-severity-severe")).toBe(true);
    expect(pressed("aefi-sign-fever")).toBe(true);
    expect((q("aefi-observed") as HTMLTextAreaElement).value).toBe("high fever");
    expect((q("aefi-onset-time") as HTMLInputElement).value).toBe("08:15");
    expect(pressed("aefi-referral-phc")).toBe(true);
    await click("aefi-referral-hospital");
    await click("aefi-save");
    expect(calledWith(calls, "report_aefi")).toEqual([]);
    expect(calledWith(calls, "update_aefi")).toEqual([
      { aefi_id: "a1", severity: "severe", observed: "high fever", codes: ["PENTA2"], signs: ["fever"], onset: savedAefi.onset, referral: "hospital" },
    ]);
  });

  it("closing with doses given and no vial opened asks once, clearly, before closing", async () => {
    const calls = await opened({ given: 3 });
    await click("close-session");
    await click("close-confirm");
    expect(text("close-no-vials")).toContain("3 doses were given, but no vial opened is entered");
    expect(calledWith(calls, "close_session")).toEqual([]);
    await click("close-back");
    expect(q("close-no-vials")).toBeNull();
    await click("close-confirm");
    await click("close-anyway");
    expect(calledWith(calls, "close_session")).toHaveLength(1);
    expect(q("session-closed")).not.toBeNull();
  });

  it("closing with a vial entered, or with no dose given, does not ask", async () => {
    let calls = await opened({ given: 3 });
    await click("close-session");
    await click("vials-PENTA-plus");
    await click("close-confirm");
    expect(q("close-no-vials")).toBeNull();
    expect(calledWith(calls, "close_session")[0]!.vials).toContainEqual({ antigen: "PENTA", opened: 1 });
    cleanup();
    calls = await opened({ given: 0 });
    await click("close-session");
    await click("close-confirm");
    expect(q("close-no-vials")).toBeNull();
    expect(calledWith(calls, "close_session")).toHaveLength(1);
  });

  it("the name filter finds across scripts: 'आरव' finds Aarav through the core's search of the village", async () => {
    const base = core();
    const calls = await mount((cmd, req) => (cmd === "search" ? (req!.text === "आरव" ? [{ register_id: "C-1" }] : []) : base(cmd, req)));
    await click("session-open");
    await tick();
    await type("session-filter", "आरव");
    expect(qa("session-item")).toHaveLength(0);
    await tick(300);
    expect(calledWith(calls, "search")).toEqual([{ text: "आरव", village_id: "v1" }]);
    expect(qa("session-item").map((e) => e.dataset.registerId)).toEqual(["C-1"]);
    // As typed, too, without waiting for the core.
    await type("session-filter", "kam");
    expect(qa("session-item").map((e) => e.dataset.registerId)).toEqual(["W-1"]);
    // Emptied, the filter asks the core nothing more (no search left pending for the next test).
    await type("session-filter", "");
    await tick(300);
    expect(calledWith(calls, "search")).toHaveLength(1);
  });

  it("going back from an AEFI form ticked since it opened asks first; an untouched one closes at once", async () => {
    await opened();
    await click(inRow("C-1", "aefi"));
    await click("sheet-close");
    expect(q("aefi-sheet")).toBeNull();
    await click(inRow("C-1", "aefi"));
    await click("aefi-sign-fever");
    await click("sheet-close");
    expect(q("discard")).not.toBeNull();
    await click("discard-no");
    expect(q("aefi-sheet")).not.toBeNull();
    await click("sheet-close");
    await click("discard-yes");
    expect(q("aefi-sheet")).toBeNull();
  });

  it("going back from a not-given sheet with a dose unticked asks first; an untouched one closes at once", async () => {
    await opened();
    await click(inRow("C-1", "not-given"));
    await click("sheet-close");
    expect(q("not-given-sheet")).toBeNull();
    await click(inRow("C-1", "not-given"));
    await click("ng-dose-RVV2");
    await click("sheet-close");
    expect(q("discard")).not.toBeNull();
    await click("discard-yes");
    expect(q("not-given-sheet")).toBeNull();
  });
});
