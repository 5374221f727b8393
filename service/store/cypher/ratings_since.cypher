// Users who rated something after $since: every rating is read (the export for training holds the same,
// and start-up finds these users in it: Interactions.users_rated_since).
MATCH (u:User)-[r:RATED]->(:Movie)
WHERE r.ts > $since
RETURN DISTINCT u.id AS user_id
