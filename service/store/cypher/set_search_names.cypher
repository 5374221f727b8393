// Names as the full-text index holds them (service/store/search_text.py), for people that lack one.
UNWIND $rows AS row
MATCH (p:Person {id: row.id})
SET p.search_name = row.search_name
