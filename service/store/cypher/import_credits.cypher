// People's roles in movies. A relationship type cannot be a parameter, so each row picks its type
// through FOREACH over a one- or zero-element list.
UNWIND $rows AS row
MATCH (p:Person {id: row.person_id})
MATCH (m:Movie {id: row.movie_id})
FOREACH (_ IN CASE WHEN row.role = 'ACTED_IN' THEN [1] ELSE [] END | MERGE (p)-[:ACTED_IN]->(m))
FOREACH (_ IN CASE WHEN row.role = 'DIRECTED' THEN [1] ELSE [] END | MERGE (p)-[:DIRECTED]->(m))
FOREACH (_ IN CASE WHEN row.role = 'WROTE' THEN [1] ELSE [] END | MERGE (p)-[:WROTE]->(m))
FOREACH (_ IN CASE WHEN row.role = 'PRODUCED' THEN [1] ELSE [] END | MERGE (p)-[:PRODUCED]->(m))
FOREACH (_ IN CASE WHEN row.role = 'SHOT' THEN [1] ELSE [] END | MERGE (p)-[:SHOT]->(m))
