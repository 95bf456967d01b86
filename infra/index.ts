// Entry point for `pulumi up` / `pulumi preview` (Pulumi.yaml: main: infra/).
// The exported object becomes the stack's outputs.
import { program } from "./program";

export = program();
