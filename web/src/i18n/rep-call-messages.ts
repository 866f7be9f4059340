/**
 * UI text of the rep's call page ("My call"): summary, action items, talk tracks, follow-up e-mail,
 * exports and the "call ready" notice. Merged into `en.ts` and `zh-CN.ts` (the `repCall`
 * namespace), so `messages.test.ts` holds both languages to the same keys and placeholders.
 */
const en = {
  repCall: {
    readyNotice_one: "“{{title}}” is ready: {{count}} draft to confirm.",
    readyNotice_other: "“{{title}}” is ready: {{count}} drafts to confirm.",
    open: "Open",
    myCalls: "My calls",
    mapSplit:
      "Calibrated by the calls' reps: {{rep}} items ({{repRate}} corrected or rejected) · by trainers: {{trainer}} items ({{trainerRate}}).",
    toConfirm_one: "{{count}} draft to confirm",
    toConfirm_other: "{{count}} drafts to confirm",
    allConfirmed: "All confirmed",
    noDraft: "No drafts for this call.",
    actionItems: "Action items",
    noActionItems: "No action items were drafted. Add one if the call agreed on a next step.",
    talkTracks: "Talk tracks for the next conversation",
    talkTracksHint:
      "Suggested answers for the moments where the customer objected, asked or hesitated.",
    noTalkTracks: "No talk tracks for this call.",
    accept: "Confirm",
    edit: "Edit",
    reject: "Reject",
    added: "Added by you",
    addItem: "Add an action item",
    add: {
      title: "Add a missing action item",
      utterance: "From utterance no.",
      utteranceRange: "Pick an utterance from 1 to {{count}}.",
    },
    exports: {
      calendar: "Calendar (.ics)",
      csv: "CSV",
      nothingDated: "No action item has a due date yet: nothing to put in a calendar.",
    },
    summary: {
      title: "Summary",
      source: "From the draft of: {{engine}} · {{model}}",
      localNote:
        "Put together on this server from the drafted intents and action items — not written by an AI agent.",
      raised: "What the customer raised",
      nothingRaised: "Nothing stood out in the customer's words.",
      nextSteps: "Next steps",
      noNextSteps: "No next steps yet.",
      unconfirmed: "not confirmed yet",
      talkTracks_one: "{{count}} talk track for the next conversation.",
      talkTracks_other: "{{count}} talk tracks for the next conversation.",
    },
    email: {
      title: "Follow-up e-mail",
      template: "Template",
      templateNote:
        "Filled in from a template with the confirmed and open action items, in the call's language. Read it before sending.",
      subject: "Subject:",
      copy: "Copy e-mail",
      open: "Open in mail app",
      copied: "Follow-up e-mail copied.",
      copyFailed: "The e-mail could not be copied; select the text and copy it by hand.",
    },
  },
};

export type RepCallMessages = typeof en;

const zhCN: RepCallMessages = {
  repCall: {
    readyNotice_one: "“{{title}}”已就绪：{{count}} 条草稿待确认。",
    readyNotice_other: "“{{title}}”已就绪：{{count}} 条草稿待确认。",
    open: "打开",
    myCalls: "我的通话",
    mapSplit: "由通话销售校准：{{rep}} 条（修改或拒绝 {{repRate}}）· 由训练师校准：{{trainer}} 条（{{trainerRate}}）。",
    toConfirm_one: "{{count}} 条草稿待确认",
    toConfirm_other: "{{count}} 条草稿待确认",
    allConfirmed: "已全部确认",
    noDraft: "这通电话没有草稿。",
    actionItems: "行动项",
    noActionItems: "没有生成行动项。如果通话中约定了下一步，请补充一条。",
    talkTracks: "下次沟通的话术",
    talkTracksHint: "针对客户提出异议、提问或犹豫时的建议回答。",
    noTalkTracks: "这通电话没有话术建议。",
    accept: "确认",
    edit: "修改",
    reject: "拒绝",
    added: "由你补充",
    addItem: "补充行动项",
    add: {
      title: "补充遗漏的行动项",
      utterance: "来自第几句",
      utteranceRange: "请选择第 1 到 {{count}} 句之间的一句。",
    },
    exports: {
      calendar: "日历（.ics）",
      csv: "CSV 表格",
      nothingDated: "还没有带截止日期的行动项，无法导出到日历。",
    },
    summary: {
      title: "通话摘要",
      source: "依据草稿：{{engine}} · {{model}}",
      localNote: "由本服务器根据草稿中的意图和行动项整理而成，并非 AI 智能体撰写。",
      raised: "客户提到的问题",
      nothingRaised: "客户的发言中没有突出的问题。",
      nextSteps: "下一步",
      noNextSteps: "暂无下一步。",
      unconfirmed: "尚未确认",
      talkTracks_one: "下次沟通有 {{count}} 条话术建议。",
      talkTracks_other: "下次沟通有 {{count}} 条话术建议。",
    },
    email: {
      title: "跟进邮件",
      template: "模板",
      templateNote: "根据已确认和待确认的行动项按模板生成，使用通话语言。发送前请先阅读。",
      subject: "主题：",
      copy: "复制邮件",
      open: "在邮件应用中打开",
      copied: "跟进邮件已复制。",
      copyFailed: "无法复制邮件，请手动选中文字复制。",
    },
  },
};

export const repCallMessages = { en, "zh-CN": zhCN };
