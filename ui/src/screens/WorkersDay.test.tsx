// The worker's day (issue 9, items 9, 10, 12, 13) against a fake core: ages and weeks of
// pregnancy wherever a person is shown, "due on" for the doses not yet due, the empty search,
// a walk-in added at a session, and the follow-up list's ways to reach a family.
import { afterEach, describe, expect, it } from "vitest";
import { appState, calledWith, choose, cleanup, click, mount, q, qa, setLang, tick, type } from "../test/harness";
import { ageText } from "../lib/age";
import { setLanguage } from "../i18n";

const village = { id: "v1", name: "Rampur", households: 1, children: 2, pregnant_women: 1, due: 1 };
const household = { id: "h1", household_id: "HH-1", village_id: "v1", village: "Rampur", house_no: "12", head_of_household: "Ramesh", phone: "9876543210", risk_category: null, resistant: false, members: 3, due: 1 };
const parts = (years: number, months: number, weeks: number, days: number) => ({ years, months, weeks, days });
const person = (over: Record<string, unknown>) => ({
  id: "m", register_id: "C-1", household_id: "h1", kind: "child", name: "Priya", sex: "F", dob: "2026-04-10", lmp: null, edd: null,
  mother_name: "Sunita", status: "active", classification: "up_to_date", fully_immunized: false, due: [],
  age: parts(0, 7, 0, 0), pregnancy_weeks: null, mother: null, delivery: null, ...over,
});
const members = [
  person({}),
  person({ id: "m2", register_id: "C-2", name: "Ravi", sex: "M", dob: "2025-09-01", age: parts(1, 2, 0, 0) }),
  person({ id: "m3", register_id: "C-3", name: "Baby of Sunita", sex: "M", dob: "2026-11-06", age: parts(0, 0, 0, 16) }),
  person({ id: "w1", register_id: "W-1", kind: "pregnant_woman", name: "Kamla", sex: "F", dob: null, lmp: "2026-06-07", edd: "2027-03-14", age: null, pregnancy_weeks: 24, mother_name: null }),
];
const sessionItem = (over: Record<string, unknown>) => ({
  register_id: "C-1", name: "Priya", kind: "child", household_id: "HH-1", village: "Rampur", classification: "left_out", fully_immunized: false,
  doses: [{ code: "PENTA1", status: "overdue", due_on: "2026-06-01", last_on: null }], age: parts(0, 7, 0, 0), pregnancy_weeks: null, edd: null, given: [], not_given: [], ...over,
});

function core(role: "asha" | "anm" | "supervisor", over: Record<string, (req: Record<string, unknown> | undefined) => unknown> = {}) {
  return (cmd: string, req: Record<string, unknown> | undefined): unknown => {
    if (over[cmd]) return over[cmd](req);
    switch (cmd) {
      case "app_state": return appState(role);
      case "villages": return [village];
      case "sessions": return [];
      case "households": return [household];
      case "members": return members;
      case "search": return [];
      case "similar_households": return [];
      default: return null;
    }
  };
}

afterEach(cleanup);

describe("ages", () => {
  it("are said in days, weeks, months, years and months, in English and Hindi with their singulars", () => {
    expect([parts(0, 7, 0, 0), parts(1, 2, 0, 0), parts(0, 0, 3, 0), parts(0, 0, 0, 16), parts(0, 0, 0, 1), parts(0, 1, 0, 0), parts(6, 0, 0, 0), parts(1, 1, 0, 0)].map(ageText)).toEqual([
      "7 months", "1 yr 2 mo", "3 weeks", "16 days", "1 day", "1 month", "6 years", "1 yr 1 mo",
    ]);
    setLanguage("hi");
    expect([parts(0, 7, 0, 0), parts(1, 2, 0, 0), parts(0, 0, 3, 0), parts(0, 0, 0, 16), parts(0, 1, 0, 0), parts(1, 1, 0, 0), parts(0, 0, 1, 0)].map(ageText)).toEqual([
      "7 महीने", "1 साल 2 महीने", "3 हफ़्ते", "16 दिन", "1 महीना", "1 साल 1 महीना", "1 हफ़्ता",
    ]);
  });

  it("show beside each member of a household, and a pregnant woman's weeks of pregnancy instead", async () => {
    await mount(core("asha"));
    await click("village");
    await click("household");
    const age = (rid: string) => qa("member").find((e) => e.dataset.registerId === rid)!.querySelector<HTMLElement>('[data-testid="age"]')!.textContent;
    expect(["C-1", "C-2", "C-3", "W-1"].map(age)).toEqual(["7 months", "1 yr 2 mo", "16 days", "24 weeks pregnant"]);
    expect(qa("member").find((e) => e.dataset.registerId === "W-1")!.textContent).toContain("EDD 14/03/2027");
    await setLang("hi");
    expect(["C-1", "C-2", "C-3", "W-1"].map(age)).toEqual(["7 महीने", "1 साल 2 महीने", "16 दिन", "गर्भ के 24 हफ़्ते"]);
  });

  it("on the card: the doses not yet due say when they fall due, in the list and on the MCP card", async () => {
    const b = { ...person({}), village_id: "v1", village: "Rampur", house_no: "12", head_of_household: "Ramesh", phone: null, doses: [], not_given: [], aefi: [],
      upcoming: [{ code: "PENTA2", status: "upcoming", due_on: "2026-12-05", last_on: "2026-11-07" }, { code: "MR1", status: "upcoming", due_on: "2027-01-10", last_on: null }] };
    await mount(core("asha", { beneficiary: () => b }));
    await click("village");
    await click("household");
    await click(qa("member-open")[0]);
    expect(q("member-detail")!.querySelector('[data-testid="age"]')!.textContent).toContain("7 months");
    expect(qa("upcoming-dose").map((e) => [e.dataset.code, e.textContent])).toEqual([["PENTA2", "Penta 2 · due on 05/12/2026"], ["MR1", expect.stringContaining("due on 10/01/2027")]]);
    await click("member-add-doses");
    expect(q("card-due-on-PENTA2")!.textContent).toBe("due on 05/12/2026");
    expect(q("card-due-on-BCG")).toBeNull();
  });
});

