-- Teeka device store, version 7: the same dose twice is flagged while both records stand
-- (issue 9). Until version 6 a flag was never lifted, so a store upgraded from then may hold
-- flags on doses that no longer have a twin; set every standing dose's flag by the rule the
-- projection now keeps (crates/store/src/project.rs, flag_twice).
-- Append-only: never edit a migration once it has shipped; add the next one.
UPDATE doses SET flagged = (
    SELECT count(*) FROM doses AS twin
    WHERE twin.beneficiary_id = doses.beneficiary_id AND twin.code = doses.code AND twin.superseded_by IS NULL
) > 1
WHERE superseded_by IS NULL;
