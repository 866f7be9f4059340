/**
 * The follow-up e-mail, composed from a template (no language model): a greeting, thanks, the
 * standing action items as numbered next steps (with owner and due date), a closing and the rep's
 * name, in the call's language. An LLM agent can write a better one later; until then the UI says
 * plainly that this is a template. Rejected items are left out; pending ones are in (the rep sees
 * the draft before sending it).
 */
import type { FollowUpActionItem, Language } from "./follow-up-item.ts";

export interface FollowUpEmailInput {
  language: Language;
  /** Call date, YYYY-MM-DD, or null. */
  callDate: string | null;
  customer: string | null;
  repName: string;
  items: readonly FollowUpActionItem[];
}

export interface FollowUpEmail {
  subject: string;
  body: string;
  /** "template" when composed here; "agent" when the follow-up e-mail agent (an LLM) wrote it. */
  source: "template" | "agent";
}

function zhDate(isoDate: string): string {
  const [year, month, day] = isoDate.split("-").map(Number);
  return `${year}年${month}月${day}日`;
}

function enDate(isoDate: string): string {
  const [year, month, day] = isoDate.split("-").map(Number);
  const months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
  return `${day} ${months[month - 1]} ${year}`;
}

/** Drafting engines name owners by speaker role; the e-mail names people. */
function ownerName(owner: string | null, input: FollowUpEmailInput): string | null {
  const role = owner?.toLowerCase();
  if (role === "agent" || role === "rep") return input.repName;
  if (role === "customer") return input.language === "zh" ? "您" : "you";
  return owner;
}

function itemName(item: FollowUpActionItem, language: Language): string {
  return item.typeName ? item.typeName[language] : "";
}

export function composeFollowUpEmail(input: FollowUpEmailInput): FollowUpEmail {
  const customer = input.customer?.trim() || null;
  const items = input.items.filter((item) => item.status !== "rejected" && item.title.trim() !== "");
  if (input.language === "zh") {
    const steps = items.map((item, index) => {
      const owner = ownerName(item.owner, input);
      const details = [owner ? `负责人：${owner}` : null, item.dueDate ? `截止：${zhDate(item.dueDate)}` : null].filter(Boolean);
      const name = itemName(item, "zh");
      return `${index + 1}. ${item.title}${name ? `（${name}）` : ""}${details.length ? ` — ${details.join("，")}` : ""}`;
    });
    return {
      subject: input.callDate ? `通话跟进：${zhDate(input.callDate)}沟通要点与后续安排` : "通话跟进：沟通要点与后续安排",
      body: [
        customer ? `${customer}，您好：` : "您好：",
        "",
        "感谢您抽出时间与我沟通。" + (steps.length ? "根据我们的讨论，后续安排如下：" : "我会尽快与您确认后续安排。"),
        ...(steps.length ? ["", ...steps] : []),
        "",
        "如有遗漏或需要调整，请随时告诉我。",
        "",
        "祝好！",
        input.repName,
      ].join("\n"),
      source: "template",
    };
  }
  const steps = items.map((item, index) => {
    const owner = ownerName(item.owner, input);
    const details = [owner ? `owner: ${owner}` : null, item.dueDate ? `by ${enDate(item.dueDate)}` : null].filter(Boolean);
    const name = itemName(item, "en");
    return `${index + 1}. ${item.title}${name ? ` (${name})` : ""}${details.length ? ` — ${details.join(", ")}` : ""}`;
  });
  return {
    subject: input.callDate ? `Follow-up on our call of ${enDate(input.callDate)}` : "Follow-up on our call",
    body: [
      customer ? `Hi ${customer},` : "Hi,",
      "",
      "Thank you for your time. " + (steps.length ? "As discussed, here are the next steps:" : "I will be in touch shortly with the next steps."),
      ...(steps.length ? ["", ...steps] : []),
      "",
      "Please let me know if I missed anything or if anything should change.",
      "",
      "Best regards,",
      input.repName,
    ].join("\n"),
    source: "template",
  };
}
