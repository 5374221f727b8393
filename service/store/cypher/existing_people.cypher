// Which of these person ids the graph holds (an admin's credit may name only people that exist).
UNWIND $ids AS id
MATCH (p:Person {id: id})
RETURN p.id AS id
