-- /stats reads one member's attempts through indexes that start at the member.
-- PostgreSQL twin of migrations/0008_member_stats_indexes.sql.

CREATE INDEX attempts_member_cards ON attempts (guild_id, user_id, deck_id, card_id, outcome, points);
DROP INDEX attempts_member_day;
CREATE INDEX attempts_member_days ON attempts (guild_id, user_id, local_day, outcome);
