// Small shared components: errors, badges, date field, sheet, stepper, icons; a form's errors
// beside their fields (useFieldErrors) and the question before a half-filled form is thrown away.
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { ApiError } from "../api";
import type { Classification } from "../bindings";
import { errorText, t } from "../i18n";
import { maskDateInput, parseDisplayDate, type Parsed } from "../lib/dates";

export function ErrorBox({ error, id }: { error: ApiError | string | null | undefined; id?: string }) {
  if (!error) return null;
  const code = typeof error === "string" ? error : error.code;
  const e = errorText(code);
  return (
    <div class="error" role="alert" data-testid="error" data-code={code} id={id}>
      <strong>{e.what}</strong> {e.todo}
    </div>
  );
}

/** A local (form) problem, already translated; with `id`, the field it is about points at it
 * (`aria-describedby`). */
export function FieldError({ text, id, field }: { text: string | null | undefined; id?: string; field?: string }) {
  if (!text) return null;
  return (
    <div class="field-error" role="alert" data-testid="error" id={id} data-field={field}>
      {text}
    </div>
  );
}

/** The id of the error beside the field with this test id. */
export const errorId = (testid: string) => `${testid}-error`;

/** An app error about one field (`AppError.field`), translated as the ErrorBox says it. */
export function appErrorText(e: ApiError): string {
  const x = errorText(e.code);
  return `${x.what} ${x.todo}`;
}

/**
 * A form's errors, each beside its field: `check(field)` is the form's own rule for a field (a
 * translated problem, or null when fine). `validate(fields)` checks them all on saving; a shown
 * error is checked again as the worker types, and goes as soon as the value is fine. An app
 * error naming one of `values`' fields (`AppError.field`) shows beside that field until its value
 * changes to one the form's rule accepts; any other app error is `general`.
 */
export function useFieldErrors<F extends string>(values: Record<F, unknown>, check: (f: F) => string | null) {
  const [shown, setShown] = useState<Partial<Record<F, string>>>({});
  const [app, setApp] = useState<{ e: ApiError; value: string } | null>(null);
  const snap = (f: string) => JSON.stringify((values as Record<string, unknown>)[f] ?? null);
  const known = (f: string | undefined): f is F => !!f && Object.prototype.hasOwnProperty.call(values, f);
  useEffect(() => {
    let changed = false;
    const next: Partial<Record<F, string>> = {};
    for (const f of Object.keys(shown) as F[]) {
      const p = check(f);
      if (p) next[f] = p;
      if (p !== shown[f]) changed = true;
    }
    if (changed) setShown(next);
    if (app && known(app.e.field) && snap(app.e.field) !== app.value && !check(app.e.field)) setApp(null);
  });
  return {
    /** The error to show beside `f`, or null. */
    error: (f: F): string | null =>
      shown[f] ?? (app && app.e.field === f ? appErrorText(app.e) : null),
    /** Checks `fields` (all of them when saving); true when every one is fine. */
    validate: (fields: F[]): boolean => {
      const next: Partial<Record<F, string>> = {};
      for (const f of fields) {
        const p = check(f);
        if (p) next[f] = p;
      }
      setShown(next);
      setApp(null);
      return Object.keys(next).length === 0;
    },
    /** Takes a failed command's error. */
    fail: (e: ApiError) => setApp({ e, value: known(e.field) ? snap(e.field) : "" }),
    /** The app's error that is about none of the form's fields, for the form's ErrorBox. */
    general: app && !known(app.e.field) ? app.e : null,
    clear: () => (setShown({}), setApp(null)),
  };
}

/** A question in the app's style (a panel at the bottom), e.g. before throwing a form away. */
export function ConfirmBox(props: { text: string; yes: string; no: string; onYes: () => void; onNo: () => void; testid: string }) {
  return (
    <div class="similar" role="alertdialog" aria-modal="true" aria-label={props.text} data-testid={props.testid}>
      <p>{props.text}</p>
      <div class="actions">
        <button type="button" class="btn" onClick={props.onNo} data-testid={`${props.testid}-no`} autoFocus>
          {props.no}
        </button>
        <button type="button" class="btn primary" onClick={props.onYes} data-testid={`${props.testid}-yes`}>
          {props.yes}
        </button>
      </div>
    </div>
  );
}

/** `leave` at once when nothing was filled in; otherwise asks first ("throw away what you filled
 * in?"). Render `asking` where the question should appear. */
export function useLeaveGuard(dirty: boolean, leave: () => void) {
  const [ask, setAsk] = useState(false);
  return {
    tryLeave: () => (dirty ? setAsk(true) : leave()),
    asking: ask ? (
      <ConfirmBox
        text={t("form.discard")}
        yes={t("form.discard_yes")}
        no={t("form.discard_no")}
        onYes={() => (setAsk(false), leave())}
        onNo={() => setAsk(false)}
        testid="discard"
      />
    ) : null,
  };
}

/** The classification and, beside it, how many doses are due now (due or overdue): "Up to date"
 * only when nothing is; "On schedule · 5 due now" when doses are due but none overdue. */
export function Badge({ c, due }: { c: Classification; due?: readonly { status: string }[] }) {
  const n = due ? due.filter((d) => d.status === "due" || d.status === "overdue").length : 0;
  const label = c === "up_to_date" && n > 0 ? t("class.on_schedule") : t("class." + c);
  return (
    <span class={`badge badge-${c}`} data-testid="badge" data-classification={c} data-due={n}>
      {n > 0 ? `${label} · ${t("class.due_now", { n })}` : label}
    </span>
  );
}

