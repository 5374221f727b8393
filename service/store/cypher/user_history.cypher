// A user's ratings, picks and the movies they marked not interested (kind RATED, LIKED or
// NOT_INTERESTED), newest first; every row also says when the user last removed a rating (removed_at,
// null if never). An existing user with none of these gives one row of nulls but removed_at; an unknown
// user gives none.
MATCH (u:User {id: $user_id})
OPTIONAL MATCH (u)-[r:RATED|LIKED|NOT_INTERESTED]->(m:Movie)
RETURN m.id AS movie_id, type(r) AS kind, r.rating AS rating, r.ts AS ts, u.ratings_removed_at AS removed_at
ORDER BY ts DESC, movie_id
