import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** Domain folders: each holds one domain's routes, socket handlers, services and queries. */
const DOMAINS = ["auth", "cohorts", "sessions", "reviews", "notifications", "push", "graphql"];
/** Platform folders (and files): they serve every domain and import none. */
const PLATFORM = ["config", "db", "engine", "events", "http", "identity", "jobs", "realtime"];
const domainAlt = DOMAINS.join("|");

const layers = {
  platform: {
    regex: `^(\\.\\./)+(${domainAlt})(/|$)`,
    message: "platform code imports no domain: let the domain register itself (routes, handlers, domain events) instead",
  },
  otherDomainInternals: {
    regex: `^\\.\\./(${domainAlt})/(?!index\\.js$)`,
    message: "import another domain only through its public index.ts",
  },
  contractOutside: {
    regex: "^(\\.\\.|node:)",
    message: "src/contract is the browser-safe public interface: it imports only zod and itself",
  },
};

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "data/", "coverage/", "test-results/", "web/dist/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: "readonly", console: "readonly", Buffer: "readonly", URL: "readonly" },
      parserOptions: {
        projectService: { allowDefaultProject: ["*.js", "*.mjs", "scripts/*.mjs"] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { arguments: false } }],
      "@typescript-eslint/await-thenable": "error",
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "read configuration through src/config" },
      ],
    },
  },
  // the layers: platform → no domain; domain → platform and other domains' index.ts; contract → nothing
  {
    files: [...PLATFORM.map((f) => `src/${f}/**/*.ts`), "src/core.ts", "src/errors.ts", "src/logger.ts", "src/metrics.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [layers.platform] }] },
  },
  {
    files: DOMAINS.map((f) => `src/${f}/**/*.ts`),
    rules: { "no-restricted-imports": ["error", { patterns: [layers.otherDomainInternals] }] },
  },
  {
    files: ["src/contract/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [layers.contractOutside] }] },
  },
  {
    files: ["src/main.ts", "src/migrate.ts", "src/admin.ts", "test/**", "bench/**", "scripts/**", "vitest.config.ts"],
    rules: { "no-restricted-properties": "off", "@typescript-eslint/no-explicit-any": "off" },
  },
  { files: ["**/*.js", "**/*.mjs"], extends: [tseslint.configs.disableTypeChecked] },
);
