// These movies with their genres, as movie_catalogue gives every movie.
UNWIND $ids AS id
MATCH (m:Movie {id: id})
OPTIONAL MATCH (m)-[:IN_GENRE]->(g:Genre)
RETURN m.id AS id, m.title AS title, m.year AS year, collect(g.name) AS genres
