/**
 * A Web Push service of our own for the tests: an HTTP server on 127.0.0.1 that takes real Web Push requests
 * (RFC 8030), decrypts them with the subscription keys the test made (RFC 8291, aes128gcm) and checks the VAPID
 * JWT (RFC 8292). Answers are scripted per device: a status list (`[503, 503]` then the default 201), or `hang`.
 */
import { createECDH, createPublicKey, randomBytes, verify, type ECDH } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
// http_ece ships no types; it is the reference implementation of RFC 8188 / 8291 that web-push itself uses
// @ts-expect-error no declaration file
import ece from "http_ece";

export interface Subscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** What the push service received, decrypted and checked. */
export interface ReceivedPush {
  device: string;
  at: number;
  status: number;
  ttl: string | undefined;
  contentEncoding: string | undefined;
  /** The decrypted body, exactly as the server sent it (what a browser hands its service worker). */
  text: string;
  /** The decrypted body, parsed. */
  message: { notification: Record<string, any>; title: string; body: string; url: string };
  jwt: { header: Record<string, unknown>; claims: Record<string, any>; vapidKey: string; signatureValid: boolean };
}

interface Device {
  ecdh: ECDH;
  auth: Buffer;
  script: (number | "hang")[];
}

/** Checks an ES256 JWT against an uncompressed P-256 public key (base64url, 65 bytes). */
function verifyJwt(token: string, publicKey: string): boolean {
  const [h, p, s] = token.split(".");
  if (!h || !p || !s) return false;
  const raw = Buffer.from(publicKey, "base64url");
  const key = createPublicKey({
    key: { kty: "EC", crv: "P-256", x: raw.subarray(1, 33).toString("base64url"), y: raw.subarray(33, 65).toString("base64url") },
    format: "jwk",
  });
  return verify("sha256", Buffer.from(`${h}.${p}`), { key, dsaEncoding: "ieee-p1363" }, Buffer.from(s, "base64url"));
}

export class PushService {
  readonly received: ReceivedPush[] = [];
  /** Every request, including those answered with an error or left hanging. */
  readonly attempts: { device: string; at: number }[] = [];
  private readonly devices = new Map<string, Device>();
  private readonly hanging: ServerResponse[] = [];
  private server!: Server;
  origin = "";

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.onRequest(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** A browser-like subscription: a fresh P-256 key pair and auth secret for a new endpoint. */
  subscribe(device: string, script: (number | "hang")[] = []): Subscription {
    const ecdh = createECDH("prime256v1");
    ecdh.generateKeys();
    const auth = randomBytes(16);
    this.devices.set(device, { ecdh, auth, script: [...script] });
    return {
      endpoint: `${this.origin}/push/${device}`,
      keys: { p256dh: ecdh.getPublicKey().toString("base64url"), auth: auth.toString("base64url") },
    };
  }

  pushesTo(device: string): ReceivedPush[] {
    return this.received.filter((r) => r.device === device);
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const name = /^\/push\/([^/]+)$/.exec(req.url ?? "")?.[1] ?? "";
    const device = this.devices.get(name);
    this.attempts.push({ device: name, at: Date.now() });
    if (req.method !== "POST" || !device) return void res.writeHead(404).end();
    const next = device.script.shift() ?? 201;
    if (next === "hang") return void this.hanging.push(res);
    if (next !== 201) return void res.writeHead(next).end();

    const auth = /^vapid t=([^,]+),\s*k=(.+)$/.exec(req.headers.authorization ?? "");
    const token = auth?.[1] ?? "";
    const [h = "", p = ""] = token.split(".");
    const plain: Buffer = ece.decrypt(Buffer.concat(chunks), {
      version: "aes128gcm",
      privateKey: device.ecdh,
      authSecret: device.auth,
    });
    this.received.push({
      device: name,
      at: Date.now(),
      status: next,
      ttl: req.headers.ttl as string | undefined,
      contentEncoding: req.headers["content-encoding"],
      text: plain.toString("utf8"),
      message: JSON.parse(plain.toString("utf8")),
      jwt: {
        header: JSON.parse(Buffer.from(h, "base64url").toString()),
        claims: JSON.parse(Buffer.from(p, "base64url").toString()),
        vapidKey: auth?.[2] ?? "",
        signatureValid: auth ? verifyJwt(token, auth[2]!) : false,
      },
    });
    res.writeHead(201, { location: `${this.origin}/messages/${randomBytes(6).toString("hex")}` }).end();
  }
}
