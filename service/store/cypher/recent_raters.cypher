// Users who stored a rating at or after $since (Unix seconds) through upsert_rating.cypher, from the index
// of u.rated_at: no rating is read. Start-up folds in those who rated after the ratings export its model
// was built from. Imports do not set rated_at: the export itself says who rated after a time.
MATCH (u:User)
WHERE u.rated_at >= $since
RETURN u.id AS user_id
