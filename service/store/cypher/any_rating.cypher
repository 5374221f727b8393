// One rating if the graph holds any: an import into a graph without ratings may CREATE them.
MATCH (:User)-[r:RATED]->(:Movie)
RETURN r.rating AS rating
LIMIT 1
