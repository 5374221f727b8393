// Counts of everything in the graph, as `cinegraph db stats` prints them.
OPTIONAL MATCH (u:User)
WITH count(u) AS users
OPTIONAL MATCH (m:Movie)
WITH users, count(m) AS movies
OPTIONAL MATCH (:User)-[r:RATED]->(:Movie)
WITH users, movies, count(r) AS ratings
OPTIONAL MATCH (g:Genre)
WITH users, movies, ratings, count(g) AS genres
OPTIONAL MATCH (p:Person)
WITH users, movies, ratings, genres, count(p) AS people
OPTIONAL MATCH (:Person)-[c]->(:Movie)
RETURN users, movies, ratings, genres, people, count(c) AS credits
