// A user's ratings and picks (kind RATED or LIKED), newest first. An existing user without either gives
// one row of nulls; an unknown user gives none.
MATCH (u:User {id: $user_id})
OPTIONAL MATCH (u)-[r:RATED|LIKED]->(m:Movie)
RETURN m.id AS movie_id, type(r) AS kind, r.rating AS rating, r.ts AS ts
ORDER BY ts DESC, movie_id
