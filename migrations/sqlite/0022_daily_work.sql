-- VETIS schema v22: daily work (the Daily work issue). `calendar_pack`: the statistical calendar
-- (which tables each school owes a year and when) as the bureau loads it, versioned like the rule
-- packs. `notification`: what the product tells each user (a submission approved or returned, a
-- review waiting, a return due or late, a reminder from the district or the bureau), with a link,
-- both languages, and when it was read; `dedup` keeps one notice per user and occasion (a reminder
-- sent twice the same day is one notice).
CREATE TABLE calendar_pack (
    id TEXT NOT NULL,
    version TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    source TEXT NOT NULL,
    active INTEGER NOT NULL,
    loaded_at TEXT NOT NULL,
    loaded_by TEXT NOT NULL,
    PRIMARY KEY (id, version)
);

CREATE TABLE notification (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    text_zh TEXT NOT NULL,
    text_en TEXT NOT NULL,
    link TEXT NOT NULL,
    dedup TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at TEXT,
    UNIQUE (user_id, dedup)
);
CREATE INDEX notification_unread ON notification (user_id, read_at);
