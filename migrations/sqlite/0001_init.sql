-- VETIS schema v1 (sqlite). Record tables follow data standard v1 §4, one column per
-- column of the standard; personal data (§6) is kept as pseudonym + ciphertext + mask.
-- Rows are never deleted: a replaced version keeps its rows with is_current = 0.

CREATE TABLE setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object TEXT NOT NULL,
    detail TEXT NOT NULL,
    source TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE plan (
    id TEXT PRIMARY KEY,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    source TEXT NOT NULL,
    active INTEGER NOT NULL,
    loaded_at TEXT NOT NULL,
    loaded_by TEXT NOT NULL
);

CREATE TABLE catalog_edition (
    edition TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    effective_year INTEGER,
    source_note TEXT NOT NULL,
    loaded_at TEXT NOT NULL
);

CREATE TABLE catalog_item (
    edition TEXT NOT NULL,
    level TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    item_level TEXT NOT NULL,
    category_code TEXT NOT NULL,
    class_code TEXT,
    parent_code TEXT,
    PRIMARY KEY (edition, level, code)
);

CREATE TABLE division (
    code TEXT NOT NULL,
    province TEXT NOT NULL,
    name TEXT NOT NULL,
    valid_from INTEGER,
    valid_to INTEGER
);
CREATE INDEX division_code ON division (code);

