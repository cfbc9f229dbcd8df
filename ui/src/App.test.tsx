// The first-run flow and the session screen against a fake `invoke` (test only).
import { afterEach, describe, expect, it } from "vitest";
import { render } from "preact";
import { act } from "preact/test-utils";
import { mockIPC, clearMocks } from "@tauri-apps/api/mocks";
import { App, preloadScreens } from "./App";
import { setLanguage } from "./i18n";

const sync = { enrolled: false, server_url: null, area: null, role: null, device_id: null, pending: 3, set_aside: 0, syncing: false, last_success: null, last_error: null, next_attempt_in_s: null };
const base = {
  language: null as string | null, workers: [] as unknown[], signed_in: null as unknown, today: "2026-11-22", lock_after_minutes: 5,
  codes: { child: ["BCG", "OPV0", "PENTA1"], pregnant_woman: ["TD1", "TD2", "TDB"] },
  reasons: ["CHILD_SICK", "REFUSED_FAMILY"], refusal_reasons: ["REFUSED_FAMILY"],
  antigens: ["BCG", "OPV", "PENTA"], sync,
};

const tick = () => act(() => new Promise((r) => setTimeout(r, 20)));
const q = (id: string) => document.querySelector(`[data-testid="${id}"]`) as HTMLElement | null;
async function click(id: string) {
  const el = q(id);
  if (!el) throw new Error(`no ${id} in ${document.body.innerHTML.slice(0, 2000)}`);
  await act(() => el.click());
  await tick();
}
async function type(id: string, v: string) {
  const el = q(id) as HTMLInputElement;
  await act(() => {
    el.value = v;
    el.dispatchEvent(new Event("input", { bubbles: true }));
  });
}

afterEach(() => {
  clearMocks();
  document.body.innerHTML = "";
  setLanguage("en");
});

describe("App", () => {
  it("first run: language, start offline, create worker, lands on the role's home", async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, (args as { req?: unknown })?.req]);
      if (cmd === "app_state") return base;
      if (cmd === "set_language") return null;
      if (cmd === "add_worker") return { id: "w1", name: "Sunita", role: "anm" };
      if (cmd === "villages") return [{ id: "v1", name: "Rampur", households: 1, children: 2, pregnant_women: 0, due: 2 }];
      if (cmd === "sessions") return [];
      if (cmd === "ui_ready") return null;
      if (cmd.startsWith("plugin:event")) return 1;
      return null;
    }, { shouldMockEvents: true });
    await preloadScreens();
    const root = document.createElement("div");
    document.body.appendChild(root);
    await act(() => render(<App />, root));
    await tick();
    expect(q("lang-hi")!.textContent).toBe("हिन्दी");
    expect(q("sync-pending")!.textContent).toBe("3");
    await click("lang-hi");
    expect(calls.find((c) => c[0] === "set_language")![1]).toEqual({ language: "hi" });
    expect(q("start-offline")!.textContent).toContain("बिना इंटरनेट");
    await click("start-offline");
    await type("worker-name", "Sunita");
    await click("worker-role-anm");
    await type("worker-pin", "1234");
    await type("worker-pin2", "1243");
    await click("worker-save");
    expect(q("error")!.textContent).toContain("एक जैसे नहीं");
    await type("worker-pin2", "1234");
    await click("worker-save");
    expect(calls.find((c) => c[0] === "add_worker")![1]).toEqual({ name: "Sunita", role: "anm", pin: "1234" });
    await tick();
    // ANM lands on the session screen
    expect(q("session-open")).not.toBeNull();
    expect((q("session-date") as HTMLInputElement).value).toBe("22/11/2026");
    expect(q("tab-session")!.getAttribute("aria-current")).toBe("page");
  });

  it("session: give doses, tally, closed session error translated", async () => {
    let closed = false;
    const item = { register_id: "C-1", name: "Asha Kumari", kind: "child", household_id: "h", village: "Rampur", classification: "drop_out", fully_immunized: false, doses: [{ code: "PENTA1", status: "overdue", due_on: "2026-10-01", last_on: null }, { code: "OPV0", status: "due", due_on: null, last_on: null }], given: [], not_given: [] };
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, (args as { req?: unknown })?.req]);
      switch (cmd) {
        case "app_state": return { ...base, language: "en", workers: [{ id: "w", name: "A", role: "anm" }], signed_in: { id: "w", name: "A", role: "anm" } };
        case "villages": return [{ id: "v1", name: "Rampur", households: 1, children: 1, pregnant_women: 0, due: 1 }];
        case "sessions": return [];
        case "open_session": return { id: "s1", site_id: "v1", site: "Rampur", date: "2026-11-22", closed: false, vials: [] };
        case "session_due": return [item];
        case "session_tally": return { session_id: "s1", by_antigen: closed ? [] : [{ antigen: "PENTA", doses: calls.some((c) => c[0] === "record_given") ? 1 : 0 }], by_dose: [], not_given: [], aefi: { minor: 0, severe: 0, serious: 0 }, beneficiaries: 1, children: 1, pregnant_women: 0 };
        case "record_given":
          if (closed) throw { code: "SESSION_CLOSED", message: "closed" };
          return { item: { ...item, given: ["PENTA1"] }, warnings: [] };
        case "close_session": closed = true; return { id: "s1", site_id: "v1", site: "Rampur", date: "2026-11-22", closed: true, vials: [] };
        default: return cmd.startsWith("plugin:event") ? 1 : null;
      }
    }, { shouldMockEvents: true });
    await preloadScreens();
    const root = document.createElement("div");
    document.body.appendChild(root);
    await act(() => render(<App />, root));
    await tick();
    await tick();
    await click("session-open");
    await tick();
    expect(q("session-item")!.dataset.registerId).toBe("C-1");
    await tick();
    expect(Number(document.body.dataset.dueListMs)).toBeGreaterThanOrEqual(0);
    await click("give");
    expect(q("error")!.textContent).toContain("Tap the doses");
    await click("chip-PENTA1");
    await click("give");
    expect(calls.find((c) => c[0] === "record_given")![1]).toEqual({ session_id: "s1", register_id: "C-1", codes: ["PENTA1"] });
    await tick();
    expect(q("tally-PENTA")!.textContent).toBe("1");
    expect(q("chip-PENTA1")!.dataset.status).toBe("given");
    await click("close-session");
    await click("vials-PENTA-plus");
    await click("close-confirm");
    expect(calls.find((c) => c[0] === "close_session")![1]).toEqual({ session_id: "s1", vials: [{ antigen: "PENTA", opened: 1 }, { antigen: "BCG", opened: 0 }, { antigen: "OPV", opened: 0 }] });
    expect(q("session-closed")).not.toBeNull();
  });
});

