// The movies a user asked not to be shown, newest first. An existing user without any gives one row of
// nulls; an unknown user gives none.
MATCH (u:User {id: $user_id})
OPTIONAL MATCH (u)-[n:NOT_INTERESTED]->(m:Movie)
RETURN m.id AS movie_id, n.ts AS ts
ORDER BY ts DESC, movie_id
