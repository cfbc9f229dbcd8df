import { describe, expect, it } from "vitest";
import { render } from "preact";
import { act } from "preact/test-utils";
import { lazyScreen } from "./lazy";

const tick = () => act(() => new Promise<void>((r) => setTimeout(r, 5)));

function mountIn(el: preact.ComponentChild) {
  const root = document.createElement("div");
  document.body.appendChild(root);
  render(el, root);
  return root;
}

describe("lazyScreen", () => {
  it("shows Loading until its code is there, then the screen; loads it once", async () => {
    let loads = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const Screen = lazyScreen(async () => {
      loads++;
      await gate;
      return () => <p data-testid="screen">here</p>;
    });
    const root = mountIn(<Screen />);
    await tick();
    expect(root.querySelector("[data-testid=screen]")).toBeNull();
    expect(root.textContent).toContain("Loading");
    release();
    await tick();
    expect(root.querySelector("[data-testid=screen]")!.textContent).toBe("here");
    await Screen.preload();
    const again = mountIn(<Screen />);
    expect(again.querySelector("[data-testid=screen]")).not.toBeNull();
    expect(loads).toBe(1);
  });

  it("a preloaded screen renders at once", async () => {
    const Screen = lazyScreen(async () => () => <p data-testid="now">now</p>);
    await Screen.preload();
    const root = mountIn(<Screen />);
    expect(root.querySelector("[data-testid=now]")).not.toBeNull();
  });

  it("code that cannot be loaded shows the app's error, not a spinner forever", async () => {
    const Screen = lazyScreen(() => Promise.reject(new Error("no chunk")));
    const root = mountIn(<Screen />);
    await tick();
    expect(root.querySelector("[data-testid=error]")!.getAttribute("data-code")).toBe("INTERNAL");
  });
});
