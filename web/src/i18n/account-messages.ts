/**
 * UI text of account administration (teams, editing people, password resets) and of one's own
 * password. Merged into `en.ts` and `zh-CN.ts` (the `accounts` namespace), so `messages.test.ts`
 * holds both languages to the same keys and placeholders.
 */
const en = {
  accounts: {
    teams: {
      title: "Teams",
      intro:
        "Teams nest: a trainer or manager sees their team and every team below it.",
      name: "Team name",
      parent: "Inside",
      topLevel: "(top level)",
      create: "Add team",
      created: "Team “{{name}}” added.",
      rename: "Rename",
      save: "Save",
      cancel: "Cancel",
      people_one: "{{count}} person",
      people_other: "{{count}} people",
    },
    edit: {
      button: "Edit",
      title: "Edit {{name}}",
      save: "Save changes",
      saved: "Saved.",
      ownRole: "You cannot change your own role.",
    },
    reset: {
      button: "Reset password",
      confirmTitle: "Reset {{name}}’s password?",
      confirmBody:
        "Their current password stops working and they are signed out everywhere. You get a temporary password to pass on.",
      confirm: "Reset password",
      doneTitle: "Temporary password for {{name}}",
      doneBody:
        "Copy it now and give it to them in person or by chat; it will not be shown again. They change it under Settings → Password.",
      copy: "Copy",
      copied: "Copied",
      close: "Done",
    },
    password: {
      title: "Password",
      current: "Current password",
      next: "New password",
      repeat: "New password again",
      hint: "At least 10 characters. Your other sessions are signed out.",
      mismatch: "The two new passwords differ.",
      change: "Change password",
      changing: "Changing…",
      changed: "Password changed. Other sessions have been signed out.",
    },
  },
};

const zhCN: typeof en = {
  accounts: {
    teams: {
      title: "团队",
      intro: "团队可以嵌套：培训师或经理能看到自己的团队及其下所有团队。",
      name: "团队名称",
      parent: "上级团队",
      topLevel: "（顶层）",
      create: "添加团队",
      created: "已添加团队“{{name}}”。",
      rename: "重命名",
      save: "保存",
      cancel: "取消",
      people_one: "{{count}} 人",
      people_other: "{{count}} 人",
    },
    edit: {
      button: "编辑",
      title: "编辑 {{name}}",
      save: "保存修改",
      saved: "已保存。",
      ownRole: "不能修改自己的角色。",
    },
    reset: {
      button: "重置密码",
      confirmTitle: "重置 {{name}} 的密码？",
      confirmBody:
        "其当前密码将失效，并在所有设备上退出登录。你会得到一个临时密码，请转交给对方。",
      confirm: "重置密码",
      doneTitle: "{{name}} 的临时密码",
      doneBody:
        "请立即复制，并当面或通过聊天转交；此密码不会再次显示。对方可在“设置 → 密码”中修改。",
      copy: "复制",
      copied: "已复制",
      close: "完成",
    },
    password: {
      title: "密码",
      current: "当前密码",
      next: "新密码",
      repeat: "再次输入新密码",
      hint: "至少 10 个字符。你在其他设备上的登录会被退出。",
      mismatch: "两次输入的新密码不一致。",
      change: "修改密码",
      changing: "正在修改…",
      changed: "密码已修改，其他设备上的登录已退出。",
    },
  },
};

export const accountMessages = { en, "zh-CN": zhCN };
