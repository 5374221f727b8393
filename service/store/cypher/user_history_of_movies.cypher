// A user's ratings and picks (kind RATED or LIKED) of the movies $movie_ids only, newest first: what a
// page shows beside a few movies, without reading the user's whole history. An existing user who has
// rated and picked none of them gives one row of nulls; an unknown user gives none.
MATCH (u:User {id: $user_id})
OPTIONAL MATCH (u)-[r:RATED|LIKED]->(m:Movie)
WHERE m.id IN $movie_ids
RETURN m.id AS movie_id, type(r) AS kind, r.rating AS rating, r.ts AS ts
ORDER BY ts DESC, movie_id
