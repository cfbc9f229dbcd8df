// Badges that say what is true, a pregnant woman never a "Girl", and recording a delivery
// (issue 9, items 2 and 11) against a fake core.
import { afterEach, describe, expect, it } from "vitest";
import { appState, calledWith, cleanup, click, mount, q, qa, setLang, text, tick, type } from "../test/harness";

const village = { id: "v1", name: "Rampur", households: 1, children: 1, pregnant_women: 1, due: 2 };
const household = {
  id: "h1", household_id: "HH-1", village_id: "v1", village: "Rampur", house_no: "12", head_of_household: "Ramesh",
  phone: null, risk_category: null, resistant: false, members: 2, due: 2,
};
const place = { village_id: "v1", village: "Rampur", house_no: "12", head_of_household: "Ramesh" };
const member = (over: Record<string, unknown> = {}) => ({
  id: "m1", register_id: "C-1", household_id: "h1", kind: "child", name: "Asha", sex: "F", dob: "2026-08-15", lmp: null, edd: null,
  mother_name: null, status: "active", classification: "up_to_date", fully_immunized: false, due: [], mother: null, delivery: null,
  age: null, pregnancy_weeks: null, ...over,
});
const due = (code: string, status: "due" | "overdue") => ({ code, status, due_on: "2026-11-20", last_on: null });

function fakeCore() {
  const woman = member({
    id: "w", register_id: "W-1", kind: "pregnant_woman", name: "Kamla", sex: "F", dob: null, lmp: "2026-03-01", edd: "2026-12-06",
    classification: "left_out", due: [due("TD1", "overdue")],
  });
  const members: Record<string, unknown>[] = [
    member({ due: [due("PENTA1", "due"), due("OPV1", "due"), due("RVV1", "due")] }),
    member({ register_id: "C-2", name: "Ravi", sex: "M" }),
    woman,
  ];
  const beneficiaries: Record<string, Record<string, unknown>> = {
    "W-1": { ...woman, ...place, phone: null, doses: [], not_given: [], aefi: [], upcoming: [] },
  };
  const handler = (cmd: string, req: Record<string, unknown> | undefined): unknown => {
    switch (cmd) {
      case "app_state": return appState("asha");
      case "villages": return [village];
      case "sessions": return [];
      case "households": return [household];
      case "members": return members;
      case "beneficiary": return beneficiaries[req!.register_id as string];
      case "record_delivery": {
        const baby = member({
          id: "n1", register_id: "B-1", name: (req!.newborns as { name: string }[])[0].name, sex: "F", dob: req!.date, mother_name: "Kamla", mother: "W-1",
          due: [due("BCG", "due"), due("HEPB0", "due"), due("OPV0", "due")],
        });
        const delivery = { date: req!.date, outcome: req!.outcome, live_births: 1 };
        const mother = { ...woman, status: "delivered", due: [], delivery };
        members.splice(2, 1, mother, baby);
        beneficiaries["W-1"] = { ...beneficiaries["W-1"], ...mother };
        beneficiaries["B-1"] = { ...baby, ...place, phone: null, doses: [], not_given: [], aefi: [], upcoming: [] };
        return { mother, newborns: [baby] };
      }
      default: return null;
    }
  };
  return { handler };
}

async function openHousehold() {
  await click("village");
  await click(qa("household")[0]);
}

const badgeOf = (rid: string) => qa("member").find((e) => e.dataset.registerId === rid)!.querySelector<HTMLElement>('[data-testid="badge"]')!;

afterEach(cleanup);

describe("Badges", () => {
  it("say 'On schedule · N due now' when doses are due, 'Up to date' only when nothing is, in English and Hindi", async () => {
    await mount(fakeCore().handler);
    await openHousehold();
    expect(badgeOf("C-1").textContent).toBe("On schedule · 3 due now");
    expect(badgeOf("C-1").dataset.classification).toBe("up_to_date");
    expect(badgeOf("C-1").dataset.due).toBe("3");
    expect(badgeOf("C-2").textContent).toBe("Up to date");
    expect(badgeOf("W-1").textContent).toBe("Left out · 1 due now");
    await setLang("hi");
    expect(badgeOf("C-1").textContent).toBe("टीके समय पर · 3 अभी लगने हैं");
    expect(badgeOf("C-2").textContent).toBe("अभी कोई टीका बाकी नहीं");
  });
});

