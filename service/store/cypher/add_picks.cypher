// A new user's picks: movies they said they like when starting fresh. A pick is its own relationship,
// not a rating: nobody gave these movies stars. Returns how many picks were written.
MATCH (u:User {id: $user_id})
UNWIND $movie_ids AS movie_id
MATCH (m:Movie {id: movie_id})
MERGE (u)-[p:LIKED]->(m)
SET p.ts = $ts
RETURN count(p) AS written
