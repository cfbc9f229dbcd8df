import { useEffect, useState } from "preact/hooks";
import { api, toApiError, type ApiError } from "../api";
import type { Worker } from "../bindings";
import { t } from "../i18n";
import { ErrorBox } from "../components/ui";

/** Seconds as the countdown shows them: minutes:seconds ("0:25", "1:05"). */
export function clockText(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** The wait after too many wrong PINs: the seconds left as the core tells them (`app_state`'s
 * `pin_wait_seconds`), counted down on screen; null when there is no wait. */
function useWait(): [number | null, () => void] {
  const [until, setUntil] = useState<number | null>(null);
  const [left, setLeft] = useState<number | null>(null);
  const ask = () => {
    api.appState().then(
      (s) => setUntil(s.pin_wait_seconds ? Date.now() + s.pin_wait_seconds * 1000 : null),
      () => {},
    );
  };
  useEffect(ask, []);
  useEffect(() => {
    if (until === null) return setLeft(null);
    const step = () => {
      const s = Math.ceil((until - Date.now()) / 1000);
      if (s <= 0) {
        setUntil(null);
        setLeft(null);
      } else setLeft(s);
    };
    step();
    const id = setInterval(step, 250);
    return () => clearInterval(id);
  }, [until]);
  return [left, ask];
}

/** A round timer that empties as the wait runs out, with minutes:seconds in words beside it. */
function WaitTimer({ left, total }: { left: number; total: number }) {
  const r = 20;
  const c = 2 * Math.PI * r;
  const part = Math.min(1, Math.max(0, left / Math.max(total, left, 1)));
  return (
    <div class="pin-wait" role="timer" aria-live="polite" data-testid="pin-wait" data-seconds={left}>
      <svg viewBox="0 0 48 48" width="48" height="48" aria-hidden="true">
        <circle cx="24" cy="24" r={r} fill="none" stroke="var(--line)" stroke-width="6" />
        <circle cx="24" cy="24" r={r} fill="none" stroke="var(--bad)" stroke-width="6" stroke-dasharray={`${c * part} ${c}`} transform="rotate(-90 24 24)" stroke-linecap="round" />
      </svg>
      <div>
        <strong>{t("err.PIN_WAIT")}</strong> {t("lock.wait")}
        <span class="pin-wait-clock" data-testid="pin-wait-clock">{clockText(left)}</span>
      </div>
    </div>
  );
}

/** Workers of this phone; tap a name, then the PIN pad. */
export function LockScreen(props: { workers: Worker[]; onSignedIn: (w: Worker) => void; onAddWorker: () => void; addPending: boolean }) {
  const [who, setWho] = useState<Worker | null>(props.workers.length === 1 ? props.workers[0] : null);
  const [pin, setPin] = useState("");
  const [err, setErr] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [wait, askWait] = useWait();
  const [waitTotal, setWaitTotal] = useState(30);
  useEffect(() => {
    if (wait !== null && wait > waitTotal) setWaitTotal(wait);
    // The wait is over: its message goes, the pad works again.
    if (wait === null && err?.code === "PIN_WAIT") setErr(null);
  }, [wait]);
  const submit = async () => {
    if (!who || pin.length < 4 || wait !== null) return;
    setBusy(true);
    setErr(null);
    try {
      const w = await api.signIn(who.id, pin);
      setPin("");
      props.onSignedIn(w);
    } catch (x) {
      const e = toApiError(x);
      setErr(e);
      setPin("");
      if (e.code === "PIN_WAIT") askWait();
    } finally {
      setBusy(false);
    }
  };
  const press = (d: string) => setPin((p) => (p.length < 6 ? p + d : p));
  if (!who) {
    return (
      <main class="screen">
        <h1>{t("lock.title")}</h1>
        {props.addPending && <p class="note">{t("worker.add")}: {t("lock.enter_pin")}</p>}
        <ul class="list">
          {props.workers.map((w) => (
            <li key={w.id}>
              <button class="row-btn" onClick={() => setWho(w)} data-testid="lock-worker" data-worker-id={w.id} data-name={w.name}>
                <span class="row-title">{w.name}</span>
                <span class="muted">{t("role." + w.role)}</span>
              </button>
            </li>
          ))}
        </ul>
        <button class="btn" onClick={props.onAddWorker} data-testid="add-worker">
          {t("worker.add")}
        </button>
      </main>
    );
  }
  return (
    <main class="screen">
      <h1>{t("lock.pin_for", { name: who.name })}</h1>
      <form
        class="form"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <input
          class="pin-input"
          type="password"
          inputMode="numeric"
          autocomplete="off"
          maxLength={6}
          aria-label={t("lock.enter_pin")}
          placeholder={t("lock.enter_pin")}
          value={pin}
          autoFocus
          data-testid="pin-input"
          onInput={(e) => setPin(e.currentTarget.value.replace(/\D/g, "").slice(0, 6))}
        />
        {/* The message's place is kept, so the pad does not move when "Wrong PIN" appears. */}
        <div class="pin-message" data-testid="pin-message">
          {wait !== null ? <WaitTimer left={wait} total={waitTotal} /> : <ErrorBox error={err} />}
        </div>
        <div class="pinpad" aria-disabled={wait !== null ? "true" : undefined}>
          {["1", "2", "3", "4", "5", "6", "7", "8", "9"].map((d) => (
            <button type="button" key={d} onClick={() => press(d)} disabled={wait !== null} data-testid={`pin-key-${d}`}>
              {d}
            </button>
          ))}
          <button type="button" onClick={() => setPin((p) => p.slice(0, -1))} data-testid="pin-key-del" aria-label={t("lock.delete")}>
            ⌫
          </button>
          <button type="button" onClick={() => press("0")} disabled={wait !== null} data-testid="pin-key-0">
            0
          </button>
          <button type="submit" class="primary" disabled={busy || pin.length < 4 || wait !== null} data-testid="pin-submit">
            {t("lock.submit")}
          </button>
        </div>
      </form>
      {props.workers.length > 1 && (
        <button class="btn link" onClick={() => { setWho(null); setPin(""); setErr(null); }} data-testid="lock-other">
          {t("lock.other")}
        </button>
      )}
      {props.workers.length === 1 && (
        <button class="btn link" onClick={props.onAddWorker} data-testid="add-worker">
          {t("worker.add")}
        </button>
      )}
    </main>
  );
}
