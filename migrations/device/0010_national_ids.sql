-- Teeka device store, version 10: a beneficiary's national identifiers (issue 12), each
-- optional, as `teeka_domain::IdKind` normalises them: the ABHA number (NN-NNNN-NNNN-NNNN), the
-- RCH ID (12 digits) and the U-WIN id. Set by the `abha`, `rch_id` and `uwin_id` fields of
-- beneficiary events (last-writer-wins like the others); read to match a FHIR import.
-- Append-only: never edit a migration once it has shipped; add the next one.
ALTER TABLE beneficiaries ADD COLUMN abha TEXT;
ALTER TABLE beneficiaries ADD COLUMN rch_id TEXT;
ALTER TABLE beneficiaries ADD COLUMN uwin_id TEXT;
CREATE INDEX beneficiaries_abha ON beneficiaries (abha) WHERE abha IS NOT NULL;
CREATE INDEX beneficiaries_rch_id ON beneficiaries (rch_id) WHERE rch_id IS NOT NULL;
CREATE INDEX beneficiaries_uwin_id ON beneficiaries (uwin_id) WHERE uwin_id IS NOT NULL;
