import { CohortLiveError } from "cohort-live/client";
import { client } from "./app.js";
import { h } from "./dom.js";

/** This browser's registration with the server, kept to unsubscribe later (per user: devices belong to one). */
interface StoredDevice {
  userId: string;
  deviceId: string;
  endpoint: string;
}
const STORED = "cohort-live.push-device";

function stored(): StoredDevice | null {
  try {
    const value = JSON.parse(localStorage.getItem(STORED) ?? "null") as StoredDevice | null;
    return value && value.userId === client.user?.id ? value : null;
  } catch {
    return null;
  }
}

/** "Chrome on Android": the device's label in the user's device list. */
export function browserLabel(ua = navigator.userAgent): string {
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /Firefox\//.test(ua)
      ? "Firefox"
      : /Chrom(e|ium)\//.test(ua)
        ? "Chrome"
        : /Safari\//.test(ua)
          ? "Safari"
          : "Browser";
  const os = /Android/.test(ua)
    ? "Android"
    : /iPhone|iPad/.test(ua)
      ? "iOS"
      : /Mac OS X/.test(ua)
        ? "macOS"
        : /Windows/.test(ua)
          ? "Windows"
          : /Linux/.test(ua)
            ? "Linux"
            : "";
  return os ? `${browser} on ${os}` : browser;
}

const supported = () => "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;

/** What a refusal of the browser means to the user. */
function explain(err: unknown): string {
  if (err instanceof CohortLiveError) return `The server refused: ${err.message} (${err.code})`;
  // Chromium reports a denied permission as an AbortError as well: the permission tells them apart
  if (Notification.permission === "denied" || (err instanceof DOMException && err.name === "NotAllowedError"))
    return "Notifications are blocked for this site: allow them in the browser's site settings, then try again.";
  const detail = err instanceof Error ? ` (${err.message})` : "";
  if (err instanceof DOMException && (err.name === "AbortError" || err.name === "NotSupportedError"))
    return `This browser could not reach its push service${detail}, so it cannot get notifications while the app is closed.`;
  return `This browser could not subscribe to notifications${detail}.`;
}

async function subscribe(): Promise<void> {
  const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  await navigator.serviceWorker.ready;
  const { publicKey } = await client.request("GET", "/api/push/key");
  const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: publicKey });
  const json = subscription.toJSON();
  const { device } = await client.request("POST", "/api/devices", {
    kind: "webpush",
    subscription: { endpoint: subscription.endpoint, keys: { p256dh: json.keys?.p256dh ?? "", auth: json.keys?.auth ?? "" } },
    label: browserLabel(),
  });
  const value: StoredDevice = { userId: client.user!.id, deviceId: device.id, endpoint: subscription.endpoint };
  localStorage.setItem(STORED, JSON.stringify(value));
}

/** Turns pushes to this browser off (the toggle, and sign-out: the next person here must not get them). */
export async function unsubscribe(): Promise<void> {
  if (!supported()) return;
  const device = stored();
  if (device) {
    try {
      await client.request("DELETE", `/api/devices/${device.deviceId}`);
    } catch (err) {
      if (!(err instanceof CohortLiveError && err.status === 404)) throw err; // 404: the server forgot it already
    }
    localStorage.removeItem(STORED);
  }
  const registration = await navigator.serviceWorker.getRegistration("/");
  await (await registration?.pushManager.getSubscription())?.unsubscribe();
}

/** On: this browser has a subscription and the server still knows it as the user's device. */
async function isOn(): Promise<boolean> {
  const device = stored();
  if (!device) return false;
  const registration = await navigator.serviceWorker.getRegistration("/");
  const subscription = await registration?.pushManager.getSubscription();
  if (subscription?.endpoint !== device.endpoint) return false;
  const { devices } = await client.request("GET", "/api/devices");
  return devices.some((d) => d.id === device.deviceId);
}

/** The "Notifications on this device" switch: Web Push for when the app is closed. */
export function pushToggle(): HTMLElement {
  const box = h("input", { type: "checkbox", id: "push-toggle", disabled: true });
  const hint = h("p", { id: "push-hint", class: "muted", role: "status" });
  const setHint = (text: string, error = false) => {
    hint.textContent = text;
    hint.className = error ? "error" : "muted";
  };
  const blocked = () => Notification.permission === "denied";

  if (!supported()) setHint("This browser cannot receive push notifications.", true);
  else if (blocked()) setHint("Notifications are blocked for this site: allow them in the browser's site settings.", true);
  else
    void isOn()
      .then((on) => {
        box.checked = on;
        box.disabled = false;
      })
      .catch((err: unknown) => setHint(explain(err), true));

  box.addEventListener("change", async () => {
    const turnOn = box.checked;
    box.disabled = true;
    setHint(turnOn ? "Subscribing…" : "Unsubscribing…");
    try {
      if (turnOn) await subscribe();
      else await unsubscribe();
      setHint(turnOn ? "This device gets notifications while the app is closed." : "");
    } catch (err) {
      box.checked = !turnOn;
      setHint(explain(err), true);
      if (turnOn) await unsubscribe().catch(() => undefined); // leave no half-made subscription behind
    } finally {
      box.disabled = blocked();
    }
  });

  return h("div", { id: "push" }, h("label", {}, box, " Notifications on this device"), hint);
}
