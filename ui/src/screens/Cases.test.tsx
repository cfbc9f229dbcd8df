// The case-files tab against a fake core: an ASHA's families to visit and a visit recorded; an
// ANM's open cases with assign and escalate; communication activities; Hindi.
import { afterEach, describe, expect, it } from "vitest";
import { appState, calledWith, cleanup, click, mount, q, qa, setLang, text, tick, type } from "../test/harness";

const state = (over: Record<string, unknown> = {}) => ({
  status: "open", opened_on: "2026-11-18", persuaded_on: null, agreed_on: null, last_visit: null, visits: 0, escalated_on: null, ...over,
});
const caseFile = (hh: string, head: string, over: Record<string, unknown> = {}) => ({
  household: `u-${hh}`, household_id: hh, village_id: "v1", village: "Rampur", house_no: "3", head_of_household: head, phone: "9876543210",
  refusals: [{ register_id: `${hh}-C1`, name: "Ravi", codes: ["OPV3", "PENTA3"], reason: "REFUSED_FEAR_AEFI", date: "2026-11-18" }],
  assigned: null, visits: [], escalated: null, state: state(), days_open: 4, ...over,
});
const visit = (id: string, date: string, outcome: string) => ({ id, date, by: "asha", by_name: "Sunita", action: "home_visit", outcome, note: null });

function handler(role: "asha" | "anm") {
  let cases: Record<string, any>[] = [
    caseFile("HH-1", "Mohan", { visits: [visit("v1", "2026-11-19", "still_refusing")], state: state({ status: "still_refusing", visits: 1, last_visit: "2026-11-19" }) }),
    caseFile("HH-2", "Suresh", { days_open: 1, state: state({ opened_on: "2026-11-21" }) }),
    caseFile("HH-3", "Kishan", { state: state({ status: "persuaded", persuaded_on: "2026-11-20" }) }),
  ];
  let activities: unknown[] = [];
  return (cmd: string, req: Record<string, unknown> | undefined): unknown => {
    switch (cmd) {
      case "app_state": return appState(role);
      case "villages": return [{ id: "v1", name: "Rampur", households: 3, children: 3, pregnant_women: 0, due: 1 }];
      case "sessions": case "coverage": case "refusals": return [];
      case "case_files": return cases;
      case "record_case_visit": {
        const c = cases.find((x) => x.household === req!.household)!;
        const v = { ...visit("v9", req!.date as string, req!.outcome as string), by: req!.by as string, action: req!.action as string };
        const updated = { ...c, visits: [...c.visits, v], state: state({ status: "open", agreed_on: req!.date, visits: c.visits.length + 1 }) };
        cases = cases.map((x) => (x.household === c.household ? updated : x));
        return updated;
      }
      case "assign_case": {
        const c = cases.find((x) => x.household === req!.household)!;
        const updated = { ...c, assigned: { persuader: req!.persuader, name: req!.name } };
        cases = cases.map((x) => (x.household === c.household ? updated : x));
        return updated;
      }
      case "escalate_case": {
        const c = cases.find((x) => x.household === req!.household)!;
        const updated = { ...c, escalated: req!.escalated ? { on: "2026-11-22", note: req!.note } : null };
        cases = cases.map((x) => (x.household === c.household ? updated : x));
        return updated;
      }
      case "activities": return activities;
      case "record_activity": {
        const a = { id: "a1", village_id: req!.village_id, village: "Rampur", date: req!.date, kind: req!.kind, led_by: req!.led_by, leader: req!.leader, attendance: req!.attendance, note: req!.note };
        activities = [a];
        return a;
      }
      default: return null;
    }
  };
}

afterEach(cleanup);

