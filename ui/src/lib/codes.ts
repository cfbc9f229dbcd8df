// The code lists of docs/formats.md and docs/app-api.md come from the Rust `ALL` arrays through
// the generated bindings; here is only what is the UI's own: the MCP card's grouping by age.

import { DOSE_ANTIGENS } from "../bindings";

export {
  ANTIGENS,
  CLASSIFICATIONS,
  DELIVERY_OUTCOMES,
  DOSE_ANTIGENS,
  DOSE_CODES,
  ERROR_CODES,
  REASONS,
  REFUSAL_REASONS,
  RISK_CATEGORIES,
  ROLES,
  SEVERITIES,
  STATUSES,
  WARNING_CODES,
} from "../bindings";

/** The antigen a dose code belongs to (for vials and the tally); an unknown code is its own. */
export function antigenOf(code: string): string {
  const c = code.toUpperCase();
  return (DOSE_ANTIGENS as Record<string, string>)[c] ?? c;
}

/** MCP card rows, by the age at which the doses are given. */
export const CARD_GROUPS: { key: string; codes: string[] }[] = [
  { key: "birth", codes: ["BCG", "HEPB0", "OPV0"] },
  { key: "w6", codes: ["OPV1", "PENTA1", "RVV1", "FIPV1", "PCV1"] },
  { key: "w10", codes: ["OPV2", "PENTA2", "RVV2"] },
  { key: "w14", codes: ["OPV3", "PENTA3", "RVV3", "FIPV2", "PCV2"] },
  { key: "m9", codes: ["MR1", "JE1", "FIPV3", "PCVB", "VITA1"] },
  { key: "m16", codes: ["MR2", "JE2", "DPTB1", "OPVB", "VITA2"] },
  { key: "catchup", codes: ["DPT1", "DPT2", "DPT3"] },
  { key: "vita", codes: ["VITA3", "VITA4", "VITA5", "VITA6", "VITA7", "VITA8", "VITA9"] },
  { key: "y5", codes: ["DPTB2"] },
  { key: "y10", codes: ["TD10"] },
  { key: "y16", codes: ["TD16"] },
  { key: "pregnancy", codes: ["TD1", "TD2", "TDB"] },
];

/**
 * Groups the codes the core offers (in its order) as on the MCP card. Codes of no known
 * group are kept, under "other", so a new code still shows.
 */
export function groupCard(codes: string[]): { key: string; codes: string[] }[] {
  const offered = new Set(codes);
  const placed = new Set<string>();
  const out: { key: string; codes: string[] }[] = [];
  for (const g of CARD_GROUPS) {
    const cs = g.codes.filter((c) => offered.has(c));
    cs.forEach((c) => placed.add(c));
    if (cs.length) out.push({ key: g.key, codes: cs });
  }
  const rest = codes.filter((c) => !placed.has(c));
  if (rest.length) out.push({ key: "other", codes: rest });
  return out;
}
