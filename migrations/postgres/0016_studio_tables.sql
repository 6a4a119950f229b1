-- VETIS schema v16: data standard v1.3, the members and outputs of studios and teams (the Teachers
-- issue: the 20 名师工作室 and the teaching-innovation teams are designations; these say who works in
-- them and what they produced). `member`: one row per designation, school and teacher (a member may
-- come from another school), with the role. `output`: a school's outputs of a year per designation.
-- Keyed by school first, like every large table.
CREATE TABLE rec_member (
    designation_code TEXT NOT NULL,
    school_code TEXT NOT NULL,
    teacher_no TEXT NOT NULL,
    role TEXT NOT NULL,
    joined_date TEXT,
    submission_id BIGINT NOT NULL,
    row_no BIGINT NOT NULL,
    is_current BIGINT NOT NULL,
    row_hash TEXT NOT NULL,
    PRIMARY KEY (school_code, submission_id, row_no)
);
CREATE INDEX rec_member_current ON rec_member (designation_code, school_code, teacher_no, is_current);
CREATE INDEX rec_member_submission ON rec_member (submission_id);

CREATE TABLE rec_output (
    designation_code TEXT NOT NULL,
    school_code TEXT NOT NULL,
    year BIGINT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    achieved_date TEXT,
    note TEXT,
    submission_id BIGINT NOT NULL,
    row_no BIGINT NOT NULL,
    is_current BIGINT NOT NULL,
    row_hash TEXT NOT NULL,
    PRIMARY KEY (school_code, submission_id, row_no)
);
CREATE INDEX rec_output_current ON rec_output (school_code, year, is_current);
CREATE INDEX rec_output_designation ON rec_output (designation_code, is_current);
CREATE INDEX rec_output_submission ON rec_output (submission_id);

-- Also: a learner's certificates by person, current and of a kind, in one index. The credit blocks
-- count each graduate's 1+X certificates in a correlated subquery; without this, PostgreSQL on a
-- table filled in the same transaction (no statistics yet) combined the person index with a scan
-- of every current certificate, once per graduate (minutes for the demo city's two years).
CREATE INDEX rec_certificate_person_kind ON rec_certificate (id_pseudo, is_current, kind);
