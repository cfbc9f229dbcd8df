// The survey screens (ASHA) against a fake core: what the UI sends and shows.
import { afterEach, describe, expect, it } from "vitest";
import { appState, calledWith, choose, cleanup, click, fail, mount, q, qa, setLang, text, tick, type } from "../test/harness";

const village = { id: "v1", name: "Rampur", households: 1, children: 0, pregnant_women: 0, due: 0 };
const hh = (over: Record<string, unknown> = {}) => ({
  id: "h1", household_id: "HH-1", village_id: "v1", village: "Rampur", house_no: "12", head_of_household: "Ramesh",
  phone: null, risk_category: null, resistant: false, members: 0, due: 0, ...over,
});
const member = (over: Record<string, unknown> = {}) => ({
  id: "m1", register_id: "C-1", household_id: "h1", kind: "child", name: "Asha", sex: "F", dob: "2026-08-15", lmp: null, edd: null,
  mother_name: null, status: "active", classification: "up_to_date", fully_immunized: false, due: [],
  age: { years: 0, months: 3, weeks: 0, days: 0 }, pregnancy_weeks: null, ...over,
});

/** A small stateful core: households and members kept as the commands change them. */
function fakeCore(opts: { similar?: unknown[]; similarHouseholds?: unknown[]; households?: ReturnType<typeof hh>[] } = {}) {
  const households = opts.households ?? [hh()];
  const members: Record<string, unknown[]> = { h1: [] };
  const beneficiaries: Record<string, unknown> = {};
  const handler = (cmd: string, req: Record<string, unknown> | undefined): unknown => {
    switch (cmd) {
      case "app_state": return appState("asha");
      case "villages": return [village];
      case "sessions": return [];
      case "households": return households.filter((h) => h.village_id === req!.village_id);
      case "save_household": {
        const h = hh({ id: "h2", household_id: "HH-2", house_no: req!.house_no, head_of_household: req!.head_of_household, phone: req!.phone, risk_category: req!.risk_category });
        households.push(h);
        members.h2 = [];
        return h;
      }
      case "members": return members[req!.household_id as string] ?? fail("NOT_FOUND");
      case "similar_children": return opts.similar ?? [];
      case "similar_households": return opts.similarHouseholds ?? [];
      case "add_child": {
        const m = member({ register_id: "C-9", household_id: req!.household_id, name: req!.name, sex: req!.sex, dob: req!.dob ?? null, classification: "left_out", due: [{ code: "PENTA2", status: "overdue", due_on: "2026-10-01", last_on: null }, { code: "OPV0", status: "due", due_on: null, last_on: null }] });
        members[req!.household_id as string].push(m);
        return m;
      }
      case "add_pregnant_woman": {
        const m = member({ register_id: "W-1", kind: "pregnant_woman", name: req!.name, sex: "F", dob: null, edd: req!.edd ?? null, lmp: req!.lmp ?? null, classification: "drop_out", due: [{ code: "TD2", status: "due", due_on: "2026-11-22", last_on: null }] });
        members[req!.household_id as string].push(m);
        return m;
      }
      case "beneficiary": return beneficiaries[req!.register_id as string] ?? fail("UNKNOWN_BENEFICIARY");
      case "record_refusal": return member();
      case "search": return [{ ...member({ register_id: "C-5", name: "Asha Devi" }), village_id: "v1", village: "Rampur", house_no: "7", head_of_household: "Mohan" }];
      default: return null;
    }
  };
  return { handler, members, beneficiaries, households };
}

async function openHousehold(calls: ReturnType<typeof mount> extends Promise<infer C> ? C : never, house = "12") {
  await click("village");
  expect(calledWith(calls, "households")).toEqual([{ village_id: "v1" }]);
  const h = qa("household").find((e) => e.dataset.houseNo === house)!;
  await click(h);
}

afterEach(cleanup);

