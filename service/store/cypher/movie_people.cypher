MATCH (p:Person)-[credit]->(:Movie {id: $movie_id})
RETURN p.id AS person_id, type(credit) AS role
ORDER BY role, person_id
