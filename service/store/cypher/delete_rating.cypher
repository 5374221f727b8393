// Removes one user's rating of one movie. The user remembers when (ratings_removed_at): a shorter
// history has no newer rating to show that it changed, and their vector must be folded in again.
// Keeps the invariant of upsert_rating.cypher, m.ratings = the number of RATED edges into m, by
// subtracting one (a graph that never counted has no m.ratings: null - 1 is null, and it stays absent).
// Returns no row when there was no such rating.
MATCH (u:User {id: $user_id})-[r:RATED]->(m:Movie {id: $movie_id})
DELETE r
SET u.ratings_removed_at = $ts, m.ratings = m.ratings - 1
RETURN m.id AS movie_id
