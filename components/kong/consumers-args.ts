/** What ApiConsumers accepts: its args' field rules, from the pieces the stack schema's `gateway.consumers` uses (components/config/pieces.ts). */
import { z } from "zod";
import { alreadyDeclared, consumerCredentials, consumerName } from "../config/pieces";

/** The checked fields of {@link ApiConsumersArgs}. */
export const apiConsumersArgsSchema = z.object({
    consumers: z.array(z.object({ name: consumerName, credentials: consumerCredentials })).superRefine((consumers, ctx) => {
        const first = new Map<string, number>();
        consumers.forEach((c, i) => {
            const at = first.get(c.name);
            if (at === undefined) first.set(c.name, i);
            else ctx.addIssue({ code: "custom", path: [i, "name"], input: c.name, message: alreadyDeclared(c.name, `consumers[${at}]`, "consumer") });
        });
    }),
    keyLength: z.number().int({ error: "must be a whole number of at least 32" }).min(32, { error: "must be a whole number of at least 32" }).optional(),
});
