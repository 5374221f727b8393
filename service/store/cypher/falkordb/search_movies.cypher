// Title search: one page of movies and how many matched, best first. $index_query is in the syntax of
// this backend's full-text index (service/store/search_text.py builds it); below the CALL the statement
// is the same text on both backends (neo4j/search_movies.cypher; a test holds them together).
// Candidates: the full-text index's first $candidates matches (all words, the last one maybe unfinished,
// maybe with typos), and from the range index every title that begins with the query ($beginnings).
// Ranked by match quality: 0 the title exactly (with or without its article), 1 the title begins with the
// query, 2 every word of the query is a word of the title (the last may be unfinished), 3 the rest (typos);
// then by popularity: m.ratings, kept on the movie (upsert_rating.cypher), not counted here.
CALL db.idx.fulltext.queryNodes('Movie', $index_query) YIELD node AS m
WITH m
LIMIT $candidates
WITH m
WHERE $word_prefix = '' OR any(word IN split(m.search_title, ' ') WHERE word STARTS WITH $word_prefix)
WITH collect(m) AS matches
// Row 0 carries those matches, row i the titles in the i-th range: one stream, no list compared.
UNWIND range(0, size($beginnings)) AS i
OPTIONAL MATCH (s:Movie)
WHERE i > 0 AND s.search_title >= $beginnings[i - 1][0] AND s.search_title < $beginnings[i - 1][1]
UNWIND CASE WHEN i = 0 THEN matches ELSE [s] END AS m
WITH DISTINCT m
WHERE m IS NOT NULL
WITH m, CASE
    WHEN m.search_title IN $exact THEN 0
    WHEN any(text IN $exact WHERE m.search_title STARTS WITH text) THEN 1
    WHEN all(word IN $whole_words WHERE word IN split(m.search_title, ' '))
      AND any(word IN split(m.search_title, ' ') WHERE word STARTS WITH $last_word) THEN 2
    ELSE 3
  END AS quality
ORDER BY quality, coalesce(m.ratings, 0) DESC, m.title, m.id
WITH collect(m) AS hits
WITH size(hits) AS total, hits[$skip..$skip + $limit] AS page
// One row per movie of the page, in order, for its genres; an empty page keeps one row for the total.
UNWIND CASE WHEN page = [] THEN [-1] ELSE range(0, size(page) - 1) END AS position
WITH total, position, page[position] AS m
OPTIONAL MATCH (m)-[:IN_GENRE]->(g:Genre)
WITH total, position, m, collect(g.name) AS genres
ORDER BY position
RETURN total,
       collect(CASE WHEN m IS NULL THEN null ELSE {id: m.id, title: m.title, year: m.year, genres: genres} END)
         AS page
