// Names and birth years of credited people (IMDb's name.basics); people without a credit are not written.
// search_name is the name as the full-text index holds it (service/store/search_text.py).
UNWIND $rows AS row
MATCH (p:Person {id: row.id})
SET p.name = row.name, p.search_name = row.search_name, p.birth_year = row.birth_year