describe("Survey", () => {
  it("villages → households → add a household: bad phone refused inline, then exactly the contract's fields", async () => {
    const core = fakeCore();
    const calls = await mount(core.handler);
    expect(q("tab-survey")!.getAttribute("aria-current")).toBe("page");
    const v = q("village")!;
    expect(v.dataset.name).toBe("Rampur");
    await click(v);
    expect(qa("household").map((e) => e.dataset.houseNo)).toEqual(["12"]);
    await click("add-household");
    await type("hh-house-no", " 14 ");
    await type("hh-head", "Suresh");
    await type("hh-phone", "98765");
    await choose("hh-risk", "brick_kiln");
    await click("hh-save");
    expect(text("error")).toContain("10 to 13 digits");
    expect(calledWith(calls, "save_household")).toEqual([]);
    await type("hh-phone", "+91 98765-43210");
    await click("hh-save");
    const sent = calledWith(calls, "save_household");
    expect(sent).toHaveLength(1);
    expect(Object.keys(sent[0]!).sort()).toEqual(["head_of_household", "house_no", "phone", "risk_category", "village_id"]);
    expect(sent[0]).toEqual({ village_id: "v1", house_no: "14", head_of_household: "Suresh", phone: "+91 98765-43210", risk_category: "brick_kiln" });
    // lands on the new household's members
    expect(calledWith(calls, "members")).toEqual([{ household_id: "h2" }]);
    expect(q("add-child")).not.toBeNull();
  });

  it("editing a household sends its id", async () => {
    const core = fakeCore();
    const calls = await mount(core.handler);
    await openHousehold(calls);
    await click("hh-edit");
    expect((q("hh-head") as HTMLInputElement).value).toBe("Ramesh");
    await type("hh-phone", "9876543210");
    await click("hh-save");
    expect(calledWith(calls, "save_household")).toEqual([{ id: "h1", village_id: "v1", house_no: "12", head_of_household: "Ramesh", phone: "9876543210", risk_category: null }]);
  });

  it("add a child: DD/MM/YYYY sent as ISO, card ticks as {code, date}, similar child warns and nothing is saved until save-anyway; the new member shows its badge and due doses", async () => {
    const similar = [{ ...member({ register_id: "C-3", name: "Asha K", mother_name: "Geeta" }), village_id: "v1", village: "Rampur", house_no: "9", head_of_household: "Hari" }];
    const core = fakeCore({ similar });
    const calls = await mount(core.handler);
    await openHousehold(calls);
    await click("add-child");
    await type("child-name", " Asha ");
    await click("child-sex-F");
    await type("child-dob", "15/08/2026");
    await type("child-mother", "Geeta");
    await click("card-dose-BCG");
    await type("card-date-BCG", "16/08/2026");
    await click("card-dose-OPV0");
    await type("card-date-OPV0", "16/08/2026");
    // ticked then unticked: not sent
    await click("card-dose-PENTA1");
    await click("card-dose-PENTA1");
    await click("child-save");
    expect(calledWith(calls, "similar_children")).toEqual([{ village_id: "v1", name: "Asha", dob: "2026-08-15" }]);
    expect(q("similar-warning")).not.toBeNull();
    expect(q("similar-open")!.dataset.registerId).toBe("C-3");
    expect(calledWith(calls, "add_child")).toEqual([]);
    await click("save-anyway");
    expect(calledWith(calls, "similar_children")).toHaveLength(1);
    expect(calledWith(calls, "add_child")).toEqual([
      { household_id: "h1", name: "Asha", sex: "F", dob: "2026-08-15", mother_name: "Geeta", doses: [{ code: "BCG", date: "2026-08-16" }, { code: "OPV0", date: "2026-08-16" }] },
    ]);
    await tick();
    expect(q("similar-warning")).toBeNull();
    const row = qa("member").find((e) => e.dataset.registerId === "C-9")!;
    expect(row).toBeTruthy();
    expect(row.querySelector<HTMLElement>('[data-testid="badge"]')!.dataset.classification).toBe("left_out");
    const due = Array.from(row.querySelectorAll<HTMLElement>('[data-testid="due-dose"]')).map((d) => [d.dataset.code, d.dataset.status]);
    expect(due).toEqual([["PENTA2", "overdue"], ["OPV0", "due"]]);
  });

  it("similar child: cancelling saves nothing", async () => {
    const similar = [{ ...member({ register_id: "C-3" }), village_id: "v1", village: "Rampur", house_no: "9", head_of_household: "Hari" }];
    const calls = await mount(fakeCore({ similar }).handler);
    await openHousehold(calls);
    await click("add-child");
    await type("child-name", "Asha");
    await click("child-sex-F");
    await type("child-dob", "15/08/2026");
    await click("child-save");
    await click("similar-cancel");
    expect(q("similar-warning")).toBeNull();
    expect(calledWith(calls, "add_child")).toEqual([]);
  });

  it("add a child by age in months: sends age_months and no dob", async () => {
    const calls = await mount(fakeCore().handler);
    await openHousehold(calls);
    await click("add-child");
    await type("child-name", "Ravi");
    await click("child-sex-M");
    await type("child-age-months", "7");
    await click("child-save");
    expect(calledWith(calls, "similar_children")).toEqual([{ village_id: "v1", name: "Ravi" }]);
    const sent = calledWith(calls, "add_child");
    expect(sent).toHaveLength(1);
    expect(sent[0]).toEqual({ household_id: "h1", name: "Ravi", sex: "M", age_months: 7, doses: [] });
    expect("dob" in sent[0]!).toBe(false);
    expect("mother_name" in sent[0]!).toBe(false);
  });

  it("add a child: a DOB in the future or a card date before birth is refused before any call", async () => {
    const calls = await mount(fakeCore().handler);
    await openHousehold(calls);
    await click("add-child");
    await type("child-name", "Ravi");
    await click("child-sex-M");
    await type("child-dob", "01/12/2026");
    await click("child-save");
    expect(q("error")).not.toBeNull();
    await type("child-dob", "15/08/2026");
    await click("card-dose-BCG");
    await type("card-date-BCG", "01/08/2026");
    await click("child-save");
    expect(qa("error").length).toBeGreaterThan(0);
    expect(calledWith(calls, "similar_children")).toEqual([]);
    expect(calledWith(calls, "add_child")).toEqual([]);
  });

  it("a pregnant woman with an EDD sends edd only", async () => {
    const calls = await mount(fakeCore().handler);
    await openHousehold(calls);
    await click("add-woman");
    await type("woman-name", "Meena");
    await type("woman-edd", "10/03/2027");
    await click("card-dose-TD1");
    await type("card-date-TD1", "01/10/2026");
    await click("woman-save");
    const sent = calledWith(calls, "add_pregnant_woman");
    expect(sent).toEqual([{ household_id: "h1", name: "Meena", edd: "2027-03-10", doses: [{ code: "TD1", date: "2026-10-01" }] }]);
    expect("lmp" in sent[0]!).toBe(false);
    await tick();
    const row = qa("member").find((e) => e.dataset.registerId === "W-1")!;
    expect(row.querySelector<HTMLElement>('[data-testid="badge"]')!.dataset.classification).toBe("drop_out");
  });

  it("a refusal from member detail sends record_refusal with the chosen reason", async () => {
    const core = fakeCore();
    core.members.h1.push(member());
    core.beneficiaries["C-1"] = { ...member(), village_id: "v1", village: "Rampur", house_no: "12", head_of_household: "Ramesh", doses: [], not_given: [], aefi: [], upcoming: [] };
    const calls = await mount(core.handler);
    await openHousehold(calls);
    await click("member-open");
    expect(calledWith(calls, "beneficiary")).toEqual([{ register_id: "C-1" }]);
    expect(q("member-detail")!.dataset.registerId).toBe("C-1");
    await click("member-refusal");
    await click("reason-REFUSED_FEAR_AEFI");
    expect(calledWith(calls, "record_refusal")).toEqual([{ register_id: "C-1", reason: "REFUSED_FEAR_AEFI" }]);
    // the detail is read again after the refusal
    expect(calledWith(calls, "beneficiary")).toHaveLength(2);
  });

  it("editing a member's national identifiers sends the changed ones (emptied: cleared); a bad one is refused beside its field", async () => {
    const core = fakeCore();
    core.members.h1.push(member());
    core.beneficiaries["C-1"] = { ...member({ abha: "22-7225-4829-5255", rch_id: null, uwin_id: "UW-1" }), village_id: "v1", village: "Rampur", house_no: "12", head_of_household: "Ramesh", doses: [], not_given: [], aefi: [], upcoming: [] };
    let refuse = true;
    const calls = await mount((cmd, req) => (cmd === "update_beneficiary" && refuse ? failAt("BAD_RCH_ID", "rch_id") : core.handler(cmd, req)));
    await openHousehold(calls);
    await click("member-open");
    expect(q("member-ids")!.textContent).toBe("ABHA 22-7225-4829-5255 · U-WIN UW-1");
    await click("member-edit");
    expect((q("edit-abha") as HTMLInputElement).value).toBe("22-7225-4829-5255");
    await type("edit-rch-id", "1234");
    await type("edit-uwin-id", "");
    await click("edit-save");
    expect(calledWith(calls, "update_beneficiary")).toEqual([{ register_id: "C-1", rch_id: "1234", uwin_id: "" }]);
    expect(document.getElementById("edit-rch-id-error")!.textContent).toContain("12 digits");
    expect(document.body.textContent).not.toContain("raw BAD_RCH_ID");
    refuse = false;
    await type("edit-rch-id", "1234 5678 9012");
    await click("edit-save");
    expect(calledWith(calls, "update_beneficiary")[1]).toEqual({ register_id: "C-1", rch_id: "1234 5678 9012", uwin_id: "" });
  });

  it("a refusal at home chooses its doses (all due preselected) and 'refused: other reason' takes a note", async () => {
    const core = fakeCore();
    const due = [
      { code: "PENTA1", status: "overdue", due_on: "2026-10-01", last_on: null },
      { code: "OPV1", status: "due", due_on: "2026-11-01", last_on: null },
    ];
    core.members.h1.push(member({ due }));
    core.beneficiaries["C-1"] = { ...member({ due }), village_id: "v1", village: "Rampur", house_no: "12", head_of_household: "Ramesh", doses: [], not_given: [], aefi: [], upcoming: [] };
    const calls = await mount(core.handler);
    await openHousehold(calls);
    await click("member-open");
    await click("member-refusal");
    expect(q("refusal-dose-PENTA1")!.getAttribute("aria-pressed")).toBe("true");
    expect(q("refusal-dose-OPV1")!.getAttribute("aria-pressed")).toBe("true");
    await click("refusal-dose-OPV1");
    await click("refusal-dose-PENTA1");
    await click("reason-REFUSED_FAMILY");
    expect(calledWith(calls, "record_refusal")).toEqual([]);
    expect(text("refusal-sheet")).toContain("Tap the doses first.");
    await click("refusal-dose-PENTA1");
    await click("reason-REFUSED_OTHER");
    expect(calledWith(calls, "record_refusal")).toEqual([]);
    await click("refusal-save");
    expect(calledWith(calls, "record_refusal")).toEqual([]);
    await type("refusal-note", " waiting for the husband ");
    await click("refusal-save");
    expect(calledWith(calls, "record_refusal")).toEqual([
      { register_id: "C-1", reason: "REFUSED_OTHER", codes: ["PENTA1"], note: "waiting for the husband" },
    ]);
  });

  it("search calls `search` with the text and opens a result", async () => {
    const core = fakeCore();
    core.beneficiaries["C-5"] = { ...member({ register_id: "C-5", name: "Asha Devi" }), village_id: "v1", village: "Rampur", house_no: "7", head_of_household: "Mohan", doses: [], not_given: [], aefi: [], upcoming: [] };
    const calls = await mount(core.handler);
    await type("search", "  asha ");
    await tick(350);
    expect(calledWith(calls, "search")).toEqual([{ text: "asha" }]);
    expect(q("search-result")!.dataset.registerId).toBe("C-5");
    await click("search-result");
    expect(q("member-detail")!.dataset.registerId).toBe("C-5");
  });

  it("search within a village passes its id", async () => {
    const calls = await mount(fakeCore().handler);
    await click("village");
    await type("search", "ram");
    await tick(350);
    expect(calledWith(calls, "search")).toEqual([{ text: "ram", village_id: "v1" }]);
  });

  it("search: a slow answer to an older text never replaces the newer one's results", async () => {
    const found = (rid: string, name: string) => [{ ...member({ register_id: rid, name }), village_id: "v1", village: "Rampur", house_no: "7", head_of_household: "Mohan" }];
    const core = fakeCore();
    const calls = await mount((cmd, req) =>
      cmd === "search"
        ? new Promise((r) => setTimeout(() => r(req!.text === "as" ? found("C-OLD", "Asmita") : found("C-NEW", "Asha")), req!.text === "as" ? 500 : 10))
        : core.handler(cmd, req),
    );
    await type("search", "as");
    await tick(300);
    await type("search", "asha");
    await tick(300);
    expect(calledWith(calls, "search").map((r) => r!.text)).toEqual(["as", "asha"]);
    expect(qa("search-result").map((e) => e.dataset.registerId)).toEqual(["C-NEW"]);
    await tick(400);
    expect(qa("search-result").map((e) => e.dataset.registerId)).toEqual(["C-NEW"]);
  });
});

