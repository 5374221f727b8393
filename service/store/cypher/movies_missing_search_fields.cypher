// Movies an older version imported without the fields search needs (search_title, the rating count
// m.ratings): start-up fills them in (GraphStore.complete_search_fields).
MATCH (m:Movie)
WHERE m.search_title IS NULL OR m.ratings IS NULL
RETURN m.id AS id, m.title AS title
