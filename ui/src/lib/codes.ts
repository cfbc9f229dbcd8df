// Codes of docs/formats.md and docs/app-api.md, and the MCP card's grouping by age.

export const DOSE_CODES = [
  "BCG", "HEPB0", "OPV0", "OPV1", "OPV2", "OPV3", "PENTA1", "PENTA2", "PENTA3", "RVV1", "RVV2", "RVV3",
  "FIPV1", "FIPV2", "FIPV3", "PCV1", "PCV2", "PCVB", "MR1", "MR2", "JE1", "JE2", "DPT1", "DPT2", "DPT3",
  "DPTB1", "DPTB2", "OPVB", "VITA1", "VITA2", "VITA3", "VITA4", "VITA5", "VITA6", "VITA7", "VITA8", "VITA9",
  "TD10", "TD16", "TD1", "TD2", "TDB",
] as const;

export const ANTIGENS = ["BCG", "HEPB", "OPV", "PENTA", "RVV", "FIPV", "PCV", "MR", "JE", "DPT", "VITA", "TD"] as const;

export const REASONS = [
  "REFUSED_FEAR_AEFI", "REFUSED_RELIGIOUS", "REFUSED_FAMILY", "REFUSED_NO_FAITH", "REFUSED_OTHER",
  "CHILD_SICK", "NOT_AT_HOME", "MIGRATED_TEMPORARILY", "UNAWARE", "SITE_TOO_FAR", "VACCINE_OUT_OF_STOCK",
  "SESSION_NOT_HELD", "OTHER",
] as const;

export const RISK_CATEGORIES = [
  "urban_slum", "migratory", "brick_kiln", "construction_site", "nomadic", "tribal", "riverine", "forest_hilly", "other",
] as const;

export const ERROR_CODES = [
  "LOCKED", "WRONG_PIN", "PIN_WAIT", "INVALID_INPUT", "NOT_FOUND", "UNKNOWN_BENEFICIARY", "UNKNOWN_VILLAGE",
  "REGISTER_INVALID", "SESSION_CLOSED",
  "NOT_ENROLLED", "NETWORK", "UNAUTHORIZED", "REVOKED", "CODE_INVALID", "OUT_OF_SCOPE", "TOO_LARGE", "BAD_REQUEST",
  "INVALID_EVENT", "UNKNOWN_ENTITY", "AMBIGUOUS_VILLAGE", "UNSUPPORTED_VERSION", "UNAVAILABLE", "INTERNAL",
  "STORE_DATABASE", "STORE_CORRUPT", "STORE_TOO_NEW",
] as const;

/** The codes of the core's warnings (`{code, params}`, docs/app-api.md). */
export const WARNING_CODES = ["ALREADY_GIVEN", "EARLY", "PAST_MAX_AGE", "NOT_APPLICABLE", "NOT_ACTIVE"] as const;

export const CLASSIFICATIONS = ["left_out", "drop_out", "up_to_date"] as const;
export const SEVERITIES = ["minor", "severe", "serious"] as const;
export const ROLES = ["asha", "anm", "supervisor"] as const;

/** The antigen a dose code belongs to (for vials and the tally). */
export function antigenOf(code: string): string {
  const c = code.toUpperCase();
  if (c === "BCG") return "BCG";
  if (c.startsWith("HEPB")) return "HEPB";
  if (c.startsWith("OPV")) return "OPV";
  if (c.startsWith("PENTA")) return "PENTA";
  if (c.startsWith("RVV")) return "RVV";
  if (c.startsWith("FIPV")) return "FIPV";
  if (c.startsWith("PCV")) return "PCV";
  if (c.startsWith("MR")) return "MR";
  if (c.startsWith("JE")) return "JE";
  if (c.startsWith("DPT")) return "DPT";
  if (c.startsWith("VITA")) return "VITA";
  if (c.startsWith("TD")) return "TD";
  return c;
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
