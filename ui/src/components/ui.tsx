// Small shared components: errors, badges, date field, sheet, stepper, icons.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
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

/** A local (form) problem, already translated. */
export function FieldError({ text }: { text: string | null | undefined }) {
  if (!text) return null;
  return (
    <div class="field-error" role="alert" data-testid="error">
      {text}
    </div>
  );
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
        onInput={(e) => {
          const el = e.currentTarget;
          const v = maskDateInput(el.value, props.value);
          el.value = v;
          props.onInput(v);
        }}
        onBlur={() => setTouched(true)}
      />
      <FieldError text={msg} />
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
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      <FieldError text={props.error} />
    </label>
  );
}

/** A full-screen panel over the current screen (forms, AEFI, closing a session). */
export function Sheet(props: { title: string; onClose: () => void; children: ComponentChildren; testid?: string }) {
  return (
    <div class="sheet" role="dialog" aria-label={props.title} data-testid={props.testid}>
      <div class="sheet-head">
        <button class="icon-btn" onClick={props.onClose} data-testid="sheet-close" aria-label={t("common.close")}>
          <Icon name="back" />
        </button>
        <h2>{props.title}</h2>
      </div>
      <div class="sheet-body">{props.children}</div>
    </div>
  );
}

export function Stepper(props: { value: number; onChange: (n: number) => void; testid: string; label: string }) {
  return (
    <div class="stepper">
      <span class="label">{props.label}</span>
      <button onClick={() => props.onChange(Math.max(0, props.value - 1))} data-testid={`${props.testid}-minus`} aria-label="−">
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
      <button onClick={() => props.onChange(Math.min(999, props.value + 1))} data-testid={`${props.testid}-plus`} aria-label="+">
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
