//! The UI's words in Chinese and English, and how a request picks its language.
//!
//! Every UI string lives in the two catalogs below, under the same keys; a test checks
//! that both catalogs hold exactly the same keys and that every key the templates and
//! views use exists. Policy text (articles, titles from the pack) is data, not UI, and is
//! never translated here.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::LazyLock;
use zeren_core::Lang;

/// Simplified Chinese, the default.
const ZH: &[(&str, &str)] = &[
    ("site.tagline", "网络意识形态工作责任制台账"),
    ("nav.home", "首页"),
    ("nav.language", "界面语言"),
    ("nav.breadcrumb", "当前位置"),
    ("footer.about", "Zeren（责任）：责任制台账。"),
    ("footer.api", "JSON 接口"),
    ("footer.health", "运行状态"),
    ("footer.version", "版本"),
    ("index.title", "网络意识形态工作责任制台账"),
    (
        "index.lead",
        "Zeren（责任）是网络意识形态工作责任制的台账。它把责任制实施细则变成一本随时可查的账：谁负什么责任，什么时候该做什么，做了没有、佐证材料在哪里，出了问题如何问责，年终如何考核。每一项都追溯到细则的具体条款，追溯到当日在岗的责任人。",
    ),
    ("index.keeps", "台账记载什么"),
    ("index.first.term", "第一责任人"),
    (
        "index.first.text",
        "党委书记对本单位网络意识形态工作负总责。任职和交接都有起止日期，任何一天由谁负责都查得到，并附理由链。",
    ),
    ("index.portfolio.term", "分管领域"),
    (
        "index.portfolio.text",
        "班子成员按照“一岗双责”承担分管领域的领导责任，分管领域内的规定动作落到分管的班子成员名下。",
    ),
    ("index.duties.term", "规定动作"),
    (
        "index.duties.text",
        "专题研究、分析研判、教育培训、平台备案登记和年审、舆情风险评估等，按细则确定的周期和期限逐项生成待办，到期前提醒，逾期后报告第一责任人。",
    ),
    ("index.evidence.term", "佐证材料"),
    (
        "index.evidence.text",
        "会议记录、研判报告、培训记录、年审记录等，每份材料都挂在它所完成的规定动作上，查一项规定动作就能看到它的全部佐证。",
    ),
    ("index.accountability.term", "问责"),
    (
        "index.accountability.text",
        "问责情形以细则条款为据。台账只提示事实可能涉及的情形，是否问责由纪委依规决定。",
    ),
    ("index.assessment.term", "考核"),
    (
        "index.assessment.text",
        "年度考核按细则确定的指标和权重从台账计分，每一分都能查到对应的佐证材料。",
    ),
    ("index.policies", "已加载的责任制"),
    ("index.empty", "数据库中还没有加载责任制。加载命令："),
    ("index.in_force", "现行有效"),
    ("index.not_in_force", "不在施行期内"),
    ("col.document_number", "发文字号"),
    ("col.title", "标题"),
    ("col.effective_from", "施行日期"),
    ("col.status", "状态"),
    ("col.id", "编号"),
    ("col.duty", "规定动作"),
    ("col.articles", "依据条款"),
    ("col.cadence", "周期"),
    ("col.due", "期限"),
    ("col.responsible", "责任主体"),
    ("col.evidence", "佐证材料"),
    ("col.ground", "情形"),
    ("col.article", "条款"),
    ("col.text", "条文"),
    ("col.indicator", "指标"),
    ("col.weight", "权重"),
    ("col.method", "计分方法"),
    ("col.duties", "计分的规定动作"),
    ("col.total", "合计"),
    ("meta.document_number", "发文字号"),
    ("meta.issuer", "发文机关"),
    ("meta.adopted_on", "通过日期"),
    ("meta.adopted_by", "（{body}通过）"),
    ("meta.issued_on", "印发日期"),
    ("meta.effective_from", "施行日期"),
    ("meta.effective_until", "有效期至"),
    ("meta.open_ended", "长期有效，至新版本施行时止"),
    ("meta.version", "版本"),
    ("meta.version_value", "第{n}版（系列 {series}）"),
    ("meta.legal_basis", "制定依据"),
    ("meta.status", "状态"),
    ("section.contents", "目录"),
    ("section.articles", "条款全文"),
    ("section.articles_note", "条文照录印发文本。"),
    ("section.duties", "规定动作"),
    (
        "section.duties_lead",
        "由条款确定的规定动作。台账按周期和期限为每个对象生成待办事项，完成时挂接佐证材料。",
    ),
    ("section.grounds", "问责情形"),
    (
        "section.grounds_lead",
        "细则列举的问责情形。台账可以提示事实可能涉及哪一情形，是否问责由纪委依规决定。",
    ),
    ("section.assessment", "年度考核"),
    ("section.notice", "印发通知"),
    ("assessment.basis", "考核依据"),
    ("assessment.procedure", "考核程序"),
    ("assessment.indicators", "考核指标"),
    ("assessment.none", "本版本未规定考核指标。"),
    ("cadence.once", "一次性"),
    ("cadence.annual", "每年"),
    ("cadence.semiannual", "每半年"),
    ("cadence.quarterly", "每季度"),
    ("cadence.monthly", "每月"),
    ("cadence.on-event", "逐事件"),
    ("due.by", "每年{month}{day}日前"),
    ("due.days_after_period_end", "每期结束后{days}内"),
    ("due.days_after_start", "对象设立后{days}内"),
    ("due.days_after_event", "事项发生后{days}内"),
    ("due.days_before_event", "事项开始{days}前"),
    ("days.one", "{n}日"),
    ("days.other", "{n}日"),
    ("month.1", "1月"),
    ("month.2", "2月"),
    ("month.3", "3月"),
    ("month.4", "4月"),
    ("month.5", "5月"),
    ("month.6", "6月"),
    ("month.7", "7月"),
    ("month.8", "8月"),
    ("month.9", "9月"),
    ("month.10", "10月"),
    ("month.11", "11月"),
    ("month.12", "12月"),
    ("resp.first", "第一责任人"),
    ("resp.portfolio", "分管“{portfolio}”的班子成员"),
    ("resp.subject_portfolio", "分管对象所属领域的班子成员"),
    ("evidence.committee-meeting", "党委会会议记录"),
    ("evidence.situation-analysis", "分析研判报告"),
    ("evidence.training-session", "培训记录"),
    ("evidence.education-activity", "教育活动记录"),
    ("evidence.directive-report", "落实情况报告"),
    ("evidence.platform-registration", "备案登记记录"),
    ("evidence.annual-review", "年审记录"),
    ("evidence.risk-assessment", "舆情风险评估"),
    ("evidence.incident-record", "舆情处置记录"),
    ("evidence.event-registration", "活动报备记录"),
    ("evidence.assessment-report", "考核自评报告"),
    ("evidence.topic", "（议题：{topic}）"),
    ("method.completion-rate", "完成率"),
    ("method.on-time-rate", "按时完成率"),
    ("step.self-assessment", "自评"),
    ("step.review", "审核"),
    ("step.scoring", "评分"),
    ("step.publication", "公布"),
    ("error.not_found.title", "页面不存在"),
    ("error.not_found.text", "没有这个页面，请从首页进入。"),
    ("error.policy_not_found.title", "未找到责任制"),
    ("error.policy_not_found", "未找到编号为“{id}”的责任制。"),
    ("error.route_not_found", "没有这个接口：{path}"),
    ("error.method_not_allowed", "该接口不接受 {method} 请求。"),
    ("error.bad_request", "请求无效：{detail}"),
    ("error.database_unavailable.title", "数据库暂时无法访问"),
    (
        "error.database_unavailable",
        "数据库暂时无法访问，请稍后再试。",
    ),
    ("error.internal.title", "服务器出错"),
    ("error.internal", "服务器内部错误，已记入日志。"),
    ("error.back_home", "返回首页"),
    ("nav.main", "主导航"),
    ("nav.signin", "登录"),
    ("nav.signout", "退出"),
    ("nav.orgs", "组织"),
    ("nav.people", "人员"),
    ("nav.who", "谁负责"),
    ("nav.policy", "责任制"),
    ("nav.audit", "审计日志"),
    ("nav.accounts", "账号与角色"),
    ("nav.system", "系统设置"),
    ("nav.account", "我的账号"),
    ("banner.clock", "演示时钟：系统按 {day} 运行（--clock）"),
    ("col.subject", "对象"),
    ("error.forbidden", "您的角色无权进行此操作。"),
    ("error.forbidden.title", "无权访问"),
    ("error.too_large", "提交的内容过大。"),
    ("auth.error.unauthenticated", "请先登录。"),
    (
        "auth.error.expired",
        "长时间未操作，会话已结束，请重新登录。",
    ),
    ("auth.error.password_change", "请先修改初始密码。"),
    ("auth.error.second_factor", "请先完成双因素验证。"),
    (
        "auth.error.csrf",
        "表单已过期或来源不明，请刷新页面后重试。",
    ),
    ("auth.error.csrf_title", "请求被拒绝"),
    ("login.title", "登录"),
    ("login.username", "用户名"),
    ("login.password", "密码"),
    ("login.submit", "登录"),
    (
        "login.hint",
        "连续 {failures} 次输错密码，账号将被锁定 {minutes} 分钟。",
    ),
    ("login.expired", "长时间未操作，会话已结束，请重新登录。"),
    ("login.error.empty", "请输入用户名和密码。"),
    ("login.error.invalid", "用户名或密码错误。"),
    (
        "login.error.locked",
        "密码错误次数过多，账号已锁定，请于 {time} 后再试。",
    ),
    ("totp.title", "双因素验证"),
    ("totp.lead", "请输入身份验证器应用中显示的 6 位动态码。"),
    ("totp.code", "动态码"),
    ("totp.submit", "验证"),
    ("totp.error", "动态码不正确或已使用，请重试。"),
    ("totp.setup.title", "设置双因素验证"),
    (
        "totp.setup.lead",
        "用身份验证器应用扫描二维码（或手动添加下面的密钥），然后输入应用显示的 6 位动态码。",
    ),
    ("totp.setup.uri", "或导入链接："),
    ("totp.setup.qr", "用身份验证器应用扫描此二维码"),
    (
        "totp.setup.required",
        "安全策略要求您的角色使用双因素验证。",
    ),
    ("totp.setup.submit", "启用"),
    ("password.title", "修改密码"),
    ("password.forced", "首次登录请先设置新密码。"),
    ("password.current", "当前密码"),
    ("password.new", "新密码"),
    ("password.confirm", "确认新密码"),
    (
        "password.rules",
        "至少 {length} 位，包含大写字母、小写字母、数字、符号中的至少 {classes} 类，不含用户名。",
    ),
    ("password.submit", "保存"),
    ("password.error.current", "当前密码不正确。"),
    ("password.error.same", "新密码不能与当前密码相同。"),
    ("password.error.confirm", "两次输入的新密码不一致。"),
    ("account.title", "我的账号"),
    ("account.username", "用户名"),
    ("account.name", "姓名"),
    ("account.roles", "角色"),
    ("account.no_roles", "暂无角色"),
    ("account.security", "安全"),
    ("account.change_password", "修改密码"),
    ("account.totp_on", "双因素验证已启用。"),
    ("account.totp_off", "双因素验证未启用。"),
    ("account.totp_setup", "立即设置"),
    ("account.totp_required", "您的角色必须使用双因素验证"),
    ("account.language", "界面语言"),
    ("account.save", "保存"),
    ("account.tokens", "API 令牌"),
    ("account.token_once", "新令牌只显示这一次，请妥善保存："),
    ("account.token_name", "名称"),
    ("account.token_state", "状态"),
    ("account.token_active", "有效"),
    ("account.token_revoked", "已吊销"),
    ("account.token_revoke", "吊销"),
    ("account.token_create", "创建令牌"),
    ("home.title", "首页"),
    ("home.greeting", "{name}，您好"),
    ("home.duties", "我的职责（{year} 年）"),
    ("home.no_duties", "本年度没有由您负责的规定动作。"),
    ("home.posts", "我的职务"),
    ("home.no_posts", "您当前没有任职记录。"),
    ("home.now", "至今"),
    ("role.secretary", "第一责任人（书记）"),
    ("role.leader", "班子成员"),
    ("role.staff", "工作人员"),
    ("role.branch", "支部书记"),
    ("role.supervisor", "考核督导"),
    ("role.discipline", "纪委"),
    ("role.system", "系统管理员"),
    ("role.security", "安全管理员"),
    ("role.audit", "安全审计员"),
    ("status.upcoming", "未到期"),
    ("status.due_soon", "即将到期"),
    ("status.overdue", "已逾期"),
    ("status.done", "已完成"),
    ("status.waived", "已豁免"),
    ("home.calendar", "日历订阅"),
    (
        "home.calendar.lead",
        "在日历应用中订阅以下地址，即可收到本人职责的到期提醒：",
    ),
    ("home.calendar.none", "还没有日历订阅地址。"),
    ("home.calendar.manage", "管理订阅地址"),
];