describe("search", () => {
  it("an empty result says what was looked for, in English and Hindi", async () => {
    const calls = await mount(core("asha"));
    await type("search", "प्रिया");
    await tick(350);
    expect(calledWith(calls, "search")).toEqual([{ text: "प्रिया" }]);
    expect(q("search-none")!.textContent).toBe("No one found for “प्रिया”.");
    await setLang("hi");
    await type("search", "priya");
    await tick(350);
    expect(q("search-none")!.textContent).toBe("“priya” नाम से कोई नहीं मिला।");
  });

  it("a result found across scripts shows the person's age", async () => {
    await mount(core("asha", { search: () => [{ ...person({ name: "प्रिया" }), village_id: "v1", village: "Rampur", house_no: "12", head_of_household: "Ramesh", phone: null }] }));
    await type("search", "priya");
    await tick(350);
    expect(q("search-result")!.textContent).toContain("प्रिया");
    expect(q("search-result")!.querySelector('[data-testid="age"]')!.textContent).toContain("7 months");
  });
});

describe("a walk-in at a session", () => {
  it("is added from the session screen into a household of its village and shows in its list with the doses due", async () => {
    const walkIn = sessionItem({ register_id: "C-9", name: "Meena", age: parts(0, 2, 0, 0), doses: [{ code: "PENTA1", status: "due", due_on: "2026-11-20", last_on: null }] });
    const calls = await mount(core("anm", {
      open_session: () => ({ id: "s1", site_id: "v1", site: "Rampur", date: "2026-11-22", closed: false, vials: [] }),
      session_due: () => [sessionItem({})],
      session_tally: () => ({ session_id: "s1", by_antigen: [], by_dose: [], not_given: [], aefi: { minor: 0, severe: 0, serious: 0 }, beneficiaries: 0, children: 0, pregnant_women: 0 }),
      similar_children: () => [],
      add_child: (req) => person({ register_id: "C-9", name: req!.name, household_id: req!.household_id }),
      session_item: () => walkIn,
    }));
    await click("session-open");
    await tick();
    expect(qa("session-item").map((e) => e.dataset.registerId)).toEqual(["C-1"]);
    expect(q("session-item")!.querySelector('[data-testid="age"]')!.textContent).toBe("7 months");
    await click("walk-in-open");
    expect(calledWith(calls, "households")).toEqual([{ village_id: "v1" }]);
    expect(q("walk-in")).not.toBeNull();
    await click("walk-in-child");
    await type("child-name", "Meena");
    await click("child-sex-F");
    await type("child-dob", "20/09/2026");
    await click("child-save");
    await tick();
    expect(calledWith(calls, "add_child")[0]).toMatchObject({ household_id: "h1", name: "Meena", sex: "F", dob: "2026-09-20" });
    expect(calledWith(calls, "session_item")).toEqual([{ session_id: "s1", register_id: "C-9" }]);
    // Still on the session, the walk-in first in its list, ready to vaccinate.
    expect(q("walk-in")).toBeNull();
    expect(document.querySelector('[data-screen="session"]')).not.toBeNull();
    expect(qa("session-item").map((e) => e.dataset.registerId)).toEqual(["C-9", "C-1"]);
    expect(qa("session-item")[0].querySelector('[data-testid="chip-PENTA1"]')).not.toBeNull();
    expect(qa("session-item")[0].querySelector('[data-testid="age"]')!.textContent).toBe("2 months");
  });

  it("can be put in a new household of the session's village", async () => {
    const calls = await mount(core("anm", {
      open_session: () => ({ id: "s1", site_id: "v1", site: "Rampur", date: "2026-11-22", closed: false, vials: [] }),
      session_due: () => [],
      session_tally: () => null,
      save_household: (req) => ({ ...household, id: "h2", household_id: "HH-2", house_no: req!.house_no, head_of_household: req!.head_of_household }),
      add_pregnant_woman: (req) => person({ register_id: "W-9", kind: "pregnant_woman", name: req!.name, household_id: req!.household_id }),
      session_item: () => sessionItem({ register_id: "W-9", name: "Radha", kind: "pregnant_woman", age: null, pregnancy_weeks: 20, edd: "2027-04-01", doses: [{ code: "TD1", status: "due", due_on: "2026-11-01", last_on: null }] }),
    }));
    await click("session-open");
    await click("walk-in-open");
    await click("walk-in-new-household");
    await type("hh-house-no", "40");
    await type("hh-head", "Shyam");
    await click("hh-save");
    expect(calledWith(calls, "save_household")[0]).toMatchObject({ village_id: "v1", house_no: "40", head_of_household: "Shyam" });
    expect((q("walk-in-household") as HTMLSelectElement).value).toBe("h2");
    await click("walk-in-woman");
    await type("woman-name", "Radha");
    await type("woman-lmp", "01/07/2026");
    await click("woman-save");
    await tick();
    expect(calledWith(calls, "add_pregnant_woman")[0]).toMatchObject({ household_id: "h2", name: "Radha", lmp: "2026-07-01" });
    expect(qa("session-item").map((e) => e.dataset.registerId)).toEqual(["W-9"]);
    expect(q("session-item")!.querySelector('[data-testid="age"]')!.textContent).toBe("20 weeks pregnant · EDD 01/04/2027");
  });
});

