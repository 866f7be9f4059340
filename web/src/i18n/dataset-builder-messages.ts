/**
 * UI text of the dataset builder (Evals → Datasets → "Build from labels"). Merged into `en.ts` and
 * `zh-CN.ts` (the `datasetBuilder` namespace), so `messages.test.ts` checks both languages.
 */
const en = {
  datasetBuilder: {
    title: "Build a dataset from the trainers’ labels",
    intro:
      "Takes every intent label a trainer accepted or corrected, within what you may see, narrowed by the filters below.",
    name: "Dataset name",
    nameHint: "Letters, digits, dot, dash or underscore, e.g. sales-q3.",
    description: "Description",
    team: "Team",
    allTeams: "All teams you can see",
    stages: "Customer stages",
    allStages: "No stage ticked: every stage.",
    from: "Calls from",
    to: "Calls until",
    languages: "Language",
    language: { zh: "Chinese", en: "English" },
    decisions: "Decisions",
    decision: {
      accepted: "Accepted as drafted",
      overridden: "Corrected by a trainer",
    },
    outcome: "Customer outcome",
    anyOutcome: "Any, or none",
    kind: "What it holds",
    kinds: {
      intents: "Utterances with their intent labels",
      action_items: "Reviewed calls with their action-item decisions",
    },
    kindHint:
      "Reviewed calls: every call whose action items a trainer has all decided (accepted, edited, rejected or added); for evaluating the action-item agent. All of them are test cases.",
    previewCalls_one: "{{count}} reviewed call · action types expected: {{labels}}",
    previewCalls_other: "{{count}} reviewed calls · action types expected: {{labels}}",
    preview_one:
      "{{count}} labelled utterance · calls: {{recordings}} · intents: {{labels}}",
    preview_other:
      "{{count}} labelled utterances · calls: {{recordings}} · intents: {{labels}}",
    previewEmpty:
      "No reviewed labels match these filters yet: accept or correct some drafts in Review, or widen the filters.",
    previewing: "Counting…",
    topLabels: "Most frequent",
    small:
      "Fewer than 20 test cases will come out of this: an eval on it says little.",
    build: "Build dataset",
    building:
      "Building the dataset: collecting labels, splitting train and test…",
    built:
      "Dataset {{name}} v{{version}} is ready: {{train}} train, {{test}} test. Pick it in “New run”.",
  },
};

const zhCN: typeof en = {
  datasetBuilder: {
    title: "用培训师的标注构建数据集",
    intro:
      "收集培训师接受或修正过的所有意图标注（限于你可见的范围），再按下面的条件筛选。",
    name: "数据集名称",
    nameHint: "字母、数字、点、短横线或下划线，例如 sales-q3。",
    description: "说明",
    team: "团队",
    allTeams: "你可见的所有团队",
    stages: "客户阶段",
    allStages: "未勾选阶段：包含所有阶段。",
    from: "通话开始日期",
    to: "通话结束日期",
    languages: "语言",
    language: { zh: "中文", en: "英文" },
    decisions: "审核结果",
    decision: { accepted: "按草稿接受", overridden: "培训师修正过" },
    outcome: "客户结果",
    anyOutcome: "任意（含无结果）",
    kind: "内容",
    kinds: {
      intents: "语句及其意图标注",
      action_items: "已审核通话及其行动项决定",
    },
    kindHint:
      "已审核通话：培训师已决定其全部行动项（接受、编辑、拒绝或新增）的通话，用于评测行动项智能体。全部作为测试用例。",
    previewCalls_one: "{{count}} 通已审核通话 · 应有的行动类型：{{labels}} 种",
    previewCalls_other: "{{count}} 通已审核通话 · 应有的行动类型：{{labels}} 种",
    preview_one:
      "{{count}} 条已标注语句，来自 {{recordings}} 通通话，共 {{labels}} 个意图",
    preview_other:
      "{{count}} 条已标注语句，来自 {{recordings}} 通通话，共 {{labels}} 个意图",
    previewEmpty:
      "还没有符合这些条件的已审核标注：请先在“审核”中接受或修正一些草稿，或放宽筛选条件。",
    previewing: "正在统计…",
    topLabels: "最常见",
    small: "这样得到的测试用例少于 20 条：在它上面做评测意义不大。",
    build: "构建数据集",
    building: "正在构建数据集：收集标注，划分训练集和测试集…",
    built:
      "数据集 {{name}} v{{version}} 已就绪：训练 {{train}} 条，测试 {{test}} 条。可在“新建评测”中选择它。",
  },
};

export const datasetBuilderMessages = { en, "zh-CN": zhCN };
