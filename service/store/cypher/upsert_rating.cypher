// One user's rating of one movie: a second rating of the same movie overwrites the first.
// Returns no row when the user or the movie does not exist.
// The movie's rating count (m.ratings, what search ranks by) goes up by one for a new rating only: a
// re-rating matches the edge and leaves it. MERGE of the edge locks both nodes on Neo4j, so two users
// rating the movie at once cannot lose an increment (FalkorDB runs one write at a time).
// Invariant, for every statement that writes RATED edges: m.ratings = the number of RATED edges into m.
// An import recounts it (count_movie_ratings.cypher); a statement that deletes a rating must subtract one.
// The user keeps the time of their newest rating (u.rated_at, indexed): start-up finds who rated while
// it was building its model without reading every rating (recent_raters.cypher).
MATCH (u:User {id: $user_id})
MATCH (m:Movie {id: $movie_id})
MERGE (u)-[r:RATED]->(m)
ON CREATE SET m.ratings = coalesce(m.ratings, 0) + 1
SET r.rating = $rating, r.ts = $ts,
    u.rated_at = CASE WHEN u.rated_at > $ts THEN u.rated_at ELSE $ts END
RETURN r.rating AS rating, r.ts AS ts
