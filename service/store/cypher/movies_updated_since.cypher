// Movies an admin added or changed at or after $since (imported movies carry no updated_at): every API
// worker polls this to bring its in-memory model up to date (service.movie_sync).
MATCH (m:Movie)
WHERE m.updated_at >= $since
RETURN m.id AS id
ORDER BY id
