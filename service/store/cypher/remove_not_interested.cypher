// Undoes "not interested": the movie may be shown to the user again. Returns no row when it was not marked.
MATCH (:User {id: $user_id})-[n:NOT_INTERESTED]->(m:Movie {id: $movie_id})
DELETE n
RETURN m.id AS movie_id
