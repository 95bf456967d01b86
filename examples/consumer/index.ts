// Entry point for `pulumi up` in this example project.
import { consumerProgram } from "./program";

export = consumerProgram();
