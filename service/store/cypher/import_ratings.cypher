// A batch of ratings grouped by user. Each movie of the batch is looked up once (index lookups are the
// cost of an import) and each rating finds its movie by position in that list; the WHERE guard drops a
// rating whose position does not match (a missing movie shifts the list), and the store then writes the
// batch again with import_ratings_by_id. Re-importing the same rows changes nothing.
UNWIND $movie_ids AS movie_id
MATCH (m:Movie {id: movie_id})
WITH collect(m) AS movies
UNWIND $users AS user_ratings
MATCH (u:User {id: user_ratings.user_id})
UNWIND user_ratings.ratings AS row
WITH u, row, movies[row.movie] AS m
WHERE m.id = row.movie_id
MERGE (u)-[r:RATED]->(m)
SET r.rating = row.rating, r.ts = row.ts
RETURN count(r) AS written
