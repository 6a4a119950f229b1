-- VETIS schema v11: the credit bank (the Credit bank issue). Conversion rule packs as loaded (the
-- TOML kept whole, so every decision can be read against the rules it was taken under);
-- applications to convert a learning outcome into a course of a program, each with the rule
-- pack's id and version and every rule it failed; their review steps (the school's academic
-- office, then the bureau's credit bank; one appeal); revoked outcomes; and the register of
-- issued verifiable credentials (their revocation status list, by index). Applications are
-- keyed by school, like every large table.
CREATE TABLE credit_rule_pack (
    id TEXT NOT NULL,
    version TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    source TEXT NOT NULL,
    active INTEGER NOT NULL,
    loaded_at TEXT NOT NULL,
    loaded_by TEXT NOT NULL,
    PRIMARY KEY (id, version)
);

CREATE TABLE credit_application (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    school_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    program_code TEXT NOT NULL,
    course_code TEXT NOT NULL,
    id_pseudo TEXT NOT NULL,
    issuer_credit_code TEXT NOT NULL,
    certificate_no TEXT NOT NULL,
    requested REAL NOT NULL,
    credits REAL NOT NULL,
    status TEXT NOT NULL,
    reasons TEXT NOT NULL,
    rules_id TEXT NOT NULL,
    rules_version TEXT NOT NULL,
    appealed INTEGER NOT NULL,
    applied_by TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    decided_at TEXT
);
CREATE INDEX credit_application_school ON credit_application (school_code, year, status);
CREATE INDEX credit_application_person ON credit_application (id_pseudo, program_code);
CREATE INDEX credit_application_outcome ON credit_application (issuer_credit_code, certificate_no);

CREATE TABLE credit_review (
    application_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    step TEXT NOT NULL,
    decision TEXT NOT NULL,
    reason TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (application_id, seq)
);

CREATE TABLE outcome_revocation (
    issuer_credit_code TEXT NOT NULL,
    certificate_no TEXT NOT NULL,
    reason TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (issuer_credit_code, certificate_no)
);

CREATE TABLE credential (
    id TEXT PRIMARY KEY,
    status_index INTEGER NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    issuer_credit_code TEXT NOT NULL,
    certificate_no TEXT NOT NULL,
    application_id INTEGER,
    issued_at TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    revoked_at TEXT,
    revoked_reason TEXT
);
CREATE INDEX credential_outcome ON credential (issuer_credit_code, certificate_no);
