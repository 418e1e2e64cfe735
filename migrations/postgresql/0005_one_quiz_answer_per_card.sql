-- One answer per member per card in a /quiz round too, enforced by the database.
-- PostgreSQL twin of migrations/0005_one_quiz_answer_per_card.sql (duplicates stored before keep
-- the first answer; the delete trigger of 0003 takes their points out of the all-time totals).

DELETE FROM attempts
WHERE context = 'quiz'
  AND context_id IS NOT NULL
  AND id NOT IN (
      SELECT MIN(id) FROM attempts
      WHERE context = 'quiz' AND context_id IS NOT NULL
      GROUP BY context_id, user_id, deck_id, card_id
  );

DROP INDEX attempts_once_per_context;
CREATE UNIQUE INDEX attempts_once_per_context
    ON attempts (context, context_id, user_id, deck_id, card_id);