/// English.
const EN: &[(&str, &str)] = &[
    (
        "site.tagline",
        "Ledger of the responsibility system for online ideological work",
    ),
    ("nav.home", "Home"),
    ("nav.language", "Interface language"),
    ("nav.breadcrumb", "You are here"),
    (
        "footer.about",
        "Zeren (责任): the ledger of a responsibility system.",
    ),
    ("footer.api", "JSON API"),
    ("footer.health", "Health"),
    ("footer.version", "Version"),
    (
        "index.title",
        "Ledger of the responsibility system for online ideological work",
    ),
    (
        "index.lead",
        "Zeren (责任) is the ledger of the responsibility system for online ideological work (网络意识形态工作责任制). It turns the policy into a record anyone can check: who is responsible for what, what is due and when, whether it was done and where the evidence is, how failures are held to account, and how the year is assessed. Every item traces back to the article that requires it and to the person who held the post on that day.",
    ),
    ("index.keeps", "What the ledger keeps"),
    ("index.first.term", "First responsible person"),
    (
        "index.first.text",
        "The party secretary answers for the organisation's online ideological work. Posts are held and handed over with dates, so who was responsible on any day can be looked up, with the chain of reasons.",
    ),
    ("index.portfolio.term", "Portfolios"),
    (
        "index.portfolio.text",
        "Leadership members carry dual responsibility for their portfolios; duties within a portfolio fall to the member who holds it.",
    ),
    ("index.duties.term", "Duties"),
    (
        "index.duties.text",
        "Dedicated studies, situation analyses, training, platform registration and annual review, risk assessments and more are generated from the policy's cadences and deadlines, with reminders before they are due and escalation to the first responsible person when overdue.",
    ),
    ("index.evidence.term", "Evidence"),
    (
        "index.evidence.text",
        "Meeting minutes, analysis reports, training records and review records are each attached to the duty they discharge, so every duty shows all of its evidence.",
    ),
    ("index.accountability.term", "Accountability"),
    (
        "index.accountability.text",
        "Grounds for accountability come from the policy's articles. The ledger only points out where facts may touch a ground; the discipline commission decides.",
    ),
    ("index.assessment.term", "Assessment"),
    (
        "index.assessment.text",
        "The annual assessment is scored from the ledger with the policy's indicators and weights, and every point links to its evidence.",
    ),
    ("index.policies", "Policies loaded"),
    (
        "index.empty",
        "No policy has been loaded into this database yet. Load one with:",
    ),
    ("index.in_force", "In force"),
    ("index.not_in_force", "Not in force"),
    ("col.document_number", "Document number"),
    ("col.title", "Title"),
    ("col.effective_from", "In force from"),
    ("col.status", "Status"),
    ("col.id", "Id"),
    ("col.duty", "Duty"),
    ("col.articles", "Articles"),
    ("col.cadence", "Cadence"),
    ("col.due", "Due"),
    ("col.responsible", "Responsible"),
    ("col.evidence", "Evidence"),
    ("col.ground", "Ground"),
    ("col.article", "Article"),
    ("col.text", "Text"),
    ("col.indicator", "Indicator"),
    ("col.weight", "Weight"),
    ("col.method", "Scoring"),
    ("col.duties", "Duties scored"),
    ("col.total", "Total"),
    ("meta.document_number", "Document number"),
    ("meta.issuer", "Issued by"),
    ("meta.adopted_on", "Adopted on"),
    ("meta.adopted_by", " (adopted by {body})"),
    ("meta.issued_on", "Issued on"),
    ("meta.effective_from", "In force from"),
    ("meta.effective_until", "In force until"),
    (
        "meta.open_ended",
        "Open-ended, until a new version takes effect",
    ),
    ("meta.version", "Version"),
    ("meta.version_value", "{n} (series {series})"),
    ("meta.legal_basis", "Legal basis"),
    ("meta.status", "Status"),
    ("section.contents", "Contents"),
    ("section.articles", "Articles"),
    (
        "section.articles_note",
        "The article text is the issued Chinese text, verbatim.",
    ),
    ("section.duties", "Duties"),
    (
        "section.duties_lead",
        "Duties required by the articles. The ledger generates an obligation for each subject and period, discharged by attaching evidence.",
    ),
    ("section.grounds", "Grounds for accountability"),
    (
        "section.grounds_lead",
        "The grounds listed in the policy. The ledger may point out where facts touch a ground; whether to hold anyone to account is for the discipline commission to decide.",
    ),
    ("section.assessment", "Annual assessment"),
    ("section.notice", "Issuing notice"),
    ("assessment.basis", "Required by"),
    ("assessment.procedure", "Procedure"),
    ("assessment.indicators", "Indicators"),
    (
        "assessment.none",
        "This version sets no assessment indicators.",
    ),
    ("cadence.once", "Once"),
    ("cadence.annual", "Annual"),
    ("cadence.semiannual", "Half-yearly"),
    ("cadence.quarterly", "Quarterly"),
    ("cadence.monthly", "Monthly"),
    ("cadence.on-event", "Per event"),
    ("due.by", "By {month} {day} each year"),
    (
        "due.days_after_period_end",
        "Within {days} after each period",
    ),
    (
        "due.days_after_start",
        "Within {days} after the subject starts",
    ),
    ("due.days_after_event", "Within {days} after the event"),
    ("due.days_before_event", "{days} before the event starts"),
    ("days.one", "{n} day"),
    ("days.other", "{n} days"),
    ("month.1", "January"),
    ("month.2", "February"),
    ("month.3", "March"),
    ("month.4", "April"),
    ("month.5", "May"),
    ("month.6", "June"),
    ("month.7", "July"),
    ("month.8", "August"),
    ("month.9", "September"),
    ("month.10", "October"),
    ("month.11", "November"),
    ("month.12", "December"),
    ("resp.first", "First responsible person"),
    (
        "resp.portfolio",
        "Leadership member holding the “{portfolio}” portfolio",
    ),
    (
        "resp.subject_portfolio",
        "Leadership member whose portfolio covers the subject",
    ),
    ("evidence.committee-meeting", "Committee meeting record"),
    ("evidence.situation-analysis", "Situation analysis report"),
    ("evidence.training-session", "Training record"),
    ("evidence.education-activity", "Education activity record"),
    ("evidence.directive-report", "Implementation report"),
    ("evidence.platform-registration", "Registration record"),
    ("evidence.annual-review", "Annual review record"),
    ("evidence.risk-assessment", "Risk assessment"),
    ("evidence.incident-record", "Incident handling record"),
    ("evidence.event-registration", "Event registration record"),
    ("evidence.assessment-report", "Self-assessment report"),
    ("evidence.topic", " (agenda topic: {topic})"),
    ("method.completion-rate", "Completion rate"),
    ("method.on-time-rate", "On-time rate"),
    ("step.self-assessment", "Self-assessment"),
    ("step.review", "Review"),
    ("step.scoring", "Scoring"),
    ("step.publication", "Publication"),
    ("error.not_found.title", "Page not found"),
    (
        "error.not_found.text",
        "There is no such page; start from the home page.",
    ),
    ("error.policy_not_found.title", "Policy not found"),
    (
        "error.policy_not_found",
        "There is no policy with id “{id}”.",
    ),
    ("error.route_not_found", "No such API endpoint: {path}"),
    (
        "error.method_not_allowed",
        "This endpoint does not accept {method} requests.",
    ),
    ("error.bad_request", "Invalid request: {detail}"),
    ("error.database_unavailable.title", "Database unavailable"),
    (
        "error.database_unavailable",
        "The database cannot be reached right now; please try again later.",
    ),
    ("error.internal.title", "Server error"),
    (
        "error.internal",
        "Internal server error; it has been logged.",
    ),
    ("error.back_home", "Back to the home page"),
    ("nav.main", "Main navigation"),
    ("nav.signin", "Sign in"),
    ("nav.signout", "Sign out"),
    ("nav.orgs", "Organisations"),
    ("nav.people", "People"),
    ("nav.who", "Who was responsible"),
    ("nav.policy", "Policy"),
    ("nav.audit", "Audit log"),
    ("nav.accounts", "Accounts and roles"),
    ("nav.system", "System settings"),
    ("nav.account", "My account"),
    (
        "banner.clock",
        "Demo clock: Zeren runs as if today were {day} (--clock)",
    ),
    ("col.subject", "Subject"),
    ("error.forbidden", "Your role does not allow this."),
    ("error.forbidden.title", "Not allowed"),
    ("error.too_large", "The request is too large."),
    ("auth.error.unauthenticated", "Please sign in."),
    (
        "auth.error.expired",
        "Your session ended after a period of inactivity; please sign in again.",
    ),
    (
        "auth.error.password_change",
        "Please change your initial password first.",
    ),
    (
        "auth.error.second_factor",
        "Please complete the second factor first.",
    ),
    (
        "auth.error.csrf",
        "The form has expired or did not come from this site; reload the page and try again.",
    ),
    ("auth.error.csrf_title", "Request refused"),
    ("login.title", "Sign in"),
    ("login.username", "User name"),
    ("login.password", "Password"),
    ("login.submit", "Sign in"),
    (
        "login.hint",
        "After {failures} wrong passwords in a row the account is locked for {minutes} minutes.",
    ),
    (
        "login.expired",
        "Your session ended after a period of inactivity; please sign in again.",
    ),
    ("login.error.empty", "Enter your user name and password."),
    ("login.error.invalid", "Wrong user name or password."),
    (
        "login.error.locked",
        "Too many wrong passwords: the account is locked until {time}.",
    ),
    ("totp.title", "Second factor"),
    (
        "totp.lead",
        "Enter the 6-digit code shown by your authenticator app.",
    ),
    ("totp.code", "Code"),
    ("totp.submit", "Verify"),
    (
        "totp.error",
        "The code is wrong or already used; try again.",
    ),
    ("totp.setup.title", "Set up the second factor"),
    (
        "totp.setup.lead",
        "Scan the QR code with your authenticator app (or add the key below by hand), then enter the 6-digit code it shows.",
    ),
    ("totp.setup.uri", "Or import this link:"),
    (
        "totp.setup.qr",
        "Scan this QR code with your authenticator app",
    ),
    (
        "totp.setup.required",
        "The security policy requires a second factor for your role.",
    ),
    ("totp.setup.submit", "Turn on"),
    ("password.title", "Change password"),
    (
        "password.forced",
        "This is your first sign-in: please choose a new password.",
    ),
    ("password.current", "Current password"),
    ("password.new", "New password"),
    ("password.confirm", "Confirm new password"),
    (
        "password.rules",
        "At least {length} characters, with at least {classes} of: upper-case, lower-case, digits, symbols; not containing the user name.",
    ),
    ("password.submit", "Save"),
    ("password.error.current", "The current password is wrong."),
    (
        "password.error.same",
        "The new password must differ from the current one.",
    ),
    ("password.error.confirm", "The two new passwords differ."),
    ("account.title", "My account"),
    ("account.username", "User name"),
    ("account.name", "Name"),
    ("account.roles", "Roles"),
    ("account.no_roles", "No roles"),
    ("account.security", "Security"),
    ("account.change_password", "Change password"),
    ("account.totp_on", "The second factor is on."),
    ("account.totp_off", "The second factor is off."),
    ("account.totp_setup", "Set it up"),
    (
        "account.totp_required",
        "Your role must use a second factor",
    ),
    ("account.language", "Language"),
    ("account.save", "Save"),
    ("account.tokens", "API tokens"),
    (
        "account.token_once",
        "The new token is shown only once; keep it safe:",
    ),
    ("account.token_name", "Name"),
    ("account.token_state", "State"),
    ("account.token_active", "Active"),
    ("account.token_revoked", "Revoked"),
    ("account.token_revoke", "Revoke"),
    ("account.token_create", "Create token"),
    ("home.title", "Home"),
    ("home.greeting", "Hello, {name}"),
    ("home.duties", "My duties ({year})"),
    ("home.no_duties", "No duty of this year is yours."),
    ("home.posts", "My posts"),
    ("home.no_posts", "You hold no post."),
    ("home.now", "now"),
    ("role.secretary", "First responsible person (secretary)"),
    ("role.leader", "Leadership member"),
    ("role.staff", "Staff"),
    ("role.branch", "Branch secretary"),
    ("role.supervisor", "Supervisor"),
    ("role.discipline", "Discipline commission"),
    ("role.system", "System administrator"),
    ("role.security", "Security administrator"),
    ("role.audit", "Security auditor"),
    ("status.upcoming", "Upcoming"),
    ("status.due_soon", "Due soon"),
    ("status.overdue", "Overdue"),
    ("status.done", "Done"),
    ("status.waived", "Waived"),
    ("home.calendar", "Calendar feed"),
    (
        "home.calendar.lead",
        "Subscribe to this address in a calendar app to see your duties and their due dates:",
    ),
    (
        "home.calendar.none",
        "You have no calendar feed address yet.",
    ),
    ("home.calendar.manage", "Manage the feed address"),
];

