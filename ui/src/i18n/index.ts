// Languages. Adding one = one file with the keys of en.ts and one line in LANGUAGES.
import { en, type Key } from "./en";
import { hi } from "./hi";
import { isoToDisplay } from "../lib/dates";

export type { Key };
export type Dict = Record<Key, string>;

/** Each language names itself in its own script (lang.name). */
export const LANGUAGES: { code: string; dict: Dict }[] = [
  { code: "en", dict: en },
  { code: "hi", dict: hi },
];

let current: Dict = en;
let currentCode = "en";

export function setLanguage(code: string | null | undefined): string {
  const l = LANGUAGES.find((x) => x.code === code) ?? LANGUAGES[0];
  current = l.dict;
  currentCode = l.code;
  if (typeof document !== "undefined") document.documentElement.lang = l.code;
  return l.code;
}

export function language(): string {
  return currentCode;
}

export function hasKey(key: string): boolean {
  return key in current;
}

/** Translates `key`, filling `{name}` parameters. An unknown key shows itself (never blank).
 *  With `n` equal to 1, the key's `.one` form is used where the language has one. */
export function t(key: Key | string, params?: Record<string, string | number>): string {
  if (params?.n === 1 && (key + ".one") in current) key = key + ".one";
  let s: string = (current as Record<string, string>)[key] ?? (en as Record<string, string>)[key] ?? key;
  if (params) for (const [k, v] of Object.entries(params)) s = s.split(`{${k}}`).join(String(v));
  return s;
}

/** Display names of codes; unknown codes show the code itself. */
export const doseName = (code: string) => (hasKey("dose." + code) ? t("dose." + code) : code);
export const antigenName = (code: string) => (hasKey("antigen." + code) ? t("antigen." + code) : code);
export const reasonName = (code: string) => (hasKey("reason." + code) ? t("reason." + code) : code);
export const riskName = (code: string | null) => t("risk." + (code || "none"));

/** What a person is ("Child", "Pregnant woman"), agreeing with a child's sex where it is known:
 * in Hindi बच्ची for a girl, बच्चा for a boy, and the neutral बच्चा/बच्ची when the sex is not
 * known (or is "other"). See README.md, "Gender agreement". */
export function kindName(kind: string, sex?: string | null): string {
  if (kind === "child" && sex === "F") return t("kind.child.f");
  if (kind === "child" && sex === "M") return t("kind.child.m");
  return t("kind." + kind);
}

/** A warning of the core (`{code, params}`) in the worker's language: doses by name, dates as
 * DD/MM/YYYY, statuses in words. */
export function warningText(w: { code: string; params: Record<string, string | null> }): string {
  const p: Record<string, string> = {};
  for (const [k, v] of Object.entries(w.params ?? {})) {
    if (v == null) continue;
    if (k === "dose") p[k] = doseName(v);
    else if (k === "status") p[k] = t("status." + v);
    else if (/^\d{4}-\d{2}-\d{2}$/.test(v)) p[k] = isoToDisplay(v);
    else p[k] = v;
  }
  const key = w.code === "EARLY" && !p.due_on ? "warn.EARLY.no_date" : "warn." + w.code;
  return hasKey(key) ? t(key, p) : t("common.warnings");
}

/** An API error as "what happened" and "what to do". */
export function errorText(code: string): { what: string; todo: string } {
  const c = hasKey("err." + code) ? code : "UNKNOWN";
  return { what: t("err." + c), todo: t("err." + c + ".do") };
}
