/**
 * Capability-map shapes as the browser receives them (dates as strings), derived from the
 * server's types with `import type`.
 */
import type {
  CapabilityCell,
  CapabilityMap as ServerCapabilityMap,
} from "../../../../core/capability-map/capability-map.ts";
import type {
  CellCall as ServerCellCall,
  CellDecision as ServerCellDecision,
  CellDetail as ServerCellDetail,
  Page,
} from "../../../../core/capability-map/cell-detail.ts";
import type { WorkspaceEval as ServerWorkspaceEval } from "../../../../core/capability-map/eval-context.ts";
import type { MetricName } from "../../../../core/capability-map/metrics.ts";

export type { CapabilityCell, MetricName };

export type WorkspaceEval = Omit<ServerWorkspaceEval, "finishedAt"> & {
  finishedAt: string;
};

export type CapabilityMap = Omit<
  ServerCapabilityMap,
  "refreshedAt" | "workspaceEval" | "previousWorkspaceEval"
> & {
  refreshedAt: string | null;
  workspaceEval: WorkspaceEval | null;
  previousWorkspaceEval: WorkspaceEval | null;
};

export type CellCall = Omit<ServerCellCall, "uploadedAt" | "lastDraftedAt"> & {
  uploadedAt: string;
  lastDraftedAt: string;
};
export type CellDecision = Omit<ServerCellDecision, "decidedAt"> & {
  decidedAt: string;
};

export type CellDetail = Omit<ServerCellDetail, "calls" | "decisions"> & {
  calls: Page<CellCall>;
  decisions: Page<CellDecision>;
};

/** The metrics in the order the picker offers them (the server's `metricNames`). */
export const metricNames = [
  "penetration",
  "penetrationDecided",
  "interventionRate",
  "intentAccuracy",
  "medianResponseMs",
  "p90ResponseMs",
  "evalAccuracy",
  "agentInvocations",
  "aiCostUsd",
] as const satisfies readonly MetricName[];
