UNWIND $ids AS id
MERGE (:Person {id: id})