describe("Case files", () => {
  it("an ASHA sees her families to visit and records a visit with big buttons", async () => {
    const calls = await mount(handler("asha"));
    await click("tab-cases");
    expect(calledWith(calls, "case_files")[0]).toEqual({ village_id: null, mine: true });
    expect(text("cases-cases")).toBe("My families to visit");
    const items = qa("case-item");
    expect(items.map((e) => [e.dataset.householdId, e.dataset.status])).toEqual([["HH-1", "still_refusing"], ["HH-2", "open"], ["HH-3", "persuaded"]]);
    expect(items[0].querySelector('[data-testid="case-doses"]')!.textContent).toBe("OPV 3, Penta 3");
    expect(items[0].querySelector('[data-testid="case-days"]')!.textContent).toBe("Open for 4 days · Nobody assigned yet");
    expect(items[1].querySelector('[data-testid="case-days"]')!.textContent).toContain("Open for 1 day ·");
    expect(items[0].querySelector('[data-testid="case-last-visit"]')!.textContent).toBe("Last visit 19/11/2026: Still refusing");
    expect(items[2].querySelector('[data-testid="case-status"]')!.textContent).toBe("Persuaded: the vaccine was given");

    await click(items[0]);
    expect(q("case-sheet")).not.toBeNull();
    expect(qa("case-visit")).toHaveLength(1);
    expect(q("assign-form")).toBeNull();
    expect(q("case-escalate")).toBeNull();
    // Nothing chosen: a local problem, no call.
    await click("visit-save");
    expect(q("visit-form")!.textContent).toContain("Choose who went, what was done and how it ended.");
    expect(calledWith(calls, "record_case_visit")).toHaveLength(0);
    expect(q("visit-by-asha")!.getAttribute("aria-pressed")).toBe("true");
    await click("visit-action-counselling");
    await click("visit-outcome-persuaded");
    await type("visit-note", "father agreed");
    await click("visit-save");
    expect(calledWith(calls, "record_case_visit")[0]).toEqual({
      household: "u-HH-1", date: "2026-11-22", by: "asha", by_name: "Sunita", action: "counselling", outcome: "persuaded", note: "father agreed",
    });
    expect(q("visit-saved")).not.toBeNull();
    expect(qa("case-visit").map((e) => e.dataset.outcome)).toEqual(["persuaded", "still_refusing"]);
    expect(q("case-sheet")!.querySelector('[data-testid="case-status"]')!.textContent).toBe("Agreed: the vaccine is still to be given");
    await tick();
    expect(qa("case-item")[0].dataset.status).toBe("agreed");
  });

  it("a visit dated before the first refusal is refused on the form", async () => {
    const calls = await mount(handler("asha"));
    await click("tab-cases");
    await click(qa("case-item")[1]);
    await type("visit-date", "20/11/2026");
    await click("visit-action-home_visit");
    await click("visit-outcome-still_refusing");
    await click("visit-save");
    expect(q("visit-form")!.textContent).toContain("This date is before the first refusal.");
    expect(calledWith(calls, "record_case_visit")).toHaveLength(0);
  });

  it("an ANM sees the open cases, assigns and escalates; the persuaded badge shows the dose given", async () => {
    const calls = await mount(handler("anm"));
    await click("tab-cases");
    expect(calledWith(calls, "case_files")[0]).toEqual({ village_id: null, open_only: true });
    expect(text("cases-cases")).toBe("Open cases");
    await click(qa("case-item")[0]);
    await click("assign-to-religious_leader");
    await type("assign-name", "Maulana Sahab");
    await click("assign-save");
    expect(calledWith(calls, "assign_case")[0]).toEqual({ household: "u-HH-1", persuader: "religious_leader", name: "Maulana Sahab" });
    expect(text("case-assigned")).toBe("Assigned: Religious leader (Maulana Sahab)");
    await type("escalate-note", "father threatens the ASHA");
    await click("case-escalate");
    expect(calledWith(calls, "escalate_case")[0]).toEqual({ household: "u-HH-1", escalated: true, note: "father threatens the ASHA" });
    expect(text("case-escalated-note")).toContain("Sent to the block task force on 22/11/2026");
    await click("case-withdraw");
    expect(calledWith(calls, "escalate_case")[1]).toEqual({ household: "u-HH-1", escalated: false, note: null });
    expect(q("case-escalated-note")).toBeNull();
    await click("sheet-close");
    await click(qa("case-item")[2]);
    expect(text("case-persuaded")).toBe("Vaccine given on 20/11/2026");
  });

  it("a communication activity: kind as big buttons, attendance checked, then listed", async () => {
    const calls = await mount(handler("asha"));
    await click("tab-cases");
    await click("cases-activities");
    expect(q("activities-none")).not.toBeNull();
    await click("activity-add");
    await click("activity-kind-mothers_meeting");
    await type("activity-attendance-input", "12000");
    await click("activity-save");
    expect(q("activity-sheet")!.textContent).toContain("a number from 0 to 10000");
    await type("activity-attendance-input", "14");
    await click("activity-save");
    expect(calledWith(calls, "record_activity")[0]).toEqual({
      village_id: "v1", date: "2026-11-22", kind: "mothers_meeting", led_by: "Sunita", leader: "asha", attendance: 14, note: null,
    });
    await tick();
    expect(qa("activity-item").map((e) => e.dataset.kind)).toEqual(["mothers_meeting"]);
    expect(text("activity-attendance")).toBe("14 people came");
  });

  it("in Hindi", async () => {
    await mount(handler("asha"));
    await setLang("hi");
    await click("tab-cases");
    expect(text("cases-cases")).toBe("मेरे घर जहाँ जाना है");
    expect(qa("case-status").map((e) => e.textContent)).toEqual(["अब भी मना कर रहे हैं", "मनाना है", "मान गए: टीका लगा"]);
    expect(document.body.textContent).toContain("4 दिन से");
  });

  it("the supervisor's refusals link to the case files", async () => {
    await mount((cmd, req) => (cmd === "app_state" ? appState("supervisor") : handler("anm")(cmd, req)));
    await click("sup-refusals");
    await click("open-cases");
    expect(q("tab-cases")!.getAttribute("aria-current")).toBe("page");
  });
});
