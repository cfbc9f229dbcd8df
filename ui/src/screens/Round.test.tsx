// The Round tab and a site's session against a fake core: the plan day by day (kit, not held,
// moved, mop-up), the rounds' calendar and holidays, the sites' form, the vial ledger.
import { afterEach, describe, expect, it } from "vitest";
import { appState, calledWith, choose, cleanup, click, mount, q, qa, setLang, text, tick, type } from "../test/harness";

/** The Round tab, its rounds and plan loaded. */
async function openRound() {
  await click("tab-round");
  await tick();
  await tick();
}

const D = ["2019-12-02", "2019-12-05", "2019-12-06", "2019-12-09", "2019-12-10", "2019-12-12", "2019-12-13"];
const kindOf = (d: string) =>
  D.includes(d) ? "working" : d === "2019-12-03" ? "holiday" : d === "2019-12-08" ? "sunday" : "ri_day";
const calendarDays = ["02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13"].map((n) => {
  const date = `2019-12-${n}`;
  return { date, kind: kindOf(date), working_day: D.includes(date) ? D.indexOf(date) + 1 : null };
});
const round = { number: 1, start: "2019-12-02", working_days: 7, ri_days: ["wed", "sat"], holidays: ["2019-12-03"], calendar: { days: calendarDays, working: D } };
const session = (day: string, over: Record<string, unknown> = {}) => ({
  site_id: "S-01", site_name: "Rampur AWC", day, number: 1, injections: 40, expected: 23, not_held: null, note: null, moved_from: null, ...over,
});
const planSite = (site_id: string, name: string) => ({ site_id, name, type: "outreach", anm: null, villages: ["Rampur"], due: 23, injections: 40, sessions: 1 });
const plan = (sessions = [session("2019-12-02"), session("2019-12-05", { site_id: "S-02", site_name: "Kiln camp" })]) => ({
  round, sites: [planSite("S-01", "Rampur AWC"), planSite("S-02", "Kiln camp")], sessions, problems: [{ code: "NO_ANM", site_id: "S-02" }],
});
const site = {
  site_id: "S-01", name: "Rampur AWC", villages: [{ id: "v1", name: "Rampur" }], type: "outreach", hra: "brick_kiln",
  anm: { name: "Meena", phone: "9876543210" }, mobilizers: [], avd: null, distance_tenths_km: 25, travel_minutes: 30, ri_day: "wed",
};
const kit = {
  site: "S-01", date: "2019-12-02",
  items: [
    { antigen: "MR", doses_due: 6, doses_needed: 8, vials: 2, open_vials_usable: 0 },
    { antigen: "PENTA", doses_due: 12, doses_needed: 15, vials: 1, open_vials_usable: 1 },
  ],
  supplies: { ad_syringes_0_1ml: 0, ad_syringes_0_5ml: 20, reconstitution_syringes: 2, diluents: { BCG: 0, MR: 2, JE: 0 }, hub_cutters: 1, red_bags: 1, black_bags: 1, mcp_cards: 2 },
};

function handler(role: "asha" | "anm" | "supervisor", today = "2019-12-02") {
  return (cmd: string, req: Record<string, unknown> | undefined): unknown => {
    switch (cmd) {
      case "app_state": return appState(role, { today });
      case "villages": return [{ id: "v1", name: "Rampur", households: 1, children: 1, pregnant_women: 0, due: 1 }];
      case "sessions": return [{ id: "s1", site_id: "v1", site: "Rampur", date: "2019-12-02", closed: false, vials: [] }];
      case "rounds": return [round];
      case "round_plan": return plan();
      case "session_not_held": return plan([session("2019-12-02", { not_held: req?.reason })]);
      case "reschedule_session": return plan([session(req?.to as string, { moved_from: "2019-12-02" })]);
      case "site_kit": return kit;
      case "session_due": return [];
      case "mop_up": return { round: 1, site_id: "S-02", site_name: "Kiln camp", date: "2019-12-13", items: [{ register_id: "C-1", name: "Aarav", kind: "child", household_id: "HH-1", village: "Rampur", doses: [{ code: "MR1", status: "overdue", due_on: "2019-10-01", last_on: null }], last_not_given: { code: "MR1", date: "2019-12-02", reason: "CHILD_SICK", note: null } }] };
      case "round_calendar": return { days: calendarDays, working: D };
      case "set_round_holiday": return round;
      case "sites": return [site];
      case "round_wastage": return { round: 1, sites: [{ site_id: "S-01", name: "Rampur AWC", wastage: [{ antigen: "MR", vials_opened: 2, doses_in_vials: 10, doses_given: 1, rate: 90, data_error: false }] }], total: [{ antigen: "MR", vials_opened: 2, doses_in_vials: 10, doses_given: 1, rate: 90, data_error: false }] };
      case "save_site": return site;
      case "open_site_session": return { id: "s1", site_id: "v1", site: "Rampur", date: "2019-12-02", closed: false, vials: [], resumed: false };
      default: return null;
    }
  };
}

