// Preloaded (`node --import`) into a server under test: prints one line for every SQL statement that any pg client
// of the process sends (with the start of its text), so a test can count the statements a request costs at the
// database driver and tell them from the job queue's own polling.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const pg = require("pg");
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (...args) {
  const text = typeof args[0] === "string" ? args[0] : args[0]?.text;
  process.stdout.write(`${JSON.stringify({ msg: "sql statement", sql: String(text).trim().slice(0, 120) })}\n`);
  return query.apply(this, args);
};
