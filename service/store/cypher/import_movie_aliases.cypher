// Ids the dataset gave a film it lists twice, each pointing at the movie it was merged into. A graph
// imported before the merge still holds the alias as a Movie: its ratings move onto the movie (a user
// who rated both keeps the later rating) before delete_movies removes the alias's node.
UNWIND $rows AS row
MATCH (m:Movie {id: row.movie_id})
MERGE (a:MovieAlias {id: row.alias_id})
MERGE (a)-[:ALIAS_OF]->(m)
WITH m, row
MATCH (u:User)-[old:RATED]->(:Movie {id: row.alias_id})
MERGE (u)-[new:RATED]->(m)
ON CREATE SET new.rating = old.rating, new.ts = old.ts
WITH old, new
WHERE old.ts > new.ts
SET new.rating = old.rating, new.ts = old.ts
