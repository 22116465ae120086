import { z } from "zod";
import { route } from "./define.js";
import { IdParams, isoTime, text, uuid } from "./primitives.js";

/** base64url (padding tolerated) of exactly `bytes` bytes: an uncompressed P-256 key is 65, the auth secret 16. */
const base64url = (bytes: number, what: string) =>
  z
    .string()
    .max(200)
    .refine((v) => /^[A-Za-z0-9_-]+={0,2}$/.test(v) && Math.floor((v.replace(/=+$/, "").length * 3) / 4) === bytes, {
      message: `must be the base64url ${what} (${bytes} bytes)`,
    });

/** Transports a device is reached by: "webpush" now; native apps' "fcm" / "apns" would be added here. */
export const DeviceKind = z.enum(["webpush"]);
export type DeviceKind = z.infer<typeof DeviceKind>;

export const Device = z.object({ id: uuid, kind: DeviceKind, label: z.string().nullable(), createdAt: isoTime });
export type Device = z.infer<typeof Device>;

/** A browser's `PushSubscription.toJSON()`; the endpoint is checked by the server (https:, or http: to loopback outside production). */
export const WebPushSubscription = z.object({
  endpoint: z.string().min(1).max(2048),
  keys: z.object({ p256dh: base64url(65, "P-256 public key"), auth: base64url(16, "auth secret") }),
});

export const RegisterDeviceBody = z.object({
  kind: z.literal("webpush"),
  subscription: WebPushSubscription,
  label: text(0, 80).nullish(),
});

const TAG = "Push";
export const pushRoutes = {
  pushKey: route({
    method: "get",
    path: "/api/push/key",
    tag: TAG,
    summary: "The VAPID public key (base64url) to subscribe a browser with (`applicationServerKey`)",
    auth: false,
    status: 200,
    response: z.object({ publicKey: z.string() }),
  }),
  registerDevice: route({
    method: "post",
    path: "/api/devices",
    tag: TAG,
    summary: "Register a device for pushes; 201 when new, 200 with the same device (now the caller's) for a known endpoint",
    auth: true,
    body: RegisterDeviceBody,
    status: 201,
    response: z.object({ device: Device }),
  }),
  listDevices: route({
    method: "get",
    path: "/api/devices",
    tag: TAG,
    summary: "The caller's devices, oldest first",
    auth: true,
    status: 200,
    response: z.object({ devices: z.array(Device) }),
  }),
  deleteDevice: route({
    method: "delete",
    path: "/api/devices/:id",
    tag: TAG,
    summary: "Unregister one of the caller's devices",
    auth: true,
    params: IdParams,
    status: 204,
    errors: ["NOT_FOUND"],
  }),
};
