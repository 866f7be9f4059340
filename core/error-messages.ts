/**
 * API error messages in the caller's language. Errors keep their stable `code`; this catalogue says
 * them in English and Chinese. An error that carries a `messageKey` (and params) is said exactly;
 * one without is said in English as thrown, or — for a Chinese caller — with its code's general
 * sentence, the English specifics kept beside it as `detail`. Add a message: a key here in both
 * languages, and `{ key, params }` where the error is thrown.
 */
export const errorLocales = ["en", "zh-CN"] as const;
export type ErrorLocale = (typeof errorLocales)[number];

type Catalogue = Record<string, Record<ErrorLocale, string>>;

/** One general sentence per error code. */
const byCode: Catalogue = {
  validation_failed: { en: "The request is not valid.", "zh-CN": "请求内容不正确。" },
  invalid_json: { en: "The request body is not valid JSON.", "zh-CN": "请求正文不是有效的 JSON。" },
  bad_request: { en: "The request is malformed.", "zh-CN": "请求格式不正确。" },
  unauthorized: { en: "Sign in first.", "zh-CN": "请先登录。" },
  forbidden: { en: "You may not do this.", "zh-CN": "你没有执行此操作的权限。" },
  not_found: { en: "Not found.", "zh-CN": "未找到。" },
  conflict: { en: "Someone changed this first, or it already exists.", "zh-CN": "内容已被他人修改，或已经存在。" },
  payload_too_large: { en: "The request body is too large.", "zh-CN": "请求内容过大。" },
  unprocessable: { en: "The content could not be used.", "zh-CN": "无法处理该内容。" },
  rate_limited: { en: "Too many requests. Wait a moment and try again.", "zh-CN": "请求过于频繁，请稍后再试。" },
  unavailable: { en: "A service is unavailable at the moment; try again shortly.", "zh-CN": "服务暂时不可用，请稍后再试。" },
  database_unavailable: {
    en: "The database is unreachable at the moment; try again in a few seconds.",
    "zh-CN": "数据库暂时无法连接，请几秒后重试。",
  },
  internal: { en: "Something went wrong on our side.", "zh-CN": "服务器出错了。" },
};