describe("Add worker", () => {
  it("asks for the signed-in worker's PIN in a field that is there, and shows a wrong one beside it", async () => {
    const h = await import("./test/harness");
    let tries = 0;
    const calls = await h.mount((cmd, req) => {
      switch (cmd) {
        case "app_state": return h.appState("anm");
        case "villages": case "sessions": return [];
        case "add_worker":
          tries += 1;
          if (req!.signed_in_pin !== "2468") throw { code: "WRONG_PIN", message: "raw", field: "signed_in_pin" };
          return { id: "w2", name: "Meena", role: "asha" };
        default: return null;
      }
    });
    await h.click("menu");
    await h.click("menu-add-worker");
    const pinField = h.q("worker-signed-in-pin") as HTMLInputElement;
    expect(pinField).not.toBeNull();
    expect(pinField.type).toBe("password");
    expect(pinField.closest("label")!.textContent).toContain("PIN of Sunita");
    expect(document.body.textContent).toContain("Sunita is signed in.");
    await h.type("worker-name", "Meena");
    await h.click("worker-role-asha");
    await h.type("worker-pin", "1111");
    await h.type("worker-pin2", "1111");
    // Empty: refused beside the field, before any call.
    await h.click("worker-save");
    expect(tries).toBe(0);
    expect(document.getElementById("worker-signed-in-pin-error")!.textContent).toBe("The PIN must be 4 to 6 digits.");
    await h.type("worker-signed-in-pin", "0000");
    expect(document.getElementById("worker-signed-in-pin-error")).toBeNull();
    await h.click("worker-save");
    expect(h.calledWith(calls, "add_worker")).toEqual([{ name: "Meena", role: "asha", pin: "1111", signed_in_pin: "0000" }]);
    // Wrong: said beside the field, which is emptied to type again.
    expect(document.getElementById("worker-signed-in-pin-error")!.textContent).toContain("Wrong PIN.");
    expect((h.q("worker-signed-in-pin") as HTMLInputElement).value).toBe("");
    expect(h.q("worker-signed-in-pin")!.getAttribute("aria-invalid")).toBe("true");
    await h.type("worker-signed-in-pin", "2468");
    expect(document.getElementById("worker-signed-in-pin-error")).toBeNull();
    await h.click("worker-save");
    expect(h.calledWith(calls, "add_worker").at(-1)).toEqual({ name: "Meena", role: "asha", pin: "1111", signed_in_pin: "2468" });
    expect(h.q("worker-name")).toBeNull();
    h.cleanup();
  });

  it("cancelling a half-filled worker form asks first", async () => {
    const h = await import("./test/harness");
    await h.mount((cmd) => (cmd === "app_state" ? h.appState("anm") : cmd === "villages" || cmd === "sessions" ? [] : null));
    await h.click("menu");
    await h.click("menu-add-worker");
    await h.type("worker-name", "Meena");
    await h.click("worker-cancel");
    expect(h.q("discard")).not.toBeNull();
    await h.click("discard-no");
    expect((h.q("worker-name") as HTMLInputElement).value).toBe("Meena");
    await h.click("worker-cancel");
    await h.click("discard-yes");
    expect(h.q("worker-name")).toBeNull();
    expect(h.q("tab-session")).not.toBeNull();
    h.cleanup();
  });

  it("the first worker is created without a signed-in PIN field", async () => {
    const h = await import("./test/harness");
    await h.mount((cmd) => (cmd === "app_state" ? h.appState("anm", { workers: [], signed_in: null }) : null));
    await h.click("start-offline");
    expect(h.q("worker-name")).not.toBeNull();
    expect(h.q("worker-signed-in-pin")).toBeNull();
    h.cleanup();
  });
});
