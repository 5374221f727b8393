// A user's profile. `created`: made through the API (start fresh), not imported from a dataset.
MATCH (u:User {id: $user_id})
OPTIONAL MATCH (u)-[r:RATED]->(:Movie)
RETURN u.id AS id, u.username AS username, u.password_hash IS NOT NULL AS has_password,
       u.created_at IS NOT NULL AS created, u.age AS age, u.gender AS gender, u.occupation AS occupation,
       count(r) AS ratings