/// The Chinese catalog: the shared part above and each area's own part.
const ZH_PARTS: &[&[(&str, &str)]] = &[
    ZH,
    crate::orgs::ZH,
    crate::admin::ZH,
    crate::obligations::ZH,
    crate::records::ZH,
    crate::notify::ZH,
    crate::feeds::ZH,
];
/// The English catalog, in the same parts.
const EN_PARTS: &[&[(&str, &str)]] = &[
    EN,
    crate::orgs::EN,
    crate::admin::EN,
    crate::obligations::EN,
    crate::records::EN,
    crate::notify::EN,
    crate::feeds::EN,
];

fn all(
    parts: &'static [&'static [(&'static str, &'static str)]],
) -> impl Iterator<Item = (&'static str, &'static str)> {
    parts.iter().flat_map(|p| p.iter().copied())
}

/// FNV-1a: the catalogs' keys are short, fixed and ours, so the hash need not resist
/// flooding, and every page looks up dozens of them.
#[derive(Clone, Copy)]
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type Catalog = HashMap<&'static str, &'static str, std::hash::BuildHasherDefault<Fnv>>;

static ZH_MAP: LazyLock<Catalog> = LazyLock::new(|| all(ZH_PARTS).collect());
static EN_MAP: LazyLock<Catalog> = LazyLock::new(|| all(EN_PARTS).collect());

