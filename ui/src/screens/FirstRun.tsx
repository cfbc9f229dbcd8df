import { useState } from "preact/hooks";
import { api, toApiError, type ApiError } from "../api";
import type { WorkerRole as Role, SyncState, Worker } from "../bindings";
import { LANGUAGES, t } from "../i18n";
import { ROLES } from "../lib/codes";
import { validPin } from "../lib/text";
import { ErrorBox, FieldError, TextField } from "../components/ui";

/** Big buttons, each language named in its own script. */
export function LanguagePick(props: { onPick: (code: string) => void }) {
  return (
    <main class="screen center">
      <h1>{LANGUAGES.map((l) => l.dict["start.choose_language"]).join(" / ")}</h1>
      <div class="big-buttons">
        {LANGUAGES.map((l) => (
          <button key={l.code} class="btn big" lang={l.code} onClick={() => props.onPick(l.code)} data-testid={`lang-${l.code}`}>
            {l.dict["lang.name"]}
          </button>
        ))}
      </div>
    </main>
  );
}

export function StartChoice(props: { onConnect: () => void; onOffline: () => void }) {
  return (
    <main class="screen center">
      <h1>{t("start.welcome")}</h1>
      <p>{t("start.how")}</p>
      <div class="big-buttons">
        <button class="btn big primary" onClick={props.onConnect} data-testid="connect">
          {t("start.connect")}
        </button>
        <p class="muted">{t("start.connect_help")}</p>
        <button class="btn big" onClick={props.onOffline} data-testid="start-offline">
          {t("start.offline")}
        </button>
        <p class="muted">{t("start.offline_help")}</p>
      </div>
    </main>
  );
}

/** Server address + enrollment code → `enroll`. Used on first run and on the Sync screen. */
export function EnrollForm(props: { onDone: (s: SyncState) => void; onCancel?: () => void; initialServer?: string }) {
  const [server, setServer] = useState(props.initialServer ?? "");
  const [code, setCode] = useState("");
  const [err, setErr] = useState<ApiError | null>(null);
  const [missing, setMissing] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!server.trim() || !code.trim()) return setMissing(true);
    setMissing(false);
    setBusy(true);
    setErr(null);
    try {
      props.onDone(await api.enroll(server.trim(), code.trim()));
    } catch (x) {
      setErr(toApiError(x));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="form" onSubmit={submit}>
      <TextField label={t("enroll.server")} value={server} onInput={setServer} testid="enroll-server" type="url" inputMode="url" />
      <TextField label={t("enroll.code")} value={code} onInput={setCode} testid="enroll-code" />
      {missing && <FieldError text={t("common.required")} />}
      <ErrorBox error={err} />
      <div class="actions">
        {props.onCancel && (
          <button type="button" class="btn" onClick={props.onCancel} data-testid="enroll-cancel">
            {t("common.back")}
          </button>
        )}
        <button type="submit" class="btn primary" disabled={busy} data-testid="enroll-submit">
          {t("enroll.submit")}
        </button>
      </div>
    </form>
  );
}

/** Name, role, PIN twice (4–6 digits) → `add_worker` (signed in). */
export function WorkerForm(props: { onDone: (w: Worker) => void; onCancel?: () => void; title?: string }) {
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role | null>(null);
  const [pin, setPin] = useState("");
  const [pin2, setPin2] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [err, setErr] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setErr(null);
    if (!name.trim() || !role) return setProblem(t("common.required"));
    if (!validPin(pin)) return setProblem(t("worker.pin_bad"));
    if (pin !== pin2) return setProblem(t("worker.pin_mismatch"));
    setProblem(null);
    setBusy(true);
    try {
      props.onDone(await api.addWorker(name.trim(), role, pin));
    } catch (x) {
      setErr(toApiError(x));
    } finally {
      setBusy(false);
    }
  };
  const digits = (v: string) => v.replace(/\D/g, "").slice(0, 6);
  return (
    <main class="screen">
      <h1>{props.title ?? t("worker.create")}</h1>
      <form class="form" onSubmit={submit}>
        <TextField label={t("worker.name")} value={name} onInput={setName} testid="worker-name" />
        <fieldset class="field">
          <legend class="label">{t("worker.role")}</legend>
          <div class="choice-row">
            {ROLES.map((r) => (
              <button
                type="button"
                key={r}
                class={`choice ${role === r ? "on" : ""}`}
                aria-pressed={role === r}
                onClick={() => setRole(r)}
                data-testid={`worker-role-${r}`}
              >
                {t("role." + r)}
              </button>
            ))}
          </div>
        </fieldset>
        <TextField label={t("worker.pin")} value={pin} onInput={(v) => setPin(digits(v))} testid="worker-pin" type="password" inputMode="numeric" maxLength={6} />
        <TextField label={t("worker.pin2")} value={pin2} onInput={(v) => setPin2(digits(v))} testid="worker-pin2" type="password" inputMode="numeric" maxLength={6} />
        <FieldError text={problem} />
        <ErrorBox error={err} />
        <div class="actions">
          {props.onCancel && (
            <button type="button" class="btn" onClick={props.onCancel} data-testid="worker-cancel">
              {t("common.cancel")}
            </button>
          )}
          <button type="submit" class="btn primary" disabled={busy} data-testid="worker-save">
            {t("worker.save")}
          </button>
        </div>
      </form>
    </main>
  );
}
