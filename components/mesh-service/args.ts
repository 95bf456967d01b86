/**
 * What MeshService accepts: a service declaration as a user writes it (`ServiceSpecInput`, the
 * shape of one `meshgate:services` entry), checked by the stack schema's `serviceSchema` and the
 * cross-field rules of one service, defaults applied here.
 */
import { argProblems, countValidation, isValidated } from "../config/args";
import { serviceIssues } from "../config/cross-checks";
import { serviceSchema, type ServiceSpec, type ServiceSpecInput } from "../config/schema";

/**
 * The declaration with defaults applied. Args the Platform derived from a validated stack config
 * are taken as they are; any other declaration is validated, and an invalid one throws one
 * Error listing every problem (`spec.<field>: ...`).
 */
export function meshServiceSpec(args: { readonly spec: ServiceSpecInput }, name?: string): ServiceSpec {
    if (isValidated(args)) {
        return args.spec as ServiceSpec;
    }
    countValidation("MeshService");
    const parsed = serviceSchema.safeParse(args.spec);
    const problems = parsed.success ? serviceIssues(parsed.data, "spec").map((i) => `${i.path}: ${i.message}`) : argProblems(serviceSchema, args.spec).map((p) => `spec.${p}`);
    if (!parsed.success || problems.length > 0) {
        throw new Error(`invalid MeshService args${name === undefined ? "" : ` for "${name}"`}:\n  ${problems.join("\n  ")}`);
    }
    return parsed.data;
}
