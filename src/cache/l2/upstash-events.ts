/** A line longer than this without a newline means the stream is not what we expect: reconnect. */
const MAX_LINE_LENGTH = 1024 * 1024;

export interface RestSubscriptionConfig {
  /** REST base URL (no trailing slash) and bearer token, resolved when the subscription starts. */
  endpoint(): { url: string; token: string };
  channel: string;
  onMessage(message: string): void;
  onState(state: "up" | "down"): void;
  /** How long to wait for the response headers of one attempt. */
  connectTimeoutMs: number;
}

/** A running REST subscription; `settled` resolves after the first attempt's outcome. */
export interface RestSubscription {
  settled: Promise<void>;
  stop(): void;
}

/**
 * Listens to one channel over Upstash REST: `POST <url>/subscribe/<channel>` answered as
 * server-sent events, `data: subscribe,<channel>,<n>` once and then `data: message,<channel>,<payload>`
 * per message. The payload is everything after the second known comma, so payloads may contain
 * commas; each `data:` line is one event, as Upstash sends them (bus messages carry no newlines).
 *
 * When the stream ends or fails, `down` is reported and the request is retried with backoff until
 * `stop()`. `up` is reported when the server confirms the subscription.
 *
 * @example
 * ```ts
 * const sub = subscribeOverRest({ endpoint: () => ({ url, token }), channel: "voxedge:bus",
 *   onMessage: console.log, onState: console.log, connectTimeoutMs: 2000 });
 * await sub.settled;
 * sub.stop();
 * ```
 */
export function subscribeOverRest(config: RestSubscriptionConfig): RestSubscription {
  const { channel } = config;
  const messagePrefix = `message,${channel},`;
  let stopped = false;
  let attempt = 0;
  let current: AbortController | undefined;
  let wakeUp: (() => void) | undefined;
  let reported: "up" | "down" | undefined;
  let settle: () => void = () => {};
  const settled = new Promise<void>((resolve) => {
    settle = resolve;
  });

  /** Reads one stream to its end; resolves when it ends, rejects when it fails. */
  async function listen(controller: AbortController): Promise<void> {
    const { url, token } = config.endpoint();
    const headerTimer = setTimeout(() => controller.abort(), config.connectTimeoutMs);
    let response: Response;
    try {
      // Colons are legal in a path and are what the official client sends unencoded.
      response = await fetch(`${url}/subscribe/${encodeURIComponent(channel).replace(/%3A/gi, ":")}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" },
        signal: controller.signal,
      });
    } finally {
      clearTimeout(headerTimer);
    }
    if (!response.ok || response.body === null) {
      await response.body?.cancel().catch(() => {});
      throw new Error(`subscribe answered HTTP ${response.status}`);
    }

    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || stopped) return;
        buffer += decoder.decode(value, { stream: true });
        let newline = buffer.indexOf("\n");
        while (newline >= 0) {
          handleLine(buffer.slice(0, newline));
          buffer = buffer.slice(newline + 1);
          newline = buffer.indexOf("\n");
        }
        if (buffer.length > MAX_LINE_LENGTH) throw new Error("event line too long");
      }
    } finally {
      reader.cancel().catch(() => {});
    }
  }

  function handleLine(rawLine: string): void {
    const line = rawLine.endsWith("\r") ? rawLine.slice(0, -1) : rawLine;
    if (!line.startsWith("data:")) return;
    const data = line.startsWith("data: ") ? line.slice(6) : line.slice(5);
    if (data.startsWith(messagePrefix)) {
      markUp();
      try {
        config.onMessage(data.slice(messagePrefix.length));
      } catch {
        // A failing subscriber must not end the stream.
      }
    } else if (data.startsWith(`subscribe,${channel},`)) {
      markUp();
    }
  }

  function report(state: "up" | "down"): void {
    if (stopped || reported === state) return;
    reported = state;
    try {
      config.onState(state);
    } catch {
      // A throwing state callback must not end the subscription.
    }
  }

  function markUp(): void {
    attempt = 0;
    report("up");
    settle();
  }

  async function loop(): Promise<void> {
    while (!stopped) {
      const controller = new AbortController();
      current = controller;
      try {
        await listen(controller);
      } catch {
        // Network errors, HTTP errors and aborts all end in the same place: report and retry.
      }
      if (stopped) break;
      report("down");
      settle();
      const delay = Math.min(100 * 2 ** Math.min(attempt++, 5), 2_000) + Math.floor(Math.random() * 50);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        (timer as { unref?: () => void }).unref?.();
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wakeUp = undefined;
    }
  }

  void loop();

  return {
    settled,
    stop() {
      stopped = true;
      current?.abort();
      wakeUp?.();
      settle();
    },
  };
}
