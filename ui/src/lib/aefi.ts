/** Quick chips for what was seen after vaccination (translated as aefi.sign.*). */
export const AEFI_SIGNS = [
  "fever", "swelling", "pain", "crying", "rash", "vomiting", "abscess", "seizure", "breathing", "unconscious",
] as const;

/** The `observed` text sent: the chosen signs (in the worker's language) then the free text. */
export function observedText(signs: string[], label: (s: string) => string, free: string): string {
  const parts = signs.map(label);
  const f = free.trim();
  if (f) parts.push(f);
  return parts.join(", ");
}
