// A batch of ratings grouped by user, so that each user is looked up once per batch.
// Re-importing the same rows changes nothing.
UNWIND $users AS user_ratings
MATCH (u:User {id: user_ratings.user_id})
UNWIND user_ratings.ratings AS row
MATCH (m:Movie {id: row.movie_id})
MERGE (u)-[r:RATED]->(m)
SET r.rating = row.rating, r.ts = row.ts
