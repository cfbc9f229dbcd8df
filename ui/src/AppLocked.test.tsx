// Any command failing with LOCKED brings the lock screen (App level, fake `invoke`); the lock
// screen's message place and the wait's countdown.
import { afterEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { appState, calledWith, cleanup, click, fail, mount, q, qa, tick } from "./test/harness";
import { clockText } from "./screens/Lock";

afterEach(cleanup);

const village = { id: "v1", name: "Rampur", households: 1, children: 0, pregnant_women: 0, due: 0 };
const household = { id: "h1", household_id: "HH-1", village_id: "v1", village: "Rampur", house_no: "12", head_of_household: "Ramesh", phone: null, risk_category: null, resistant: false, members: 0, due: 0 };

describe("LOCKED", () => {
  it("a command failing with LOCKED shows the lock screen; signing in brings her back to her place with its data", async () => {
    let locked = false;
    const calls = await mount((cmd) => {
      if (locked && cmd !== "sign_in" && cmd !== "app_state") fail("LOCKED", "no worker signed in");
      switch (cmd) {
        case "app_state": return appState("asha", { signed_in: locked ? null : appState("asha").signed_in });
        case "villages": return [village];
        case "sessions": return [];
        case "households": return [household];
        case "sign_in": locked = false; return { id: "w1", name: "Sunita", role: "asha" };
        default: return null;
      }
    });
    expect(q("village")).not.toBeNull();
    expect(q("pin-input")).toBeNull();
    locked = true;
    await click("village");
    await tick();
    // the lock screen, one worker: straight to the PIN
    expect(q("pin-input")).not.toBeNull();
    expect(q("tab-survey")).toBeNull();
    expect(q("menu")).toBeNull();
    for (const d of "1234") await click(`pin-key-${d}`);
    if (q("pin-submit")) await click("pin-submit");
    await tick();
    expect(calledWith(calls, "sign_in")).toEqual([{ worker_id: "w1", pin: "1234" }]);
    expect(q("pin-input")).toBeNull();
    // back at the village's households, loaded again, no stale LOCKED error
    expect(qa("household").map((e) => e.dataset.houseNo)).toEqual(["12"]);
    expect(qa("error").filter((e) => e.dataset.code === "LOCKED")).toEqual([]);
  });

  it("LOCKED from the supervisor's first screen (the round dashboard) also locks", async () => {
    await mount((cmd) => {
      switch (cmd) {
        case "app_state": return appState("supervisor");
        case "rounds": return fail("LOCKED");
        default: return cmd === "villages" || cmd === "sessions" ? [] : null;
      }
    });
    expect(q("pin-input")).not.toBeNull();
  });
});

describe("The lock screen", () => {
  const lockedState = (over: Record<string, unknown> = {}) => appState("asha", { signed_in: null, ...over });

  it("keeps the place of \"Wrong PIN\" so the keypad does not move", async () => {
    await mount((cmd) => {
      if (cmd === "app_state") return lockedState();
      if (cmd === "sign_in") fail("WRONG_PIN");
      return null;
    });
    const place = q("pin-message")!;
    expect(place).not.toBeNull();
    expect(place.textContent).toBe("");
    // The place comes before the pad, empty or not, and is the same element after the error.
    expect(place.nextElementSibling!.classList.contains("pinpad")).toBe(true);
    for (const d of "1234") await click(`pin-key-${d}`);
    await click("pin-submit");
    expect(q("pin-message")).toBe(place);
    expect(place.querySelector('[data-testid="error"]')!.textContent).toContain("Wrong PIN.");
    expect(place.nextElementSibling!.classList.contains("pinpad")).toBe(true);
    // The stylesheet reserves the room of the message.
    const css = readFileSync(resolve(__dirname, "styles.css"), "utf8");
    expect(/\.pin-message \{[^}]*min-height: 5\.5rem/.test(css)).toBe(true);
  });

  it("after too many wrong PINs, counts the wait down in minutes:seconds and then lets her try again", async () => {
    let wait: number | null = null;
    await mount((cmd) => {
      if (cmd === "app_state") return lockedState({ pin_wait_seconds: wait });
      if (cmd === "sign_in") {
        wait = 2;
        fail("PIN_WAIT");
      }
      return null;
    });
    expect(q("pin-wait")).toBeNull();
    for (const d of "1234") await click(`pin-key-${d}`);
    await click("pin-submit");
    await tick(50);
    const timer = q("pin-wait")!;
    expect(timer.getAttribute("role")).toBe("timer");
    expect(q("pin-wait-clock")!.textContent).toBe("0:02");
    expect(timer.querySelector("svg circle")).not.toBeNull();
    expect((q("pin-key-1") as HTMLButtonElement).disabled).toBe(true);
    expect(q("pin-wait")!.closest('[data-testid="pin-message"]')).not.toBeNull();
    await tick(1100);
    expect(q("pin-wait-clock")!.textContent).toBe("0:01");
    wait = null;
    await tick(1200);
    expect(q("pin-wait")).toBeNull();
    expect(qa("error").filter((e) => e.dataset.code === "PIN_WAIT")).toEqual([]);
    expect((q("pin-key-1") as HTMLButtonElement).disabled).toBe(false);
  });

  it("a wait still running when the lock screen opens (a restart) is shown at once", async () => {
    await mount((cmd) => (cmd === "app_state" ? lockedState({ pin_wait_seconds: 65 }) : null));
    await tick(50);
    expect(q("pin-wait-clock")!.textContent).toBe("1:05");
    expect((q("pin-submit") as HTMLButtonElement).disabled).toBe(true);
  });

  it("minutes:seconds", () => {
    expect([0, 1, 9.2, 30, 65, 600].map(clockText)).toEqual(["0:00", "0:01", "0:10", "0:30", "1:05", "10:00"]);
  });
});
