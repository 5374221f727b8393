// import_ratings for a graph that holds no ratings yet (the first import): CREATE skips MERGE's search
// for an existing edge. The loaders keep one rating per (user, movie), so nothing is created twice;
// later imports MERGE.
UNWIND $movie_ids AS movie_id
MATCH (m:Movie {id: movie_id})
WITH collect(m) AS movies
UNWIND $users AS user_ratings
MATCH (u:User {id: user_ratings.user_id})
UNWIND user_ratings.ratings AS row
WITH u, row, movies[row.movie] AS m
WHERE m.id = row.movie_id
CREATE (u)-[r:RATED {rating: row.rating, ts: row.ts}]->(m)
RETURN count(r) AS written
