// People and their roles, grouped by movie (one movie lookup per movie). A relationship type cannot
// be a parameter, so each credit picks its type through FOREACH over a one- or zero-element list.
// An actor's credit carries the character they played (null where the source names none).
UNWIND $movies AS movie_credits
MATCH (m:Movie {id: movie_credits.movie_id})
UNWIND movie_credits.credits AS credit
MERGE (p:Person {id: credit.person_id})
FOREACH (_ IN CASE WHEN credit.role = 'ACTED_IN' THEN [1] ELSE [] END |
  MERGE (p)-[c:ACTED_IN]->(m) SET c.character = credit.character)
FOREACH (_ IN CASE WHEN credit.role = 'DIRECTED' THEN [1] ELSE [] END | MERGE (p)-[:DIRECTED]->(m))
FOREACH (_ IN CASE WHEN credit.role = 'WROTE' THEN [1] ELSE [] END | MERGE (p)-[:WROTE]->(m))
FOREACH (_ IN CASE WHEN credit.role = 'PRODUCED' THEN [1] ELSE [] END | MERGE (p)-[:PRODUCED]->(m))
FOREACH (_ IN CASE WHEN credit.role = 'SHOT' THEN [1] ELSE [] END | MERGE (p)-[:SHOT]->(m))
