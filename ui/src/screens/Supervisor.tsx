import { useState } from "preact/hooks";
import { api, toApiError, type ApiError } from "../api";
import type { Coverage } from "../bindings";
import { doseName, kindName, reasonName, t } from "../i18n";
import { isoToDisplay } from "../lib/dates";
import { barWidth, pct, validPhone } from "../lib/text";
import { Badge, ErrorBox, FieldError, Loading, TextField } from "../components/ui";
import { DueChips } from "../components/MemberRow";
import { useLoad } from "./Survey";
import { Dashboard, Phones } from "./Dashboard";
import { personAge } from "../lib/age";
import { CasesLink } from "./Cases";

type Part = "dashboard" | "coverage" | "follow_up" | "refusals" | "devices";
const PARTS: Part[] = ["dashboard", "coverage", "follow_up", "refusals", "devices"];
const PART_LABEL: Record<Part, string> = {
  dashboard: "sup.dashboard",
  coverage: "sup.coverage",
  follow_up: "sup.follow_up",
  refusals: "sup.refusals",
  devices: "sup.devices",
};
const DROPOUTS = ["penta1_penta3", "penta1_mr1", "bcg_mr1", "mr1_mr2"] as const;

export function SupervisorScreen() {
  const [part, setPart] = useState<Part>("dashboard");
  return (
    <div class="screen" data-screen="supervisor">
      <div class="segmented" role="tablist">
        {PARTS.map((p) => (
          <button key={p} role="tab" aria-selected={part === p} class={part === p ? "on" : ""} onClick={() => setPart(p)} data-testid={`sup-${p}`}>
            {t(PART_LABEL[p])}
          </button>
        ))}
      </div>
      {part === "dashboard" && <Dashboard />}
      {part === "coverage" && <CoverageView />}
      {part === "follow_up" && <FollowUp />}
      {part === "refusals" && <Refusals />}
      {part === "devices" && <Phones />}
    </div>
  );
}

function CoverageCard({ name, c, testid }: { name: string; c: Coverage; testid: string }) {
  return (
    <section class="cov" data-testid={testid} data-name={name}>
      <h2>{name}</h2>
      <div class="bar-row">
        <span class="bar-label">{t("sup.fic")}</span>
        <span class="bar-track">
          <span class="bar-fill ok" style={{ width: `${barWidth(c.fic.percent)}%` }} />
        </span>
        <span class="bar-n" data-testid="fic-percent">{pct(c.fic.percent)}</span>
      </div>
      <p class="muted">{t("sup.fic_of", { a: c.fic.fully_immunized, b: c.fic.cohort })}</p>
      <h3>{t("sup.dropout")}</h3>
      {DROPOUTS.map((k) => {
        const d = c.dropout[k];
        const bad = d.rate !== null && (d.rate > 10 || d.rate < 0);
        return (
          <div key={k} class="bar-row" data-testid={`dropout-${k}`}>
            <span class="bar-label">{t("sup.d." + k)}</span>
            <span class="bar-track">
              <span class={`bar-fill ${bad ? "bad" : ""}`} style={{ width: `${barWidth(d.rate)}%` }} />
            </span>
            <span class="bar-n">{pct(d.rate)}</span>
            <span class="bar-note muted" data-testid={`dropout-${k}-cohort`}>
              {t("sup.dropout_of", { a: d.from, b: d.to, n: d.cohort })}
            </span>
          </div>
        );
      })}
      <div class="counts">
        <span><Badge c="left_out" /> {c.left_out}</span>
        <span><Badge c="drop_out" /> {c.drop_out}</span>
        <span><Badge c="up_to_date" /> {c.up_to_date}</span>
      </div>
      <p class="muted">
        {t("sup.children")}: {c.children} · {t("kind.pregnant_woman")}: {c.pregnant_women} · {t("sup.resistant")}: {c.resistant_households}
      </p>
    </section>
  );
}

function CoverageView() {
  const { data, err } = useLoad(() => api.coverage(), []);
  if (err) return <ErrorBox error={err} />;
  if (!data) return <Loading />;
  return (
    <>
      <p class="muted">{t("sup.dropout_help")}</p>
      <CoverageCard name={t("sup.total")} c={data.total} testid="coverage-total" />
      {data.villages.map((v) => <CoverageCard key={v.village_id} name={v.village} c={v.coverage} testid="coverage-village" />)}
    </>
  );
}

