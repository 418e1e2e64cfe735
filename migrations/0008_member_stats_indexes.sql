-- /stats reads one member's attempts: their totals, their cards and their days. Until now those
-- queries found the member by scanning every attempt of the guild (and grouped the cards in a
-- temporary B-tree); these indexes start at the member and hold every column the queries read.

CREATE INDEX attempts_member_cards ON attempts (guild_id, user_id, deck_id, card_id, outcome, points);
DROP INDEX attempts_member_day;
CREATE INDEX attempts_member_days ON attempts (guild_id, user_id, local_day, outcome);
