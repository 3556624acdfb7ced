/**
 * A view of an in-process L2 store whose invalidation bus a test takes down and brings up at
 * will: messages stop reaching this view's subscribers while it is down, and every subscriber hears
 * the state change as a real bus would report it.
 *
 * @example
 * ```ts
 * const view = switchableBusView(memoryL2());
 * const cache = createCache({ l2: view.adapter });
 * view.setDown(true); // the bus reports "down"; messages are lost until setDown(false)
 * ```
 */
import type { L2Adapter, L2Bus } from "../../src/cache/index.ts";

export function switchableBusView(store: L2Adapter): { adapter: L2Adapter; setDown(value: boolean): void } {
  let down = false;
  const reporters = new Set<(state: "up" | "down") => void>();
  const bus: L2Bus = {
    publish: (channel, message) => store.bus!.publish(channel, message),
    async subscribe(channel, onMessage, onState) {
      const stop = await store.bus!.subscribe(channel, (message) => {
        if (!down) onMessage(message);
      });
      if (onState) reporters.add(onState);
      onState?.(down ? "down" : "up");
      return stop;
    },
  };
  const adapter: L2Adapter = { ...store, kind: store.kind, bus, describe: () => store.describe(), close: async () => undefined };
  return {
    adapter,
    setDown(value: boolean) {
      down = value;
      for (const report of reporters) report(value ? "down" : "up");
    },
  };
}
