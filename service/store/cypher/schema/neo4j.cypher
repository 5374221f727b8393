CREATE CONSTRAINT user_id IF NOT EXISTS FOR (u:User) REQUIRE u.id IS UNIQUE;
CREATE CONSTRAINT user_username IF NOT EXISTS FOR (u:User) REQUIRE u.username IS UNIQUE;
CREATE CONSTRAINT movie_id IF NOT EXISTS FOR (m:Movie) REQUIRE m.id IS UNIQUE;
CREATE CONSTRAINT movie_alias_id IF NOT EXISTS FOR (a:MovieAlias) REQUIRE a.id IS UNIQUE;
CREATE CONSTRAINT genre_name IF NOT EXISTS FOR (g:Genre) REQUIRE g.name IS UNIQUE;
CREATE CONSTRAINT person_id IF NOT EXISTS FOR (p:Person) REQUIRE p.id IS UNIQUE;
CREATE INDEX movie_title IF NOT EXISTS FOR (m:Movie) ON (m.title);
CREATE INDEX movie_updated_at IF NOT EXISTS FOR (m:Movie) ON (m.updated_at);
CREATE INDEX user_rated_at IF NOT EXISTS FOR (u:User) ON (u.rated_at);
// Search (service/store/search_text.py normalises the texts): range indexes find the titles and names
// that begin with a query, full-text indexes the words anywhere, with typos, with the analyzer that keeps
// stopwords ("It", "The The" are titles). A new index fills in the background: wait for it.
CREATE INDEX movie_search_title IF NOT EXISTS FOR (m:Movie) ON (m.search_title);
CREATE INDEX person_search_name IF NOT EXISTS FOR (p:Person) ON (p.search_name);
CREATE FULLTEXT INDEX movie_search IF NOT EXISTS FOR (m:Movie) ON EACH [m.search_title]
  OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-no-stop-words'}};
CREATE FULLTEXT INDEX person_search IF NOT EXISTS FOR (p:Person) ON EACH [p.search_name]
  OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-no-stop-words'}};
CALL db.awaitIndexes(300);