/// The UI string `key` in `lang`. A missing key shows as itself (the tests make sure none is).
pub fn t(lang: Lang, key: &str) -> &str {
    let map = match lang {
        Lang::Zh => &ZH_MAP,
        Lang::En => &EN_MAP,
    };
    map.get(key).copied().unwrap_or(key)
}

/// The UI string `key` in `lang` with `{name}` placeholders filled in.
pub fn tf(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let mut s = t(lang, key).to_string();
    for (name, value) in args {
        s = s.replace(&format!("{{{name}}}"), value);
    }
    s
}

/// "N days" in `lang`.
pub fn days(lang: Lang, n: u32) -> String {
    let key = if n == 1 { "days.one" } else { "days.other" };
    tf(lang, key, &[("n", &n.to_string())])
}

/// The language of one request's UI, and whether the user chose it explicitly with `?lang=`
/// (then links carry the choice on; otherwise the browser's `Accept-Language` decides).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tr {
    lang: Lang,
    explicit: bool,
}

impl Tr {
    /// A translator for `lang`, as if chosen explicitly.
    pub fn new(lang: Lang) -> Tr {
        Tr {
            lang,
            explicit: true,
        }
    }

    /// A translator for a language the user prefers (their account setting), not chosen by `?lang=`.
    pub fn preferred(lang: Lang) -> Tr {
        Tr {
            lang,
            explicit: false,
        }
    }