describe("follow-up", () => {
  it("includes pregnant women and shows house, phone to call, mother, age and the ASHA", async () => {
    const reach = { house_no: "12", head_of_household: "Ramesh", phone: "98765 43210", asha_name: "Sunita", asha_phone: "9812345678" };
    await mount(core("supervisor", {
      follow_up: () => [
        { ...sessionItem({ age: parts(1, 2, 0, 0) }), given: undefined, not_given: undefined, ...reach, mother_name: "Pooja" },
        { ...sessionItem({ register_id: "W-1", name: "Kamla", kind: "pregnant_woman", classification: "left_out", age: null, pregnancy_weeks: 24, edd: "2027-03-14", doses: [{ code: "TD1", status: "overdue", due_on: "2026-07-01", last_on: null }] }), given: undefined, not_given: undefined, ...reach, phone: null, mother_name: null },
      ],
      coverage: () => ({ total: null, villages: [] }),
    }));
    await click("sup-follow_up");
    const [child, woman] = qa("follow-up-item");
    expect(child.querySelector('[data-testid="follow-up-who"]')!.textContent).toBe("1 yr 2 mo · Mother: Pooja");
    expect(child.querySelector('[data-testid="follow-up-where"]')!.textContent).toBe("House 12 · Ramesh · ASHA: Sunita");
    const call = child.querySelector<HTMLAnchorElement>('[data-testid="follow-up-call"]')!;
    expect(call.getAttribute("href")).toBe("tel:9876543210");
    expect(call.textContent).toBe("Call 98765 43210");
    expect(child.querySelector('[data-testid="follow-up-call-asha"]')!.getAttribute("href")).toBe("tel:9812345678");
    expect(woman.dataset.registerId).toBe("W-1");
    expect(woman.querySelector('[data-testid="follow-up-who"]')!.textContent).toBe("24 weeks pregnant · EDD 14/03/2027");
    expect(woman.querySelector('[data-testid="follow-up-call"]')).toBeNull();
    await setLang("hi");
    await click("sup-follow_up");
    expect(qa("follow-up-item")[0].querySelector('[data-testid="follow-up-where"]')!.textContent).toBe("घर नं. 12 · Ramesh · आशा: Sunita");
  });
});

describe("a village's ASHA", () => {
  it("is set by the supervisor on the follow-up list of the village (a bad phone is refused beside its field)", async () => {
    let asha: { asha_name: string | null; asha_phone: string | null } = { asha_name: null, asha_phone: null };
    const calls = await mount(core("supervisor", {
      villages: () => [{ ...village, ...asha }],
      follow_up: () => [],
      coverage: () => ({ total: null, villages: [] }),
      set_village_asha: (req) => ((asha = { asha_name: req!.asha_name as string, asha_phone: req!.asha_phone as string }), { ...village, ...asha }),
    }));
    await click("sup-follow_up");
    expect(q("village-asha")).toBeNull();
    await choose("sup-village", "v1");
    await tick();
    expect(q("village-asha-text")!.textContent).toBe("No ASHA set for this village");
    await click("village-asha-edit");
    await type("village-asha-name", "Geeta ");
    await type("village-asha-phone", "12");
    await click("village-asha-save");
    expect(calledWith(calls, "set_village_asha")).toEqual([]);
    expect(q("village-asha")!.textContent).toContain("10");
    await type("village-asha-phone", "9812345678");
    await click("village-asha-save");
    await tick();
    expect(calledWith(calls, "set_village_asha")).toEqual([{ village_id: "v1", asha_name: "Geeta", asha_phone: "9812345678" }]);
    expect(q("village-asha-text")!.textContent).toBe("ASHA: Geeta · 9812345678");
    await setLang("hi");
    await click("sup-follow_up");
    await choose("sup-village", "v1");
    await tick();
    expect(q("village-asha-text")!.textContent).toBe("आशा: Geeta · 9812345678");
  });
});
