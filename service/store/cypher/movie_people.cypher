// The named people credited on a movie, with the character an actor played and the ids of their other
// movies (the service picks the best known). People known only by a source's id are left out: an id
// means nothing to a person.
MATCH (p:Person)-[credit]->(:Movie {id: $movie_id})
WHERE p.name IS NOT NULL
OPTIONAL MATCH (p)-->(other:Movie)
WHERE other.id <> $movie_id
WITH p, credit, collect(DISTINCT other.id) AS other_movies
RETURN p.id AS person_id, p.name AS name, type(credit) AS role, credit.character AS character, other_movies