function VillageFilter({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const { data } = useLoad(() => api.villages(), []);
  return (
    <select value={value} onChange={(e) => onChange(e.currentTarget.value)} data-testid="sup-village" aria-label={t("sup.village")}>
      <option value="">{t("common.all_villages")}</option>
      {data?.map((v) => (
        <option key={v.id} value={v.id}>
          {v.name}
        </option>
      ))}
    </select>
  );
}

/** A village's ASHA, as the supervisor sets her: name and phone (one event). */
function VillageAsha({ village_id }: { village_id: string }) {
  const { data, reload } = useLoad(() => api.villages(), [village_id]);
  const v = data?.find((x) => x.id === village_id);
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState("");
  const [phone, setPhone] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [err, setErr] = useState<ApiError | null>(null);
  if (!v) return null;
  const edit = () => (setName(v.asha_name ?? ""), setPhone(v.asha_phone ?? ""), setProblem(null), setErr(null), setEditing(true));
  const save = async () => {
    if (!validPhone(phone)) return setProblem(t("survey.phone_bad"));
    setProblem(null);
    try {
      await api.setVillageAsha({ village_id, asha_name: name.trim(), asha_phone: phone.trim() });
      setEditing(false);
      reload();
    } catch (e) {
      setErr(toApiError(e));
    }
  };
  return (
    <section class="card" data-testid="village-asha">
      {!editing ? (
        <p>
          <span data-testid="village-asha-text">
            {v.asha_name || v.asha_phone ? t("sup.asha", { names: [v.asha_name, v.asha_phone].filter(Boolean).join(" · ") }) : t("sup.asha_none")}
          </span>{" "}
          <button class="btn-small" onClick={edit} data-testid="village-asha-edit">
            {t("common.edit")}
          </button>
        </p>
      ) : (
        <form class="form" onSubmit={(e) => (e.preventDefault(), save())}>
          <TextField label={t("sup.asha_name")} value={name} onInput={setName} testid="village-asha-name" />
          <TextField label={`${t("survey.phone")} ${t("common.optional")}`} value={phone} onInput={setPhone} testid="village-asha-phone" type="tel" inputMode="tel" />
          <FieldError text={problem} />
          <ErrorBox error={err} />
          <button type="submit" class="btn primary wide" data-testid="village-asha-save">
            {t("common.save")}
          </button>
        </form>
      )}
    </section>
  );
}

function FollowUp() {
  const [v, setV] = useState("");
  const { data, err } = useLoad(() => api.followUp(v || undefined), [v]);
  return (
    <>
      <VillageFilter value={v} onChange={setV} />
      {v && <VillageAsha key={v} village_id={v} />}
      <ErrorBox error={err} />
      {!data && !err && <Loading />}
      <ul class="list">
        {data?.map((i) => (
          <li key={i.register_id} class="member" data-testid="follow-up-item" data-register-id={i.register_id} data-classification={i.classification}>
            <div class="row-title">
              {i.name} <span class="muted">· {i.village} · {kindName(i.kind, i.sex)}</span> <Badge c={i.classification} due={i.doses} />
            </div>
            <div class="row-sub" data-testid="follow-up-who">
              <span data-testid="age">{personAge(i)}</span>
              {i.mother_name ? ` · ${t("member.mother", { name: i.mother_name })}` : ""}
            </div>
            <div class="row-sub" data-testid="follow-up-where">
              {t("sup.house", { no: i.house_no ?? "—" })}
              {i.head_of_household ? ` · ${i.head_of_household}` : ""}
              {i.asha_name ? ` · ${t("sup.asha", { names: i.asha_name })}` : ""}
            </div>
            {i.asha_phone && (
              <a class="btn call" href={`tel:${i.asha_phone.replace(/[^\d+]/g, "")}`} data-testid="follow-up-call-asha">
                {t("sup.call_asha", { phone: i.asha_phone })}
              </a>
            )}
            {i.phone && (
              <a class="btn call" href={`tel:${i.phone.replace(/[^\d+]/g, "")}`} data-testid="follow-up-call">
                {t("sup.call", { phone: i.phone })}
              </a>
            )}
            <DueChips due={i.doses} />
          </li>
        ))}
        {data?.length === 0 && <li class="muted">{t("common.none")}</li>}
      </ul>
    </>
  );
}

function Refusals() {
  const [v, setV] = useState("");
  const { data, err } = useLoad(() => api.refusals(v || undefined), [v]);
  return (
    <>
      <CasesLink />
      <VillageFilter value={v} onChange={setV} />
      <ErrorBox error={err} />
      {!data && !err && <Loading />}
      <ul class="list">
        {data?.map((r, n) => (
          <li key={r.register_id + r.code + n} class="member" data-testid="refusal-item" data-register-id={r.register_id}>
            <div class="row-title">
              {r.name}
              {r.kind && <span class="muted"> · {kindName(r.kind, r.sex)}</span>}
            </div>
            <div class="row-sub">
              {personAge(r) && <span data-testid="refusal-age">{personAge(r)} · </span>}
              {r.village} · {t("sup.house", { no: r.house_no ?? "—" })} · {r.head_of_household ?? ""}
            </div>
            <div data-testid="refusal-doses">
              {(r.codes ?? [r.code]).map(doseName).join(", ")} · {isoToDisplay(r.date)} · {reasonName(r.reason)}
              {r.note ? ` · ${r.note}` : ""}
            </div>
          </li>
        ))}
        {data?.length === 0 && <li class="muted">{t("common.none")}</li>}
      </ul>
    </>
  );
}
