UNWIND $rows AS row
MATCH (first:Movie {id: row.movie_id})
MATCH (next:Movie {id: row.sequel_id})
MERGE (first)-[:FOLLOWED_BY]->(next)
