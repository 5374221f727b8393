// Users with their demographics; idempotent, one batch of rows at a time.
UNWIND $rows AS row
MERGE (u:User {id: row.id})
SET u.age = row.age, u.gender = row.gender, u.occupation = row.occupation
