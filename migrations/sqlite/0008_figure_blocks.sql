-- VETIS schema v8: the figures' building blocks. For each formula of the active plan (by the hash
-- of its text), per school, year, program category and pathway: rows counted, rows in the
-- numerator, and the sum of the summed column. Kept in the transaction that changes which rows
-- count; `figure_formula` lists the formulas whose blocks are complete. Keyed by school first,
-- like every large table (a distributed database shards it by school).
CREATE TABLE figure_block (
    school_code TEXT NOT NULL,
    formula_key TEXT NOT NULL,
    year BIGINT NOT NULL,
    category TEXT NOT NULL,
    pathway TEXT NOT NULL,
    n BIGINT NOT NULL,
    hits BIGINT NOT NULL,
    total DOUBLE PRECISION,
    PRIMARY KEY (school_code, formula_key, year, category, pathway)
);
CREATE INDEX figure_block_formula ON figure_block (formula_key, year);
CREATE TABLE figure_formula (
    formula_key TEXT PRIMARY KEY,
    formula TEXT NOT NULL,
    built_at TEXT NOT NULL
);
