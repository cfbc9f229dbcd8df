/** Calls `f` at most once per `ms` (leading edge); later calls inside the window are dropped. */
export function throttle(f: () => void, ms: number, now: () => number = () => Date.now()): () => void {
  let last = -Infinity;
  return () => {
    const t = now();
    if (t - last >= ms) {
      last = t;
      f();
    }
  };
}
