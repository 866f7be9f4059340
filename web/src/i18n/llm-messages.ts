/** UI text for the LLM endpoint's state. Merged into `en.ts` and `zh-CN.ts` (the `llmStatus` namespace). */
const en = {
  llmStatus: {
    missing:
      "No LLM endpoint is configured, so prompt-set versions cannot run here. Set OPENAI_BASE_URL (and OPENAI_API_KEY) in the server’s environment — see .env.example — and restart Calibrate. The local engine needs none.",
    unavailable: "needs an LLM endpoint",
  },
};

const zhCN: typeof en = {
  llmStatus: {
    missing:
      "尚未配置 LLM 接口，因此这里无法运行提示词集版本。请在服务器环境中设置 OPENAI_BASE_URL（以及 OPENAI_API_KEY，参见 .env.example），然后重启 Calibrate。本地引擎不需要它。",
    unavailable: "需要 LLM 接口",
  },
};

export const llmMessages = { en, "zh-CN": zhCN };
