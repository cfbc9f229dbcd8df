// The supervisor screen against a fake core: coverage, follow-up, refusals, devices.
import { afterEach, describe, expect, it } from "vitest";
import { appState, calledWith, choose, cleanup, click, fail, mount, q, qa, setLang, text } from "../test/harness";

const dropout = (from: number, to: number, rate: number | null, cohort = from) => ({ cohort, from, to, rate });
const cov = (over: Record<string, unknown> = {}) => ({
  date: "2026-11-22", village: null, children: 10, pregnant_women: 2,
  fic: { cohort: 3, fully_immunized: 2, percent: 66.666 },
  dropout: { penta1_penta3: dropout(10, 8, 20), penta1_mr1: dropout(10, 9, 10), bcg_mr1: dropout(12, 12, 0), mr1_mr2: dropout(0, 0, null) },
  left_out: 3, drop_out: 4, up_to_date: 5, resistant_households: 1, ...over,
});
const coverage = {
  total: cov(),
  villages: [
    { village_id: "v1", village: "Rampur", coverage: cov({ village: "Rampur", fic: { cohort: 8, fully_immunized: 7, percent: 87.5 }, left_out: 1, drop_out: 2, dropout: { penta1_penta3: dropout(4, 5, -25), penta1_mr1: dropout(4, 3, 25), bcg_mr1: dropout(5, 4, 20), mr1_mr2: dropout(3, 3, 0) } }) },
    { village_id: "v2", village: "Sitapur", coverage: cov({ village: "Sitapur", fic: { cohort: 0, fully_immunized: 0, percent: null }, left_out: 6, drop_out: 0 }) },
  ],
};
const item = (rid: string, classification: string) => ({
  register_id: rid, name: `Child ${rid}`, kind: "child", household_id: "HH-1", village: "Rampur", classification, fully_immunized: false,
  doses: [{ code: "PENTA3", status: "overdue", due_on: "2026-09-01", last_on: "2026-07-01" }],
  age: { years: 1, months: 2, weeks: 0, days: 0 }, pregnancy_weeks: null, edd: null,
  house_no: "12", head_of_household: "Ramesh", phone: "98765 43210", mother_name: "Pooja", asha_name: "Sunita", asha_phone: null,
});
const device = (id: string, skew: number | null, over: Record<string, unknown> = {}) => ({
  device_id: id, area: "Block A", role: "asha", enrolled_at: "2026-10-01T00:00:00Z", last_sync_at: null, pending: 2, clock_skew_ms: skew, revoked: false, ...over,
});

function handler(devices: () => unknown) {
  return (cmd: string, req: Record<string, unknown> | undefined): unknown => {
    switch (cmd) {
      case "app_state": return appState("supervisor");
      case "villages": return [{ id: "v1", name: "Rampur", households: 1, children: 1, pregnant_women: 0, due: 1 }, { id: "v2", name: "Sitapur", households: 0, children: 0, pregnant_women: 0, due: 0 }];
      case "sessions": return [];
      case "coverage": return coverage;
      case "follow_up": return req?.village_id === "v2" ? [] : [item("C-1", "left_out"), item("C-2", "drop_out")];
      case "refusals": return [{ register_id: "C-7", name: "Ravi", village: "Rampur", house_no: "3", head_of_household: "Mohan", code: "OPV3", date: "2026-11-02", reason: "REFUSED_FEAR_AEFI", codes: ["OPV3", "PENTA3", "MR1"], note: null, session_id: "s1", kind: "child", sex: "M", age: { years: 1, months: 2, weeks: 0, days: 0 }, pregnancy_weeks: null }];
      case "devices": return devices();
      default: return null;
    }
  };
}

const card = (name: string) => qa("coverage-village").find((e) => e.dataset.name === name)!;
const inCard = (c: HTMLElement, id: string) => c.querySelector<HTMLElement>(`[data-testid="${id}"]`)!;
const countOf = (c: HTMLElement, cls: string) => c.querySelector<HTMLElement>(`.counts [data-classification="${cls}"]`)!.parentElement!.textContent!.replace(c.querySelector(`.counts [data-classification="${cls}"]`)!.textContent!, "").trim();

afterEach(cleanup);

