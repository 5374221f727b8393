// Ids that answer as another movie (a film the dataset listed twice): the service redirects them.
MATCH (a:MovieAlias)-[:ALIAS_OF]->(m:Movie)
RETURN a.id AS alias_id, m.id AS movie_id
