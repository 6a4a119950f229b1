-- VETIS schema v23: the evaluation's own words (the Daily work issue). The sections 存在问题 and
-- 下一步措施 are drafted from the figures' gaps; a planner edits them before the report goes to the
-- city government, and the edited text (one item per line) is kept here per year and section.
CREATE TABLE evaluation_remark (
    year INTEGER NOT NULL,
    section TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (year, section)
);
