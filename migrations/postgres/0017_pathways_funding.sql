-- VETIS schema v17: pathways and funding (the Pathways and funding issue, plan 三(二) and 五(二)).
-- `pathway_agreement`: the bureau's register of 3+2, five-year and through agreements (a lower
-- school's program paired with an upper school's program, the intake years it runs, the quota per
-- intake), replaced whole on each load. `rec_transfer`: data standard v1.4, the transfer assessment
-- (转段考核) results a lower school submits per intake cohort, stored like every record (person as
-- pseudonym, ciphertext and mask; keyed by school first). `transfer_scheme_pack` and `funding_pack`:
-- the assessment scheme and the per-student funding tables as the bureau loads them, versioned
-- like the rule packs.
CREATE TABLE pathway_agreement (
    agreement_code TEXT NOT NULL PRIMARY KEY,
    pathway TEXT NOT NULL,
    lower_school_code TEXT NOT NULL,
    lower_program_code TEXT NOT NULL,
    upper_school_code TEXT NOT NULL,
    upper_program_code TEXT NOT NULL,
    first_intake_year BIGINT NOT NULL,
    last_intake_year BIGINT NOT NULL,
    quota BIGINT
);
CREATE INDEX pathway_agreement_lower ON pathway_agreement (lower_school_code, lower_program_code);
CREATE INDEX pathway_agreement_upper ON pathway_agreement (upper_school_code, upper_program_code);

CREATE TABLE rec_transfer (
    id_type TEXT NOT NULL,
    id_pseudo TEXT NOT NULL,
    id_enc TEXT NOT NULL,
    id_masked TEXT NOT NULL,
    name_enc TEXT NOT NULL,
    name_masked TEXT NOT NULL,
    school_code TEXT NOT NULL,
    agreement_code TEXT NOT NULL,
    intake_year BIGINT NOT NULL,
    score DOUBLE PRECISION,
    exemption TEXT,
    result TEXT NOT NULL,
    submission_id BIGINT NOT NULL,
    row_no BIGINT NOT NULL,
    is_current BIGINT NOT NULL,
    row_hash TEXT NOT NULL,
    PRIMARY KEY (school_code, submission_id, row_no)
);
CREATE INDEX rec_transfer_current ON rec_transfer (school_code, intake_year, is_current);
CREATE INDEX rec_transfer_agreement ON rec_transfer (agreement_code, intake_year, is_current);
CREATE INDEX rec_transfer_submission ON rec_transfer (submission_id);

-- The funnels find an agreement's students by school and program (persons by rec_student_person).
CREATE INDEX rec_student_program ON rec_student (school_code, program_code, is_current);

CREATE TABLE transfer_scheme_pack (
    id TEXT NOT NULL,
    version TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    source TEXT NOT NULL,
    active BIGINT NOT NULL,
    loaded_at TEXT NOT NULL,
    loaded_by TEXT NOT NULL,
    PRIMARY KEY (id, version)
);

CREATE TABLE funding_pack (
    id TEXT NOT NULL,
    version TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    source TEXT NOT NULL,
    active BIGINT NOT NULL,
    loaded_at TEXT NOT NULL,
    loaded_by TEXT NOT NULL,
    PRIMARY KEY (id, version)
);
