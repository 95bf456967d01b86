/** What Observability accepts: its args' field rules, from the pieces the stack schema uses (components/config/pieces.ts). */
import { z } from "zod";
import { duration, positiveInt, prometheusDuration, storageSize } from "../config/pieces";
import { JAEGER_RENAMING_KEYS } from "./jaeger";

/** Chart values that would rename a Service other components address by name. */
function renamingKeys(keys: readonly string[], why: string) {
    return z
        .record(z.string(), z.unknown())
        .optional()
        .superRefine((values, ctx) => {
            for (const key of keys) {
                if (values?.[key] !== undefined) {
                    ctx.addIssue({ code: "custom", path: [key], input: values[key], message: `not supported: ${why}` });
                }
            }
        });
}

/** The checked fields of {@link ObservabilityArgs}; the others are typed only (resources, Pulumi inputs). */
export const observabilityArgsSchema = z.object({
    prometheus: z
        .object({
            retention: prometheusDuration.optional(),
            retentionSize: storageSize.optional(),
            storageGiB: positiveInt.optional(),
            replicas: positiveInt.optional(),
        })
        .optional(),
    alertmanager: z.object({ replicas: positiveInt.optional() }).optional(),
    grafana: z
        .object({
            dashboards: z
                .array(z.object({ name: z.string().min(1), gnetId: positiveInt, revision: positiveInt }))
                .superRefine((dashboards, ctx) => {
                    const seen = new Set<string>();
                    dashboards.forEach((d, i) => {
                        if (seen.has(d.name)) ctx.addIssue({ code: "custom", path: [i, "name"], input: d.name, message: `"${d.name}" is listed twice` });
                        seen.add(d.name);
                    });
                })
                .optional(),
        })
        .optional(),
    jaeger: z.object({ storageGiB: positiveInt.optional(), maxTraces: positiveInt.optional(), spanTtl: duration.optional() }).optional(),
    scrapeInterval: prometheusDuration.optional(),
    kongMetrics: z
        .object({
            selector: z.record(z.string(), z.string()).refine((s) => Object.keys(s).length > 0, { error: "must select Kong's metrics Service by at least one label" }),
            port: z.string().refine((p) => p.trim() !== "", { error: "must name the Service port serving metrics" }),
        })
        .optional(),
    values: z
        .object({
            jaeger: renamingKeys(JAEGER_RENAMING_KEYS, "it renames the Jaeger Service that Istio and Kong send spans to (see jaegerOtlp)"),
            kubePrometheusStack: renamingKeys(["nameOverride", "fullnameOverride"], "it renames the Prometheus and Grafana Services the outputs and Kiali point at"),
        })
        .optional(),
});
