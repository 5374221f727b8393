// A new user with the next free id. On Neo4j two concurrent calls can pick the same id; the unique
// constraint rejects the second, and the store retries.
OPTIONAL MATCH (u:User)
WITH coalesce(max(u.id), 0) + 1 AS next_id
CREATE (n:User {id: next_id})
RETURN n.id AS id
