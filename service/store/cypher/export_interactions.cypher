// One page of the ratings export, for training: the users whose id lies in
// [$first_user_id, $last_user_id], one row per user with their ratings as parallel lists. The export
// goes page by page (GraphStore.export_interactions) so that no single reply grows with the graph.
MATCH (u:User)
WHERE u.id >= $first_user_id AND u.id <= $last_user_id
MATCH (u)-[r:RATED]->(m:Movie)
RETURN u.id AS user_id,
       collect(m.id) AS movie_ids,
       collect(r.rating) AS ratings,
       collect(coalesce(r.ts, 0)) AS timestamps
