-- VETIS schema v18: the integrity ledger of training providers (the Integrity issue, plan 四(四)).
-- `integrity_pack`: the scorecard as the bureau loads it (indicators with maximum points, grade
-- bands), versioned like the rule packs. `integrity_event`: one event per provider (a school by its
-- code), with its indicator, kind, date, legal basis, facts, points, status (draft → confirmed →
-- under appeal → upheld / varied / withdrawn), display period and credit repair; never deleted.
-- `integrity_appeal`: the provider's appeal and its decision. Keyed by provider, like every large table.
CREATE TABLE integrity_pack (
    id TEXT NOT NULL,
    version TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    source TEXT NOT NULL,
    active INTEGER NOT NULL,
    loaded_at TEXT NOT NULL,
    loaded_by TEXT NOT NULL,
    PRIMARY KEY (id, version)
);

CREATE TABLE integrity_event (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    school_code TEXT NOT NULL,
    indicator TEXT NOT NULL,
    kind TEXT NOT NULL,
    event_date TEXT NOT NULL,
    points INTEGER NOT NULL,
    varied_points INTEGER,
    facts TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    decision_no TEXT,
    status TEXT NOT NULL,
    display_until TEXT NOT NULL,
    repaired_at TEXT,
    repair_reason TEXT,
    pack_id TEXT NOT NULL,
    pack_version TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    confirmed_by TEXT,
    confirmed_at TEXT
);
CREATE INDEX integrity_event_school ON integrity_event (school_code, event_date);

CREATE TABLE integrity_appeal (
    event_id INTEGER NOT NULL PRIMARY KEY,
    reason TEXT NOT NULL,
    filed_by TEXT NOT NULL,
    filed_at TEXT NOT NULL,
    decision TEXT,
    decided_by TEXT,
    decided_at TEXT
);
