// A movie added by an admin, with the next id free among movies and the aliases of merged duplicates
// (one statement, so FalkorDB never hands two writers the same id; on Neo4j the unique constraint
// rejects the second and the store retries). Its genres and credits follow (replace_movie_facts).
// search_title: the title as the full-text index holds it (service/store/search_text.py); no ratings yet.
OPTIONAL MATCH (a:MovieAlias)
WITH coalesce(max(a.id), 0) AS top_alias
OPTIONAL MATCH (old:Movie)
WITH top_alias, coalesce(max(old.id), 0) AS top_movie
WITH CASE WHEN top_movie > top_alias THEN top_movie ELSE top_alias END + 1 AS next_id
CREATE (m:Movie {id: next_id})
SET m.title = $title, m.search_title = $search_title, m.year = $year, m.imdb_id = $imdb_id,
    m.tmdb_id = $tmdb_id, m.updated_at = $now, m.ratings = 0
RETURN m.id AS id
