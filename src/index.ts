// Public library surface: the server factory and the contract (shapes, routes, events and their types).
export { createServer, type ServerHandle } from "./server.js";
export { loadConfig, ConfigError, type Config } from "./config/config.js";
export * from "./contract/index.js";
