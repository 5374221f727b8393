CREATE INDEX FOR (u:User) ON (u.id);
CREATE INDEX FOR (u:User) ON (u.username);
CREATE INDEX FOR (m:Movie) ON (m.id);
CREATE INDEX FOR (a:MovieAlias) ON (a.id);
CREATE INDEX FOR (g:Genre) ON (g.name);
CREATE INDEX FOR (p:Person) ON (p.id);
CREATE INDEX FOR (m:Movie) ON (m.title);
