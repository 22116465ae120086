// Preloaded (`node --import`) into a server under test: prints one line for every SQL statement that any pg client
// of the process sends, so a test can count the statements a request costs at the database driver.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const pg = require("pg");
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (...args) {
  process.stdout.write('{"msg":"sql statement"}\n');
  return query.apply(this, args);
};
