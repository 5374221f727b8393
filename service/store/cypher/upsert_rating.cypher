// One user's rating of one movie: a second rating of the same movie overwrites the first.
// Returns no row when the user or the movie does not exist.
MATCH (u:User {id: $user_id})
MATCH (m:Movie {id: $movie_id})
MERGE (u)-[r:RATED]->(m)
SET r.rating = $rating, r.ts = $ts
RETURN r.rating AS rating, r.ts AS ts
