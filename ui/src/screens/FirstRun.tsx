import { useState } from "preact/hooks";
import { api, toApiError } from "../api";
import type { WorkerRole as Role, SyncState, Worker } from "../bindings";
import { LANGUAGES, t } from "../i18n";
import { ROLES } from "../lib/codes";
import { validPin } from "../lib/text";
import { errorId, ErrorBox, FieldError, TextField, useFieldErrors, useLeaveGuard } from "../components/ui";

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
  const [cert, setCert] = useState("");
  const [busy, setBusy] = useState(false);
  const fe = useFieldErrors({ server, code, server_cert: cert }, (f) =>
    f === "server_cert" || (f === "server" ? server : code).trim() ? null : t("common.required"),
  );
  const guard = useLeaveGuard(server !== (props.initialServer ?? "") || !!code.trim() || !!cert.trim(), () => props.onCancel?.());
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!fe.validate(["server", "code"])) return;
    setBusy(true);
    try {
      props.onDone(await api.enroll(server.trim(), code.trim(), cert.trim() || undefined));
    } catch (x) {
      fe.fail(toApiError(x));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="form" onSubmit={submit}>
      <TextField label={t("enroll.server")} value={server} onInput={setServer} testid="enroll-server" type="url" inputMode="url" error={fe.error("server")} />
      <TextField label={t("enroll.code")} value={code} onInput={setCode} testid="enroll-code" error={fe.error("code")} />
      <details class="more" open={!!cert || !!fe.error("server_cert")}>
        <summary data-testid="enroll-cert-more">{t("enroll.cert")}</summary>
        <label class="field">
          <span class="hint">{t("enroll.cert_help")}</span>
          <textarea
            rows={4}
            value={cert}
            maxLength={20000}
            spellcheck={false}
            data-testid="enroll-cert"
            aria-invalid={fe.error("server_cert") ? "true" : "false"}
            aria-describedby={fe.error("server_cert") ? errorId("enroll-cert") : undefined}
            onInput={(e) => setCert(e.currentTarget.value)}
          />
          <FieldError text={fe.error("server_cert")} id={errorId("enroll-cert")} field="enroll-cert" />
        </label>
      </details>
      <ErrorBox error={fe.general} />
      <div class="actions">
        {props.onCancel && (
          <button type="button" class="btn" onClick={guard.tryLeave} data-testid="enroll-cancel">
            {t("common.back")}
          </button>
        )}
        <button type="submit" class="btn primary" disabled={busy} data-testid="enroll-submit">
          {t("enroll.submit")}
        </button>
      </div>
      {guard.asking}
    </form>
  );
}

/** Name, role, PIN twice (4–6 digits) → `add_worker` (signed in). Adding a worker when one is
 * signed in (`by`) asks for that worker's own PIN too (`signed_in_pin`). */
export function WorkerForm(props: { onDone: (w: Worker) => void; onCancel?: () => void; title?: string; by?: Worker | null }) {
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role | null>(null);
  const [pin, setPin] = useState("");
  const [pin2, setPin2] = useState("");
  const [byPin, setByPin] = useState("");
  const [busy, setBusy] = useState(false);
  const by = props.by ?? null;
  const fe = useFieldErrors({ name, role, pin, pin2, signed_in_pin: byPin }, (f) => {
    if (f === "name") return name.trim() ? null : t("common.required");
    if (f === "role") return role ? null : t("common.required");
    if (f === "pin") return validPin(pin) ? null : t("worker.pin_bad");
    if (f === "pin2") return pin === pin2 ? null : t("worker.pin_mismatch");
    if (f === "signed_in_pin" && by) return validPin(byPin) ? null : t("worker.pin_bad");
    return null;
  });
  const guard = useLeaveGuard(!!(name.trim() || role || pin || pin2 || byPin), () => props.onCancel?.());
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!fe.validate(["name", "role", "pin", "pin2", "signed_in_pin"])) return;
    setBusy(true);
    try {
      props.onDone(await api.addWorker(name.trim(), role!, pin, by ? byPin : undefined));
    } catch (x) {
      const err = toApiError(x);
      // A wrong PIN of the signed-in worker is typed again.
      if (err.field === "signed_in_pin") setByPin("");
      fe.fail(err);
    } finally {
      setBusy(false);
    }
  };
  const digits = (v: string) => v.replace(/\D/g, "").slice(0, 6);
  return (
    <main class="screen">
      <h1>{props.title ?? t("worker.create")}</h1>
      <form class="form" onSubmit={submit}>
        <TextField label={t("worker.name")} value={name} onInput={setName} testid="worker-name" error={fe.error("name")} />
        <fieldset class="field" aria-invalid={fe.error("role") ? "true" : "false"} aria-describedby={fe.error("role") ? errorId("worker-role") : undefined}>
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
          <FieldError text={fe.error("role")} id={errorId("worker-role")} field="worker-role" />
        </fieldset>
        <TextField label={t("worker.pin")} value={pin} onInput={(v) => setPin(digits(v))} testid="worker-pin" type="password" inputMode="numeric" maxLength={6} error={fe.error("pin")} />
        <TextField label={t("worker.pin2")} value={pin2} onInput={(v) => setPin2(digits(v))} testid="worker-pin2" type="password" inputMode="numeric" maxLength={6} error={fe.error("pin2")} />
        {by && (
          <>
            <p class="note">{t("worker.by_help", { name: by.name })}</p>
            <TextField
              label={t("worker.by_pin", { name: by.name })}
              value={byPin}
              onInput={(v) => setByPin(digits(v))}
              testid="worker-signed-in-pin"
              type="password"
              inputMode="numeric"
              maxLength={6}
              error={fe.error("signed_in_pin")}
            />
          </>
        )}
        <ErrorBox error={fe.general} />
        <div class="actions">
          {props.onCancel && (
            <button type="button" class="btn" onClick={guard.tryLeave} data-testid="worker-cancel">
              {t("common.cancel")}
            </button>
          )}
          <button type="submit" class="btn primary" disabled={busy} data-testid="worker-save">
            {t("worker.save")}
          </button>
        </div>
      </form>
      {guard.asking}
    </main>
  );
}
