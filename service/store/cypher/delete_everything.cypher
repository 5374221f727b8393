// Empties a Neo4j database in batches (FalkorDB drops its graph with one command instead).
MATCH (n)
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
