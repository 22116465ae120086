import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// The web app: built into dist/web by `npm run build`, served by the server at `/` (WEB_APP).
export default defineConfig({
  root: here("."),
  base: "/",
  resolve: {
    // the client package from its sources (the same code as the built `cohort-live/client`)
    alias: { "cohort-live/client": here("../src/client/index.ts") },
    dedupe: ["yjs"],
  },
  build: { outDir: here("../dist/web"), emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1024 },
  // `npx vite web` during development, next to `npm run dev` on port 3000
  server: { proxy: { "/api": "http://127.0.0.1:3000", "/socket.io": { target: "http://127.0.0.1:3000", ws: true } } },
});
