/**
 * UI text of the taxonomy and action-catalogue editor. Merged into `en.ts` and `zh-CN.ts` (the
 * `taxonomy` namespace), so `messages.test.ts` holds both languages to the same keys.
 */
const en = {
  taxonomy: {
    navigation: "Taxonomy",
    title: "Intents and sales actions",
    intro:
      "What the drafters label: the intents a customer utterance can have, and the atomised sales actions an action item can be. Trainers and admins edit; every change is saved at once.",
    readOnly: "You can read the taxonomy; trainers and admins change it.",
    defaults:
      "This workspace uses Calibrate’s defaults. Your first change copies them into the workspace, so later default updates do not alter it.",
    tabs: {
      label: "What to edit",
      intents: "Intents",
      actions: "Sales actions",
    },
    columns: {
      id: "Code",
      english: "English name",
      chinese: "Chinese name",
      description: "Description",
      fields: "Fields",
      examples: "Examples",
      usage: "Labels",
      actions: "Actions",
    },
    noFit: {
      title: "Utterances that fit no intent",
      count_one: "{{count}} utterance fits no intent.",
      count_other: "{{count}} utterances fit no intent.",
      hint: "Trainers marked them “None of these fits” in review; if several say the same thing, add an intent for it.",
      queue: "Review likely new intents",
      drafted: "drafted as {{intent}}",
    },
    usage_one: "{{count}} label",
    usage_other: "{{count}} labels",
    unused: "unused",
    addIntent: "Add intent",
    addAction: "Add sales action",
    edit: "Edit",
    retire: "Retire",
    saved: "Saved.",
    retrainNote: "Saved. The local model is retraining on the new intents.",
    form: {
      addIntentTitle: "New intent",
      addActionTitle: "New sales action",
      editTitle: "Edit {{name}}",
      id: "Code",
      idHint:
        "Lower-case letters, digits and _; it cannot change later (labels store it).",
      english: "English name",
      chinese: "Chinese name",
      description: "Description",
      fields: "Fields the action item records",
      fieldNames: {
        owner: "Owner",
        dueDate: "Due date",
        customer: "Customer",
        notes: "Notes",
      },
      examplesEnglish: "English examples (one per line)",
      examplesChinese: "Chinese examples (one per line)",
      save: "Save",
      saving: "Saving…",
    },
    retireDialog: {
      title: "Retire {{name}}?",
      unused: "Nothing is labelled with it yet; it simply leaves the list.",
      used_one:
        "{{count}} stored label uses it. Choose where it moves: it is relabelled, so no trainer’s work is lost and the model never learns a class that no longer exists.",
      used_other:
        "{{count}} stored labels use it. Choose where they move: they are relabelled, so no trainer’s work is lost and the model never learns a class that no longer exists.",
      moveTo: "Move its labels to",
      choose: "Choose…",
      confirm: "Retire",
      done_one: "{{name}} retired; {{count}} label moved.",
      done_other: "{{name}} retired; {{count}} labels moved.",
    },
  },
};

const zhCN: typeof en = {
  taxonomy: {
    navigation: "意图体系",
    title: "意图与销售动作",
    intro:
      "起草引擎标注的内容：客户语句可能的意图，以及行动项可归入的原子化销售动作。培训师和管理员可以编辑，每次修改立即保存。",
    readOnly: "你可以查看意图体系；培训师和管理员可以修改。",
    defaults:
      "此工作区正在使用 Calibrate 的默认设置。第一次修改会把默认内容复制到工作区，之后默认内容的更新不会影响它。",
    tabs: { label: "编辑内容", intents: "意图", actions: "销售动作" },
    columns: {
      id: "代码",
      english: "英文名称",
      chinese: "中文名称",
      description: "说明",
      fields: "字段",
      examples: "示例",
      usage: "标注",
      actions: "操作",
    },
    usage_one: "{{count}} 条标注",
    usage_other: "{{count}} 条标注",
    unused: "未使用",
    addIntent: "添加意图",
    addAction: "添加销售动作",
    edit: "编辑",
    retire: "停用",
    saved: "已保存。",
    retrainNote: "已保存。本地模型正在按新的意图重新训练。",
    form: {
      addIntentTitle: "新意图",
      addActionTitle: "新销售动作",
      editTitle: "编辑 {{name}}",
      id: "代码",
      idHint: "小写字母、数字和下划线；保存后不能修改（标注中存的是它）。",
      english: "英文名称",
      chinese: "中文名称",
      description: "说明",
      fields: "行动项记录的字段",
      fieldNames: {
        owner: "负责人",
        dueDate: "截止日期",
        customer: "客户",
        notes: "备注",
      },
      examplesEnglish: "英文示例（每行一条）",
      examplesChinese: "中文示例（每行一条）",
      save: "保存",
      saving: "正在保存…",
    },
    noFit: {
      title: "不属于任何意图的话语",
      count_one: "有 {{count}} 句话不属于任何意图。",
      count_other: "有 {{count}} 句话不属于任何意图。",
      hint: "培训师在审核中把它们标为“都不合适”；如果几句说的是同一件事，就为它添加一个意图。",
      queue: "审核可能的新意图",
      drafted: "草稿意图：{{intent}}",
    },
    retireDialog: {
      title: "停用“{{name}}”？",
      unused: "还没有任何标注使用它，停用后它直接从列表中移除。",
      used_one:
        "已有 {{count}} 条标注使用它。请选择改归到哪一项：这些标注会被改标，培训师的工作不会丢失，模型也不会学习已不存在的类别。",
      used_other:
        "已有 {{count}} 条标注使用它。请选择改归到哪一项：这些标注会被改标，培训师的工作不会丢失，模型也不会学习已不存在的类别。",
      moveTo: "把标注改归到",
      choose: "请选择…",
      confirm: "停用",
      done_one: "已停用“{{name}}”，{{count}} 条标注已改归。",
      done_other: "已停用“{{name}}”，{{count}} 条标注已改归。",
    },
  },
};

export const taxonomyMessages = { en, "zh-CN": zhCN };
