// A batch of ratings; re-importing the same rows changes nothing.
UNWIND $rows AS row
MATCH (u:User {id: row.user_id})
MATCH (m:Movie {id: row.movie_id})
MERGE (u)-[r:RATED]->(m)
SET r.rating = row.rating, r.ts = row.ts
