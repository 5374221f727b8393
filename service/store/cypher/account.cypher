// The user behind a username, with the hash to check a password against.
MATCH (u:User {username: $username})
RETURN u.id AS id, u.password_hash AS password_hash
