// Titles as the full-text index holds them (service/store/search_text.py), for movies that lack one.
UNWIND $rows AS row
MATCH (m:Movie {id: row.id})
SET m.search_title = row.search_title
