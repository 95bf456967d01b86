/** What IstioMesh accepts: its args' field rules, from the pieces the stack schema uses (components/config/pieces.ts). */
import { z } from "zod";
import { hostName, percent, port, positiveInt } from "../config/pieces";

/** The checked fields of {@link IstioMeshArgs}; the others are typed only (resources, chart values). */
export const istioMeshArgsSchema = z.object({
    tracing: z
        .object({
            samplingPercentage: percent.optional(),
            collector: z.object({ service: hostName, port }).optional(),
        })
        .optional(),
    istiodReplicas: positiveInt.optional(),
    istiodMaxReplicas: positiveInt.optional(),
});