/** An error as the core rejects with it, naming the request's field. */
const failAt = (code: string, field: string) => {
  throw { code, message: `raw ${code} message`, field };
};

describe("Survey forms", () => {
  it("an error names its field and sits beside it, and clears as soon as the field is fixed", async () => {
    const calls = await mount(fakeCore().handler);
    await click("village");
    await click("add-household");
    await click("hh-save");
    // Neither head nor house no.: the error is under the head's field, which points at it.
    const head = q("hh-head")!;
    expect(head.getAttribute("aria-invalid")).toBe("true");
    expect(head.getAttribute("aria-describedby")).toBe("hh-head-error");
    expect(document.getElementById("hh-head-error")!.textContent).toBe("Write the head of household or the house no.");
    await type("hh-house-no", "14");
    // Fixed (a house no. is enough): gone before saving again.
    expect(document.getElementById("hh-head-error")).toBeNull();
    expect(head.getAttribute("aria-invalid")).toBe("false");
    expect(head.getAttribute("aria-describedby")).toBeNull();
    await type("hh-phone", "98765");
    await click("hh-save");
    expect(document.getElementById("hh-phone-error")!.textContent).toContain("10 to 13 digits");
    expect(q("hh-phone")!.getAttribute("aria-describedby")).toBe("hh-phone-error");
    // Still wrong while typing: stays; once valid: gone.
    await type("hh-phone", "987654321");
    expect(document.getElementById("hh-phone-error")).not.toBeNull();
    await type("hh-phone", "9876543210");
    expect(document.getElementById("hh-phone-error")).toBeNull();
    expect(calledWith(calls, "save_household")).toEqual([]);
  });

  it("the app's error about one field shows beside that field, translated, and goes when the field changes", async () => {
    const core = fakeCore();
    const calls = await mount((cmd, req) => (cmd === "add_child" ? failAt("DOB_TOO_OLD", "dob") : core.handler(cmd, req)));
    await openHousehold(calls);
    await click("add-child");
    await type("child-name", "Ravi");
    await click("child-sex-M");
    await type("child-dob", "01/01/2008");
    await click("child-save");
    expect(calledWith(calls, "add_child")).toHaveLength(1);
    const e = document.getElementById("child-dob-error")!;
    expect(e.textContent).toContain("older than 16 years");
    expect(e.textContent).toContain("Check the year of birth.");
    expect(q("child-dob")!.getAttribute("aria-invalid")).toBe("true");
    // Not also in a box at the bottom, and never the core's English message.
    expect(qa("error").filter((x) => x.dataset.code)).toEqual([]);
    expect(document.body.textContent).not.toContain("raw DOB_TOO_OLD");
    await type("child-dob", "01/01/2018");
    expect(document.getElementById("child-dob-error")).toBeNull();
  });

  it("a pregnancy refused by its EDD shows the refusal under the EDD, in Hindi too", async () => {
    const core = fakeCore();
    const calls = await mount((cmd, req) => (cmd === "add_pregnant_woman" ? failAt("EDD_PAST", "edd") : core.handler(cmd, req)));
    await openHousehold(calls);
    await click("add-woman");
    await type("woman-name", "Meena");
    await type("woman-edd", "01/11/2026");
    await click("woman-save");
    expect(document.getElementById("woman-edd-error")!.textContent).toContain("(EDD) has already passed");
    expect(document.getElementById("woman-lmp-error")).toBeNull();
    await click("sheet-close");
    await click("discard-yes");
    await setLang("hi");
    await click("add-woman");
    await type("woman-name", "मीना");
    await type("woman-edd", "01/11/2026");
    await click("woman-save");
    expect(document.getElementById("woman-edd-error")!.textContent).toContain("डिलीवरी की संभावित तारीख़ (ईडीडी) निकल चुकी है।");
  });

  it("going back from a half-filled form asks first; an empty one closes at once", async () => {
    const calls = await mount(fakeCore().handler);
    await openHousehold(calls);
    await click("add-child");
    await click("sheet-close");
    expect(q("child-name")).toBeNull();
    expect(q("discard")).toBeNull();
    await click("add-child");
    await type("child-name", "Ravi");
    await click("sheet-close");
    const ask = q("discard")!;
    expect(ask.getAttribute("role")).toBe("alertdialog");
    expect(ask.textContent).toContain("Throw away what you filled in?");
    await click("discard-no");
    expect(q("discard")).toBeNull();
    expect((q("child-name") as HTMLInputElement).value).toBe("Ravi");
    await click("sheet-close");
    await click("discard-yes");
    expect(q("child-name")).toBeNull();
    expect(calledWith(calls, "add_child")).toEqual([]);
    // The household form: only what differs from the saved household counts.
    await click("hh-edit");
    await click("sheet-close");
    expect(q("hh-head")).toBeNull();
    await click("hh-edit");
    await type("hh-phone", "98");
    await click("sheet-close");
    expect(q("discard")).not.toBeNull();
    await setLang("hi");
    expect(q("discard")!.textContent).toContain("जो भरा है, उसे मिटा दें?");
  });

  it("a similar household warns before saving: save anyway, or open that household", async () => {
    const twin = hh({ id: "h1", house_no: "12", head_of_household: "Ramesh", phone: "9876543210", members: 3 });
    const core = fakeCore({ similarHouseholds: [twin] });
    const calls = await mount(core.handler);
    await click("village");
    await click("add-household");
    await type("hh-house-no", " 12 ");
    await type("hh-head", "Ramesh Yadav");
    await type("hh-phone", "+91 98765 43210");
    await click("hh-save");
    expect(calledWith(calls, "similar_households")).toEqual([{ village_id: "v1", house_no: "12", phone: "+91 98765 43210", id: null }]);
    const w = q("similar-household-warning")!;
    expect(w.textContent).toContain("Maybe this household is already registered");
    expect(w.textContent).toContain("12 · Ramesh");
    expect(calledWith(calls, "save_household")).toEqual([]);
    // Back: nothing saved, the form as it was.
    await click("similar-household-cancel");
    expect(q("similar-household-warning")).toBeNull();
    expect((q("hh-head") as HTMLInputElement).value).toBe("Ramesh Yadav");
    await click("hh-save");
    await click("similar-household-save");
    expect(calledWith(calls, "save_household")).toHaveLength(1);
    expect(calledWith(calls, "similar_households")).toHaveLength(2);
    // Open that household instead: its members, nothing saved.
    await click("back");
    await click("add-household");
    await type("hh-house-no", "12");
    await click("hh-save");
    await click("similar-household-open");
    expect(calledWith(calls, "save_household")).toHaveLength(1);
    expect(calledWith(calls, "members").at(-1)).toEqual({ household_id: "h1" });
    expect(q("hh-edit")).not.toBeNull();
  });

  it("editing a household without changing its house no. or phone does not ask about similar ones", async () => {
    const calls = await mount(fakeCore({ similarHouseholds: [hh({ id: "h7" })] }).handler);
    await openHousehold(calls);
    await click("hh-edit");
    await type("hh-head", "Ramesh Kumar");
    await click("hh-save");
    expect(calledWith(calls, "similar_households")).toEqual([]);
    expect(calledWith(calls, "save_household")).toHaveLength(1);
  });
});

