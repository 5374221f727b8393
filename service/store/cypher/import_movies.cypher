// Movies and their genres; genres must have been imported first.
UNWIND $rows AS row
MERGE (m:Movie {id: row.id})
SET m.title = row.title, m.year = row.year
WITH m, row
UNWIND row.genres AS genre_name
MATCH (g:Genre {name: genre_name})
MERGE (m)-[:IN_GENRE]->(g)
