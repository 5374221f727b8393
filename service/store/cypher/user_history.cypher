// Newest first.
MATCH (:User {id: $user_id})-[r:RATED]->(m:Movie)
RETURN m.id AS movie_id, r.rating AS rating, r.ts AS ts
ORDER BY r.ts DESC, m.id
