-- VETIS schema v5: the plan's tasks assigned to undertaking schools, their yearly implementation
-- plans and progress reports with figures, and evidence files (kept in the database, so a backup
-- of the database is a backup of everything).

CREATE TABLE plan_task (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    section TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE task_assignment (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id INTEGER NOT NULL,
    school_code TEXT NOT NULL,
    first_year INTEGER NOT NULL,
    last_year INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (task_id, school_code)
);
CREATE INDEX task_assignment_school ON task_assignment (school_code);

CREATE TABLE assignment_output (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    assignment_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    unit TEXT NOT NULL,
    target REAL NOT NULL
);
CREATE INDEX assignment_output_assignment ON assignment_output (assignment_id);

CREATE TABLE task_report (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    assignment_id INTEGER NOT NULL,
    school_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    UNIQUE (assignment_id, year, kind)
);
CREATE INDEX task_report_school ON task_report (school_code);

CREATE TABLE report_figure (
    report_id INTEGER NOT NULL,
    output_id INTEGER NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (report_id, output_id)
);

CREATE TABLE evidence_file (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id INTEGER NOT NULL,
    school_code TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);
CREATE INDEX evidence_file_report ON evidence_file (report_id);
