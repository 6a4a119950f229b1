-- VETIS schema v3: year locks (a locked year's data cannot change until it is unlocked with a
-- reason) and indexes for searching the audit log by who and what.

CREATE TABLE year_lock (
    year BIGINT PRIMARY KEY,
    locked_by TEXT NOT NULL,
    locked_at TEXT NOT NULL,
    reason TEXT NOT NULL
);

CREATE INDEX audit_log_actor ON audit_log (actor);
CREATE INDEX audit_log_action ON audit_log (action);
