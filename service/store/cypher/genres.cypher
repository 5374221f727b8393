MATCH (g:Genre)
OPTIONAL MATCH (m:Movie)-[:IN_GENRE]->(g)
RETURN g.name AS name, count(m) AS movies
ORDER BY name
