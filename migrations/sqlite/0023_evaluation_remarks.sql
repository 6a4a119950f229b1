-- VETIS schema v23 (the Daily work issue): the evaluation's own words, the plan's tasks as a pack, and the city
-- targets' shares by district. The sections 存在问题 and
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

-- The plan's tasks as the bureau loads them (data/tasks/plan-tasks.toml by default): versioned like
-- the other packs; loading one adds or renames tasks by code in plan_task.
CREATE TABLE task_pack (
    id TEXT NOT NULL,
    version TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    source TEXT NOT NULL,
    active INTEGER NOT NULL,
    loaded_at TEXT NOT NULL,
    loaded_by TEXT NOT NULL,
    PRIMARY KEY (id, version)
);

-- The city totals' shares by district or school (data/targets/example-target-shares.toml is an
-- example), versioned like the other packs; the active one splits the plan's city targets.
CREATE TABLE target_share_pack (
    id TEXT NOT NULL,
    version TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    source TEXT NOT NULL,
    active INTEGER NOT NULL,
    loaded_at TEXT NOT NULL,
    loaded_by TEXT NOT NULL,
    PRIMARY KEY (id, version)
);
