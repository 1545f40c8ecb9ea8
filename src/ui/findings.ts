import type { Finding } from "../domain/rules.js";
import type { Output } from "./output.js";

/** Warnings about the Model Catalogue settings, each with its suggested fix. */
export function reportFindings(output: Output, findings: readonly Finding[]): void {
  for (const finding of findings) {
    output.warn(`${finding.variable}: ${finding.message}`);
    if (finding.suggestion) output.hint(`suggested: ${finding.suggestion}`);
  }
}
