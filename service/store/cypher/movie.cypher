MATCH (m:Movie {id: $movie_id})
OPTIONAL MATCH (m)-[:IN_GENRE]->(g:Genre)
WITH m, collect(g.name) AS genres
OPTIONAL MATCH (m)<-[r:RATED]-(:User)
RETURN m.id AS id, m.title AS title, m.year AS year, genres, count(r) AS ratings, avg(r.rating) AS mean_rating,
       m.imdb_id AS imdb_id, m.tmdb_id AS tmdb_id
