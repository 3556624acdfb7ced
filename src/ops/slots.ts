/**
 * Redis Cluster hash slots: the slot of a key, exactly as Redis computes it, and the slot lists
 * that CLUSTER NODES prints ("0-5460 5462"), read in one place for the launcher, the CLI and the
 * tests.
 */

/** Number of hash slots in a Redis Cluster. */
export const SLOT_COUNT = 16_384;

/** An inclusive run of slots; a single slot has `from === to`. */
export interface SlotRange {
  from: number;
  to: number;
}

/**
 * The cluster hash slot of a key (CRC16/XMODEM of the key or of its `{hash tag}`, mod 16384),
 * exactly as Redis computes it.
 *
 * @example keySlot("user:{42}:name") === keySlot("{42}") // true
 */
export function keySlot(key: string): number {
  let bytes = Buffer.from(key, "utf8");
  const open = bytes.indexOf(0x7b); // "{"
  if (open >= 0) {
    const close = bytes.indexOf(0x7d, open + 1); // "}"
    if (close > open + 1) bytes = bytes.subarray(open + 1, close);
  }
  return crc16(bytes) % SLOT_COUNT;
}

/**
 * The ranges of a CLUSTER NODES slot list. Fields that are not slot numbers (migrations in flight
 * such as "[5461->-id]") are skipped, and ranges are clipped to the valid slots.
 *
 * @example parseSlotRanges("0-5460 5462") // [{ from: 0, to: 5460 }, { from: 5462, to: 5462 }]
 */
export function parseSlotRanges(slots: string): SlotRange[] {
  const ranges: SlotRange[] = [];
  for (const field of slots.split(" ")) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(field);
    if (!match) continue;
    const from = Number(match[1]);
    const to = Math.min(match[2] === undefined ? from : Number(match[2]), SLOT_COUNT - 1);
    if (from <= to) ranges.push({ from, to });
  }
  return ranges;
}

/**
 * Whether a CLUSTER NODES slot list contains `slot`.
 *
 * @example slotsContain("0-5460 5462", 5462) // true
 */
export function slotsContain(slots: string, slot: number): boolean {
  return parseSlotRanges(slots).some((range) => slot >= range.from && slot <= range.to);
}

/**
 * How many distinct slots the given slot lists cover together (overlaps count once).
 *
 * @example countServedSlots(["0-5460", "5461-10922", "10923-16383"]) // 16384
 */
export function countServedSlots(slotLists: Iterable<string>): number {
  const served = new Uint8Array(SLOT_COUNT);
  let count = 0;
  for (const slots of slotLists) {
    for (const { from, to } of parseSlotRanges(slots)) {
      for (let slot = from; slot <= to; slot++) {
        if (served[slot] === 0) count++;
        served[slot] = 1;
      }
    }
  }
  return count;
}

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
  }
  return crc;
}