describe("A record's history", () => {
  const entry = (over: Record<string, unknown>) => ({
    event_id: "e1", recorded_at: "2026-03-10T04:30:00Z", author: "Meena", worker: "w1", device_id: "0193aaaa-bbbb-7000-8000-000000000000",
    this_device: true, pending: false, change: { type: "changed", fields: ["name"] }, corrects: [], corrected: false, lost: [], ...over,
  });
  const history = {
    register_id: "C-1", name: "Asha",
    entries: [
      entry({ event_id: "e3", author: "Kamla", this_device: false, change: { type: "dose_given", code: "BCG", date: "2026-08-16" } }),
      entry({ event_id: "e2", pending: true, lost: ["name", "dob"] }),
      entry({ event_id: "e1", change: { type: "registered", register_id: "C-1", kind: "child", fields: ["name", "sex", "dob"] }, corrected: true }),
    ],
  };
  const setUp = (role: "asha" | "anm" | "supervisor", name = "Asha") => {
    const core = fakeCore();
    core.members.h1.push(member());
    core.beneficiaries["C-1"] = { ...member(), village_id: "v1", village: "Rampur", house_no: "12", head_of_household: "Ramesh", doses: [], not_given: [], aefi: [], upcoming: [] };
    return (cmd: string, req: Record<string, unknown> | undefined) =>
      cmd === "app_state" ? appState(role) : cmd === "record_history" ? { ...history, name } : core.handler(cmd, req);
  };

  it("a supervisor opens it from the member's card: newest first, who, which phone, not yet sent, replaced fields", async () => {
    const calls = await mount(setUp("supervisor"));
    await click("tab-survey");
    await openHousehold(calls);
    await click("member-open");
    await click("member-history");
    expect(calledWith(calls, "record_history")).toEqual([{ register_id: "C-1" }]);
    const rows = qa("history-entry");
    expect(rows.map((r) => r.dataset.type)).toEqual(["dose_given", "changed", "registered"]);
    expect(rows[0].textContent).toContain("BCG");
    expect(rows[0].textContent).toContain("By Kamla · on phone 0193aaaa");
    expect(rows[1].textContent).toContain("on this phone");
    expect(rows[1].querySelector('[data-testid="history-pending"]')).not.toBeNull();
    expect(rows[1].querySelector('[data-testid="history-lost"]')!.textContent).toContain("name, date of birth");
    expect(rows[2].textContent).toContain("Registered: name, sex, date of birth");
    expect(rows[2].querySelector('[data-testid="history-corrected"]')).not.toBeNull();
  });

  it("in Hindi every line is Hindi", async () => {
    const calls = await mount(setUp("supervisor", "आशा"));
    await setLang("hi");
    await click("tab-survey");
    await openHousehold(calls);
    await click("member-open");
    await click("member-history");
    const sheet = q("record-history")!.textContent!;
    expect(sheet).toContain("दूसरे फ़ोन के बाद के बदलाव ने इसे बदल दिया: नाम, जन्म की तारीख़");
    expect(sheet).toContain("पंजीकरण: नाम, लिंग, जन्म की तारीख़");
    // Latin letters only in the data: ids, dose codes and the workers' names as typed.
    expect(sheet.replace(/0193aaaa|BCG|Kamla|Meena/g, "")).not.toMatch(/[A-Za-z]/);
  });

  it("an ASHA or an ANM has no history button", async () => {
    for (const role of ["asha", "anm"] as const) {
      const calls = await mount(setUp(role));
      if (role === "anm") await click("tab-survey");
      await openHousehold(calls);
      await click("member-open");
      expect(q("member-detail")).not.toBeNull();
      expect(q("member-history")).toBeNull();
      cleanup();
    }
  });
});
