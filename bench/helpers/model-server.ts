/**
 * The local OpenAI-compatible server answering every agent (tests/support/agent-model.ts), in a
 * process of its own: a benchmark that measures its own process's CPU time must not count the
 * model's. Prints `{"baseUrl": …, "apiKey": …}` on one line, then serves until stdin closes.
 */
import { agentModel } from "../../tests/support/agent-model.ts";
import { startOpenAiCompatibleServer } from "../../tests/support/openai-compatible-server.ts";

const server = await startOpenAiCompatibleServer({ fallback: agentModel(new Map()) });
console.log(JSON.stringify({ baseUrl: server.baseUrl, apiKey: server.apiKey }));
process.stdin.resume();
process.stdin.on("end", () => void server.close().then(() => process.exit(0)));
