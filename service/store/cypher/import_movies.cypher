// Movies and their genres; genres must have been imported first. imdb_id and tmdb_id come from the
// dataset's links.csv (null where it has none). search_title is the title as the full-text index holds
// it (service/store/search_text.py: accents folded, lower case, the trailing article in front).
UNWIND $rows AS row
MERGE (m:Movie {id: row.id})
SET m.title = row.title, m.search_title = row.search_title, m.year = row.year, m.imdb_id = row.imdb_id,
    m.tmdb_id = row.tmdb_id
WITH m, row
UNWIND row.genres AS genre_name
MATCH (g:Genre {name: genre_name})
MERGE (m)-[:IN_GENRE]->(g)
