/**
 * Mesh-wide Istio objects, as plain typed objects (Istio 1.30 CRDs: `telemetry.istio.io/v1`,
 * `security.istio.io/v1`). The component hands them to the provider unchanged.
 */
import { MESH_PEER_AUTHENTICATION_NAME, MESH_TELEMETRY_NAME } from "./names";

export const ISTIO_TELEMETRY_API_VERSION = "telemetry.istio.io/v1";
export const ISTIO_SECURITY_API_VERSION = "security.istio.io/v1";

export interface ObjectMeta {
    readonly name: string;
    readonly namespace: string;
    readonly labels?: Readonly<Record<string, string>>;
}

export interface Telemetry {
    readonly apiVersion: typeof ISTIO_TELEMETRY_API_VERSION;
    readonly kind: "Telemetry";
    readonly metadata: ObjectMeta;
    readonly spec: {
        readonly tracing: readonly {
            /** Providers by the name meshConfig `extensionProviders` gives them. */
            readonly providers: readonly { readonly name: string }[];
            /** 0–100, explicit (Istio's fallback is pilot's traceSampling). */
            readonly randomSamplingPercentage: number;
        }[];
    };
}

export interface PeerAuthentication {
    readonly apiVersion: typeof ISTIO_SECURITY_API_VERSION;
    readonly kind: "PeerAuthentication";
    readonly metadata: ObjectMeta;
    readonly spec: { readonly mtls: { readonly mode: "STRICT" | "PERMISSIVE" | "DISABLE" } };
}

/** The mesh-wide Telemetry (in the root namespace, no selector): every proxy traces to `provider`. */
export function meshTelemetry(o: { readonly rootNamespace: string; readonly provider: string; readonly samplingPercentage: number }): Telemetry {
    if (!(o.samplingPercentage >= 0 && o.samplingPercentage <= 100)) {
        throw new RangeError(`randomSamplingPercentage must be from 0 to 100, got ${o.samplingPercentage}`);
    }
    return {
        apiVersion: ISTIO_TELEMETRY_API_VERSION,
        kind: "Telemetry",
        metadata: { name: MESH_TELEMETRY_NAME, namespace: o.rootNamespace },
        spec: { tracing: [{ providers: [{ name: o.provider }], randomSamplingPercentage: o.samplingPercentage }] },
    };
}

/** STRICT mTLS for the whole mesh: a PeerAuthentication named `default` in the root namespace, no selector. */
export function meshStrictPeerAuthentication(rootNamespace: string): PeerAuthentication {
    return {
        apiVersion: ISTIO_SECURITY_API_VERSION,
        kind: "PeerAuthentication",
        metadata: { name: MESH_PEER_AUTHENTICATION_NAME, namespace: rootNamespace },
        spec: { mtls: { mode: "STRICT" } },
    };
}
