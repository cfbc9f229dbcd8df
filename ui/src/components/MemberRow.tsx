import type { Member } from "../bindings";
import { doseName, kindName, t } from "../i18n";
import { isoToDisplay } from "../lib/dates";
import { personAge } from "../lib/age";
import { Badge } from "./ui";

export function DueChips({ due }: { due: Member["due"] }) {
  if (!due.length) return <span class="muted">{t("member.nothing_due")}</span>;
  return (
    <span class="due-chips">
      {due.map((d) => (
        <span key={d.code} class={`due ${d.status}`} data-testid="due-dose" data-code={d.code} data-status={d.status}>
          {doseName(d.code)}
          {d.status === "overdue" ? ` · ${t("due.overdue")}` : ""}
        </span>
      ))}
    </span>
  );
}

export function MemberRow({ m, onOpen }: { m: Member; onOpen: () => void }) {
  const when = m.kind === "child" ? (m.dob ? t("member.dob", { date: isoToDisplay(m.dob) }) : "") : m.edd ? t("member.edd", { date: isoToDisplay(m.edd) }) : m.lmp ? t("member.lmp", { date: isoToDisplay(m.lmp) }) : "";
  return (
    <li class="member" data-testid="member" data-register-id={m.register_id} data-name={m.name}>
      <button class="row-btn" onClick={onOpen} data-testid="member-open">
        <span class="row-title">
          {m.name} <span class="muted">· {kindName(m.kind, m.sex)}</span>
        </span>
        <span class="row-sub">
          <span class="age" data-testid="age">{personAge(m, false)}</span>
          {when && (personAge(m, false) ? ` · ${when}` : when)}
          {m.status !== "active" && <span class="status-tag"> · {t("status." + m.status)}</span>}
        </span>
        <span class="row-badges">
          <Badge c={m.classification} due={m.due} />
        </span>
        <DueChips due={m.due} />
      </button>
    </li>
  );
}
