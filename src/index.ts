// Public library surface: the server factory and the types a TypeScript client needs.
export { createServer, type ServerHandle } from "./server.js";
export { loadConfig, ConfigError, type Config } from "./config/config.js";
export type * from "./realtime/events.js";
export type { ErrorCode } from "./errors.js";
