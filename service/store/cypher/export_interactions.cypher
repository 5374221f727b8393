// Every rating, for training.
MATCH (u:User)-[r:RATED]->(m:Movie)
RETURN u.id AS user_id, m.id AS movie_id, r.rating AS rating, r.ts AS ts
