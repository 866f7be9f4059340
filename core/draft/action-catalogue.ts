/**
 * The default atomised sales-action catalogue ("销售动作原子化"): the smallest follow-up actions
 * an agent should recognise in a call. A workspace stores its own editable copy; every copy passes
 * `parseActionCatalogue` before it is stored or used.
 *
 * The example phrasings are not decoration: the local engine recognises actions by similarity to
 * them, and the LLM engine shows them as few-shot hints. Good examples are whole commitments as
 * a rep or customer would say them on a call, varied in wording, in both languages, and they
 * avoid words that belong to another entry (a phrase like "发给您" belongs to many entries and
 * helps none).
 */
import { z } from "zod";
import { ValidationError } from "../errors.ts";
import { actionTypeSchema, type ActionType } from "./schema.ts";
import { duplicateIssues, issuesFromZod, type ValidationIssue } from "./taxonomy.ts";

export const maximumActionTypeCount = 100;

// `owners`: the rep's own steps say ["agent"]; a customer can also send documents and return a
// signed contract, so those two are open to either.

export const defaultActionCatalogue: ActionType[] = [
  {
    id: "send_comparison_sheet",
    name: { en: "Send product comparison sheet", zh: "发送产品对比表" },
    fields: ["owner", "dueDate", "customer"],
    owners: ["agent"],
    examples: {
      zh: [
        "我明天把对比表发给您",
        "我整理一份我们和竞品的对比表发您微信",
        "回头我把这几款产品的参数对比做成表格发到您邮箱",
        "两个方案的保障对比我做个表，下午发您",
        "我把三款车型的配置对比表发给您看一下",
        "两家产品的区别我列个表格，晚上发您",
        "我把我们和那家的参数逐项列个对照表给您",
        "两款设备的性能对比我做成一页发您",
        "我把两家课程的课时和服务做个对比表",
        "我把两家的价格和服务列个表发您",
        "我把我们跟友商的差异点列个清单发您",
        "两家的优缺点我给您做个对照，明早发您",
        "功能和服务我跟那家逐条对照一下发您",
        "两边的方案我逐项比一比，整理好发您",
        "我把两家的功能和价格对齐，做成一张表发您",
      ],
      en: [
        "I'll send you the comparison sheet tomorrow",
        "Let me put together a side-by-side comparison with the other vendor and email it over",
        "I'll send over a feature comparison chart after the call",
        "I will share a comparison table of the three plans so you can see the differences",
        "I'll get you a spec comparison of the two trims by Friday",
        "I'll write up how we stack up against their offer, line by line",
        "Let me send you a one-page comparison of both options",
        "I'll map our plan against the other quote so you can see the gaps",
        "I'll pull together a quick breakdown of how we compare to them",
        "I'll send you a side-by-side of our plan and theirs",
        "I'll line the two offers up feature by feature and send you the result",
      ],
    },
  },
  {
    id: "send_quote",
    name: { en: "Send quote", zh: "发送报价单" },
    fields: ["owner", "dueDate", "customer", "notes"],
    owners: ["agent"],
    examples: {
      zh: [
        "我今天下午把报价单发给您",
        "我按五十个账号给您出一份正式报价",
        "价格这块我算好了给您报个价",
        "我让同事把详细报价发到您邮箱",
        "落地价我给您核算一下，明天把报价发您",
        "我把带价格的方案重新做一份发给您",
        "含安装的价格我算好了明天发您",
        "计划书和保费测算我今晚做好发您",
        "我把正式报价和付款方式整理好发您邮箱",
        "这个量的价格我核一下，下午给您报过去",
        "方案和报价我一起做好发您",
        "修改后的方案今晚发您邮箱",
        "价格明细我今天给您报过去",
        "我按您说的数量重新出个价",
        "保费我按新的保额算好发您",
      ],
      en: [
        "I'll send over the quote by Friday",
        "I'll work out the full price with delivery and send it over",
        "I'll put together a formal quote for fifty seats",
        "Let me work out the pricing and get you a quote tomorrow",
        "I'll email you the detailed price breakdown",
        "I'll send you an out-the-door price quote this afternoon",
        "I'll send you a proposal with two pricing options",
        "I'll put a revised proposal together with the discount we discussed",
        "I'll send a revised proposal with the new pricing",
        "I'll get you updated pricing for the two locations tomorrow",
        "I'll email a formal quote for the forty units",
        "Let me put the numbers in a proposal and send it over",
        "I'll send through an illustration of the premiums for both plans",
        "I'll get the pricing numbers over to you by end of day",
        "I'll price up both options and send them through",
        "I'll send you pricing for the bigger package tomorrow",
      ],
    },
  },
  {
    id: "book_three_way_video_consult",
    name: { en: "Book three-way video consultation", zh: "预约三方视频会诊" },
    fields: ["owner", "dueDate", "customer"],
    owners: ["agent"],
    examples: {
      zh: [
        "我来约一个三方视频，把我们的专家也拉进来",
        "我帮您预约一个三方视频会议，核保老师一起在线解答",
        "明天我们开个三方视频，您、我还有产品经理一起",
        "我们安排一次三方视频沟通，让技术专家给您讲讲",
        "我拉上我们的专家，咱们三方开个线上会",
      ],
      en: [
        "I'll set up a three-way video call with our specialist",
        "Let me book a video consultation with you, me and our underwriter",
        "We'll arrange a three-way Zoom with our solutions engineer next week",
        "I'll schedule a joint video meeting so our product expert can walk you through it",
        "I'll set up a joint call with our underwriter and your finance director",
        "I'll get a video call in the diary with you, me and our specialist",
      ],
    },
  },
  {
    id: "arrange_trial_or_sample",
    name: {
      en: "Arrange trial, sample or test drive",
      zh: "安排试用/样品/试驾",
    },
    fields: ["owner", "dueDate", "customer", "notes"],
    owners: ["agent"],
    examples: {
      zh: [
        "我给您开通一个十四天的免费试用账号",
        "我安排给您寄几份样品试一下",
        "周六我帮您约个试驾",
        "我们先给您开个试用，您团队用一周看看效果",
        "样品我这两天给您寄过去",
        "我把样机拉过去，你们先用一段时间看看效果",
        "面料小样我明天寄给您对一下颜色",
        "我帮您安排一次试驾，您周末过来开开看",
        "我安排一台样机到科室试用两周",
        "我给孩子约一节免费试听课",
        "我寄几袋试用装给您尝一尝",
        "我们先在一个门店做个试点",
        "我带样机去您那边现场演示一下",
        "我给您店里送一箱样品试卖",
        "测试环境我今天给你们开好",
        "布料小样我寄几块给您比比颜色",
        "我给孩子约一节体验课",
        "体验课我帮您约在周末",
      ],
      en: [
        "I'll set up a free trial account for your team",
        "I'll ship you a few samples to try",
        "Let me book you a test drive for Saturday morning",
        "We'll activate a two-week pilot so your team can try it",
        "I'll get a trial license turned on for you today",
        "I'll drop off an evaluation unit so your staff can try it for a week",
        "We can loan you a demo device for a couple of weeks",
        "I'll arrange a loan unit for your ward for two weeks",
        "Let me book your son a free trial lesson",
        "I'll send a few sample packs so your staff can taste them",
        "We'll set up a pilot in one store first",
        "I'll get a demo unit to your clinic next week",
        "I'll book a product demo for your team next week",
        "I'll drop off a box of samples at your store",
        "I'll get a sandbox environment spun up for your team",
        "We'll give your team a sandbox to test with this week",
        "I'll mail you a few fabric swatches",
      ],
    },
  },
  {
    id: "schedule_follow_up",
    name: { en: "Schedule follow-up", zh: "约定跟进" },
    fields: ["owner", "dueDate", "customer"],
    owners: ["agent"],
    examples: {
      zh: [
        "我下周三再给您打电话跟进",
        "那我们周五再约个时间聊",
        "过两天我再联系您，看看您考虑得怎么样",
        "我月底前再回访您一次",
        "我们下周一上午再通个电话",
        "那我下周二再给您打个电话问问",
        "月初预算下来了我再打给您问问进展",
        "我给您约好周六上午上门送货安装",
        "那我们下周四再碰一下，把细节过一遍",
        "等您开完会，我们再电话沟通一次",
        "我下周再打给您，听听您和领导商量的结果",
        "我周四上午再跟您通个电话",
        "那我过几天再回访一次",
        "那我们下周再对一下进度",
        "回头我再给您打电话",
        "周四我上门跟您当面聊",
        "我下周去门店拜访您一下",
        "周六我上门帮您安装调试",
        "我下周带同事上门给你们做个培训",
      ],
      en: [
        "I'll call you back next Wednesday to follow up",
        "Let's set up another call on Friday",
        "I'll check in with you by phone in a couple of days",
        "I'll follow up with you early next week",
        "We'll reconnect after your board meeting",
        "I'll give you a call on Thursday to see where things stand",
        "Can I ring you again next Tuesday?",
        "Let's talk again on Friday once you've had a look",
        "Shall I give you a call in early May once the budget is approved?",
        "Let's keep half an hour on the 14th to walk through it together",
        "I'll touch base again after your board meets",
        "Let's catch up on a call again next Tuesday afternoon",
        "We'll talk again once you've read it through",
        "I'll speak to you again on the 20th",
        "We'll book the delivery and installation for Saturday morning",
        "I'll give you a ring early next week to hear what your boss thinks",
        "I'll follow up by phone on Thursday morning",
        "Let's pick this up again after your budget meeting",
        "I'll circle back with you on Monday",
        "Let's regroup on a call next week",
        "I'll reach out by phone again on Friday",
        "I'll come by your office on Thursday to go through it in person",
        "I'll book the onboarding session for your team on the 12th",
      ],
    },
  },
  {
    id: "trigger_compliance_approval",
    name: { en: "Trigger compliance approval", zh: "发起合规审批" },
    fields: ["owner", "dueDate", "notes"],
    owners: ["agent"],
    examples: {
      zh: [
        "这个条款我得先走一下合规审批",
        "我提交给合规部门审核一下再回复您",
        "宣传材料需要合规审核通过才能发给您，我这边先报审",
        "数据安全这块我让法务和合规出个审核意见",
        "我让信息安全同事把数据处理协议和渗透测试报告走完审批发您",
        "等保和安全合规的材料我这边申请一下，审批完发给您",
        "这个特殊条款我先提交法务审批",
        "宣传口径我先报合规审一下",
        "条款的事我报给法务审一下再答复您",
      ],
      en: [
        "I'll submit this clause for compliance approval",
        "I need to run this past our compliance team before I can confirm",
        "I'll get legal and compliance to review the data processing terms",
        "Let me open a compliance review for the custom terms",
        "I'll have our security officer send the data processing agreement and the audit report",
        "I'll get the security questionnaire and the pen test summary approved for release to you",
        "I'll put the custom data terms through our legal approval",
        "I'll have compliance sign off on the wording before I send it",
        "I'll send over our security documentation once legal has cleared it",
        "I'll get our privacy team to approve the data terms",
        "I'll take your redlines to our legal team for sign-off",
      ],
    },
  },
  {
    id: "escalate_to_specialist",
    name: { en: "Escalate to specialist", zh: "转交专家处理" },
    fields: ["owner", "dueDate", "notes"],
    owners: ["agent"],
    examples: {
      zh: [
        "这个技术问题我转给我们的技术专家，让他直接联系您",
        "理赔的细节我请核保老师给您详细解答",
        "我让我们的解决方案工程师给您回个电话",
        "这个问题我反馈给产品经理，让他来跟您对接",
        "我请我们的实施专家跟您技术负责人直接沟通一下",
        "部署的问题我让售前工程师跟您IT同事单独对一下",
        "这个问题我请我们的临床专家直接给您回电",
        "让我们的教研老师跟您详细聊一下课程安排",
        "我让工程师直接给您IT负责人打电话",
        "接口的事我们技术同事会直接跟您对接",
        "我请我们的技术总监跟您约个时间聊聊对接",
        "合同条款的细节我请法务同事给您解释一下",
        "这个我让技术同事给您出个书面说明",
      ],
      en: [
        "I'll loop in our solutions engineer to answer the integration question",
        "Let me get our claims specialist to call you about that",
        "I'll escalate this to our technical team and have them reach out",
        "I'll have our product manager get in touch with you directly",
        "Let me loop in a technical specialist who knows the API side better",
        "I'll ask our implementation lead to speak with your IT manager directly",
        "I'll have one of our clinical specialists call you about that",
        "Let me connect you with our curriculum lead for the details",
        "I'll get one of our engineers to call your IT lead",
        "I'll have our specialist reach out to your team directly",
        "I'll get our product specialist on the phone with you",
        "I'll ask one of our experts to answer that directly",
      ],
    },
  },
  {
    id: "update_crm_stage",
    name: { en: "Update CRM stage", zh: "更新CRM阶段" },
    fields: ["owner", "notes"],
    owners: ["agent"],
    examples: {
      zh: [
        "我在系统里把您这边更新到方案阶段",
        "我把商机阶段改成待签约",
        "我在CRM里记一下，标成意向客户",
        "我把跟进记录更新到系统里",
        "您的信息我先录到系统里",
        "我在系统里给您备注一下",
      ],
      en: [
        "I'll update the opportunity stage in the CRM",
        "I'll move the deal to proposal stage in Salesforce",
        "Let me log this in the CRM and mark you as a qualified lead",
        "I'll update your record in our system after the call",
        "I'll note that on your account in our system",
      ],
    },
  },
  {
    id: "send_contract",
    name: { en: "Send contract", zh: "发送合同" },
    fields: ["owner", "dueDate", "customer", "notes"],
    examples: {
      zh: [
        "我今天把合同发给您，您看一下没问题就签",
        "合同我让法务拟好，明天发您盖章",
        "电子合同我马上发到您手机上，您签一下",
        "我把投保单和合同一起寄给您签字",
        "协议我今天发您，您那边盖章就行",
        "我把投保单发您手机，您签个字",
        "合同我快递给您，您签完寄回来",
        "合同文本我今天发您过目",
        "合同按新条款改好了我再发您",
        "合同我这边来拟，拟好发您审",
        "协议我拟一份发您审一下",
      ],
      en: [
        "I'll send the contract over for signature today",
        "I'll have legal draft the agreement and send it over by Thursday",
        "I'll email you the order form to sign",
        "I'll send the DocuSign link for the contract this afternoon",
        "I'll send the agreement for e-signature this afternoon",
        "I'll get the order form over to you to sign today",
        "I'll get the paperwork over to you for signature",
      ],
    },
  },
  {
    id: "send_case_study",
    name: { en: "Send case study", zh: "发送客户案例" },
    fields: ["owner", "dueDate", "customer"],
    owners: ["agent"],
    examples: {
      zh: [
        "我把同行业客户的成功案例发给您参考",
        "我发几个理赔案例给您看看",
        "我们有一家类似规模的客户案例，我整理一下发您",
        "我把那个制造业客户的落地案例分享给您",
        "我把同类医院的使用报告发您参考",
        "我发几个往届学员的上岸案例给您",
        "我介绍一个正在用的老客户跟您聊聊",
        "我发几个用户评价给您参考",
        "我把那家医院换用后的效果报告发您",
      ],
      en: [
        "I'll send you a case study from a customer in your industry",
        "Let me share a couple of customer success stories",
        "I'll forward the case study on how a similar retailer rolled it out",
        "I'll send over some references from customers your size",
        "I'll send a short write-up from a hospital that rolled it out last year",
        "I'll share a reference from a school district your size",
        "I'll put you in touch with a customer who uses it today",
        "I'll connect you with a reference customer in your area",
        "I'll send you a couple of customer testimonials",
        "I'll send you the results report from a hospital that switched to us",
        "I'll send over the before-and-after numbers from a customer like you",
      ],
    },
  },
  {
    id: "send_product_materials",
    name: { en: "Send product materials", zh: "发送产品资料" },
    fields: ["owner", "dueDate", "customer"],
    owners: ["agent"],
    examples: {
      zh: [
        "我把产品手册和条款发您微信",
        "我先把产品介绍资料发给您看看",
        "保险条款和产品说明书我一起发您",
        "车型的宣传册我给您寄一份",
        "产品彩页和临床数据我整理一下发您邮箱",
        "课程大纲和师资介绍我发您微信",
        "我把产品说明书和规格参数发您",
        "菜单和产品目录我给您寄一份",
        "规格书我发您邮箱",
        "产品的检测报告和资质证书我拍照发您",
      ],
      en: [
        "I'll send you the product brochure and the policy wording",
        "Let me email you our product overview deck",
        "I'll share the datasheet and the product documentation",
        "I'll mail you a copy of the brochure",
        "I'll email the brochure and some clinical literature over this afternoon",
        "I'll email the course syllabus and the teacher profiles",
        "I'll send the spec sheet and the user manual",
        "I'll send you our catalogue and the price list",
        "I'll send over the spec sheet after the call",
        "I'll email you the brochure",
      ],
    },
  },
  {
    id: "request_discount_approval",
    name: { en: "Request discount approval", zh: "申请折扣审批" },
    fields: ["owner", "dueDate", "notes"],
    owners: ["agent"],
    examples: {
      zh: [
        "我去跟领导申请一下特价",
        "折扣的事我帮您向公司申请看看",
        "我找经理批一个优惠，争取给您再低一点",
        "我帮您申请一下折扣，有结果第一时间告诉您",
        "一年期的签法我回去跟领导申请一下特批",
        "付款条件我跟公司申请看看能不能放宽",
        "我去跟公司申请一个特价，争取给您批下来",
        "付款周期的事我向领导请示一下",
        "价格我再跟经理争取一下",
        "我问问老板能不能把安装费免了",
        "我回去帮您争取一下优惠",
      ],
      en: [
        "I'll ask my manager to approve an extra discount",
        "Let me see if I can get a special price approved for you",
        "I'll request a discount approval from our pricing desk",
        "I'll push for a better rate internally and let you know",
        "Let me check with my manager whether we can approve shorter terms for you",
        "I'll ask my director to sign off on special terms and get back to you",
        "I'll ask my manager if we can do better on the price",
        "I'll see if finance will approve a longer payment term",
        "I'll ask my boss if we can waive the setup fee",
        "I'll go back to my manager about a better price for you",
        "Let me see what I can do on the price with my manager",
      ],
    },
  },
  {
    id: "collect_customer_documents",
    name: { en: "Collect customer documents", zh: "收集客户资料" },
    fields: ["owner", "dueDate", "customer", "notes"],
    examples: {
      zh: [
        "我晚上把身份证和体检报告拍照发给你",
        "营业执照复印件我明天发您",
        "我回去把需要的材料准备好发给你",
        "我们的技术需求文档我整理好发过去",
        "报告拿到了我就拍照发给你",
        "成绩单和护照复印件我周末拍照发你",
        "我明天去单位开了证明就发给你",
        "我们门店的平面图我回头发你",
        "孩子的成绩单我周末扫描了发给你",
        "科室的采购需求表我让同事发你",
        "营业执照和法人身份证我拍给你",
        "我把我们现在的用量数据导出来发你",
        "发票我找一下发给你",
        "对接人的名单和手机号我整理好发你",
        "开票信息我让财务发给你",
        "驾驶证和行驶证我拍照发你",
        "出生日期和身份证号我一会儿发你",
        "户口本那页我拍给你",
        "缴费单我拍给你看",
      ],
      en: [
        "I'll send you a copy of my ID and the medical report tonight",
        "We'll send over our security questionnaire and requirements doc",
        "I'll get you the business license and tax documents tomorrow",
        "I'll forward our current policy documents so you can compare",
        "I'll scan the certificate and email it to you",
        "I'll dig out last year's statements and send them across",
        "I'll get the transcripts and passport copy to you by the weekend",
        "I'll send you our floor plan tonight",
        "I'll get our usage numbers over to you this week",
        "I'll have my assistant send our requirements list",
        "I'll send you last month's invoices so you can check",
        "We'll get you the list of our locations",
        "I'll take a photo of the registration form and text it to you",
        "I'll have accounts send you our billing details",
        "I'll take a picture of our current setup and send it to you",
        "I'll send you the names and emails of everyone attending",
      ],
    },
  },
];

