// An admin's genres for one movie, replacing its old genres and credits (the credits are written next
// by import_credits and import_people, as an import writes them).
MATCH (m:Movie {id: $movie_id})
OPTIONAL MATCH (m)-[old:IN_GENRE|ACTED_IN|DIRECTED|WROTE|PRODUCED|SHOT]-()
DELETE old
WITH DISTINCT m
UNWIND $genres AS genre_name
MATCH (g:Genre {name: genre_name})
MERGE (m)-[:IN_GENRE]->(g)
