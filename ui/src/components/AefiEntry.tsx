// One AEFI of a person's history (the child's card): when, how bad, the signs and what was seen,
// after which doses, when it began and where it was referred.
import type { AefiRecord } from "../bindings";
import { doseName, t } from "../i18n";
import { onsetParts } from "../lib/aefi";
import { isoToDisplay } from "../lib/dates";

export function AefiEntry({ a }: { a: AefiRecord }) {
  const onset = a.onset ? onsetParts(a.onset) : null;
  const seen = [...a.signs.map((s) => t("aefi.sign." + s)), a.observed.trim()].filter(Boolean).join(", ");
  return (
    <li data-testid="aefi-record" data-severity={a.severity}>
      <div>
        {isoToDisplay(a.date)} · <strong class={`sev-${a.severity}`}>{t("severity." + a.severity)}</strong>
        {seen ? ` · ${seen}` : ""}
        {a.codes.length > 0 ? ` · ${a.codes.map(doseName).join(", ")}` : ""}
      </div>
      {(onset || a.referral) && (
        <div class="muted" data-testid="aefi-record-care">
          {onset ? t("aefi.started", { date: isoToDisplay(onset.date), time: onset.time }) : ""}
          {onset && a.referral ? " · " : ""}
          {a.referral ? `${t("aefi.referred_to")}: ${t("referral." + a.referral)}` : ""}
        </div>
      )}
    </li>
  );
}
