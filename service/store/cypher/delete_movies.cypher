// Movies a dataset no longer lists (its placeholders, and its aliases once their ratings have moved),
// with all their edges: a graph imported by an older version held them.
UNWIND $ids AS id
MATCH (m:Movie {id: id})
DETACH DELETE m
