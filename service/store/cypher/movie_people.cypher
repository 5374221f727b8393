// The people credited on a movie, each with up to three of their other movies.
MATCH (p:Person)-[credit]->(:Movie {id: $movie_id})
OPTIONAL MATCH (p)-->(other:Movie)
WHERE other.id <> $movie_id
WITH p, type(credit) AS role, collect(other.id)[..3] AS known_for
RETURN p.id AS person_id, role, known_for
ORDER BY role, person_id