afterEach(cleanup);

describe("Round: the plan", () => {
  it("shows the day's sessions with how many are expected, and the plan's problems", async () => {
    await mount(handler("supervisor"));
    await openRound();
    expect(qa("cal-day").map((d) => d.dataset.kind)).toEqual(calendarDays.map((d) => d.kind));
    expect(q("plan-day")!.dataset.date).toBe("2019-12-02");
    expect(qa("plan-session").map((s) => s.dataset.siteId)).toEqual(["S-01"]);
    expect(text("plan-expected")).toBe("23 expected");
    expect(q("plan-problem")!.dataset.code).toBe("NO_ANM");
    // No mop-up on the first day.
    expect(q("plan-mop-up")).toBeNull();
  });

  it("marks a session not held with its reason, and moves one to another day", async () => {
    const calls = await mount(handler("anm"));
    await openRound();
    await click("plan-not-held-open");
    await click("not-held-WEATHER");
    await click("not-held-save");
    expect(calledWith(calls, "session_not_held")).toEqual([{ number: 1, site_id: "S-01", date: "2019-12-02", reason: "WEATHER", note: null }]);
    expect(q("plan-not-held")!.dataset.reason).toBe("WEATHER");
    await click("plan-move");
    await click(qa("move-to").find((b) => b.dataset.date === "2019-12-05")!);
    expect(calledWith(calls, "reschedule_session")).toEqual([{ number: 1, site_id: "S-01", date: "2019-12-02", to: "2019-12-05" }]);
    expect(q("plan-day")!.dataset.date).toBe("2019-12-05");
    expect(q("plan-moved")).not.toBeNull();
  });

  it("OTHER needs a note before anything is sent", async () => {
    const calls = await mount(handler("anm"));
    await openRound();
    await click("plan-not-held-open");
    await click("not-held-OTHER");
    await click("not-held-save");
    expect(calledWith(calls, "session_not_held")).toHaveLength(0);
    expect(document.getElementById("not-held-note-error")!.textContent).toBe("Please fill this in.");
  });

  it("the carry kit shows vials per antigen, the open vials carried, and the supplies", async () => {
    await mount(handler("anm"));
    await openRound();
    await click("plan-kit");
    expect(qa("kit-item").map((i) => [i.dataset.antigen, i.dataset.vials])).toEqual([["MR", "2"], ["PENTA", "1"]]);
    expect(text("kit-open")).toContain("1 open vial");
    expect(text("kit-supplies")).toContain("Diluent for Measles-Rubella2");
    expect(text("kit-supplies")).not.toContain("0.1 ml");
  });

  it("on the round's last days each site of the round offers the mop-up list, with the last reason", async () => {
    const calls = await mount(handler("anm", "2019-12-13"));
    await openRound();
    expect(q("plan-day")!.dataset.date).toBe("2019-12-13");
    expect(qa("mop-up-site").map((x) => x.dataset.siteId)).toEqual(["S-01", "S-02"]);
    await click(qa("plan-mop-up")[1]);
    expect(calledWith(calls, "mop_up")).toEqual([{ number: 1, site_id: "S-02", date: "2019-12-13" }]);
    expect(text("mop-up-count")).toBe("1 person still left");
    expect(text("mop-up-last")).toContain("Child is sick");
  });

  it("an ASHA reads the plan: no start, no not-held, no move", async () => {
    await mount(handler("asha"));
    await openRound();
    expect(q("plan-session")).not.toBeNull();
    expect(q("plan-kit")).not.toBeNull();
    for (const id of ["plan-start", "plan-not-held-open", "plan-move"]) expect(q(id), id).toBeNull();
    await click("round-sites");
    expect(q("site-add")).toBeNull();
    expect(q("site-edit")).toBeNull();
  });

  it("Start session opens the site's session and shows it on the session tab", async () => {
    const calls = await mount(handler("anm"));
    await openRound();
    await click("plan-start");
    expect(calledWith(calls, "open_site_session")).toEqual([{ site_id: "S-01", date: "2019-12-02" }]);
    expect(q("tab-session")!.getAttribute("aria-current")).toBe("page");
    await tick();
    expect(calledWith(calls, "session_due")).toEqual([{ session_id: "s1" }]);
  });
});

