/**
 * The OpenTelemetry resource that labels every metric this process sends. The bare SDK reads no
 * environment, so `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` are applied here, from the env
 * record the caller passes (tests pass their own; the server passes `process.env`).
 */
import { diag } from "@opentelemetry/api";
import { defaultResource, resourceFromAttributes, type Resource } from "@opentelemetry/resources";
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from "@opentelemetry/semantic-conventions";

/** `service.instance.id` is still incubating in the conventions package, so it is spelled here. */
const ATTR_SERVICE_INSTANCE_ID = "service.instance.id";

/**
 * Parses `OTEL_RESOURCE_ATTRIBUTES` (`key=value` pairs joined by commas, percent-encoded). As the
 * specification asks, one malformed pair discards the whole variable: the result is `{}`.
 *
 * @example
 * parseResourceAttributes("deployment.environment.name=prod,team=voice%2Cedge")
 * // → { "deployment.environment.name": "prod", team: "voice,edge" }
 */
export function parseResourceAttributes(raw: string | undefined): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (raw === undefined || raw.trim() === "") return attributes;
  try {
    for (const pair of raw.split(",")) {
      if (pair.trim() === "") continue;
      const halves = pair.split("=");
      if (halves.length !== 2) throw new Error(`expected key=value, got "${pair}"`);
      const key = decodeURIComponent(halves[0]!.trim());
      const value = decodeURIComponent(halves[1]!.trim());
      if (key === "") throw new Error(`empty key in "${pair}"`);
      attributes[key] = value;
    }
  } catch (error) {
    diag.warn(`OTEL_RESOURCE_ATTRIBUTES ignored: ${error instanceof Error ? error.message : String(error)}`);
    return {};
  }
  return attributes;
}

/** What {@link buildResource} needs: the app's own identity and the environment to apply over it. */
export interface ResourceOptions {
  serviceName: string;
  serviceVersion: string;
  env: Record<string, string | undefined>;
}

/**
 * The SDK defaults, then the app's name and version and a fresh instance id, then
 * `OTEL_RESOURCE_ATTRIBUTES`, then `OTEL_SERVICE_NAME`: whoever deploys the app has the last word.
 * The instance id keeps two replicas apart once the collector turns the resource into labels.
 *
 * @example
 * const resource = buildResource({ serviceName: "voxedge", serviceVersion: "0.1.0", env: process.env });
 */
export function buildResource(opts: ResourceOptions): Resource {
  const fromEnv = parseResourceAttributes(opts.env.OTEL_RESOURCE_ATTRIBUTES);
  const serviceNameFromEnv = opts.env.OTEL_SERVICE_NAME?.trim();
  if (serviceNameFromEnv) fromEnv[ATTR_SERVICE_NAME] = serviceNameFromEnv;
  return defaultResource()
    .merge(
      resourceFromAttributes({
        [ATTR_SERVICE_NAME]: opts.serviceName,
        [ATTR_SERVICE_VERSION]: opts.serviceVersion,
        [ATTR_SERVICE_INSTANCE_ID]: crypto.randomUUID(),
      }),
    )
    .merge(resourceFromAttributes(fromEnv));
}
