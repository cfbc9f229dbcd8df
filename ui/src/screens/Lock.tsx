import { useState } from "preact/hooks";
import { api, toApiError, type ApiError } from "../api";
import type { Worker } from "../bindings";
import { t } from "../i18n";
import { ErrorBox } from "../components/ui";

/** Workers of this phone; tap a name, then the PIN pad. */
export function LockScreen(props: { workers: Worker[]; onSignedIn: (w: Worker) => void; onAddWorker: () => void; addPending: boolean }) {
  const [who, setWho] = useState<Worker | null>(props.workers.length === 1 ? props.workers[0] : null);
  const [pin, setPin] = useState("");
  const [err, setErr] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (!who || pin.length < 4) return;
    setBusy(true);
    setErr(null);
    try {
      const w = await api.signIn(who.id, pin);
      setPin("");
      props.onSignedIn(w);
    } catch (x) {
      setErr(toApiError(x));
      setPin("");
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
        <ErrorBox error={err} />
        <div class="pinpad">
          {["1", "2", "3", "4", "5", "6", "7", "8", "9"].map((d) => (
            <button type="button" key={d} onClick={() => press(d)} data-testid={`pin-key-${d}`}>
              {d}
            </button>
          ))}
          <button type="button" onClick={() => setPin((p) => p.slice(0, -1))} data-testid="pin-key-del" aria-label={t("lock.delete")}>
            ⌫
          </button>
          <button type="button" onClick={() => press("0")} data-testid="pin-key-0">
            0
          </button>
          <button type="submit" class="primary" disabled={busy || pin.length < 4} data-testid="pin-submit">
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
