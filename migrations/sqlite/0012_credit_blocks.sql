-- VETIS schema v12: the credit bank's figures' building blocks. Per school, year and program: the
-- graduates (`graduate` records of that graduation year), how many hold at least one 1+X
-- certificate issued by then and not revoked, and how many such certificates; in
-- `credit_application_block`, the year's applications with the credits requested, granted,
-- rejected by a reviewer, refused by a rule, still open and revoked, and the approved conversions
-- of an outcome earned at another school; in `credit_reason_block`, how often each reason refused
-- or rejected an application. Kept in the transaction that changes the graduates, the certificates
-- or an application; complete when `credit:v1` is listed in `figure_formula`. Keyed by school
-- first, like every large table.
CREATE TABLE credit_block (
    school_code TEXT NOT NULL,
    year BIGINT NOT NULL,
    program_code TEXT NOT NULL,
    graduates BIGINT NOT NULL,
    holders BIGINT NOT NULL,
    certificates BIGINT NOT NULL,
    PRIMARY KEY (school_code, year, program_code)
);
CREATE INDEX credit_block_year ON credit_block (year);
CREATE TABLE credit_application_block (
    school_code TEXT NOT NULL,
    year BIGINT NOT NULL,
    program_code TEXT NOT NULL,
    applications BIGINT NOT NULL,
    requested DOUBLE PRECISION NOT NULL,
    granted DOUBLE PRECISION NOT NULL,
    rejected DOUBLE PRECISION NOT NULL,
    refused DOUBLE PRECISION NOT NULL,
    pending DOUBLE PRECISION NOT NULL,
    revoked DOUBLE PRECISION NOT NULL,
    cross_school BIGINT NOT NULL,
    PRIMARY KEY (school_code, year, program_code)
);
CREATE INDEX credit_application_block_year ON credit_application_block (year);
CREATE TABLE credit_reason_block (
    school_code TEXT NOT NULL,
    year BIGINT NOT NULL,
    reason TEXT NOT NULL,
    label_zh TEXT NOT NULL,
    label_en TEXT NOT NULL,
    applications BIGINT NOT NULL,
    credits DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (school_code, year, reason, label_zh)
);
CREATE INDEX credit_reason_block_year ON credit_reason_block (year);
-- A graduate's certificates are looked up by person; an application's outcome by its key.
CREATE INDEX rec_graduate_person ON rec_graduate (id_pseudo);
