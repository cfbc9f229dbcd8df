// The supervisor's round dashboard against a fake core: the round picker, the headline figures
// and charts of the core's report, a tap on an area down to a village's households, the red
// list, and the phones; in English and Hindi.
import { afterEach, describe, expect, it } from "vitest";
import { appState, calledWith, choose, cleanup, click, fail, mount as mountApp, q, qa, setLang, text, tick, type Handler } from "../test/harness";

/** The app mounted, the rounds and then the report loaded. */
async function mount(h: Handler) {
  const calls = await mountApp(h);
  await tick();
  await tick();
  return calls;
}

const fic = (cohort: number, fully: number) => ({ cohort, fully_immunized: fully, percent: cohort ? Math.round((fully * 1000) / cohort) / 10 : null });
const d0 = { cohort: 0, from: 0, to: 0, rate: null };
function area(path: string, level: string, due: number, vaccinated: number, over: Record<string, unknown> = {}) {
  return {
    area: path, id: path === "Block/SC-1/Rampur" ? "v1" : `id-${path}`, name: path.split("/").pop(), level,
    sessions_planned: 4, sessions_planned_round: 6, sessions_held: 3, sessions_not_held: 1, not_held: [{ reason: "WEATHER", count: 1 }],
    sessions_reported: 2, reporting_percent: 66.7, sessions_unplanned: 0,
    due, vaccinated, covered_percent: due ? Math.round((vaccinated * 1000) / due) / 10 : null,
    children: { due: 5, vaccinated: 3, doses_due: due, doses_vaccinated: vaccinated }, pregnant_women: { due: 0, vaccinated: 0, doses_due: 0, doses_vaccinated: 0 },
    antigens: [], fic_before: fic(10, 5), fic_after: fic(10, 7),
    fic_by_day: [{ day: "2026-11-20", cohort: 10, fully_immunized: 6, percent: 60 }, { day: "2026-11-21", cohort: 10, fully_immunized: 7, percent: 70 }],
    dropout: { penta1_penta3: d0, penta1_mr1: d0, bcg_mr1: d0, mr1_mr2: d0 },
    left_out: 1, drop_out: 2, pregnant_left_out: 0, pregnant_drop_out: 0,
    refusal_families: 4, refusals_open: 1, refusals_still_refusing: 1, refusals_persuaded: 2, refusals_migrated: 0, refusals_escalated: 0, persuaded_percent: 50,
    aefi: { minor: 2, severe: 0, serious: 1 },
    wastage: [
      { antigen: "BCG", vials_opened: 1, doses_in_vials: 10, doses_given: 2, rate: 80, data_error: false },
      { antigen: "PENTA", vials_opened: 1, doses_in_vials: 10, doses_given: 12, rate: -20, data_error: true },
    ],
    activities: [], devices: null, ...over,
  };
}
const report = (total: unknown, areas: unknown[], units: unknown[] = [], red: unknown[] = []) => ({
  round: 1, on: "2026-11-22", days: ["2026-11-20", "2026-11-21", "2026-11-23"], total, areas, units, red_list: red,
});
const RED = [
  { kind: "low_coverage", area: "Block/SC-2/Kheri", name: "Kheri", due: 10, vaccinated: 3, percent: 30 },
  { kind: "not_reported", site_id: "S-02", site_name: "Kheri school", area: "Block/SC-2/Kheri", day: "2026-11-21" },
  { kind: "old_case", household_id: "HH-7", area: "Block/SC-1/Rampur", opened_on: "2026-11-10", days_open: 12, status: "open" },
  { kind: "serious_aefi", register_id: "B-9", area: "Block/SC-1/Rampur", date: "2026-11-21" },
];
const reports: Record<string, unknown> = {
  "": report(area("Block", "block", 40, 30), [area("Block/SC-1", "subcentre", 30, 27), area("Block/SC-2", "subcentre", 10, 3)], [
    { area: "Block/SC-1/Rampur", name: "Rampur", due: 30, vaccinated: 27, percent: 90 },
    { area: "Block/SC-2/Kheri", name: "Kheri", due: 10, vaccinated: 3, percent: 30 },
  ], RED),
  "Block/SC-1": report(area("Block/SC-1", "subcentre", 30, 27), [area("Block/SC-1/Rampur", "village", 30, 27)]),
  "Block/SC-1/Rampur": report(area("Block/SC-1/Rampur", "village", 30, 27), []),
};
const ago = (h: number) => new Date(Date.now() - h * 3600_000).toISOString();
const phone = (id: string, last: string | null, over: Record<string, unknown> = {}) => ({
  device_id: id, area: "UP/Sitapur/Block/SC-1/Rampur", role: "asha", worker: "Sunita", enrolled_at: "2026-10-01T00:00:00Z",
  last_sync_at: last, pending: 3, clock_skew_ms: null, revoked: false, ...over,
});

