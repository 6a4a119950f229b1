-- VETIS schema v13 (data standard v1.2): how a teacher's enterprise practice was done
-- (考察观摩 observation · 企业技能培训 skills_training · 兼职或任职 post · 产品研发和技术创新 development,
-- the four forms of the 2016 《职业学校教师企业实践规定》) and whether the host enterprise confirmed
-- it. Both optional: records from before v1.2 keep NULL.
ALTER TABLE rec_practice ADD COLUMN form TEXT;
ALTER TABLE rec_practice ADD COLUMN host_confirmed BIGINT;
