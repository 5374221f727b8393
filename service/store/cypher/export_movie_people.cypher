MATCH (p:Person)-[credit]->(m:Movie)
RETURN m.id AS movie_id, p.id AS person_id, type(credit) AS role, p.name AS name
