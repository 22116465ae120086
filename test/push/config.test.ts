import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/config.js";

// a real key pair, as `web-push generate-vapid-keys` prints it
const PUBLIC = "BDd3_hVL9fZi9Ybo2UUzA284WG5FZR30_95YeZJsiApwXKpNcF1rRPF3foIiBHXRdJI2Qhumhf6_LFTeZaNndIo";
const PRIVATE = "xKZKYRNdFFn8iQIF2MH54KTfUHwH105zBdzMR7SI3xI";

describe("push configuration", () => {
  it("has the contract's defaults", () => {
    const c = loadConfig({});
    expect(c.push).toEqual({ vapid: null, subject: "mailto:admin@localhost", retryDelaySeconds: 25 });
    expect(c.notificationsRetentionDays).toBe(180);
  });

  it("takes both VAPID keys, a subject, the retention and the retry knob", () => {
    const c = loadConfig({
      VAPID_PUBLIC_KEY: PUBLIC,
      VAPID_PRIVATE_KEY: PRIVATE,
      VAPID_SUBJECT: "https://cohort.example/contact",
      NOTIFICATIONS_RETENTION_DAYS: "0",
      PUSH_RETRY_DELAY_SECONDS: "1",
    });
    expect(c.push).toEqual({
      vapid: { publicKey: PUBLIC, privateKey: PRIVATE },
      subject: "https://cohort.example/contact",
      retryDelaySeconds: 1,
    });
    expect(c.notificationsRetentionDays).toBe(0);
  });

  it.each([
    ["only the public key", { VAPID_PUBLIC_KEY: PUBLIC }, /both VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY/],
    ["only the private key", { VAPID_PRIVATE_KEY: PRIVATE }, /both VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY/],
    ["a public key of the wrong size", { VAPID_PUBLIC_KEY: PRIVATE, VAPID_PRIVATE_KEY: PRIVATE }, /VAPID_PUBLIC_KEY/],
    ["a private key that is not base64url", { VAPID_PUBLIC_KEY: PUBLIC, VAPID_PRIVATE_KEY: "not/base64+" }, /VAPID_PRIVATE_KEY/],
    ["a subject that is neither mailto: nor https:", { VAPID_SUBJECT: "http://cohort.example" }, /VAPID_SUBJECT/],
    ["a negative retention", { NOTIFICATIONS_RETENTION_DAYS: "-1" }, /NOTIFICATIONS_RETENTION_DAYS/],
    ["a retry delay of 0", { PUSH_RETRY_DELAY_SECONDS: "0" }, /PUSH_RETRY_DELAY_SECONDS/],
  ])("refuses %s", (_name, env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
