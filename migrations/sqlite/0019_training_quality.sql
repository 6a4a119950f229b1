-- VETIS schema v19: trainees' evaluations, evidence and providers of the integrity ledger (the
-- Integrity issue, plan 四(四)). `rec_training_survey`: data standard v1.5, the answers to a
-- training project's completion and outcome surveys a school submits (anonymous: a respondent
-- number, no personal data), stored like every record. `survey_code`: one-time codes for the public
-- form, kept only as SHA-256 digests, each used once. `survey_answer`: the answers given on that
-- form, kept apart from the codes so that an answer cannot be traced to the trainee who held it.
-- `integrity_evidence`: the files behind an event. `integrity_provider`: who a provider is on the
-- public page (name, 统一社会信用代码, district), for schools and for other providers by credit code.
CREATE TABLE rec_training_survey (
    school_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    project_code TEXT NOT NULL,
    survey TEXT NOT NULL,
    respondent TEXT NOT NULL,
    response_date TEXT NOT NULL,
    content INTEGER,
    teaching INTEGER,
    facilities INTEGER,
    overall INTEGER,
    employed INTEGER,
    certified INTEGER,
    promoted INTEGER,
    submission_id INTEGER NOT NULL,
    row_no INTEGER NOT NULL,
    is_current INTEGER NOT NULL,
    row_hash TEXT NOT NULL,
    PRIMARY KEY (school_code, submission_id, row_no)
);
CREATE INDEX rec_training_survey_current ON rec_training_survey (school_code, year, is_current);
CREATE INDEX rec_training_survey_submission ON rec_training_survey (submission_id);

CREATE TABLE survey_code (
    code_hash TEXT NOT NULL PRIMARY KEY,
    school_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    project_code TEXT NOT NULL,
    survey TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX survey_code_project ON survey_code (school_code, year, project_code, survey);

CREATE TABLE survey_answer (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    school_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    project_code TEXT NOT NULL,
    survey TEXT NOT NULL,
    answered_on TEXT NOT NULL,
    content INTEGER,
    teaching INTEGER,
    facilities INTEGER,
    overall INTEGER,
    employed INTEGER,
    certified INTEGER,
    promoted INTEGER
);
CREATE INDEX survey_answer_project ON survey_answer (school_code, year, project_code, survey);

CREATE TABLE integrity_evidence (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id INTEGER NOT NULL,
    school_code TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);
CREATE INDEX integrity_evidence_event ON integrity_evidence (event_id);

CREATE TABLE integrity_provider (
    provider_code TEXT NOT NULL PRIMARY KEY,
    credit_code TEXT,
    name_zh TEXT NOT NULL,
    district_code TEXT,
    address TEXT,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