describe("Supervisor", () => {
  it("coverage per village: FIC %, the four drop-out rates, left-out and drop-out counts", async () => {
    const calls = await mount(handler(() => []));
    expect(q("tab-supervisor")!.getAttribute("aria-current")).toBe("page");
    expect(calledWith(calls, "coverage")).toHaveLength(0);
    await click("sup-coverage");
    expect(calledWith(calls, "coverage")).toHaveLength(1);
    expect(inCard(q("coverage-total")!, "fic-percent").textContent).toBe("66.7%");
    expect(qa("coverage-village").map((e) => e.dataset.name)).toEqual(["Rampur", "Sitapur"]);
    const r = card("Rampur");
    expect(inCard(r, "fic-percent").textContent).toBe("87.5%");
    const rates = ["penta1_penta3", "penta1_mr1", "bcg_mr1", "mr1_mr2"].map((k) => inCard(r, `dropout-${k}`).querySelector(".bar-n")!.textContent);
    expect(rates).toEqual(["-25.0%", "25.0%", "20.0%", "0.0%"]);
    // over 10 % (or negative: more later doses than first ones) is marked bad
    const bad = ["penta1_penta3", "penta1_mr1", "bcg_mr1", "mr1_mr2"].map((k) => inCard(r, `dropout-${k}`).querySelector(".bar-fill")!.classList.contains("bad"));
    expect(bad).toEqual([true, true, true, false]);
    expect(countOf(r, "left_out")).toBe("1");
    expect(countOf(r, "drop_out")).toBe("2");
    const s = card("Sitapur");
    expect(inCard(s, "fic-percent").textContent).toBe("—");
    expect(inCard(s, "dropout-mr1_mr2").querySelector(".bar-n")!.textContent).toBe("—");
    // Each rate says over whom it is taken: the children old enough for the second dose.
    expect(inCard(s, "dropout-penta1_penta3-cohort").textContent).toBe(
      "Of 10 children who should have had the second dose by now: 10 had the first, 8 the second",
    );
    expect(countOf(s, "left_out")).toBe("6");
    expect(countOf(s, "drop_out")).toBe("0");
  });

  it("follow-up list and its village filter", async () => {
    const calls = await mount(handler(() => []));
    await click("sup-follow_up");
    expect(qa("follow-up-item").map((e) => [e.dataset.registerId, e.dataset.classification])).toEqual([["C-1", "left_out"], ["C-2", "drop_out"]]);
    expect(qa("follow-up-item")[0].querySelector<HTMLElement>('[data-testid="due-dose"]')!.dataset.status).toBe("overdue");
    await choose("sup-village", "v2");
    await click("sup-follow_up");
    expect(calledWith(calls, "follow_up").at(-1)).toEqual({ village_id: "v2" });
    expect(qa("follow-up-item")).toHaveLength(0);
  });

  it("refusals list", async () => {
    const calls = await mount(handler(() => []));
    await click("sup-refusals");
    expect(calledWith(calls, "refusals")).toHaveLength(1);
    const r = q("refusal-item")!;
    expect(r.dataset.registerId).toBe("C-7");
    expect(r.textContent).toContain("02/11/2026");
    expect(r.textContent).toContain("Ravi · Child");
    expect(inCard(r, "refusal-age").textContent).toBe("1 yr 2 mo · ");
    // One visit is one row, listing every dose refused at it.
    expect(qa("refusal-item")).toHaveLength(1);
    expect(inCard(r, "refusal-doses").textContent).toContain("OPV 3, Penta 3, MR 1");
  });

  it("devices: clock skew over 5 minutes is flagged, either way; 5 minutes or less is not", async () => {
    await mount(handler(() => [device("d-fast", 6 * 60000), device("d-slow", -7 * 60000), device("d-ok", 5 * 60000), device("d-none", null)]));
    await click("sup-devices");
    const flagged = qa("device").filter((d) => d.querySelector('[data-testid="device-skew"]')).map((d) => d.dataset.deviceId);
    expect(flagged).toEqual(["d-fast", "d-slow"]);
    expect(qa("device").find((d) => d.dataset.deviceId === "d-slow")!.textContent).toContain("7 min");
  });

  it("devices: an unknown pending count is said so, never 'null'; an area path wraps only between its parts", async () => {
    const path = "Uttar Pradesh/Sitapur/Mahmudabad/Rampur SC";
    await mount(handler(() => [device("d-new", null, { pending: null, area: path }), device("d-two", null)]));
    await click("sup-devices");
    const [fresh, two] = qa("device");
    expect(fresh.textContent).not.toContain("null");
    expect(fresh.textContent).toContain("waiting: not reported yet");
    expect(two.textContent).toContain("2 waiting");
    const area = fresh.querySelector<HTMLElement>('[data-testid="device-area"]')!;
    expect(area.textContent).toBe(path.replace(/ /g, "\u00A0"));
    expect(area.querySelectorAll("wbr")).toHaveLength(3);
  });

  for (const [code, en, hi] of [
    ["NETWORK", "Connect to the internet to see the phones.", "फ़ोन देखने के लिए इंटरनेट से जुड़ें।"],
    ["NOT_ENROLLED", "Connect this phone to a server to see the phones.", "फ़ोन देखने के लिए इस फ़ोन को सर्वर से जोड़ें।"],
  ]) {
    it(`devices: ${code} shows the translated message, not the raw one`, async () => {
      await mount(handler(() => fail(code, "raw english detail")));
      await click("sup-devices");
      expect(q("error")!.dataset.code).toBe(code);
      expect(text("error")).toBe(en);
      expect(document.body.textContent).not.toContain("raw english detail");
      await setLang("hi");
      expect(text("error")).toBe(hi);
    });
  }

  it("devices: another error is shown by its code, translated", async () => {
    await mount(handler(() => fail("UNAVAILABLE", "raw english detail")));
    await click("sup-devices");
    expect(q("error")!.dataset.code).toBe("UNAVAILABLE");
    expect(text("error")).toContain("The server is busy or has a problem.");
    expect(document.body.textContent).not.toContain("raw english detail");
  });
});