/** Specific messages: the ones people meet most (sign-in, uploads, imports), with `{params}`. */
const byKey: Catalogue = {
  "auth.sign_in_first": byCode.unauthorized!,
  "auth.wrong_password": { en: "Wrong e-mail or password.", "zh-CN": "邮箱或密码错误。" },
  "auth.invalid_token": { en: "The API token is invalid, expired or revoked.", "zh-CN": "API 令牌无效、已过期或已撤销。" },
  "auth.csrf": {
    en: "Missing or wrong X-CSRF-Token header; reload the page and try again.",
    "zh-CN": "缺少或错误的 X-CSRF-Token 请求头，请刷新页面后重试。",
  },
  "auth.role_needed": {
    en: "This needs the role {roles}; you are signed in as {role}.",
    "zh-CN": "此操作需要以下角色之一：{roles}；你当前的角色是{role}。",
  },
  "auth.sign_in_rate_limited": {
    en: "Too many sign-in attempts. Wait 15 minutes and try again.",
    "zh-CN": "登录尝试次数过多，请 15 分钟后再试。",
  },
  "traces.not_found": { en: "Trace not found.", "zh-CN": "未找到该调用追踪。" },
  "traces.invalid_cursor": { en: "The cursor is not one this list gave out.", "zh-CN": "分页游标无效。" },
  "connectors.not_found": { en: "Connector not found.", "zh-CN": "未找到该模型连接器。" },
  "connectors.name_taken": {
    en: "A connector named “{name}” already exists in this workspace.",
    "zh-CN": "此工作区已有名为“{name}”的模型连接器。",
  },
  "users.last_admin": {
    en: "This is the last active admin: make someone else an admin first.",
    "zh-CN": "这是最后一位在用的管理员：请先把另一位用户设为管理员。",
  },
  "users.current_password_wrong": { en: "The current password is wrong.", "zh-CN": "当前密码不正确。" },
  "users.password_unchanged": {
    en: "The new password is the same as the current one.",
    "zh-CN": "新密码与当前密码相同。",
  },
  "users.password_too_short": {
    en: "A password needs at least {minimum} characters.",
    "zh-CN": "密码至少需要 {minimum} 个字符。",
  },
  "teams.name_taken": {
    en: 'A team named "{name}" already exists here.',
    "zh-CN": "这里已经有名为“{name}”的团队。",
  },
  "vocabulary.retire_in_use": {
    en: '"{id}" labels {count} item(s): choose which entry those labels move to before retiring it.',
    "zh-CN": "“{id}”已用于 {count} 条标注：停用前请选择这些标注改归哪一项。",
  },
  "vocabulary.changed": {
    en: "Someone else saved this list after you opened it. It has been reloaded: check their change, then save yours again.",
    "zh-CN": "在你打开之后，其他人已保存了此列表。列表已重新加载：请查看他们的修改后再次保存你的修改。",
  },
  "vocabulary.mapping_not_retired": {
    en: '"{id}" is not being retired, so it cannot be mapped.',
    "zh-CN": "“{id}”没有被停用，不能设置改归。",
  },
  "vocabulary.mapping_target_missing": {
    en: '"{id}" can only be mapped to an entry that stays, not "{target}".',
    "zh-CN": "“{id}”只能改归到保留的条目，不能改归到“{target}”。",
  },
  "route.not_found": { en: "No route for {method} {path}", "zh-CN": "没有 {method} {path} 这个接口。" },
  "request.invalid_body": { en: "Invalid request body", "zh-CN": "请求正文不正确" },
  "request.invalid_query": { en: "Invalid query string", "zh-CN": "查询参数不正确" },
  "request.invalid_path": { en: "Invalid path", "zh-CN": "路径参数不正确" },
  "upload.not_multipart": {
    en: 'Send the file as multipart/form-data with a part named "file".',
    "zh-CN": "请以 multipart/form-data 格式发送文件，文件字段名为 \"file\"。",
  },
  "upload.malformed_multipart": {
    en: "Malformed multipart request. File names must not contain control characters.",
    "zh-CN": "multipart 请求格式不正确。文件名不能包含控制字符。",
  },
  "upload.no_file": { en: 'The request has no file part named "file".', "zh-CN": "请求中没有名为 \"file\" 的文件。" },
  "upload.one_file": { en: "Send one file per request.", "zh-CN": "每次请求只能上传一个文件。" },
  "upload.cut_off": { en: "The upload was cut off before it ended.", "zh-CN": "上传在完成前被中断。" },
  "upload.file_no_name": { en: "The file has no name.", "zh-CN": "文件没有名称。" },
  "upload.file_path_separator": { en: 'The file name "{name}" contains a path separator.', "zh-CN": "文件名“{name}”包含路径分隔符。" },
  "upload.file_control_characters": { en: "The file name contains control characters.", "zh-CN": "文件名包含控制字符。" },
  "upload.file_not_a_name": { en: "That is not a file name.", "zh-CN": "这不是有效的文件名。" },
  "upload.file_name_too_long": { en: "The file name is longer than 255 characters.", "zh-CN": "文件名超过 255 个字符。" },
  "upload.unknown_stage": {
    en: 'Unknown customer stage "{stage}"; use one of: {stages}.',
    "zh-CN": "未知的客户阶段“{stage}”；可选：{stages}。",
  },
  "upload.too_large": { en: "The file is larger than the limit of {limit}.", "zh-CN": "文件超过了 {limit} 的大小上限。" },
  "upload.transcript_too_large": { en: "A transcript file may be at most {limit}.", "zh-CN": "转写文件最大为 {limit}。" },
  "upload.empty": { en: "The file is empty.", "zh-CN": "文件是空的。" },
  "upload.not_audio": {
    en: "The file is not a recognised audio file (it may be corrupt, truncated or another kind of file renamed).",
    "zh-CN": "无法识别为音频文件（可能已损坏、不完整，或是改了扩展名的其他文件）。",
  },
  "upload.no_audio_stream": { en: "The file contains no audio stream.", "zh-CN": "文件中没有音频流。" },
  "upload.zero_length": { en: "The file contains no audio (zero length).", "zh-CN": "文件中没有音频（时长为 0）。" },
  "upload.too_short": {
    en: "The audio is too short ({duration}; the minimum is {minimum}).",
    "zh-CN": "音频太短（{duration}，最短需要 {minimum}）。",
  },
  "upload.too_long": {
    en: "The recording is {duration} long; the maximum is {maximum}.",
    "zh-CN": "录音时长为 {duration}，最长允许 {maximum}。",
  },
  "upload.truncated": {
    en: "The WAV file is truncated: its header declares {declared} of audio but only {present} is present. Upload the complete file.",
    "zh-CN": "WAV 文件不完整：文件头声明 {declared} 的音频，实际只有 {present}。请上传完整文件。",
  },
  "upload.consent": {
    en: "Confirm that the customer agreed to the recording; uploads without consent are refused.",
    "zh-CN": "请确认客户已同意录音；未经同意的上传会被拒绝。",
  },
  "upload.stage": { en: "Choose the customer stage.", "zh-CN": "请选择客户阶段。" },
  "recording.no_audio": {
    en: "This recording has no audio (it was imported as a transcript).",
    "zh-CN": "这条录音没有音频（它是以转写文件导入的）。",
  },
  "import.not_utf8": {
    en: "The transcript is not UTF-8 text. Export it as UTF-8 (WebVTT, SRT, text or JSON).",
    "zh-CN": "转写文件不是 UTF-8 文本。请以 UTF-8 导出（WebVTT、SRT、纯文本或 JSON）。",
  },
  "import.no_text": { en: "The {format} transcript contains no text.", "zh-CN": "该 {format} 转写文件中没有文字。" },
  "import.line": { en: "line {line}: {problem}", "zh-CN": "第 {line} 行：{problem}" },
};

