-- VETIS schema v24 (the Daily work issue): notices by e-mail where an installation has an SMTP
-- server (optional; the bell needs none). A user's address is set by an administrator; each notice
-- records when it was mailed, and how many tries failed (a server that refuses it is not asked
-- forever).
ALTER TABLE app_user ADD COLUMN email TEXT;
ALTER TABLE notification ADD COLUMN mailed_at TEXT;
ALTER TABLE notification ADD COLUMN mail_tries INTEGER NOT NULL DEFAULT 0;
