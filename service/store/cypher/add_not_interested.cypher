// A user asks never to be shown a movie again: (:User)-[:NOT_INTERESTED {ts}]->(:Movie). Marking it
// twice keeps the first time. Returns no row when the user or the movie does not exist.
MATCH (u:User {id: $user_id})
MATCH (m:Movie {id: $movie_id})
MERGE (u)-[n:NOT_INTERESTED]->(m)
ON CREATE SET n.ts = $ts
RETURN n.ts AS ts
