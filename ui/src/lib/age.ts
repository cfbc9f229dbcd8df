// A person's age as an ANM says it, from the parts the core computed (`AgeParts`: the rule is
// teeka_domain::dates::age_on); only the words are chosen here.
import type { AgeParts } from "../bindings";
import { t } from "../i18n";
import { isoToDisplay } from "./dates";

/** "7 months", "1 yr 2 mo", "3 weeks", "16 days", "6 years" (in the worker's language). */
export function ageText(a: AgeParts): string {
  if (a.years > 0 && a.months > 0) return `${t("age.yr", { n: a.years })} ${t("age.mo", { n: a.months })}`;
  if (a.years > 0) return t("age.years", { n: a.years });
  if (a.months > 0) return t("age.months", { n: a.months });
  if (a.weeks > 0) return t("age.weeks", { n: a.weeks });
  return t("age.days", { n: a.days });
}

/** What is said of a person beside their name: their age, or a pregnant woman's weeks of
 * pregnancy (and her EDD, unless `withEdd` is false: shown elsewhere); "" when the record has
 * neither. */
export function personAge(p: { age: AgeParts | null; pregnancy_weeks: number | null; edd?: string | null }, withEdd = true): string {
  if (p.age) return ageText(p.age);
  if (p.pregnancy_weeks != null) {
    const weeks = t("age.pregnant", { n: p.pregnancy_weeks });
    return withEdd && p.edd ? `${weeks} · ${t("member.edd", { date: isoToDisplay(p.edd) })}` : weeks;
  }
  return "";
}