function handler(cmd: string, req: Record<string, unknown> | undefined): unknown {
  switch (cmd) {
    case "app_state": return appState("supervisor");
    case "sessions": return [];
    case "rounds": return [1, 2].map((n) => ({ number: n, start: "2026-11-20", working_days: 3, ri_days: [], holidays: [], calendar: { days: [], working: [] } }));
    case "round_report": return reports[(req?.area as string | null) ?? ""];
    case "villages": return [{ id: "v1", name: "Rampur", households: 2, children: 3, pregnant_women: 0, due: 1 }];
    case "households": return [
      { id: "h1", household_id: "HH-1", village_id: "v1", village: "Rampur", house_no: "12", head_of_household: "Ramesh", phone: null, risk_category: null, resistant: true, members: 3, due: 1 },
    ];
    case "devices": return [
      phone("fresh", ago(2), { worker: "Meena", role: "anm", area: "UP/Sitapur/Block/SC-1" }),
      phone("old", ago(30), { clock_skew_ms: 7 * 60_000 }),
      phone("never", null, { worker: null, pending: null }),
    ];
    default: return null;
  }
}

afterEach(cleanup);

describe("The round dashboard", () => {
  it("opens on the latest round with its headline figures and charts", async () => {
    const calls = await mount(handler);
    expect(q("dashboard")).not.toBeNull();
    expect((q("dash-round") as HTMLSelectElement).value).toBe("2");
    expect(calledWith(calls, "round_report").at(-1)).toEqual({ round: 2, area: null });
    await choose("dash-round", "1");
    await tick();
    expect(calledWith(calls, "round_report").at(-1)).toEqual({ round: 1, area: null });
    expect(text("dash-area-title")).toBe("Block");
    const tile = (id: string) => q(id)!.querySelector('[data-testid="tile-value"]')!.textContent;
    expect(tile("dash-covered")).toBe("75.0%");
    expect(tile("dash-sessions")).toBe("3 / 4");
    expect(tile("dash-fic")).toBe("50.0% → 70.0%");
    expect(tile("dash-refusals")).toBe("2 / 4");
    expect(q("dash-aefi")!.classList.contains("bad")).toBe(true);
    // The bars per village, with the 80% line; the low one marked.
    const units = qa("dash-unit");
    expect(units.map((u) => [u.dataset.area, u.dataset.low])).toEqual([["Block/SC-1/Rampur", "false"], ["Block/SC-2/Kheri", "true"]]);
    expect(units[0].querySelector('[data-testid="goal-line"]')!.getAttribute("x1")).toBe("80");
    expect(units[1].querySelector('[data-testid="bar-fill"]')!.getAttribute("width")).toBe("30");
    // FIC before the round, then each day.
    expect(qa("fic-day").map((d) => d.textContent)).toEqual(["Before 50.0%", "20/11 60.0%", "21/11 70.0%"]);
    expect(q("fic-points")!.getAttribute("points")).toBe("0,20 50,16 100,12");
    expect(text("dash-sessions-chart")).toContain("Not held: 1");
    expect(text("dash-refusal-chart")).toContain("Persuaded: 2");
    expect(q("aefi-serious")!.dataset.n).toBe("1");
    // Wastage: the negative one flagged.
    expect(qa("wastage-row").map((w) => [w.dataset.antigen, w.dataset.flagged])).toEqual([["BCG", "false"], ["PENTA", "true"]]);
    expect(qa("wastage-flag")).toHaveLength(1);
  });

  it("the red list in its groups", async () => {
    await mount(handler);
    for (const kind of ["low_coverage", "not_reported", "old_case", "serious_aefi"]) expect(q(`dash-red-${kind}`)!.dataset.n).toBe("1");
    const items = qa("dash-red-item").map((i) => i.textContent);
    expect(items).toEqual(["Kheri: 30.0% (3 of 10 doses)", "Kheri school on 21/11/2026", "Household HH-7, Rampur: 12 days", "B-9, Rampur, on 21/11/2026"]);
  });

  it("a tap on an area shows its child areas, then a village's households; back returns", async () => {
    const calls = await mount(handler);
    const areas = qa("dash-area");
    expect(areas.map((a) => a.dataset.area)).toEqual(["Block/SC-1", "Block/SC-2"]);
    expect(areas[1].dataset.low).toBe("true");
    await click(areas[0]);
    expect(calledWith(calls, "round_report").at(-1)).toEqual({ round: 2, area: "Block/SC-1" });
    expect(text("dash-area-title")).toBe("SC-1");
    await click(qa("dash-area")[0]);
    await tick();
    await tick();
    expect(text("dash-area-title")).toBe("Rampur");
    expect(calledWith(calls, "households").at(-1)).toEqual({ village_id: "v1" });
    const h = q("dash-household")!;
    expect(h.dataset.householdId).toBe("HH-1");
    expect(h.textContent).toContain("House 12 · Ramesh");
    expect(h.textContent).toContain("Refusing");
    await click("dash-back");
    await click("dash-back");
    await tick();
    expect(text("dash-area-title")).toBe("Block");
    expect(q("dash-back")).toBeNull();
  });

  it("the phones: worker, role and village, last sync in words, oldest first, the stale and the clock off marked", async () => {
    await mount(handler);
    await click("sup-devices");
    const rows = qa("device");
    expect(rows.map((r) => [r.dataset.deviceId, r.dataset.stale])).toEqual([["never", "true"], ["old", "true"], ["fresh", "false"]]);
    const inRow = (r: HTMLElement, id: string) => r.querySelector<HTMLElement>(`[data-testid="${id}"]`)?.textContent ?? null;
    expect(inRow(rows[2], "device-worker")).toBe("Meena");
    expect(rows[2].textContent).toContain("ANM");
    expect(inRow(rows[2], "device-village")).toBe("SC-1");
    expect(inRow(rows[2], "device-last-sync")).toBe("Last sync 2 hours ago");
    expect(inRow(rows[1], "device-last-sync")).toBe("Last sync 1 day ago");
    expect(inRow(rows[0], "device-last-sync")).toBe("Last sync never");
    expect(inRow(rows[0], "device-worker")).toBe("Worker not known yet");
    expect(inRow(rows[0], "device-pending")).toBe("waiting: not reported yet");
    expect(inRow(rows[1], "device-pending")).toBe("3 waiting");
    expect(inRow(rows[1], "device-skew")).toBe("Phone clock is wrong by 7 min");
    expect(inRow(rows[2], "device-stale")).toBeNull();
    await setLang("hi");
    await click("tab-supervisor");
    await click("sup-devices");
    const hi = qa("device");
    expect(inRow(hi[2], "device-last-sync")).toBe("पिछला सिंक 2 घंटे पहले");
    expect(inRow(hi[0], "device-stale")).toBe("24 घंटे से सिंक नहीं हुआ");
  });

  it("in Hindi: the round is चरण, and no English is left", async () => {
    await mount(handler);
    await setLang("hi");
    await click("tab-supervisor");
    expect(q("dash-round")!.textContent).toContain("चरण 2");
    expect(text("sup-dashboard")).toBe("चरण");
    expect(text("dash-red-list")).toContain("लाल सूची");
    // The pack's language buttons name each language in its own script.
    const body = q("dashboard")!.textContent!.replace(/Block|SC-\d|Kheri school|Kheri|Rampur|HH-7|B-9|BCG|PENTA|English/g, "");
    expect(body).not.toMatch(/[A-Za-z]{3,}/);
  });

  const PNG = "data:image/png;base64,iVBORw0KGgo=";
  const pack = (req: Record<string, unknown> | undefined) => ({
    round: req?.round, on: "2026-11-22", area: "Block", name: "Block", lang: req?.lang, dir: "/data/teeka/evening-packs",
    pdf_path: `/data/teeka/evening-packs/evening-pack-block-round2-2026-11-22-${req?.lang}.pdf`,
    png_path: `/data/teeka/evening-packs/evening-pack-block-round2-2026-11-22-${req?.lang}.png`,
    file_stem: `evening-pack-block-round2-2026-11-22-${req?.lang}`, png_width: 1240, png_height: 1755, png_data_url: PNG,
  });

  it("the evening pack: the language, progress while it draws, then the picture and where it was saved", async () => {
    let finish: (v: unknown) => void = () => undefined;
    const calls = await mount((cmd, req) => (cmd === "evening_pack" ? new Promise((r) => (finish = () => r(pack(req)))) : handler(cmd, req)));
    expect(text("dash-pack")).toContain("Evening pack");
    expect(q("pack-lang-en")!.getAttribute("aria-checked")).toBe("true");
    expect(text("pack-lang-hi")).toBe("हिन्दी");
    await click("pack-lang-hi");
    expect(q("pack-lang-hi")!.getAttribute("aria-checked")).toBe("true");
    await click("pack-make");
    expect(calledWith(calls, "evening_pack")).toEqual([{ round: 2, area: null, lang: "hi" }]);
    // While the core draws: progress, the button held.
    expect(q("pack-progress")).not.toBeNull();
    expect((q("pack-make") as HTMLButtonElement).disabled).toBe(true);
    expect(text("pack-make")).toBe("Making the page…");
    expect(q("pack-preview")).toBeNull();
    finish(null);
    await tick();
    expect(q("pack-progress")).toBeNull();
    const img = q("pack-preview") as HTMLImageElement;
    expect(img.getAttribute("src")).toBe(PNG);
    expect(img.getAttribute("alt")).toBe("The evening pack of Block");
    expect(q("pack-done")!.dataset.lang).toBe("hi");
    expect(text("pack-dir")).toBe("/data/teeka/evening-packs");
    expect(text("pack-files")).toBe("Files: evening-pack-block-round2-2026-11-22-hi.pdf and evening-pack-block-round2-2026-11-22-hi.png");
    // No share sheet in this web view: says how to send it instead.
    expect(q("pack-share")).toBeNull();
    expect(text("pack-share-none")).toContain("Open the PDF to print or send it, or send it from this folder.");
    expect(text("pack-make")).toBe("Make it again");
    // Open the PDF with the system's program, or show it in its folder (the shell's open_pack).
    await click("pack-open");
    await click("pack-reveal");
    expect(calledWith(calls, "open_pack")).toEqual([
      { file: "evening-pack-block-round2-2026-11-22-hi.pdf", how: "open" },
      { file: "evening-pack-block-round2-2026-11-22-hi.pdf", how: "reveal" },
    ]);
    expect(q("error")).toBeNull();
    // Larger to read on a phone, and back.
    await click("pack-zoom");
    expect(img.closest(".pack-frame")!.classList.contains("zoomed")).toBe(true);
    expect(text("pack-zoom")).toBe("See the whole page");
    await click("pack-preview");
    expect(img.closest(".pack-frame")!.classList.contains("zoomed")).toBe(false);
  });

  it("the pack is of the area shown, and shares the picture where the web view can", async () => {
    const nav = navigator as unknown as Record<string, unknown>;
    const shared: unknown[] = [];
    nav.canShare = (d: { files: File[] }) => d.files.length === 1;
    nav.share = async (d: unknown) => void shared.push(d);
    try {
      const calls = await mount((cmd, req) => (cmd === "evening_pack" ? pack(req) : handler(cmd, req)));
      await click(qa("dash-area")[0]);
      await tick();
      await click("pack-make");
      await tick();
      expect(calledWith(calls, "evening_pack").at(-1)).toEqual({ round: 2, area: "Block/SC-1", lang: "en" });
      await click("pack-share");
      const files = (shared[0] as { files: File[] }).files;
      expect(files.map((f) => [f.name, f.type])).toEqual([["evening-pack-block-round2-2026-11-22-en.png", "image/png"]]);
      // Another area: a pack of its own is to be made.
      await click("dash-back");
      await tick();
      expect(q("pack-preview")).toBeNull();
    } finally {
      delete nav.canShare;
      delete nav.share;
    }
  });

  it("a file the system cannot open says so, and where the folder is", async () => {
    await mount((cmd, req) => (cmd === "evening_pack" ? pack(req) : cmd === "open_pack" ? fail("CANNOT_OPEN") : handler(cmd, req)));
    await click("pack-make");
    await tick();
    await click("pack-open");
    await tick();
    expect(q("error")!.dataset.code).toBe("CANNOT_OPEN");
    expect(text("pack-done")).toContain("This device could not open the file. Open it from the folder shown.");
    expect(q("pack-preview")).not.toBeNull();
  });

  it("a pack that fails says why; in Hindi the page is Hindi first", async () => {
    await mount((cmd, req) => (cmd === "evening_pack" ? fail("PACK_FAILED") : handler(cmd, req)));
    await click("pack-make");
    await tick();
    expect(q("error")!.dataset.code).toBe("PACK_FAILED");
    expect(text("dash-pack")).toContain("The evening pack could not be made or saved.");
    expect(q("pack-preview")).toBeNull();
    expect((q("pack-make") as HTMLButtonElement).disabled).toBe(false);
    await setLang("hi");
    await click("tab-supervisor");
    await tick();
    expect(text("dash-pack")).toContain("शाम की रिपोर्ट");
    expect(q("pack-lang-hi")!.getAttribute("aria-checked")).toBe("true");
  });

  it("no round yet: says so", async () => {
    await mount((cmd, req) => (cmd === "rounds" ? [] : handler(cmd, req)));
    expect(text("dash-no-round")).toBe("No round yet. Add one on the Round screen.");
  });
});
