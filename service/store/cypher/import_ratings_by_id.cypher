// The slower, always-correct form of import_ratings: every rating looks its movie up by id.
UNWIND $users AS user_ratings
MATCH (u:User {id: user_ratings.user_id})
UNWIND user_ratings.ratings AS row
MATCH (m:Movie {id: row.movie_id})
MERGE (u)-[r:RATED]->(m)
SET r.rating = row.rating, r.ts = row.ts
