/** UI text for the LLM endpoint's state. Merged into `en.ts` and `zh-CN.ts` (the `llmStatus` namespace). */
const en = {
  llmStatus: {
    missing:
      "No LLM endpoint is configured, so prompt-set versions cannot run here. An admin adds one under Connectors (or sets OPENAI_BASE_URL and OPENAI_API_KEY in the server’s environment, see .env.example). The local engine needs none.",
    unavailable: "needs an LLM endpoint",
  },
};

const zhCN: typeof en = {
  llmStatus: {
    missing:
      "尚未配置 LLM 接口，因此这里无法运行提示词集版本。请管理员在“模型连接器”中添加一个（或在服务器环境中设置 OPENAI_BASE_URL 和 OPENAI_API_KEY，参见 .env.example）。本地引擎不需要它。",
    unavailable: "需要 LLM 接口",
  },
};

export const llmMessages = { en, "zh-CN": zhCN };