CREATE TABLE gz_district (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE industry (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    level TEXT NOT NULL
);

CREATE TABLE submission (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    table_name TEXT NOT NULL,
    school_code TEXT NOT NULL,
    year INTEGER,
    file_name TEXT NOT NULL,
    file_hash TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    row_count INTEGER NOT NULL,
    status TEXT NOT NULL,
    warnings TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    reviewed_by TEXT,
    reviewed_at TEXT,
    review_comment TEXT,
    replaces INTEGER
);
CREATE INDEX submission_key ON submission (table_name, school_code, year, status);

CREATE TABLE rec_school (
    school_code TEXT NOT NULL,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    sponsor TEXT NOT NULL,
    district_code TEXT NOT NULL,
    founded INTEGER,
    submission_id INTEGER NOT NULL,
    row_no INTEGER NOT NULL,
    is_current INTEGER NOT NULL,
    row_hash TEXT NOT NULL,
    PRIMARY KEY (school_code, submission_id, row_no)
);
CREATE INDEX rec_school_current ON rec_school (school_code, is_current);
CREATE INDEX rec_school_submission ON rec_school (submission_id);

CREATE TABLE rec_condition (
    school_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    land_area REAL NOT NULL,
    building_area REAL NOT NULL,
    equipment_value REAL NOT NULL,
    books INTEGER NOT NULL,
    workstations INTEGER,
    submission_id INTEGER NOT NULL,
    row_no INTEGER NOT NULL,
    is_current INTEGER NOT NULL,
    row_hash TEXT NOT NULL,
    PRIMARY KEY (school_code, submission_id, row_no)
);
CREATE INDEX rec_condition_current ON rec_condition (school_code, year, is_current);
CREATE INDEX rec_condition_submission ON rec_condition (submission_id);

CREATE TABLE rec_offering (
    school_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    program_code TEXT NOT NULL,
    program_name TEXT,
    program_group TEXT,
    first_year INTEGER,
    submission_id INTEGER NOT NULL,
    row_no INTEGER NOT NULL,
    is_current INTEGER NOT NULL,
    row_hash TEXT NOT NULL,
    PRIMARY KEY (school_code, submission_id, row_no)
);
CREATE INDEX rec_offering_current ON rec_offering (school_code, year, is_current);
CREATE INDEX rec_offering_submission ON rec_offering (submission_id);

CREATE TABLE rec_student (
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
    PRIMARY KEY (school_code, submission_id, row_no)
);
CREATE INDEX rec_student_current ON rec_student (school_code, year, is_current);
CREATE INDEX rec_student_submission ON rec_student (submission_id);

CREATE TABLE rec_graduate (
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
    PRIMARY KEY (school_code, submission_id, row_no)
);
CREATE INDEX rec_graduate_current ON rec_graduate (school_code, graduation_year, is_current);
CREATE INDEX rec_graduate_submission ON rec_graduate (submission_id);

CREATE TABLE rec_teacher (
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
    row_hash TEXT NOT NULL,
    PRIMARY KEY (school_code, submission_id, row_no)
);
CREATE INDEX rec_teacher_current ON rec_teacher (school_code, year, is_current);
CREATE INDEX rec_teacher_submission ON rec_teacher (submission_id);

CREATE TABLE rec_practice (
    teacher_no TEXT NOT NULL,
    school_code TEXT NOT NULL,
    credit_code TEXT NOT NULL,
    enterprise_name TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    days INTEGER NOT NULL,
    submission_id INTEGER NOT NULL,
    row_no INTEGER NOT NULL,
    is_current INTEGER NOT NULL,
    row_hash TEXT NOT NULL,
    PRIMARY KEY (school_code, submission_id, row_no)
);
CREATE INDEX rec_practice_current ON rec_practice (school_code, teacher_no, start_date, is_current);
CREATE INDEX rec_practice_submission ON rec_practice (submission_id);

CREATE TABLE rec_pd (
    teacher_no TEXT NOT NULL,
    school_code TEXT NOT NULL,
    course TEXT NOT NULL,
    level TEXT NOT NULL,
    hours REAL NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    submission_id INTEGER NOT NULL,
    row_no INTEGER NOT NULL,
    is_current INTEGER NOT NULL,
    row_hash TEXT NOT NULL,
    PRIMARY KEY (school_code, submission_id, row_no)
);
CREATE INDEX rec_pd_current ON rec_pd (school_code, teacher_no, course, start_date, is_current);
CREATE INDEX rec_pd_submission ON rec_pd (submission_id);

CREATE TABLE rec_training (
    project_code TEXT NOT NULL,
    school_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    hours REAL NOT NULL,
    person_times INTEGER NOT NULL,
    completed INTEGER NOT NULL,
    certified INTEGER,
    revenue REAL,
    submission_id INTEGER NOT NULL,
    row_no INTEGER NOT NULL,
    is_current INTEGER NOT NULL,
    row_hash TEXT NOT NULL,
    PRIMARY KEY (school_code, submission_id, row_no)
);
CREATE INDEX rec_training_current ON rec_training (school_code, year, is_current);
CREATE INDEX rec_training_submission ON rec_training (submission_id);

CREATE TABLE rec_cooperation (
    school_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    credit_code TEXT NOT NULL,
    enterprise_name TEXT NOT NULL,
    form TEXT NOT NULL,
    program_code TEXT,
    students INTEGER,
    start_date TEXT,
    end_date TEXT,
    submission_id INTEGER NOT NULL,
    row_no INTEGER NOT NULL,
    is_current INTEGER NOT NULL,
    row_hash TEXT NOT NULL,
    PRIMARY KEY (school_code, submission_id, row_no)
);
CREATE INDEX rec_cooperation_current ON rec_cooperation (school_code, year, is_current);
CREATE INDEX rec_cooperation_submission ON rec_cooperation (submission_id);

CREATE TABLE rec_designation (
    designation_code TEXT NOT NULL,
    kind TEXT NOT NULL,
    level TEXT NOT NULL,
    school_code TEXT NOT NULL,
    subject TEXT,
    program_code TEXT,
    approved_year INTEGER NOT NULL,
    status TEXT NOT NULL,
    accepted_year INTEGER,
    submission_id INTEGER NOT NULL,
    row_no INTEGER NOT NULL,
    is_current INTEGER NOT NULL,
    row_hash TEXT NOT NULL,
    PRIMARY KEY (school_code, submission_id, row_no)
);
CREATE INDEX rec_designation_current ON rec_designation (designation_code, is_current);
CREATE INDEX rec_designation_submission ON rec_designation (submission_id);
