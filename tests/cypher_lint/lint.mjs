// Lints each .cypher file named on the command line with Neo4j's own Cypher parser and prints one JSON
// object: {file: [diagnostic messages]}. "Parameter not defined" notes are ignored: parameters are
// bound at run time. Files with several statements separated by ';' are linted as one script.
import { readFileSync } from 'node:fs';
import { lintCypherQuery, isNotParamError } from '@neo4j-cypher/language-support';

const report = {};
for (const file of process.argv.slice(2)) {
  const { diagnostics } = lintCypherQuery(readFileSync(file, 'utf8'), {});
  report[file] = diagnostics
    .filter((d) => isNotParamError(d))
    .map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`);
}
console.log(JSON.stringify(report));
