MATCH (m:Movie)-[:IN_GENRE]->(g:Genre)
RETURN m.id AS movie_id, g.name AS genre
