// One person and every credit they have: the movie, the role, and the character where they acted.
MATCH (p:Person {id: $person_id})
OPTIONAL MATCH (p)-[credit]->(m:Movie)
RETURN p.id AS id, p.name AS name, p.birth_year AS birth_year,
       collect({movie_id: m.id, role: type(credit), character: credit.character}) AS credits
