// Every user id: the export of ratings pages over ranges of them.
MATCH (u:User)
RETURN u.id AS user_id
