/**
 * Every agent, one line each, in the order the pipeline panel lists them. Adding an agent is one
 * folder (`agents/<agent>/`: agent.json, agent.ts, labels.json, v1/) plus one line here.
 */
import { checkRegistry, type AgentKind } from "../core/agents/definition.ts";
import { actionItems } from "./action-items/agent.ts";
import { callSummary } from "./call-summary/agent.ts";
import { followUpEmail } from "./follow-up-email/agent.ts";
import { intentTagger } from "./intent-tagger/agent.ts";
import { talkTracks } from "./talk-tracks/agent.ts";

export const agentRegistry: readonly AgentKind<any>[] = [
  intentTagger,
  actionItems,
  talkTracks,
  callSummary,
  followUpEmail,
];

checkRegistry(agentRegistry);

/** Where the agents' prompt sets live (`<agent>/labels.json`, `<agent>/<version>/`), for the prompt-set loader. */
export const agentsDirectory = import.meta.dirname;