/** The language to answer in: the first supported one in `Accept-Language`, else the user's, else English. */
export function pickErrorLocale(acceptLanguage: string | undefined, userLocale?: string | null): ErrorLocale {
  const ranked = (acceptLanguage ?? "")
    .split(",")
    .map((part, index) => {
      const [tag = "", ...parameters] = part.trim().split(";");
      const q = parameters.map((parameter) => /^\s*q=([\d.]+)\s*$/.exec(parameter)?.[1]).find(Boolean);
      return { tag: tag.trim().toLowerCase(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.tag && entry.q > 0)
    .sort((left, right) => right.q - left.q || left.index - right.index);
  for (const { tag } of ranked) {
    if (tag === "zh" || tag.startsWith("zh-")) return "zh-CN";
    if (tag === "en" || tag.startsWith("en-")) return "en";
  }
  return userLocale === "zh-CN" ? "zh-CN" : "en";
}

// Role names as the UI says them (web/src/i18n): `{role}` is one role id, `{roles}` ids joined by ",".
const roleNames: Record<ErrorLocale, Record<string, string>> = {
  en: { rep: "rep", trainer: "trainer", manager: "manager", admin: "admin" },
  "zh-CN": { rep: "销售代表", trainer: "培训师", manager: "经理", admin: "管理员" },
};
const listSeparator: Record<ErrorLocale, string> = { en: " or ", "zh-CN": "、" };

function format(template: string, locale: ErrorLocale, params: Record<string, string | number> = {}): string {
  const roleName = (id: string) => roleNames[locale][id] ?? id;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    if (!(name in params)) return whole;
    const value = String(params[name]);
    if (name === "role") return roleName(value);
    if (name === "roles") return value.split(",").map(roleName).join(listSeparator[locale]);
    return value;
  });
}

export interface LocalisedMessage {
  message: string;
  /** The thrown English message, when the catalogue had only its code's general sentence. */
  detail?: string;
}

/** Says one error in `locale`. */
export function localiseError(
  error: { code: string; message: string; messageKey?: string; messageParams?: Record<string, string | number> },
  locale: ErrorLocale,
): LocalisedMessage {
  const specific = error.messageKey ? (byKey[error.messageKey] ?? byCode[error.messageKey]) : undefined;
  if (specific) return { message: format(specific[locale], locale, error.messageParams) };
  if (locale === "en") return { message: error.message };
  const general = byCode[error.code];
  if (!general) return { message: error.message };
  return { message: general[locale], detail: error.message };
}

const keyOfEnglish = new Map(Object.values({ ...byCode, ...byKey }).map((entry) => [entry.en, entry]));

/**
 * An English sentence that is exactly a catalogue entry (a schema's own message, such as the consent
 * rule) said in `locale`; any other text as it is.
 */
export function translateKnownMessage(message: string, locale: ErrorLocale): string {
  return keyOfEnglish.get(message)?.[locale] ?? message;
}

/** Says a message from the catalogue by key (for answers built outside an error, such as 404 for no route). */
export function catalogueMessage(key: string, locale: ErrorLocale, params?: Record<string, string | number>): string {
  const entry = byKey[key] ?? byCode[key];
  return entry ? format(entry[locale], locale, params) : key;
}

/** Every key, for the test that both languages say each one. */
export const catalogueKeys = { byCode: Object.keys(byCode), byKey: Object.keys(byKey) };
export const catalogueEntry = (key: string) => byKey[key] ?? byCode[key];