/** Problem text of a date, or null when fine (or empty and optional). */
export function dateProblem(p: Parsed, optional = false): string | null {
  if (p.ok) return null;
  if (p.problem === "empty" && optional) return null;
  return t("date.bad." + p.problem);
}

export function DateField(props: {
  label: string;
  value: string;
  onInput: (v: string) => void;
  testid: string;
  today?: string;
  allowFuture?: boolean;
  optional?: boolean;
  error?: string | null;
}) {
  const [touched, setTouched] = useState(false);
  const parsed = parseDisplayDate(props.value, { today: props.today, allowFuture: props.allowFuture });
  const live = touched || props.value.length >= 10 ? dateProblem(parsed, true) : null;
  const msg = props.error ?? live;
  return (
    <label class="field">
      <span class="label">
        {props.label} <span class="hint">({t("date.hint")})</span>
      </span>
      <input
        type="text"
        inputMode="numeric"
        autocomplete="off"
        placeholder={t("date.hint")}
        maxLength={10}
        value={props.value}
        data-testid={props.testid}
        aria-invalid={msg ? "true" : "false"}
        aria-describedby={msg ? errorId(props.testid) : undefined}
        onInput={(e) => {
          const el = e.currentTarget;
          const v = maskDateInput(el.value, props.value);
          el.value = v;
          props.onInput(v);
        }}
        onBlur={() => setTouched(true)}
      />
      <FieldError text={msg} id={errorId(props.testid)} field={props.testid} />
    </label>
  );
}

export function TextField(props: {
  label: string;
  value: string;
  onInput: (v: string) => void;
  testid: string;
  type?: "text" | "password" | "tel" | "url";
  inputMode?: "numeric" | "tel" | "url" | "text";
  error?: string | null;
  autoFocus?: boolean;
  maxLength?: number;
}) {
  return (
    <label class="field">
      <span class="label">{props.label}</span>
      <input
        type={(props.type ?? "text") as "text"}
        inputMode={props.inputMode}
        value={props.value}
        maxLength={props.maxLength ?? 200}
        autoFocus={props.autoFocus}
        data-testid={props.testid}
        aria-invalid={props.error ? "true" : "false"}
        aria-describedby={props.error ? errorId(props.testid) : undefined}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      <FieldError text={props.error} id={errorId(props.testid)} field={props.testid} />
    </label>
  );
}

/** A full-screen panel over the current screen (forms, AEFI, closing a session). With `dirty`
 * (a form half filled in), going back asks before throwing it away. */
export function Sheet(props: { title: string; onClose: () => void; children: ComponentChildren; testid?: string; dirty?: boolean }) {
  const guard = useLeaveGuard(!!props.dirty, props.onClose);
  return (
    <div class="sheet" role="dialog" aria-label={props.title} data-testid={props.testid}>
      <div class="sheet-head">
        <button class="icon-btn" onClick={guard.tryLeave} data-testid="sheet-close" aria-label={t("common.close")}>
          <Icon name="back" />
        </button>
        <h2>{props.title}</h2>
      </div>
      <div class="sheet-body">{props.children}</div>
      {guard.asking}
    </div>
  );
}

export function Stepper(props: { value: number; onChange: (n: number) => void; testid: string; label: string }) {
  return (
    <div class="stepper">
      <span class="label">{props.label}</span>
      <button type="button" onClick={() => props.onChange(Math.max(0, props.value - 1))} data-testid={`${props.testid}-minus`} aria-label={`${props.label} −`}>
        −
      </button>
      <input
        type="text"
        inputMode="numeric"
        value={String(props.value)}
        data-testid={props.testid}
        onInput={(e) => {
          const n = parseInt(e.currentTarget.value.replace(/\D/g, "") || "0", 10);
          props.onChange(Math.min(999, n));
        }}
      />
      <button type="button" onClick={() => props.onChange(Math.min(999, props.value + 1))} data-testid={`${props.testid}-plus`} aria-label={`${props.label} +`}>
        +
      </button>
    </div>
  );
}

export function Loading() {
  return <p class="muted">{t("common.loading")}</p>;
}

const PATHS: Record<string, string> = {
  survey: "M4 4h16v16H4zM8 8h8M8 12h8M8 16h5",
  session: "M6 3l12 12M14 4l6 6M4 20l5-1 9-9-4-4-9 9z",
  supervisor: "M4 20V10M10 20V4M16 20v-7M22 20H2",
  round: "M4 5h16v15H4zM4 10h16M9 3v4M15 3v4M8 14h2M14 14h2M8 17h2",
  cases: "M4 5h16v11H10l-5 4v-4H4zM8 9h8M8 12h5",
  sync: "M4 12a8 8 0 0 1 14-5l2 2M20 12a8 8 0 0 1-14 5l-2-2M20 4v5h-5M4 20v-5h5",
  menu: "M4 6h16M4 12h16M4 18h16",
  back: "M15 5l-7 7 7 7",
  plus: "M12 5v14M5 12h14",
  check: "M5 13l4 4 10-10",
  lock: "M6 11h12v9H6zM8 11V8a4 4 0 0 1 8 0v3",
};

export function Icon({ name }: { name: string }) {
  return (
    <svg class="icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true">
      <path d={PATHS[name] ?? ""} fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" />
    </svg>
  );
}
