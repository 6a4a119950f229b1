-- VETIS schema v4: the program-to-industry mapping (reference data the bureau edits) used by the
-- plan's key-industry coverage rule.

CREATE TABLE industry_map (
    prefix TEXT NOT NULL,
    industry TEXT NOT NULL,
    note TEXT NOT NULL,
    PRIMARY KEY (prefix, industry)
);
