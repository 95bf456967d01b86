/**
 * A readable summary of a plan: the component tree with the resources each
 * component creates, counted by kind. Siblings of one component type are
 * folded into one line when there are many (a stack of 1,000 services).
 */
import type { RecordedResource } from "./runtime";

const FOLD_AT = 4;

export function componentTree(resources: readonly RecordedResource[]): string {
    const children = new Map<string | undefined, RecordedResource[]>();
    for (const r of resources) {
        const list = children.get(r.parent) ?? [];
        list.push(r);
        children.set(r.parent, list);
    }
    const lines: string[] = [];
    const roots = children.get(undefined) ?? [];
    for (const root of roots) {
        render([root], "", true, lines, children, true);
    }
    return lines.join("\n");
}

function render(group: RecordedResource[], prefix: string, last: boolean, lines: string[], children: Map<string | undefined, RecordedResource[]>, root = false): void {
    const head = group[0];
    const label = group.length === 1 ? `${head.type} ${head.name}` : `${head.type} ×${group.length}`;
    const kinds = new Map<string, number>();
    const subgroups = new Map<string, RecordedResource[]>();
    for (const r of group.flatMap((g) => children.get(g.urn) ?? [])) {
        if (r.custom) {
            kinds.set(r.type, (kinds.get(r.type) ?? 0) + 1);
        } else {
            const key = r.type;
            const list = subgroups.get(key) ?? [];
            list.push(r);
            subgroups.set(key, list);
        }
    }
    const counts = [...kinds].map(([k, n]) => `${shortKind(k)} ${n}`).join(", ");
    lines.push(`${prefix}${root ? "" : last ? "└─ " : "├─ "}${label}${counts ? `  [${counts}]` : ""}`);
    const childPrefix = root ? prefix : prefix + (last ? "   " : "│  ");
    const entries: RecordedResource[][] = [];
    for (const list of subgroups.values()) {
        if (list.length >= FOLD_AT) {
            entries.push(list);
        } else {
            entries.push(...list.map((r) => [r]));
        }
    }
    entries.forEach((g, i) => render(g, childPrefix, i === entries.length - 1, lines, children));
}

/** `kubernetes:networking.istio.io/v1:VirtualService` → `VirtualService`, `aws:ec2/subnet:Subnet` → `Subnet`. */
function shortKind(type: string): string {
    if (type.startsWith("pulumi:providers:")) {
        return `Provider(${type.slice("pulumi:providers:".length)})`;
    }
    return type.slice(type.lastIndexOf(":") + 1);
}

/** Resource counts by provider package (aws, kubernetes, random, …). */
export function countsByPackage(resources: readonly RecordedResource[]): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of resources) {
        if (r.custom) {
            const pkg = r.type.startsWith("pulumi:providers:") ? "providers" : r.type.split(":")[0];
            out[pkg] = (out[pkg] ?? 0) + 1;
        }
    }
    return out;
}