const actionCatalogueSchema = z.array(actionTypeSchema).min(1).max(maximumActionTypeCount);

/**
 * Validates a workspace's action catalogue (as edited in settings or read back from the DB).
 * Besides the schema it rejects duplicate ids and names, blank example phrasings, and entries
 * with no example at all: the local engine recognises an action only through its examples.
 * @throws ValidationError with `details.issues` listing every problem.
 */
export function parseActionCatalogue(value: unknown): ActionType[] {
  const result = actionCatalogueSchema.safeParse(value);
  if (!result.success) {
    throw new ValidationError("Invalid action catalogue", {
      issues: issuesFromZod(result.error),
    });
  }
  const catalogue = result.data;
  const issues: ValidationIssue[] = duplicateIssues(catalogue, [
    { field: ["id"], read: (action) => action.id, label: "action id" },
    {
      field: ["name", "en"],
      read: (action) => action.name.en,
      label: "English action name",
    },
    {
      field: ["name", "zh"],
      read: (action) => action.name.zh,
      label: "Chinese action name",
    },
  ]);
  catalogue.forEach((action, index) => {
    const fieldSet = new Set(action.fields);
    if (fieldSet.size !== action.fields.length) {
      issues.push({
        path: [index, "fields"],
        message: "Each field may be listed only once",
      });
    }
    for (const language of ["en", "zh"] as const) {
      action.examples[language].forEach((example, exampleIndex) => {
        if (example.trim() === "") {
          issues.push({
            path: [index, "examples", language, exampleIndex],
            message: "Example phrasings may not be blank",
          });
        }
      });
    }
    if (action.examples.en.length + action.examples.zh.length === 0) {
      issues.push({
        path: [index, "examples"],
        message: "Give at least one example phrasing so the action can be recognised",
      });
    }
  });
  if (issues.length > 0) throw new ValidationError("Invalid action catalogue", { issues });
  return catalogue;
}
