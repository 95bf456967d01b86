/**
 * A kubeconfig for an EKS cluster that authenticates with `aws eks get-token`
 * (the AWS CLI on the machine running Pulumi), so it holds no credentials itself.
 */

export interface EksKubeconfigArgs {
    readonly clusterName: string;
    readonly endpoint: string;
    /** Base64 certificate authority data of the cluster. */
    readonly certificateAuthority: string;
    readonly region: string;
    /** AWS CLI profile to get the token with; default: the CLI's default credentials. */
    readonly profile?: string;
    /** IAM role to assume for the token (`--role-arn`); default: none. */
    readonly roleArn?: string;
}

/** The kubeconfig as an object (serialise with JSON.stringify: the Kubernetes provider accepts JSON). */
export function eksKubeconfig(args: EksKubeconfigArgs): Record<string, unknown> {
    const name = args.clusterName;
    const command = ["eks", "get-token", "--cluster-name", name, "--region", args.region, "--output", "json"];
    if (args.roleArn !== undefined) {
        command.push("--role-arn", args.roleArn);
    }
    return {
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name, cluster: { server: args.endpoint, "certificate-authority-data": args.certificateAuthority } }],
        contexts: [{ name, context: { cluster: name, user: name } }],
        "current-context": name,
        users: [
            {
                name,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "aws",
                        args: command,
                        ...(args.profile === undefined ? {} : { env: [{ name: "AWS_PROFILE", value: args.profile }] }),
                        interactiveMode: "Never",
                    },
                },
            },
        ],
    };
}
