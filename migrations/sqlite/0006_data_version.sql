-- VETIS schema v6: one counter that every change to records takes first. Taking it serialises the
-- transactions that change what the rules check (imports, reviews, locks, plan and catalogue
-- loads), so two of them cannot together break a rule each obeys alone; its value tells a reader
-- whether anything changed since it last looked.
CREATE TABLE data_version (id INTEGER PRIMARY KEY, version BIGINT NOT NULL);
INSERT INTO data_version (id, version) VALUES (1, 0);
