// People whose name matches, best first, as search_movies.cypher finds and ranks titles (full-text
// index and range index on search_name), then by how much their movies are rated; the 100 best matches
// are weighed. Below the CALL the statement is the same text on both backends
// (neo4j/search_people.cypher; a test holds them together).
CALL db.idx.fulltext.queryNodes('Person', $index_query) YIELD node AS p
WITH p
LIMIT $candidates
WITH p
WHERE $word_prefix = '' OR any(word IN split(p.search_name, ' ') WHERE word STARTS WITH $word_prefix)
WITH collect(p) AS matches
UNWIND range(0, size($beginnings)) AS i
OPTIONAL MATCH (s:Person)
WHERE i > 0 AND s.search_name >= $beginnings[i - 1][0] AND s.search_name < $beginnings[i - 1][1]
UNWIND CASE WHEN i = 0 THEN matches ELSE [s] END AS p
WITH DISTINCT p
WHERE p IS NOT NULL
WITH p, CASE
    WHEN p.search_name IN $exact THEN 0
    WHEN any(text IN $exact WHERE p.search_name STARTS WITH text) THEN 1
    WHEN all(word IN $whole_words WHERE word IN split(p.search_name, ' '))
      AND any(word IN split(p.search_name, ' ') WHERE word STARTS WITH $last_word) THEN 2
    ELSE 3
  END AS quality
ORDER BY quality, p.id
LIMIT 100
// A named person always has a credit (an import deletes people without one).
MATCH (p)-->(m:Movie)
WITH p, quality, collect(m.id) AS movie_ids, sum(coalesce(m.ratings, 0)) AS ratings
ORDER BY quality, ratings DESC, p.name, p.id
LIMIT $limit
RETURN p.id AS id, p.name AS name, p.birth_year AS birth_year, movie_ids
