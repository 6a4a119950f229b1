-- VETIS schema v14: the register of dual-qualified (“双师型”) recognitions (the Teachers issue).
-- Rule packs as loaded (the TOML kept whole, so every application is read against the pack it was
-- pre-checked under); batches a school files; one application per teacher with the pre-check's
-- unmet conditions and the panel's decision; recognitions with their dates (published, in force
-- from the day after the objection period, valid until) and what the bureau did (suspension
-- periods, revocation from a day); evidence files as for tasks. The teacher records keep, per row,
-- whether a recognition was in force on the row's statistical date (`dual_recognised`): the
-- indicator's register count reads it like any column, and the store refreshes it with the blocks.
ALTER TABLE rec_teacher ADD COLUMN dual_recognised INTEGER NOT NULL DEFAULT 0;

CREATE TABLE dual_rule_pack (
    id TEXT NOT NULL,
    version TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    source TEXT NOT NULL,
    active INTEGER NOT NULL,
    loaded_at TEXT NOT NULL,
    loaded_by TEXT NOT NULL,
    PRIMARY KEY (id, version)
);

CREATE TABLE dual_batch (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    school_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    level TEXT NOT NULL,
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    pack_id TEXT NOT NULL,
    pack_version TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    published_on TEXT,
    objection_until TEXT,
    published_by TEXT
);
CREATE INDEX dual_batch_school ON dual_batch (school_code, year);

CREATE TABLE dual_application (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id INTEGER NOT NULL,
    school_code TEXT NOT NULL,
    teacher_no TEXT NOT NULL,
    id_pseudo TEXT NOT NULL,
    level TEXT NOT NULL,
    eligible INTEGER NOT NULL,
    unmet TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    decided_by TEXT,
    decided_at TEXT
);
CREATE INDEX dual_application_batch ON dual_application (batch_id);
CREATE INDEX dual_application_school ON dual_application (school_code, status);

CREATE TABLE dual_recognition (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id INTEGER NOT NULL,
    school_code TEXT NOT NULL,
    teacher_no TEXT NOT NULL,
    id_pseudo TEXT NOT NULL,
    level TEXT NOT NULL,
    published_on TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    status TEXT NOT NULL,
    ended_on TEXT,
    reason TEXT NOT NULL
);
CREATE INDEX dual_recognition_person ON dual_recognition (id_pseudo);
CREATE INDEX dual_recognition_school ON dual_recognition (school_code, valid_until);

CREATE TABLE dual_suspension (
    recognition_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    from_date TEXT NOT NULL,
    until_date TEXT,
    reason TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (recognition_id, seq)
);

CREATE TABLE dual_evidence (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id INTEGER NOT NULL,
    school_code TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);
CREATE INDEX dual_evidence_application ON dual_evidence (application_id);
