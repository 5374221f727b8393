MATCH (u:User {id: $user_id})
OPTIONAL MATCH (u)-[r:RATED]->(:Movie)
RETURN u.id AS id, u.age AS age, u.gender AS gender, u.occupation AS occupation, count(r) AS ratings
