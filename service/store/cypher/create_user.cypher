// A new (not imported) user with the next free id, and an account when a username and password hash
// are given (SET to null writes nothing). On Neo4j two concurrent calls can pick the same id; the unique
// constraint rejects the second, and the store retries. A taken username breaks its constraint too.
OPTIONAL MATCH (u:User)
WITH coalesce(max(u.id), 0) + 1 AS next_id
CREATE (n:User {id: next_id, created_at: $now})
SET n.username = $username, n.password_hash = $password_hash
RETURN n.id AS id
