/** UI text of the recordings search. Merged into `en.ts` and `zh-CN.ts` (the `recordingSearch` namespace). */
const en = {
  recordingSearch: {
    label: "Search calls",
    placeholder: "Title, customer, rep or words said…",
    noMatch: "No call matches “{{search}}”.",
  },
};

const zhCN: typeof en = {
  recordingSearch: {
    label: "搜索通话",
    placeholder: "标题、客户、销售或通话中的词语…",
    noMatch: "没有与“{{search}}”匹配的通话。",
  },
};

export const searchMessages = { en, "zh-CN": zhCN };
