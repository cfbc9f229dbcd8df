import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ErrorBox, Loading } from "../components/ui";

/**
 * A screen whose code is a chunk of its own, loaded when it is first shown or by `preload`: the
 * app preloads every screen once its first screen is interactive, so that their code is not
 * parsed before it (the cold start) and is there by the time a worker has typed her PIN.
 */
export type LazyScreen = ComponentType & { preload: () => Promise<void> };

export function lazyScreen(load: () => Promise<ComponentType>): LazyScreen {
  let loaded: ComponentType | null = null;
  let pending: Promise<void> | null = null;
  const preload = () =>
    (pending ??= load().then((c) => {
      loaded = c;
    }));
  function Lazy() {
    const [state, setState] = useState<"ready" | "loading" | "failed">(loaded ? "ready" : "loading");
    useEffect(() => {
      if (loaded) return;
      preload().then(
        () => setState("ready"),
        () => setState("failed"),
      );
    }, []);
    const Screen = loaded;
    if (Screen) return <Screen />;
    return state === "failed" ? <ErrorBox error="INTERNAL" /> : <Loading />;
  }
  return Object.assign(Lazy, { preload });
}
