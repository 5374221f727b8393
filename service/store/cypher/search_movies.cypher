// Case-insensitive title search, optionally within one genre, most-rated first; one page plus the total.
MATCH (m:Movie)
WHERE toLower(m.title) CONTAINS toLower($query)
OPTIONAL MATCH (m)-[:IN_GENRE]->(g:Genre)
WITH m, collect(g.name) AS genres
WHERE $genre IS NULL OR $genre IN genres
OPTIONAL MATCH (m)<-[r:RATED]-(:User)
WITH m, genres, count(r) AS ratings
ORDER BY ratings DESC, m.title, m.id
WITH collect({id: m.id, title: m.title, year: m.year, genres: genres}) AS hits
RETURN size(hits) AS total, hits[$skip..$skip + $limit] AS page
