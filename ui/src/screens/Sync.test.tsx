// The sync bar and the Sync screen against a fake core.
import { afterEach, describe, expect, it } from "vitest";
import { act } from "preact/test-utils";
import { emit } from "@tauri-apps/api/event";
import { appState, calledWith, cleanup, click, fail, mount, q, qa, setLang, syncState, text, tick, type } from "../test/harness";

const enrolled = { ...syncState, enrolled: true, server_url: "https://teeka.example.org", area: "Block A", role: "asha", device_id: "d-1", pending: 7, set_aside: 1 };
const network = { code: "NETWORK", message: "error sending request for url (https://teeka.example.org/v1/sync)" };

function handler(sync: typeof syncState, over: Record<string, (req: Record<string, unknown> | undefined) => unknown> = {}, language = "en") {
  return (cmd: string, req: Record<string, unknown> | undefined): unknown => {
    if (over[cmd]) return over[cmd](req);
    switch (cmd) {
      case "app_state": return appState("asha", { sync, language });
      case "villages": return [];
      case "sessions": return [];
      case "sync_state": return sync;
      default: return null;
    }
  };
}

afterEach(cleanup);

describe("Sync bar and screen", () => {
  it("shows the pending count in the bar and on the screen, and follows sync-state events", async () => {
    await mount(handler(enrolled));
    expect(q("sync-bar")!.dataset.enrolled).toBe("yes");
    expect(text("sync-pending")).toBe("7");
    await click("tab-sync");
    expect(text("sync-detail-pending")).toBe("7");
    expect(text("sync-set-aside")).toBe("1");
    await act(() => emit("sync-state", { ...enrolled, pending: 2 }));
    await tick();
    expect(text("sync-pending")).toBe("2");
    expect(text("sync-detail-pending")).toBe("2");
  });

  it("last_error NETWORK is shown in Hindi when the language is Hindi, never the raw message", async () => {
    await mount(handler({ ...enrolled, last_error: network }, {}, "hi"));
    const bar = q("sync-error")!;
    expect(bar.dataset.code).toBe("NETWORK");
    expect(bar.textContent).toContain("इंटरनेट कनेक्शन नहीं है।");
    await click("tab-sync");
    const e = qa("error").find((x) => x.dataset.code === "NETWORK")!;
    expect(e.textContent).toContain("इंटरनेट कनेक्शन नहीं है।");
    expect(document.body.textContent).not.toContain("error sending request");
  });

  it("switching to Hindi translates the sync problem at once", async () => {
    await mount(handler({ ...enrolled, last_error: network }));
    expect(text("sync-error")).toContain("No internet connection.");
    await setLang("hi");
    expect(text("sync-error")).toContain("इंटरनेट कनेक्शन नहीं है।");
  });

  it("Sync now (bar and screen) calls sync_now and shows the state it returns", async () => {
    let n = 0;
    const calls = await mount(handler(enrolled, { sync_now: () => ({ ...enrolled, pending: 7 - ++n * 3, syncing: false }) }));
    await click("sync-now");
    expect(calledWith(calls, "sync_now")).toEqual([{}]);
    expect(text("sync-pending")).toBe("4");
    await click("tab-sync");
    await click("sync-now-big");
    expect(calledWith(calls, "sync_now")).toHaveLength(2);
    expect(text("sync-pending")).toBe("1");
    expect(text("sync-detail-pending")).toBe("1");
  });

  it("Sync now failing with NETWORK shows the translated problem in the bar", async () => {
    await mount(handler(enrolled, { sync_now: () => fail("NETWORK", "raw english detail") }));
    expect(q("sync-error")).toBeNull();
    await click("sync-now");
    expect(q("sync-error")!.dataset.code).toBe("NETWORK");
    expect(text("sync-error")).toContain("No internet connection.");
    expect(document.body.textContent).not.toContain("raw english detail");
  });

  it("not enrolled: no Sync now; the enroll form sends {server, code} and shows CODE_INVALID translated", async () => {
    let tries = 0;
    const calls = await mount(handler(syncState, {
      enroll: () => (++tries === 1 ? fail("CODE_INVALID", "code abc not found") : { ...enrolled, pending: 0 }),
    }));
    expect(q("sync-bar")!.dataset.enrolled).toBe("no");
    expect(q("sync-now")).toBeNull();
    await click("tab-sync");
    expect(q("sync-now-big")).toBeNull();
    // both fields needed: nothing sent
    await type("enroll-server", "https://teeka.example.org");
    await click("enroll-submit");
    expect(calledWith(calls, "enroll")).toEqual([]);
    await type("enroll-code", " K7Q-2M9 ");
    await click("enroll-submit");
    expect(calledWith(calls, "enroll")).toEqual([{ server: "https://teeka.example.org", code: "K7Q-2M9" }]);
    expect(q("error")!.dataset.code).toBe("CODE_INVALID");
    expect(text("error")).toContain("This enrollment code does not work");
    expect(document.body.textContent).not.toContain("code abc not found");
    await setLang("hi");
    await click("tab-sync");
    expect(text("error")).toContain("यह नामांकन कोड काम नहीं कर रहा");
    await click("enroll-submit");
    expect(calledWith(calls, "enroll")).toHaveLength(2);
    expect(q("sync-bar")!.dataset.enrolled).toBe("yes");
    expect(q("sync-now")).not.toBeNull();
    expect(q("enroll-submit")).toBeNull();
  });

  it("a pasted server certificate goes with the enrollment; its refusal shows beside it, translated", async () => {
    const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
    let tries = 0;
    const calls = await mount(handler(syncState, {
      enroll: () =>
        ++tries === 1
          ? (() => {
              throw { code: "INVALID_INPUT", message: "the pinned server certificate is not usable: bad", field: "server_cert" };
            })()
          : fail("UNTRUSTED_SERVER", "the server is not trusted: raw detail"),
    }));
    await click("tab-sync");
    await type("enroll-server", "https://teeka.example.org");
    await type("enroll-code", "K7Q-2M9");
    await type("enroll-cert", `  ${pem}\n`);
    await click("enroll-submit");
    expect(calledWith(calls, "enroll")).toEqual([{ server: "https://teeka.example.org", code: "K7Q-2M9", server_cert: pem }]);
    expect(q("error")!.dataset.field).toBe("enroll-cert");
    await type("enroll-cert", pem + " ");
    await click("enroll-submit");
    expect(q("error")!.dataset.code).toBe("UNTRUSTED_SERVER");
    expect(text("error")).toContain("This phone does not trust the server it reached.");
    expect(document.body.textContent).not.toContain("raw detail");
  });
});
