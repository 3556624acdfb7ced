/**
 * A small deterministic PRNG (mulberry32): randomised tests and mixed benchmark workloads are the
 * same on every run, so a failure reproduces.
 *
 * @example
 * const random = prng(42); random(); // a number in [0, 1), the same every run
 */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
