/** What KongGateway accepts: its args' field rules from the pieces the stack schema uses, and Kong's edge rules (components/config/kong-edge-checks.ts) the stack's cross-checks use. */
import { z } from "zod";
import { cidr, fraction, oneOf, percent, port, positiveInt } from "../config/pieces";
import { kongEdgeIssues } from "../config/kong-edge-checks";

/** The checked fields of {@link KongGatewayArgs}; the others are typed only (resources, chart values). */
export const kongGatewayArgsSchema = z
    .object({
        highAvailability: z.boolean().optional(),
        loadBalancer: oneOf(["aws-nlb", "generic", "none"]).optional(),
        sourceRanges: z.array(cidr).optional(),
        mode: oneOf(["dbless", "postgres"]).optional(),
        postgres: z
            .object({
                external: z.object({ host: z.string().min(1), port: port.optional() }).optional(),
                image: z.object({ repository: z.string().min(1), tag: z.string().min(1) }).optional(),
            })
            .optional(),
        clientIp: oneOf(["preserve", "proxy-protocol", "none"]).optional(),
        tls: z.object({ certificateArn: z.string().optional(), secretName: z.string().optional(), http: oneOf(["open", "redirect", "close"]).optional() }).optional(),
        replicas: positiveInt.optional(),
        autoscaling: z.object({ minReplicas: positiveInt, maxReplicas: positiveInt, targetCPUUtilizationPercentage: percent.optional() }).optional(),
        tracing: z.object({ endpoint: z.string(), samplingRate: fraction }).optional(),
    })
    .superRefine((a, ctx) => {
        const facts = { ...a, loadBalancer: a.loadBalancer ?? "aws-nlb" };
        for (const issue of kongEdgeIssues(facts, (field) => field)) {
            ctx.addIssue({ code: "custom", path: issue.path.split("."), message: issue.message });
        }
    });
