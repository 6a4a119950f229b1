-- VETIS schema v10: data standard v1.1, the credit bank's two tables (the Credit bank issue).
-- `certificate`: learning outcomes (1+X and other certificates, skill levels, competition awards,
-- training, course credits), one row per outcome, identified by the issuer's credit code and its
-- number; personal data as in `student` (pseudonym, ciphertext, mask). `school_code` is the school
-- the learner attended, '' for an outcome the bureau registers for a learner of no school.
-- `curriculum`: the courses of each program a school runs, per year, with credits, hours and the
-- hours of 职业精神 topics (plan 三(六)). Keyed by school first, like every large table.
CREATE TABLE rec_certificate (
    certificate_no TEXT NOT NULL,
    id_type TEXT NOT NULL,
    id_pseudo TEXT NOT NULL,
    id_enc TEXT NOT NULL,
    id_masked TEXT NOT NULL,
    name_enc TEXT NOT NULL,
    name_masked TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    level TEXT,
    issuer_name TEXT NOT NULL,
    issuer_credit_code TEXT NOT NULL,
    issued_date TEXT NOT NULL,
    valid_until TEXT,
    school_code TEXT NOT NULL,
    program_code TEXT,
    hours DOUBLE PRECISION,
    credits DOUBLE PRECISION,
    submission_id BIGINT NOT NULL,
    row_no BIGINT NOT NULL,
    is_current BIGINT NOT NULL,
    row_hash TEXT NOT NULL,
    PRIMARY KEY (school_code, submission_id, row_no)
);
CREATE INDEX rec_certificate_current ON rec_certificate (certificate_no, issuer_credit_code, is_current);
CREATE INDEX rec_certificate_person ON rec_certificate (id_pseudo);
CREATE INDEX rec_certificate_school ON rec_certificate (school_code, is_current);
CREATE INDEX rec_certificate_submission ON rec_certificate (submission_id);

CREATE TABLE rec_curriculum (
    school_code TEXT NOT NULL,
    year BIGINT NOT NULL,
    program_code TEXT NOT NULL,
    course_code TEXT NOT NULL,
    course_name TEXT NOT NULL,
    course_type TEXT NOT NULL,
    credits DOUBLE PRECISION NOT NULL,
    hours DOUBLE PRECISION NOT NULL,
    ideals_hours DOUBLE PRECISION,
    submission_id BIGINT NOT NULL,
    row_no BIGINT NOT NULL,
    is_current BIGINT NOT NULL,
    row_hash TEXT NOT NULL,
    PRIMARY KEY (school_code, submission_id, row_no)
);
CREATE INDEX rec_curriculum_current ON rec_curriculum (school_code, year, is_current);
CREATE INDEX rec_curriculum_submission ON rec_curriculum (submission_id);
