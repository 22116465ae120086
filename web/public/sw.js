/* global self, clients */
/**
 * The web app's service worker (served at /sw.js, scope /): shows a Web Push message as a system notification and
 * opens its `url` on click. The push body is the server's JSON `{notification, title, body, url}` (docs/push.md).
 * Plain JavaScript, not bundled: a service worker's script must keep a stable URL.
 */

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(clients.claim()));

self.addEventListener("push", (event) => {
  let msg;
  try {
    msg = event.data?.json();
  } catch {
    return; // not ours: the server only sends JSON
  }
  if (!msg || typeof msg.title !== "string" || !msg.notification) return;
  event.waitUntil(
    (async () => {
      // open pages may add it to their inbox without a reload (and tests can assert on this message)
      const pages = await clients.matchAll({ type: "window", includeUncontrolled: true });
      for (const page of pages) page.postMessage({ type: "push", message: msg });
      // a visible page got the live `notification` event already: no system notification on top of it
      if (pages.some((p) => p.visibilityState === "visible")) return;
      await self.registration.showNotification(msg.title, {
        body: msg.body,
        tag: msg.notification.id, // at-least-once delivery: the same notification again replaces, never stacks
        data: { url: msg.url, id: msg.notification.id },
        timestamp: Date.parse(msg.notification.createdAt),
      });
    })(),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  // only a path of this app: a push can never send the user to another site
  const url = new URL(event.notification.data?.url ?? "/notifications", self.location.origin);
  if (url.origin !== self.location.origin) return;
  event.waitUntil(
    (async () => {
      const pages = await clients.matchAll({ type: "window", includeUncontrolled: true });
      const open = pages.find((p) => p.url === url.href) ?? pages[0];
      if (!open) return clients.openWindow(url.href);
      const focused = await open.focus();
      if (focused.url !== url.href) await focused.navigate(url.href).catch(() => clients.openWindow(url.href));
    })(),
  );
});
