CREATE INDEX FOR (u:User) ON (u.id);
CREATE INDEX FOR (u:User) ON (u.username);
CREATE INDEX FOR (m:Movie) ON (m.id);
CREATE INDEX FOR (a:MovieAlias) ON (a.id);
CREATE INDEX FOR (g:Genre) ON (g.name);
CREATE INDEX FOR (p:Person) ON (p.id);
CREATE INDEX FOR (m:Movie) ON (m.title);
CREATE INDEX FOR (m:Movie) ON (m.updated_at);
CREATE INDEX FOR (u:User) ON (u.rated_at);
// Search (service/store/search_text.py normalises the texts): range indexes find the titles and names
// that begin with a query, full-text indexes the words anywhere, with typos. No stopwords
// ("It", "The The" are titles), no stemming (typos are forgiven by edit distance, not word stems).
// Creating one that exists answers "already indexed", which apply_schema ignores.
CREATE INDEX FOR (m:Movie) ON (m.search_title);
CREATE INDEX FOR (p:Person) ON (p.search_name);
CALL db.idx.fulltext.createNodeIndex({label: 'Movie', stopwords: []}, {field: 'search_title', nostem: true});
CALL db.idx.fulltext.createNodeIndex({label: 'Person', stopwords: []}, {field: 'search_name', nostem: true});
