import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import express, { type Router } from "express";

/** Paths the web app never answers, so it can shadow no API, socket or ops route (nor one added later under them). */
const RESERVED = /^\/(api|socket\.io|healthz|readyz|metrics|docs|graphql)(\/|$)/;

/**
 * The page's own policy: helmet's default minus `upgrade-insecure-requests` (which would send a page served over
 * plain HTTP, as in development, to an https:// it does not have). Everything is bundled: nothing from elsewhere.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join("; ");

/** Where `npm run build` puts the web app: dist/web, found from dist/src/http (built) or src/http (tsx). */
export function defaultWebDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const root = resolve(here, here.includes(`${join("dist", "src")}`) ? "../../.." : "../..");
  return join(root, "dist", "web");
}

/**
 * Serves the built web app: its files, and index.html for any other GET that prefers HTML (a browser navigating
 * to one of the app's own routes, such as /sessions/:id). Null when it was not built.
 */
export function webAppRouter(dir: string): Router | null {
  const index = join(dir, "index.html");
  if (!existsSync(index)) return null;
  const router = express.Router();
  router.use((req, res, next) => (RESERVED.test(req.path) ? next("router") : next()));
  // file names carry a content hash: cache them for good
  router.use("/assets", express.static(join(dir, "assets"), { immutable: true, maxAge: "365d", index: false }));
  router.use(express.static(dir, { index: false }));
  router.use((req, res, next) => {
    // a page the browser navigates to (it prefers HTML); a missing asset or an API-style request stays a 404
    const navigation = req.accepts(["json", "html"]) === "html" && !req.path.startsWith("/assets/");
    if ((req.method !== "GET" && req.method !== "HEAD") || !navigation) return next();
    res.setHeader("Content-Security-Policy", CSP);
    res.setHeader("Cache-Control", "no-cache");
    res.sendFile(index);
  });
  return router;
}