describe("A pregnant woman's card", () => {
  it("shows 'Pregnant woman' and never a sex, and records a delivery: the household then lists the newborn with birth doses due", async () => {
    const calls = await mount(fakeCore().handler);
    await openHousehold();
    await click(qa("member").find((e) => e.dataset.registerId === "W-1")!.querySelector<HTMLElement>('[data-testid="member-open"]')!);
    const card = q("member-detail")!;
    expect(card.textContent).toContain("Pregnant woman");
    expect(card.textContent).not.toContain("Girl");
    await click("member-delivery-open");
    expect(q("delivery-form")).not.toBeNull();

    // The date: not in the future, not before her LMP; the error sits beside the field.
    await type("delivery-date", "23/11/2026");
    const dateError = () => q("delivery-date")!.closest("label")!.querySelector('[data-testid="error"]')?.textContent ?? null;
    expect(dateError()).toContain("after today");
    await type("delivery-date", "20/02/2026");
    expect(dateError()).toContain("before her LMP (01/03/2026)");
    await click("delivery-save");
    expect(calledWith(calls, "record_delivery")).toEqual([]);
    await type("delivery-date", "20/11/2026");
    expect(dateError()).toBeNull();

    // A live birth: one baby, prefilled "Baby of Kamla"; the sex must be chosen.
    await click("delivery-outcome-live_birth");
    expect(qa("delivery-baby").length).toBe(1);
    expect((q("delivery-baby-name-0") as HTMLInputElement).value).toBe("Baby of Kamla");
    await click("delivery-save");
    expect(text("delivery-form")).toContain("Choose the sex of each baby.");
    expect(calledWith(calls, "record_delivery")).toEqual([]);
    await click("delivery-baby-sex-0-F");
    await click("delivery-save");
    expect(calledWith(calls, "record_delivery")).toEqual([
      { register_id: "W-1", date: "2026-11-20", outcome: "live_birth", newborns: [{ name: "Baby of Kamla", sex: "F" }] },
    ]);
    expect(q("delivery-form")).toBeNull();
    await tick();
    expect(text("delivery-added")).toBe("Added to the household: Baby of Kamla. Due now: BCG, Hep B birth, OPV 0.");
    expect(text("member-delivery")).toBe("Delivery 20/11/2026: Baby born alive");
    expect(q("member-status")!.dataset.status).toBe("delivered");
    expect(q("member-delivery-open")).toBeNull();

    await click("back");
    const baby = qa("member").find((e) => e.dataset.registerId === "B-1")!;
    expect(baby.dataset.name).toBe("Baby of Kamla");
    expect(baby.querySelectorAll('[data-testid="due-dose"]').length).toBe(3);
    expect(badgeOf("B-1").textContent).toBe("On schedule · 3 due now");
    // The newborn's card leads to the mother's.
    await click(baby.querySelector<HTMLElement>('[data-testid="member-open"]')!);
    expect(q("member-detail")!.dataset.registerId).toBe("B-1");
    expect(text("member-mother-open")).toBe("Mother's card: Kamla");
    await click("member-mother-open");
    expect(q("member-detail")!.dataset.registerId).toBe("W-1");
  });

  it("a stillbirth lists no babies", async () => {
    const calls = await mount(fakeCore().handler);
    await openHousehold();
    await click(qa("member").find((e) => e.dataset.registerId === "W-1")!.querySelector<HTMLElement>('[data-testid="member-open"]')!);
    await click("member-delivery-open");
    await click("delivery-outcome-live_birth");
    await click("delivery-outcome-stillbirth");
    expect(qa("delivery-baby").length).toBe(0);
    expect(q("delivery-babies")).toBeNull();
    await type("delivery-date", "20/11/2026");
    await click("delivery-save");
    expect(calledWith(calls, "record_delivery")).toEqual([{ register_id: "W-1", date: "2026-11-20", outcome: "stillbirth", newborns: [] }]);
  });

  it("twins: '+' adds a baby and never saves the form", async () => {
    const calls = await mount(fakeCore().handler);
    await openHousehold();
    await click(qa("member").find((e) => e.dataset.registerId === "W-1")!.querySelector<HTMLElement>('[data-testid="member-open"]')!);
    await click("member-delivery-open");
    await type("delivery-date", "20/11/2026");
    await click("delivery-outcome-live_birth");
    await click("delivery-baby-sex-0-F");
    await click("delivery-babies-plus");
    expect(calledWith(calls, "record_delivery")).toEqual([]);
    expect(qa("delivery-baby").length).toBe(2);
    await click("delivery-baby-sex-1-M");
    await click("delivery-save");
    const saved = calledWith(calls, "record_delivery") as { newborns: { sex: string }[] }[];
    expect(saved.map((r) => r.newborns.map((n) => n.sex))).toEqual([["F", "M"]]);
  });
});
