/** A server-sent-events reader over fetch (what EventSource does, with headers and an explicit close). */
export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

export class SseClient {
  readonly events: SseEvent[] = [];
  readonly comments: { text: string; at: number }[] = [];
  status = 0;
  ended = false;
  private readonly controller = new AbortController();
  private waiters: (() => void)[] = [];

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const client = new SseClient();
    const res = await fetch(url, { headers: { accept: "text/event-stream", ...headers }, signal: client.controller.signal });
    client.status = res.status;
    client.contentType = res.headers.get("content-type") ?? "";
    if (res.status !== 200 || !res.body) {
      client.errorBody = await res.text();
      client.ended = true;
      return client;
    }
    void client.read(res.body);
    return client;
  }

  contentType = "";
  errorBody = "";

  notifications(): { id: string; type: string; payload: Record<string, any>; createdAt: string; readAt: string | null }[] {
    return this.events.filter((e) => e.event === "notification").map((e) => JSON.parse(e.data));
  }

  /** Resolves once `check` holds (re-checked after every event), or rejects after `timeoutMs`. */
  async until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`SSE condition not met within ${timeoutMs} ms (${this.events.length} events)`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 200);
        this.waiters.push(() => (clearTimeout(t), resolve()));
      });
    }
  }

  close(): void {
    this.controller.abort();
  }

  private async read(body: ReadableStream<Uint8Array>) {
    const decoder = new TextDecoder();
    let buffer = "";
    let current: Partial<SseEvent> & { data?: string } = {};
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let newline: number;
        while ((newline = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, newline).replace(/\r$/, "");
          buffer = buffer.slice(newline + 1);
          if (line === "") {
            if (current.data !== undefined)
              this.events.push({ id: current.id, event: current.event ?? "message", data: current.data });
            current = {};
          } else if (line.startsWith(":")) this.comments.push({ text: line.slice(1).trim(), at: Date.now() });
          else {
            const colon = line.indexOf(":");
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
            if (field === "data") current.data = current.data === undefined ? value : `${current.data}\n${value}`;
            else if (field === "id") current.id = value;
            else if (field === "event") current.event = value;
          }
        }
        this.flush();
      }
    } catch {
      /* aborted */
    }
    this.ended = true;
    this.flush();
  }

  private flush() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