    /// Whether the language was chosen with `?lang=`.
    pub fn is_explicit(&self) -> bool {
        self.explicit
    }

    /// The language.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The UI string `key`.
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        t(self.lang, key)
    }

    /// The UI string `key` with placeholders filled in.
    pub fn tf(&self, key: &str, args: &[(&str, &str)]) -> String {
        tf(self.lang, key, args)
    }

    /// The BCP 47 tag for `<html lang>`.
    pub fn tag(&self) -> &'static str {
        self.lang.tag()
    }

    /// Whether the UI is in English.
    pub fn is_en(&self) -> bool {
        self.lang == Lang::En
    }

    /// The query string that keeps an explicit language choice on internal links.
    pub fn qs(&self) -> &'static str {
        match (self.explicit, self.lang) {
            (false, _) => "",
            (true, Lang::Zh) => "?lang=zh",
            (true, Lang::En) => "?lang=en",
        }
    }

    /// Picks from `?lang=` first, then `Accept-Language`, then Chinese.
    pub fn from_parts(query: Option<&str>, accept_language: Option<&str>) -> Tr {
        if let Some(tag) = query.and_then(lang_param) {
            return Tr {
                lang: Lang::from_tag(tag),
                explicit: true,
            };
        }
        Tr {
            lang: accept_language.map(negotiate).unwrap_or_default(),
            explicit: false,
        }
    }
}

