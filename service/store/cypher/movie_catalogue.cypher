// Every movie with its genres: the service keeps this small table in memory for ranking and display.
MATCH (m:Movie)
OPTIONAL MATCH (m)-[:IN_GENRE]->(g:Genre)
RETURN m.id AS id, m.title AS title, m.year AS year, collect(g.name) AS genres
