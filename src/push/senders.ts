import webpush from "web-push";
import type { DeviceKind, StoredDevice } from "./devices.js";
import type { PushMessage } from "./message.js";
import type { VapidKeys } from "./vapid.js";

/**
 * What became of one push: `sent` (the push service took it), `gone` (404/410: the subscription no longer exists,
 * forget the device), `retry` (429, 5xx or no answer: try again later), `rejected` (any other refusal: trying
 * again would not help).
 */
export type SendResult =
  | { outcome: "sent" }
  | { outcome: "gone"; status: number }
  | { outcome: "retry"; reason: string }
  | { outcome: "rejected"; status: number; reason: string };

/** One transport. Web Push is built; FCM and APNs would be more senders keyed by their device kind. */
export interface PushSender {
  readonly kind: DeviceKind;
  send(device: StoredDevice, message: PushMessage): Promise<SendResult>;
}

/** How long the push service keeps a message for a device that is offline (seconds). */
export const PUSH_TTL_SECONDS = 24 * 60 * 60;
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * RFC 8030/8291/8292: `web-push` builds the request (aes128gcm body, VAPID `Authorization`, `TTL`), and it is sent
 * with fetch — web-push's own sender speaks https only, which local push services (http: to loopback, allowed
 * outside production) and the tests' push service are not.
 */
export function webPushSender(keys: () => Promise<VapidKeys>): PushSender {
  return {
    kind: "webpush",
    async send(device, message) {
      const vapid = await keys();
      const subscription = { endpoint: device.address, keys: { p256dh: device.keys.p256dh ?? "", auth: device.keys.auth ?? "" } };
      let request: webpush.RequestDetails;
      try {
        request = webpush.generateRequestDetails(subscription, JSON.stringify(message), {
          vapidDetails: vapid,
          TTL: PUSH_TTL_SECONDS,
          contentEncoding: "aes128gcm",
        });
      } catch (err) {
        // the stored keys cannot encrypt (registration checks them, so this is a bug, not a push service fault)
        return { outcome: "rejected", status: 0, reason: (err as Error).message };
      }
      let status: number;
      try {
        const res = await fetch(request.endpoint, {
          method: request.method,
          headers: request.headers as Record<string, string>,
          // a plain Uint8Array copy is a BodyInit under the DOM's fetch types too (graphql-yoga's typings load them)
          body: request.body === null ? null : new Uint8Array(request.body),
          redirect: "manual",
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        status = res.status;
        await res.body?.cancel();
      } catch (err) {
        // no answer (refused, reset, timeout): it may or may not have arrived; at least once, so try again
        return { outcome: "retry", reason: (err as Error).message };
      }
      if (status >= 200 && status < 300) return { outcome: "sent" };
      if (status === 404 || status === 410) return { outcome: "gone", status };
      if (status === 429 || status >= 500) return { outcome: "retry", reason: `push service answered ${status}` };
      return { outcome: "rejected", status, reason: `push service answered ${status}` };
    },
  };
}