fn lang_param(query: &str) -> Option<&str> {
    query
        .split('&')
        .filter_map(|pair| pair.strip_prefix("lang="))
        .find(|v| !v.is_empty())
}

/// The best of Chinese and English by an `Accept-Language` header's weights; Chinese on a tie
/// or when neither is named.
fn negotiate(header: &str) -> Lang {
    let mut best: Option<(f32, Lang)> = None;
    for entry in header.split(',') {
        let mut parts = entry.split(';');
        let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let lang = if tag == "en" || tag.starts_with("en-") {
            Lang::En
        } else if tag == "zh" || tag.starts_with("zh-") {
            Lang::Zh
        } else {
            continue;
        };
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, lang));
        }
    }
    best.map(|(_, l)| l).unwrap_or_default()
}

/// Cookie remembering the language a visitor last chose with `?lang=` (or in the account page).
pub const LANG_COOKIE: &str = "zeren_lang";

/// The `?lang=` of a query, if any.
pub fn query_lang(query: Option<&str>) -> Option<Lang> {
    query.and_then(lang_param).map(Lang::from_tag)
}

impl<S: Send + Sync> FromRequestParts<S> for Tr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(crate::auth::tr_for(parts, None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use zeren_core::period::Cadence;
    use zeren_core::vocab::EvidenceKind;

    fn keys(parts: &'static [&'static [(&'static str, &'static str)]]) -> BTreeSet<&'static str> {
        all(parts).map(|(k, _)| k).collect()
    }

    #[test]
    fn both_locales_have_the_same_keys() {
        let (zh, en) = (keys(ZH_PARTS), keys(EN_PARTS));
        let only_zh: Vec<_> = zh.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&zh).collect();
        assert!(only_zh.is_empty(), "missing in English: {only_zh:?}");
        assert!(only_en.is_empty(), "missing in Chinese: {only_en:?}");
        assert_eq!(
            zh.len(),
            all(ZH_PARTS).count(),
            "duplicate key in the Chinese catalog"
        );
        assert_eq!(
            en.len(),
            all(EN_PARTS).count(),
            "duplicate key in the English catalog"
        );
        for (k, v) in all(ZH_PARTS).chain(all(EN_PARTS)) {
            assert!(!v.trim().is_empty(), "empty text for {k}");
        }
    }

    #[test]
    fn placeholders_match_across_locales() {
        fn names(s: &str) -> BTreeSet<String> {
            s.split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}').map(|(n, _)| n.to_string()))
                .collect()
        }
        for (k, zh) in all(ZH_PARTS) {
            assert_eq!(names(zh), names(t(Lang::En, k)), "placeholders of {k}");
        }
    }

    /// Every `tr.t("…")` / `tr.tf("…")` in every template and source file names a catalog key.
    #[test]
    fn every_key_used_exists() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut sources = Vec::new();
        for dir in ["templates", "src"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                // This file names the markers in its own comments; it uses no keys.
                if path.extension().is_some_and(|e| e == "html" || e == "rs")
                    && !path.ends_with("i18n.rs")
                {
                    sources.push(std::fs::read_to_string(&path).unwrap());
                }
            }
        }
        let zh = keys(ZH_PARTS);
        let mut used = 0;
        for src in &sources {
            for marker in [".t(\"", ".tf(\""] {
                for piece in src.split(marker).skip(1) {
                    let key = piece.split('"').next().unwrap_or("");
                    assert!(zh.contains(key), "unknown UI key `{key}`");
                    used += 1;
                }
            }
        }
        assert!(used > 50, "found only {used} key uses; is the scan broken?");
    }

    /// Keys built at run time from the core's vocabularies.
    #[test]
    fn computed_keys_exist() {
        let zh = keys(ZH_PARTS);
        let mut computed: Vec<String> = Cadence::ALL
            .iter()
            .map(|(_, name)| format!("cadence.{name}"))
            .collect();
        computed.extend((1..=12).map(|m| format!("month.{m}")));
        computed.extend(["completion-rate", "on-time-rate"].map(|m| format!("method.{m}")));
        computed.extend(
            ["self-assessment", "review", "scoring", "publication"].map(|s| format!("step.{s}")),
        );
        computed.extend(zeren_core::access::Role::ALL.map(|r| format!("role.{}", r.as_str())));
        computed.extend(zeren_core::access::AdminRole::ALL.map(|r| format!("role.{}", r.as_str())));
        computed.extend(
            ["upcoming", "due_soon", "overdue", "done", "waived"].map(|s| format!("status.{s}")),
        );
        computed.extend(
            [
                "nav.home",
                "nav.orgs",
                "nav.people",
                "nav.who",
                "nav.policy",
                "nav.audit",
                "nav.accounts",
                "nav.system",
                "nav.account",
            ]
            .map(String::from),
        );
        computed.extend(
            [
                "auth.error.unauthenticated",
                "auth.error.expired",
                "auth.error.password_change",
                "auth.error.second_factor",
                "auth.error.csrf_title",
                "error.forbidden.title",
            ]
            .map(String::from),
        );
        for key in computed {
            assert!(zh.contains(key.as_str()), "missing {key}");
        }
    }

    #[test]
    fn evidence_kinds_are_named_like_the_core() {
        for kind in EvidenceKind::ALL {
            let key = format!("evidence.{}", kind.as_str());
            assert_eq!(t(Lang::Zh, &key), kind.name_zh(), "{key}");
            assert_ne!(t(Lang::En, &key), key, "{key} missing in English");
        }
    }

    #[test]
    fn picks_the_language() {
        assert_eq!(Tr::from_parts(None, None).lang(), Lang::Zh);
        assert_eq!(Tr::from_parts(Some("lang=en"), None).lang(), Lang::En);
        assert_eq!(Tr::from_parts(Some("x=1&lang=en"), None).qs(), "?lang=en");
        assert_eq!(Tr::from_parts(Some("lang=zh"), Some("en")).lang(), Lang::Zh);
        assert_eq!(Tr::from_parts(None, Some("en")).lang(), Lang::En);
        assert_eq!(Tr::from_parts(None, Some("en")).qs(), "");
        assert_eq!(
            Tr::from_parts(None, Some("en-US,en;q=0.9")).lang(),
            Lang::En
        );
        assert_eq!(
            Tr::from_parts(None, Some("zh-CN,zh;q=0.9,en;q=0.8")).lang(),
            Lang::Zh
        );
        assert_eq!(
            Tr::from_parts(None, Some("fr, en;q=0.5, zh;q=0.7")).lang(),
            Lang::Zh
        );
        assert_eq!(Tr::from_parts(None, Some("fr, en;q=0.5")).lang(), Lang::En);
        assert_eq!(Tr::from_parts(None, Some("en;q=0")).lang(), Lang::Zh);
        assert_eq!(Tr::from_parts(None, Some("*")).lang(), Lang::Zh);
    }

    #[test]
    fn fills_placeholders() {
        assert_eq!(days(Lang::En, 1), "1 day");
        assert_eq!(days(Lang::En, 15), "15 days");
        assert_eq!(days(Lang::Zh, 15), "15日");
        assert_eq!(
            tf(Lang::Zh, "due.by", &[("month", "12月"), ("day", "31")]),
            "每年12月31日前"
        );
    }
}
