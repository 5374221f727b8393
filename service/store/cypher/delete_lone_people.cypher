// People with no credit left (after delete_movie_facts), so that no person outlives the facts about them.
MATCH (p:Person)
WHERE NOT (p)--()
DELETE p
