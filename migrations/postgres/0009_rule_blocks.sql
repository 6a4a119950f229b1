-- VETIS schema v9: the rule figures' building blocks. For each rule of the active plan, per school
-- and year: how many pass out of how many (teachers for practice and training cycles; the school
-- for basic conditions; first-year students for local intake), the person-times trained and
-- students enrolled (training to enrolment), and in `rule_item` what failed and why, or which key
-- industries the school's programs cover. Kept in the transaction that changes the records they
-- read; a rule's blocks are complete when its key (a hash of the rule as the plan states it) is
-- listed in `figure_formula`. Keyed by school first, like every large table.
CREATE TABLE rule_block (
    school_code TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    year BIGINT NOT NULL,
    passed DOUBLE PRECISION NOT NULL,
    total DOUBLE PRECISION NOT NULL,
    trained DOUBLE PRECISION NOT NULL,
    enrolled DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (school_code, rule_id, year)
);
CREATE INDEX rule_block_rule ON rule_block (rule_id, year);
CREATE TABLE rule_item (
    school_code TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    year BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    subject TEXT NOT NULL,
    passed BIGINT NOT NULL,
    detail_zh TEXT NOT NULL,
    detail_en TEXT NOT NULL,
    PRIMARY KEY (school_code, rule_id, year, seq)
);
CREATE INDEX rule_item_rule ON rule_item (rule_id, year);
-- A teacher's activity follows the person: finding the schools that share a person is a lookup.
CREATE INDEX rec_teacher_person ON rec_teacher (id_pseudo);
-- Approving students checks that none is enrolled at another school that year: a lookup per
-- student, not a scan of every student (an approval on the demo city took minutes without it).
CREATE INDEX rec_student_person ON rec_student (id_pseudo, year);
