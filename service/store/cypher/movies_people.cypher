// The credits of these movies, as export_movie_people gives every movie's.
UNWIND $ids AS id
MATCH (p:Person)-[credit]->(m:Movie {id: id})
RETURN m.id AS movie_id, p.id AS person_id, type(credit) AS role, p.name AS name
