import { Router } from "express";
import { z } from "zod";
import type { Core } from "../core.js";
import { caller, requireAuth } from "../http/auth-middleware.js";
import { body, idParam, text } from "../http/validate.js";
import type { DeviceStore } from "./devices.js";
import type { VapidKeys } from "./vapid.js";

/** base64url of exactly `bytes` bytes (an uncompressed P-256 point is 65, the auth secret 16). */
const base64url = (bytes: number, what: string) =>
  z
    .string()
    .max(200)
    .refine((v) => /^[A-Za-z0-9_-]+={0,2}$/.test(v) && Buffer.from(v, "base64url").length === bytes, {
      message: `must be the base64url ${what} (${bytes} bytes)`,
    });

const registerBody = z.object({
  kind: z.literal("webpush"),
  subscription: z.object({
    endpoint: z.string().min(1).max(2048),
    keys: z.object({ p256dh: base64url(65, "P-256 public key"), auth: base64url(16, "auth secret") }),
  }),
  label: text(0, 80).nullish(),
});

/** `/api/push/key` and `/api/devices…`: translation only. */
export function pushRoutes(core: Core, deps: { devices: DeviceStore; keys: () => Promise<VapidKeys> }): Router {
  const router = Router();
  const authed = requireAuth(core.tokens, core.access);

  router.get("/push/key", async (_req, res) => {
    res.json({ publicKey: (await deps.keys()).publicKey });
  });
  router.post("/devices", authed, async (req, res) => {
    const { device, created } = await deps.devices.register(caller(req).userId, body(req, registerBody));
    res.status(created ? 201 : 200).json({ device });
  });
  router.get("/devices", authed, async (req, res) => {
    res.json({ devices: await deps.devices.list(caller(req).userId) });
  });
  router.delete("/devices/:id", authed, async (req, res) => {
    await deps.devices.remove(caller(req).userId, idParam(req));
    res.status(204).end();
  });
  return router;
}
