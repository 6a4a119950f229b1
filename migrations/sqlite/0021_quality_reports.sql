-- VETIS schema v21: annual quality reports (the Quality reports issue, plan 五(三)). `quality_report`:
-- a school's (subject = its code) or the city's (subject = 'city') report of a year, one row per
-- version (a correction after publication is a new version; the old one stays, superseded), with
-- its status (draft → submitted → returned / approved → published), the review, and once
-- published the frozen tables (JSON), their SHA-256 and the data version they were read at.
-- `quality_chapter`: the chapters written for a version. `quality_template_pack`: report templates as
-- the bureau loads them (every loaded version kept; the one of an edition with the latest first year
-- at or before a report's year applies).
CREATE TABLE quality_report (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    subject TEXT NOT NULL,
    year INTEGER NOT NULL,
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    template_id TEXT NOT NULL,
    template_version TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    submitted_at TEXT,
    decided_by TEXT,
    decided_at TEXT,
    review_comment TEXT,
    published_by TEXT,
    published_at TEXT,
    data_version INTEGER,
    snapshot TEXT,
    snapshot_hash TEXT,
    UNIQUE (subject, year, version)
);
CREATE INDEX quality_report_year ON quality_report (year, status);

CREATE TABLE quality_chapter (
    report_id INTEGER NOT NULL,
    chapter_id TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (report_id, chapter_id)
);

CREATE TABLE quality_template_pack (
    id TEXT NOT NULL,
    version TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    source TEXT NOT NULL,
    active INTEGER NOT NULL,
    loaded_at TEXT NOT NULL,
    loaded_by TEXT NOT NULL,
    PRIMARY KEY (id, version)
);