describe("Round: rounds and sites", () => {
  it("a session day tapped is declared a holiday after asking", async () => {
    const calls = await mount(handler("supervisor"));
    await openRound();
    await click("round-rounds");
    await click(qa("cal-day").find((d) => d.dataset.date === "2019-12-05")!);
    await click("holiday-confirm-yes");
    expect(calledWith(calls, "set_round_holiday")).toEqual([{ number: 1, date: "2019-12-05", holiday: true }]);
  });

  it("a round's wastage, in all and per site", async () => {
    await mount(handler("supervisor"));
    await openRound();
    await click("round-rounds");
    await click("round-wastage-open");
    expect(q("round-wastage-total")!.textContent).toContain("90.0%");
    expect(qa("round-wastage-site").map((x) => x.dataset.siteId)).toEqual(["S-01"]);
  });

  it("adding a round previews its calendar and sends the RI days", async () => {
    const calls = await mount(handler("supervisor"));
    await openRound();
    await click("round-rounds");
    await click("round-add");
    await type("round-start", "02/12/2019");
    await click("round-ri-wed");
    await click("round-ri-sat");
    expect(calledWith(calls, "round_calendar").at(-1)).toEqual({ start: "2019-12-02", working_days: 7, ri_days: ["wed", "sat"] });
    expect(q("round-preview")).not.toBeNull();
    await click("round-save");
    expect(calledWith(calls, "add_round")).toEqual([{ number: 2, start: "2019-12-02", working_days: 7, ri_days: ["wed", "sat"] }]);
  });

  it("a site is added with its villages, type, people and distance", async () => {
    const calls = await mount(handler("anm"));
    await openRound();
    await click("round-sites");
    expect(q("site-hra")!.textContent).toBe("Brick kiln");
    await click("site-add");
    await click("site-save");
    expect(calledWith(calls, "save_site")).toHaveLength(0);
    await type("site-id", "S-02");
    await type("site-name", "Kiln camp");
    await click("site-village");
    await click("site-type-mobile");
    await choose("site-hra-select", "brick_kiln");
    await type("site-anm-name", "Meena");
    await type("site-mobilizer-0-name", "Sunita");
    await type("site-distance", "2.5");
    await click("site-save");
    expect(calledWith(calls, "save_site")).toEqual([{
      site_id: "S-02", new: true, name: "Kiln camp", villages: ["v1"], type: "mobile", hra: "brick_kiln",
      anm: { name: "Meena", phone: null }, mobilizers: [{ name: "Sunita", phone: null }], avd: null,
      distance_tenths_km: 25, travel_minutes: null, ri_day: null,
    }]);
  });

  it("in Hindi: the calendar's weekdays, the kit and the reasons are Hindi", async () => {
    await mount(handler("anm"));
    await setLang("hi");
    await openRound();
    expect(document.querySelector(".cal-head")!.textContent).toContain("सोम");
    await click("plan-kit");
    expect(text("kit")).toContain("शीशियाँ");
    expect(text("kit")).not.toMatch(/[A-Za-z]{3}/);
  });
});

const vial = (id: string, antigen: string, over: Record<string, unknown>) => ({
  id, session_id: "s1", antigen, batch: "B12", expiry: "2020-06-30", vvm: 1, opened_at: "2019-12-02T04:00:00Z", carried_in: false, discarded: null,
  limit: "session_end", minutes_left: null, days_left: null, past_limit: false, ...over,
});
const ledger = (vials: unknown[]) => ({
  session: { id: "s1", site_id: "S-01", site: "Rampur AWC", village_id: "v1", village: "Rampur", date: "2019-12-02", closed: false },
  vials, open_vials_usable: {}, doses_given: {}, wastage: [
    { antigen: "MR", vials_opened: 1, doses_in_vials: 5, doses_given: 4, rate: 20, data_error: false },
    { antigen: "PENTA", vials_opened: 1, doses_in_vials: 10, doses_given: 12, rate: -20, data_error: true },
  ],
});
const twoVials = [vial("m1", "MR", { limit: "four_hours", minutes_left: 200 }), vial("p1", "PENTA", { limit: "twenty_eight_days", days_left: 28 })];

