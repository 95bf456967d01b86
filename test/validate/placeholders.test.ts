import { strict as assert } from "node:assert";
import * as infra from "../../infra/placeholders";
import { placeholderReason } from "../../policies/rules/aws";
import { DOCUMENTATION_CIDRS, inDocumentationRange, PLACEHOLDER_ACCOUNT_IDS, placeholderFinding } from "../../policies/validate/placeholders";

describe("documentation placeholders (policies/validate/placeholders.ts, one list for the pack and the infra program)", () => {
    it("finds documentation accounts in ARNs and documentation ranges in CIDRs, and nothing else", () => {
        assert.deepEqual(placeholderFinding("arn:aws:iam::123456789012:role/x"), {
            kind: "account",
            account: "123456789012",
            reason: "arn:aws:iam::123456789012:role/x is in account 123456789012, an AWS documentation example",
        });
        assert.equal(placeholderFinding("198.51.100.0/24")?.kind, "cidr");
        assert.equal(placeholderFinding("198.51.100.7/32")?.kind, "cidr");
        assert.equal(placeholderFinding("198.51.0.0/16"), undefined, "a wider range is not inside a documentation /24");
        assert.equal(placeholderFinding("arn:aws:iam::210987654321:role/x"), undefined);
        assert.equal(placeholderFinding("10.0.0.0/16"), undefined);
        assert.ok(!inDocumentationRange("not a cidr"));
    });

    it("is the list both the infra program and rule aws-placeholder-values use", () => {
        assert.equal(infra.PLACEHOLDER_ACCOUNT_IDS, PLACEHOLDER_ACCOUNT_IDS);
        assert.equal(infra.DOCUMENTATION_CIDRS, DOCUMENTATION_CIDRS);
        assert.equal(DOCUMENTATION_CIDRS.length, 3);
        assert.deepEqual(infra.placeholderIssues({ a: ["203.0.113.0/24"] }), [
            "a[0]: 203.0.113.0/24 is an RFC 5737 documentation range, not routed on the internet; use your operators' or clients' CIDRs",
        ]);
        assert.equal(
            placeholderReason("203.0.113.0/24"),
            "203.0.113.0/24 is an RFC 5737 documentation range, not routed on the internet (an API endpoint limited to it locks everyone out)",
        );
    });
});
