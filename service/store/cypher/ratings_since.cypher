// Users who rated something after a model's training snapshot: their vectors are folded in at start-up.
MATCH (u:User)-[r:RATED]->(:Movie)
WHERE r.ts > $since
RETURN DISTINCT u.id AS user_id
