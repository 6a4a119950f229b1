-- VETIS schema v25 (the National scale issue): the three largest record tables are stored in
-- the order every figure reads them, by school and year. On SQLite each becomes a WITHOUT ROWID table
-- clustered on (school, year, submission, row): a school's year is one contiguous range, read without
-- a second lookup per row, and an imported row updates three B-trees instead of five or six. The indexes the
-- new key makes redundant (by school, year and current; by school and program) are gone; by submission
-- and by person stay. Column order and contents are unchanged.

CREATE TABLE rec_student_clustered (
    student_no TEXT NOT NULL,
    id_type TEXT NOT NULL,
    id_pseudo TEXT NOT NULL,
    id_enc TEXT NOT NULL,
    id_masked TEXT NOT NULL,
    name_enc TEXT NOT NULL,
    name_masked TEXT NOT NULL,
    gender TEXT NOT NULL,
    school_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    program_code TEXT NOT NULL,
    study_mode TEXT NOT NULL,
    entry_year INTEGER NOT NULL,
    pathway TEXT NOT NULL,
    status TEXT NOT NULL,
    prior_school_code TEXT,
    origin_code TEXT,
    poverty INTEGER,
    disability INTEGER,
    ethnicity TEXT,
    submission_id INTEGER NOT NULL,
    row_no INTEGER NOT NULL,
    is_current INTEGER NOT NULL,
    row_hash TEXT NOT NULL,
    PRIMARY KEY (school_code, year, submission_id, row_no)
) WITHOUT ROWID;
INSERT INTO rec_student_clustered SELECT * FROM rec_student;
DROP TABLE rec_student;
ALTER TABLE rec_student_clustered RENAME TO rec_student;
CREATE INDEX rec_student_submission ON rec_student (submission_id);
CREATE INDEX rec_student_person ON rec_student (id_pseudo, year);

CREATE TABLE rec_teacher_clustered (
    teacher_no TEXT NOT NULL,
    id_type TEXT NOT NULL,
    id_pseudo TEXT NOT NULL,
    id_enc TEXT NOT NULL,
    id_masked TEXT NOT NULL,
    name_enc TEXT NOT NULL,
    name_masked TEXT NOT NULL,
    gender TEXT NOT NULL,
    school_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    category TEXT NOT NULL,
    is_specialty INTEGER NOT NULL,
    dual_qualified INTEGER NOT NULL,
    dual_since TEXT,
    education TEXT NOT NULL,
    degree TEXT NOT NULL,
    title TEXT,
    hire_date TEXT,
    industry_years REAL,
    submission_id INTEGER NOT NULL,
    row_no INTEGER NOT NULL,
    is_current INTEGER NOT NULL,
    row_hash TEXT NOT NULL, dual_recognised INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (school_code, year, submission_id, row_no)
) WITHOUT ROWID;
INSERT INTO rec_teacher_clustered SELECT * FROM rec_teacher;
DROP TABLE rec_teacher;
ALTER TABLE rec_teacher_clustered RENAME TO rec_teacher;
CREATE INDEX rec_teacher_submission ON rec_teacher (submission_id);
CREATE INDEX rec_teacher_person ON rec_teacher (id_pseudo);

CREATE TABLE rec_graduate_clustered (
    student_no TEXT NOT NULL,
    id_type TEXT NOT NULL,
    id_pseudo TEXT NOT NULL,
    id_enc TEXT NOT NULL,
    id_masked TEXT NOT NULL,
    name_enc TEXT NOT NULL,
    name_masked TEXT NOT NULL,
    gender TEXT NOT NULL,
    school_code TEXT NOT NULL,
    program_code TEXT NOT NULL,
    graduation_year INTEGER NOT NULL,
    destination TEXT NOT NULL,
    employer_credit_code TEXT,
    employer_name TEXT,
    industry_code TEXT,
    in_field INTEGER,
    submission_id INTEGER NOT NULL,
    row_no INTEGER NOT NULL,
    is_current INTEGER NOT NULL,
    row_hash TEXT NOT NULL,
    PRIMARY KEY (school_code, graduation_year, submission_id, row_no)
) WITHOUT ROWID;
INSERT INTO rec_graduate_clustered SELECT * FROM rec_graduate;
DROP TABLE rec_graduate;
ALTER TABLE rec_graduate_clustered RENAME TO rec_graduate;
CREATE INDEX rec_graduate_submission ON rec_graduate (submission_id);
CREATE INDEX rec_graduate_person ON rec_graduate (id_pseudo);
