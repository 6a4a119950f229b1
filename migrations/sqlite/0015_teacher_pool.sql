-- VETIS schema v15: the municipal pool of part-time teachers from enterprises (the Teachers issue,
-- plan 三(五)). An expert as a school or the bureau registered them (the person as personal data:
-- pseudonym, ciphertext and mask, like every record), the programs they can teach (for search), the
-- engagements schools record per term, and the feedback after each. A `teacher` row of category
-- 兼职教师 links to the pool by the person's pseudonym.
CREATE TABLE pool_expert (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    id_pseudo TEXT NOT NULL UNIQUE,
    id_enc TEXT NOT NULL,
    id_masked TEXT NOT NULL,
    name_enc TEXT NOT NULL,
    name_masked TEXT NOT NULL,
    enterprise_credit_code TEXT NOT NULL,
    enterprise_name TEXT NOT NULL,
    skills TEXT NOT NULL,
    title TEXT,
    post TEXT NOT NULL,
    available_from TEXT,
    available_until TEXT,
    consent INTEGER NOT NULL,
    active INTEGER NOT NULL,
    registered_by_school TEXT NOT NULL,
    registered_by TEXT NOT NULL,
    registered_at TEXT NOT NULL
);

CREATE TABLE pool_program (
    expert_id INTEGER NOT NULL,
    program_code TEXT NOT NULL,
    PRIMARY KEY (program_code, expert_id)
);

CREATE TABLE pool_engagement (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    school_code TEXT NOT NULL,
    expert_id INTEGER NOT NULL,
    term TEXT NOT NULL,
    school_year INTEGER NOT NULL,
    program_code TEXT,
    courses TEXT NOT NULL,
    hours REAL NOT NULL,
    pay REAL NOT NULL,
    rating INTEGER,
    feedback TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX pool_engagement_school ON pool_engagement (school_code, school_year);
CREATE INDEX pool_engagement_expert ON pool_engagement (expert_id);
