// Named people an older version imported without search_name: start-up fills it in.
MATCH (p:Person)
WHERE p.search_name IS NULL AND p.name IS NOT NULL
RETURN p.id AS id, p.name AS name
