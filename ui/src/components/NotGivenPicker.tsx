// What was not given, and why: the doses (all preselected, each can be unticked), the reasons that
// apply to this person, and a short note for the reasons that need one ("other reason"). Used at a
// session (NotGivenForm) and for a refusal at home (RefusalForm).
import { useEffect, useState } from "preact/hooks";
import type { DoseCode, ReasonCode } from "../bindings";
import { doseName, reasonName, t } from "../i18n";
import { MAX_NOTE, needsNote, reasonsFor } from "../lib/aefi";
import { FieldError } from "./ui";

export function NotGivenPicker(props: {
  kind: string;
  /** The doses offered. */
  doses: DoseCode[];
  /** Those chosen at first (default: all of them). */
  preselected?: DoseCode[];
  offered: readonly ReasonCode[];
  /** Test ids: `${testid}-dose-CODE`, `${testid}-note`, `${testid}-save`. */
  testid: string;
  /** Whether a reason may be saved with no dose offered (the core then takes the next ones). */
  allowNone?: boolean;
  saveLabel: string;
  /** The question above the reasons (default: the session's "Why was it not given?"). */
  question?: string;
  /** Told whether the worker changed anything (a dose unticked, a note typed). */
  onDirty?: (dirty: boolean) => void;
  onSave: (codes: DoseCode[], reason: ReasonCode, note?: string) => void;
}) {
  const [codes, setCodes] = useState<DoseCode[]>(props.preselected ?? props.doses);
  const [other, setOther] = useState<ReasonCode | null>(null);
  const [note, setNote] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const flip = (c: DoseCode) => setCodes((cs) => (cs.includes(c) ? cs.filter((x) => x !== c) : [...cs, c]));
  const chosen = props.doses.filter((c) => codes.includes(c));
  const first = props.preselected ?? props.doses;
  const changed = chosen.join() !== props.doses.filter((c) => first.includes(c)).join() || !!note.trim();
  useEffect(() => props.onDirty?.(changed), [changed]);
  const save = (r: ReasonCode, n?: string) => {
    if (!chosen.length && !(props.allowNone && !props.doses.length)) return setProblem(t("session.choose_doses"));
    setProblem(null);
    props.onSave(chosen, r, n);
  };
  const choose = (r: ReasonCode) => (needsNote(r) ? setOther(r) : save(r));
  return (
    <>
      {props.doses.length > 0 && (
        <fieldset class="field">
          <legend class="label">{t("session.which_doses")}</legend>
          <div class="chips">
            {props.doses.map((c) => (
              <button key={c} class={`chip ${codes.includes(c) ? "on" : ""}`} aria-pressed={codes.includes(c)} onClick={() => flip(c)} data-testid={`${props.testid}-dose-${c}`}>
                {codes.includes(c) && "✓ "}
                {doseName(c)}
              </button>
            ))}
          </div>
        </fieldset>
      )}
      <p>{props.question ?? t("session.reason")}</p>
      <FieldError text={problem} />
      <div class="reasons">
        {reasonsFor(props.kind, props.offered).map((r) => (
          <button key={r} class={`btn wide ${other === r ? "on" : ""}`} aria-pressed={other === r} onClick={() => choose(r)} data-testid={`reason-${r}`}>
            {reasonName(r)}
          </button>
        ))}
      </div>
      {other && (
        <div class="field">
          <label class="field">
            <span class="label">{t("session.note")}</span>
            <input type="text" value={note} maxLength={MAX_NOTE} onInput={(e) => setNote(e.currentTarget.value)} data-testid={`${props.testid}-note`} />
          </label>
          <button class="btn primary wide" onClick={() => (note.trim() ? save(other, note.trim()) : setProblem(t("session.note_needed")))} data-testid={`${props.testid}-save`}>
            {props.saveLabel}
          </button>
        </div>
      )}
    </>
  );
}
