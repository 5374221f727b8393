// Each movie's number of ratings, kept on the movie (m.ratings) so that search ranks by popularity
// without counting edges per query. An import writes it after its ratings (and after aliases moved theirs
// onto their movies); a graph an older version imported gets it at start-up (movies_missing_search_fields).
// From then on upsert_rating.cypher keeps it. Invariant: m.ratings = the number of RATED edges into m;
// whatever adds or deletes a RATED edge outside an import adds or subtracts one.
UNWIND $ids AS id
MATCH (m:Movie {id: id})
OPTIONAL MATCH (m)<-[r:RATED]-()
WITH m, count(r) AS ratings
SET m.ratings = ratings
