// A user's profile. `created`: made through the API (start fresh), not imported from a dataset.
// `picks`: movies picked when starting fresh and not rated since.
MATCH (u:User {id: $user_id})
OPTIONAL MATCH (u)-[r:RATED]->(:Movie)
WITH u, count(r) AS ratings
OPTIONAL MATCH (u)-[:LIKED]->(picked:Movie)
WHERE NOT (u)-[:RATED]->(picked)
RETURN u.id AS id, u.username AS username, u.password_hash IS NOT NULL AS has_password,
       u.created_at IS NOT NULL AS created, u.age AS age, u.gender AS gender, u.occupation AS occupation,
       ratings, count(picked) AS picks
