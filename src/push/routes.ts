import { pushRoutes } from "../contract/index.js";
import type { Core } from "../core.js";
import { mountRoutes } from "../http/routes.js";
import type { DeviceStore } from "./devices.js";
import type { VapidKeys } from "./vapid.js";

/** The push routes of the contract: translation only. */
export function pushRouter(core: Core, deps: { devices: DeviceStore; keys: () => Promise<VapidKeys> }) {
  return mountRoutes(
    pushRoutes,
    {
      pushKey: async () => ({ publicKey: (await deps.keys()).publicKey }),
      registerDevice: async ({ body }, { caller, res }) => {
        const { device, created } = await deps.devices.register(caller.userId, body);
        if (!created) res.status(200).json({ device }); // a known endpoint: the same device, now the caller's
        return { device };
      },
      listDevices: async (_input, { caller }) => ({ devices: await deps.devices.list(caller.userId) }),
      deleteDevice: async ({ params }, { caller }) => deps.devices.remove(caller.userId, params.id),
    },
    core,
  );
}
