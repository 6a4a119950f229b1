-- VETIS schema v25 (the National scale issue): the three largest record tables are keyed in the
-- order every figure reads them, by school and year, the same key as on SQLite (where the table is
-- clustered on it) and the prefix a distributed PostgreSQL shards by (school_code). The key serves
-- the reads by school, year and current and by school and program, so those two indexes go: an
-- imported row updates four structures (heap, key, submission, person) instead of six.
ALTER TABLE rec_student DROP CONSTRAINT rec_student_pkey;
ALTER TABLE rec_student ADD PRIMARY KEY (school_code, year, submission_id, row_no);
DROP INDEX rec_student_current;
DROP INDEX rec_student_program;
ALTER TABLE rec_teacher DROP CONSTRAINT rec_teacher_pkey;
ALTER TABLE rec_teacher ADD PRIMARY KEY (school_code, year, submission_id, row_no);
DROP INDEX rec_teacher_current;
ALTER TABLE rec_graduate DROP CONSTRAINT rec_graduate_pkey;
ALTER TABLE rec_graduate ADD PRIMARY KEY (school_code, graduation_year, submission_id, row_no);
DROP INDEX rec_graduate_current;
