-- VETIS schema v26 (the National scale issue): a rule's items (what failed and why, or which key
-- industries are covered) are kept as one row per school, rule and year holding the list as a
-- JSON array of [subject, passed, detail_zh, detail_en], in the order judged. A row per item
-- made the nation's rebuild write 2.1 M rows with two indexes (13.4 s of its 43 s); a row per
-- school and year is 60,000. The items are only ever read a school's year at a time, whole.
CREATE TABLE rule_item_v26 (
    school_code TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    year BIGINT NOT NULL,
    items TEXT NOT NULL,
    PRIMARY KEY (school_code, rule_id, year)
);
INSERT INTO rule_item_v26 (school_code, rule_id, year, items)
SELECT school_code, rule_id, year,
       CAST(json_agg(json_build_array(subject, passed <> 0, detail_zh, detail_en) ORDER BY seq) AS TEXT)
FROM rule_item GROUP BY school_code, rule_id, year;
DROP TABLE rule_item;
ALTER TABLE rule_item_v26 RENAME TO rule_item;
ALTER TABLE rule_item RENAME CONSTRAINT rule_item_v26_pkey TO rule_item_pkey;
CREATE INDEX rule_item_rule ON rule_item (rule_id, year);