function sessionHandler(role: "anm" | "asha") {
  const base = handler(role);
  return (cmd: string, req: Record<string, unknown> | undefined): unknown => {
    switch (cmd) {
      case "session_due": return [];
      case "session_ledger": return ledger(twoVials);
      case "open_vial": return ledger([...twoVials, vial("j1", req?.antigen as string, { limit: "four_hours", minutes_left: 240 })]);
      case "discard_vial": return ledger([twoVials[0], { ...twoVials[1], discarded: { reason: req?.reason, at: "2019-12-02T06:00:00Z", session_id: null } }]);
      case "close_ledger_session": return { session: { id: "s1", site_id: "v1", site: "Rampur", date: "2019-12-02", closed: true, vials: [{ antigen: "MR", opened: 1 }] }, ledger: ledger(twoVials), discarded: 1, carried: 1 };
      default: return base(cmd, req);
    }
  };
}

describe("A site's session: the vial ledger", () => {
  async function openSession(role: "anm" | "asha" = "anm") {
    const calls = await mount(sessionHandler(role));
    await click("tab-session");
    await click("session-recent");
    await tick();
    return calls;
  }
  // Back to choosing a session: the ledger unmounts, its 30-s tick cleared (no timer left).
  afterEach(async () => {
    if (q("session-change")) await click("session-change");
    expect(q("vial-ledger")).toBeNull();
  });

  it("shows each open vial with its time left: minutes for MR, days for Penta", async () => {
    await openSession();
    const timers = qa("vial-timer");
    expect(timers.map((x) => [x.dataset.unit, x.dataset.left])).toEqual([["minutes", "200"], ["days", "28"]]);
    expect(timers[0].textContent).toBe("3:20");
    // Wastage per antigen; more doses than the vials hold is flagged, not hidden.
    expect(qa("wastage").map((w) => [w.dataset.antigen, w.dataset.error])).toEqual([["MR", "no"], ["PENTA", "yes"]]);
    expect(qa("wastage")[1].textContent).toContain("-20.0%");
    expect(q("wastage-data-error")).not.toBeNull();
  });

  it("opens a vial with its antigen, batch, expiry and VVM, and refuses nothing itself for VVM 3 but warns", async () => {
    const calls = await openSession();
    await click("vial-open");
    await click("vial-antigen-JE");
    await type("vial-batch", "J7");
    await type("vial-expiry", "30/06/2020");
    await click("vial-vvm-3");
    expect(q("vvm-warning")).not.toBeNull();
    await click("vial-vvm-2");
    await click("vial-open-save");
    expect(calledWith(calls, "open_vial")).toEqual([{ session_id: "s1", antigen: "JE", batch: "J7", expiry: "2020-06-30", vvm: 2 }]);
    expect(qa("vial")).toHaveLength(3);
  });

  it("discards a vial with its reason", async () => {
    const calls = await openSession();
    await click(qa("vial-discard")[1]);
    await click("discard-FROZEN");
    expect(calledWith(calls, "discard_vial")).toEqual([{ session_id: "s1", vial_id: "p1", reason: "FROZEN" }]);
    expect(qa("vial")).toHaveLength(1);
  });

  it("closing asks only what the ledger cannot know: which vial kept for later to discard", async () => {
    const calls = await openSession();
    await click("close-session");
    expect(qa("close-ending").map((x) => x.dataset.antigen)).toEqual(["MR"]);
    expect(qa("close-carried").map((x) => x.dataset.antigen)).toEqual(["PENTA"]);
    expect(q("vials-MR")).toBeNull();
    await click("ledger-close-confirm");
    expect(calledWith(calls, "close_ledger_session")).toEqual([{ session_id: "s1" }]);
    expect(q("session-closed")).not.toBeNull();
  });

  it("an ASHA does not see the vial ledger", async () => {
    await openSession("asha");
    expect(q("vial-ledger")).toBeNull();
  });
});
