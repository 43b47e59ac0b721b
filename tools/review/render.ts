/** How a review reads: plain text for a terminal, markdown for a pull-request comment. */
import { Violation } from "../../policy/evaluate";
import { Action, Change } from "./diff";

export interface StackReview {
  stack: string;
  changes: Change[];
  /** Monthly USD of each side's plan, null where the plan has no cost. */
  cost: { base: number | null; head: number | null };
  violations: { base: Violation[]; head: Violation[] };
  /** The head's Mermaid flowchart, for markdown. */
  diagram?: string;
}

export interface Report {
  base: string;
  baseCommit: string;
  head: string;
  reviews: StackReview[];
}

const ACTIONS: Action[] = ["create", "update", "replace", "delete"];
const SYMBOL: Record<Action, string> = { create: "+", update: "~", replace: "+-", delete: "-" };

function value(v: unknown): string {
  return v === undefined ? "(none)" : typeof v === "string" ? v : JSON.stringify(v);
}

function usd(amount: number | null): string {
  return amount === null ? "n/a" : `$${amount.toFixed(2)}`;
}

export function costDelta(cost: StackReview["cost"]): string {
  if (cost.base === null || cost.head === null) return `${usd(cost.base)} -> ${usd(cost.head)}`;
  const delta = cost.head - cost.base;
  return `${usd(cost.base)} -> ${usd(cost.head)} (${delta >= 0 ? "+" : "-"}$${Math.abs(delta).toFixed(2)}/month)`;
}

function mandatory(violations: Violation[]): number {
  return violations.filter((v) => v.enforcementLevel === "mandatory").length;
}

function counts(changes: Change[]): string {
  const parts = ACTIONS.map((a) => [a, changes.filter((c) => c.action === a).length] as const)
    .filter(([, n]) => n > 0)
    .map(([a, n]) => `${n} to ${a}`);
  return parts.length ? parts.join(", ") : "no changes";
}

function changeLines(change: Change): string[] {
  const lines = [`${SYMBOL[change.action]} ${change.action} ${change.urn}`];
  if (change.previousUrn) lines.push(`    was ${change.previousUrn}`);
  for (const input of change.inputs) {
    const forces = change.replaceBecause.includes(input.path) ? "  (forces replacement)" : "";
    lines.push(`    ${input.path}: ${value(input.old)} -> ${value(input.new)}${forces}`);
  }
  for (const danger of change.danger) lines.push(`    DANGER: ${danger}`);
  return lines;
}

export function renderText(report: Report): string {
  const lines = [`Offline review: base ${report.base} (${report.baseCommit.slice(0, 12)}) -> ${report.head}`];
  for (const review of report.reviews) {
    const dangers = review.changes.reduce((n, c) => n + c.danger.length, 0);
    lines.push(
      "",
      `Stack ${review.stack}: ${counts(review.changes)}; ${dangers} danger(s); cost ${costDelta(review.cost)}; mandatory violations ${mandatory(review.violations.base)} -> ${mandatory(review.violations.head)}`,
    );
    for (const change of review.changes) lines.push(...changeLines(change).map((l) => `  ${l}`));
  }
  return lines.join("\n");
}

const COMMENT_MARKER = "<!-- flink-pipeline-review -->";

export function renderMarkdown(report: Report): string {
  const lines = [
    COMMENT_MARKER,
    `## Offline review`,
    "",
    `Base \`${report.base}\` (\`${report.baseCommit.slice(0, 12)}\`) → ${report.head}. No cloud credentials were used.`,
    "",
    "| stack | create | update | replace | delete | dangers | monthly cost | mandatory violations |",
    "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
  ];
  for (const review of report.reviews) {
    const n = (a: Action) => review.changes.filter((c) => c.action === a).length;
    const dangers = review.changes.reduce((sum, c) => sum + c.danger.length, 0);
    lines.push(
      `| ${review.stack} | ${n("create")} | ${n("update")} | ${n("replace")} | ${n("delete")} | ${dangers ? `**${dangers}** ⚠️` : "0"} | ${costDelta(review.cost)} | ${mandatory(review.violations.base)} → ${mandatory(review.violations.head)} |`,
    );
  }
  for (const review of report.reviews) {
    lines.push("", `### ${review.stack}`, "");
    const dangerous = review.changes.filter((c) => c.danger.length > 0);
    for (const change of dangerous)
      for (const danger of change.danger)
        lines.push(
          `- ⚠️ **${change.action} \`${change.urn.split("::").pop()}\`** (${change.type}): ${danger}`,
        );
    if (review.changes.length === 0) lines.push("No changes.");
    else
      lines.push(
        "",
        "<details><summary>Changes</summary>",
        "",
        "```diff",
        ...review.changes.flatMap(changeLines),
        "```",
        "",
        "</details>",
      );
    if (review.diagram)
      lines.push(
        "",
        "<details><summary>Diagram (head)</summary>",
        "",
        "```mermaid",
        review.diagram,
        "```",
        "",
        "</details>",
      );
  }
  return lines.join("\n");
}
