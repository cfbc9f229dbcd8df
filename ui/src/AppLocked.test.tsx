// Any command failing with LOCKED brings the lock screen (App level, fake `invoke`).
import { afterEach, describe, expect, it } from "vitest";
import { appState, calledWith, cleanup, click, fail, mount, q, qa, tick } from "./test/harness";

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

  it("LOCKED from the supervisor's coverage also locks", async () => {
    await mount((cmd) => {
      switch (cmd) {
        case "app_state": return appState("supervisor");
        case "coverage": return fail("LOCKED");
        default: return cmd === "villages" || cmd === "sessions" ? [] : null;
      }
    });
    expect(q("pin-input")).not.toBeNull();
  });
});
