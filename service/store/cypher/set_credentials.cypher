// Gives a user without a password a username and password; no row when the user is unknown or already
// has a password. A taken username breaks the unique constraint on User.username.
MATCH (u:User {id: $user_id})
WHERE u.password_hash IS NULL
SET u.username = $username, u.password_hash = $password_hash
RETURN u.id AS id
