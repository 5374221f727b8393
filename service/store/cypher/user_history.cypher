// Newest first. An existing user without ratings gives one row of nulls; an unknown user gives none.
MATCH (u:User {id: $user_id})
OPTIONAL MATCH (u)-[r:RATED]->(m:Movie)
RETURN m.id AS movie_id, r.rating AS rating, r.ts AS ts
ORDER BY ts DESC, movie_id
