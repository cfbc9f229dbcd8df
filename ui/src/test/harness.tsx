// Shared test helpers: the App rendered against a fake `invoke` (mockIPC), as in App.test.tsx.
import { render } from "preact";
import { act } from "preact/test-utils";
import { mockIPC, clearMocks } from "@tauri-apps/api/mocks";
import { App, preloadScreens } from "../App";
import { setLanguage } from "../i18n";

export const syncState = {
  enrolled: false, server_url: null as string | null, area: null as string | null, role: null as string | null, device_id: null as string | null,
  pending: 0, set_aside: 0, syncing: false, last_success: null as string | null, last_error: null as { code: string; message: string } | null, next_attempt_in_s: null as number | null,
};
export type SyncFake = typeof syncState;

export const worker = (role: "asha" | "anm" | "supervisor") => ({ id: "w1", name: "Sunita", role });

export function appState(role: "asha" | "anm" | "supervisor", over: Record<string, unknown> = {}) {
  return {
    language: "en" as string | null,
    workers: [worker(role)],
    signed_in: worker(role) as unknown,
    today: "2026-11-22",
    lock_after_minutes: 5,
    codes: { child: ["BCG", "OPV0", "PENTA1", "PENTA2"], pregnant_woman: ["TD1", "TD2", "TDB"] },
    reasons: ["CHILD_SICK", "REFUSED_FAMILY"],
    refusal_reasons: ["REFUSED_FEAR_AEFI", "REFUSED_FAMILY", "REFUSED_OTHER"],
    antigens: ["BCG", "OPV", "PENTA"],
    sync: syncState,
    ...over,
  };
}

export type Call = [string, Record<string, unknown> | undefined];
export type Handler = (cmd: string, req: Record<string, unknown> | undefined) => unknown;

/** Fakes `invoke` with `handler` (events mocked; `ui_ready`, `touch` answered), renders the App, returns the calls. */
export async function mount(handler: Handler): Promise<Call[]> {
  const calls: Call[] = [];
  mockIPC(
    (cmd, args) => {
      const req = (args as { req?: Record<string, unknown> } | undefined)?.req;
      if (cmd.startsWith("plugin:event")) return 1;
      calls.push([cmd, req]);
      if (cmd === "ui_ready" || cmd === "touch") return null;
      return handler(cmd, req);
    },
    { shouldMockEvents: true },
  );
  // The tabs' screens loaded first, as they are by the time a worker has signed in.
  await preloadScreens();
  const root = document.createElement("div");
  document.body.appendChild(root);
  await act(() => render(<App />, root));
  await tick();
  await tick();
  return calls;
}

export function cleanup() {
  clearMocks();
  document.body.innerHTML = "";
  setLanguage("en");
}

/** An error as the core rejects with it. */
export const fail = (code: string, message = `raw ${code} message`) => {
  throw { code, message };
};

export const tick = (ms = 20) => act(() => new Promise<void>((r) => setTimeout(r, ms)));
/** The first *visible* element with the test id (hidden tabs stay mounted). */
export const q = (id: string) => qa(id)[0] ?? null;
export const qa = (id: string) =>
  Array.from(document.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)).filter((el) => !el.closest("[hidden]"));
export const calledWith = (calls: Call[], cmd: string) => calls.filter((c) => c[0] === cmd).map((c) => c[1]);

function need(id: string): HTMLElement {
  const el = q(id);
  if (!el) throw new Error(`no ${id} in ${document.body.innerHTML.slice(0, 3000)}`);
  return el;
}
export async function click(id: string | HTMLElement) {
  const el = typeof id === "string" ? need(id) : id;
  await act(() => el.click());
  await tick();
}
export async function type(id: string, v: string) {
  const el = need(id) as HTMLInputElement;
  await act(() => {
    el.value = v;
    el.dispatchEvent(new Event("input", { bubbles: true }));
  });
}
export async function choose(id: string, v: string) {
  const el = need(id) as HTMLSelectElement;
  await act(() => {
    el.value = v;
    el.dispatchEvent(new Event("change", { bubbles: true }));
  });
}
export const text = (id: string) => need(id).textContent ?? "";

/** Switches the language from the menu, as a worker does. */
export async function setLang(code: string) {
  await click("menu");
  await click(`menu-lang-${code}`);
}
