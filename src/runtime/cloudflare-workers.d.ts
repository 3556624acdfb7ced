/** The part of workerd's built-in `cloudflare:workers` module the Workers entry uses. */
declare module "cloudflare:workers" {
  /** Keeps the current request's isolate working on `work` after the response is sent. */
  export function waitUntil(work: Promise<unknown>): void;
}
