-- VETIS schema v20: data standard v1.6 (the Quality reports issue, plan 五(三)): a school's funding
-- and staffing (`rec_finance`), international cooperation (`rec_international`) and satisfaction
-- surveys by respondent group (`rec_survey`), one row per school and year (per group for surveys),
-- stored like every record and keyed by school first.
CREATE TABLE rec_finance (
    school_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    appropriation_total REAL NOT NULL,
    per_student_standard REAL,
    staff_quota INTEGER,
    staff_on_quota INTEGER,
    part_time_hours REAL NOT NULL,
    part_time_pay REAL NOT NULL,
    submission_id INTEGER NOT NULL,
    row_no INTEGER NOT NULL,
    is_current INTEGER NOT NULL,
    row_hash TEXT NOT NULL,
    PRIMARY KEY (school_code, submission_id, row_no)
);
CREATE INDEX rec_finance_current ON rec_finance (school_code, year, is_current);
CREATE INDEX rec_finance_submission ON rec_finance (submission_id);

CREATE TABLE rec_international (
    school_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    foreign_students INTEGER NOT NULL,
    foreign_training_days INTEGER NOT NULL,
    student_abroad_days INTEGER NOT NULL,
    teacher_abroad_days INTEGER NOT NULL,
    teachers_in_foreign_orgs INTEGER NOT NULL,
    standards_adopted_abroad INTEGER NOT NULL,
    foreign_competition_awards INTEGER NOT NULL,
    submission_id INTEGER NOT NULL,
    row_no INTEGER NOT NULL,
    is_current INTEGER NOT NULL,
    row_hash TEXT NOT NULL,
    PRIMARY KEY (school_code, submission_id, row_no)
);
CREATE INDEX rec_international_current ON rec_international (school_code, year, is_current);
CREATE INDEX rec_international_submission ON rec_international (submission_id);

CREATE TABLE rec_survey (
    school_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    respondent_group TEXT NOT NULL,
    respondents INTEGER NOT NULL,
    satisfied INTEGER NOT NULL,
    submission_id INTEGER NOT NULL,
    row_no INTEGER NOT NULL,
    is_current INTEGER NOT NULL,
    row_hash TEXT NOT NULL,
    PRIMARY KEY (school_code, submission_id, row_no)
);
CREATE INDEX rec_survey_current ON rec_survey (school_code, year, is_current);
CREATE INDEX rec_survey_submission ON rec_survey (submission_id);
