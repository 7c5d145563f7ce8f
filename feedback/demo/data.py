"""What the demo province holds, as plain data: the loader turns it into rows.

A province department, three cities, two counties each, a service hall per county and one
per city, windows of all seven service trades with their commitments (承诺) and five
disclosures (五公开), the pools staff names and titles are drawn from, and the demo users.
Window references are ``"<hall code>/<window key>"``.
"""

from __future__ import annotations

from dataclasses import dataclass

from feedback.accounts.models import Role
from feedback.orgs.models import UnitKind

# Documented in README.md ("Demo data"); every demo account uses it.
DEMO_PASSWORD = "manyi-demo-2026"  # noqa: S105 (public on purpose: demo data only)
# The year of the plan (湘建办〔2011〕68号): the same names and numbers on every run.
RANDOM_SEED = 2011


# --- windows --------------------------------------------------------------------------------


@dataclass(frozen=True)
class WindowKind:
    """A kind of window: its trade, usual name and public text."""

    name: str
    category: str  # a ServiceCategory code (SERVICE_CATEGORIES)
    matters: str  # 办事事项
    basis: str  # 办事依据
    rules: str  # 办事规则
    procedure: str  # 办事程序
    results: str  # 办事结果
    time_limit: str  # the 限时办结 commitment of this kind of window


COMMITMENTS = (
    "首问负责：第一位接待您的工作人员负责解答或引导到位。",
    "一次性告知：办事所需材料和条件一次讲清、书面告知。",
    "限时办结：{time_limit}。",
    "微笑服务：文明用语、热情接待，不推诿、不刁难。",
    "亮证上岗：工作人员佩戴工牌上岗，接受群众监督。",
)


def commitments(kind: WindowKind) -> str:
    """The 承诺 of a window of ``kind``, one per line, as printed on its desk card."""
    return "\n".join(line.format(time_limit=kind.time_limit) for line in COMMITMENTS)


WINDOW_KINDS: dict[str, WindowKind] = {
    # 行政许可
    "construction_permit": WindowKind(
        name="建筑工程施工许可窗口",
        category="licensing",
        matters="房屋建筑和市政基础设施工程施工许可证的核发、变更和延期；办理进度查询和政策咨询。",
        basis="《中华人民共和国建筑法》第七条至第十一条；"
        "《建筑工程施工许可管理办法》（住房和城乡建设部令第18号）。",
        rules="按规定限额以下的小型工程可以不申请施工许可证；申请材料齐全、符合法定形式的"
        "当场受理，材料不齐全的一次性告知需要补正的全部内容。",
        procedure="网上申报或窗口提交 → 受理 → 审查 → 作出许可决定 → 发放电子证照。",
        results="许可结果在湖南政务服务网公示，申请人可凭受理回执号查询办理进度和结果。",
        time_limit="材料齐全、符合条件的，自受理之日起5个工作日内办结",
    ),
    "presale_permit": WindowKind(
        name="商品房预售许可窗口",
        category="licensing",
        matters="商品房预售许可证的核发和变更；预售方案审查；预售资金监管咨询。",
        basis="《中华人民共和国城市房地产管理法》第四十五条；《城市商品房预售管理办法》。",
        rules="开发企业应当取得土地使用权证书、建设工程规划许可证和施工许可证，投入开发建设的"
        "资金达到工程建设总投资的25%以上，并已确定施工进度和竣工交付日期。",
        procedure="提交申请 → 受理 → 现场查勘 → 审核 → 公示 → 发证。",
        results="预售许可信息（项目名称、预售范围、套数和面积）在本局网站和交易大厅公示。",
        time_limit="自受理之日起10个工作日内作出决定",
    ),
    "developer_qualification": WindowKind(
        name="房地产开发企业资质核定窗口",
        category="licensing",
        matters="房地产开发企业二级资质的核定、延续、变更和注销。",
        basis="《城市房地产开发经营管理条例》；《房地产开发企业资质管理规定》。",
        rules="实行告知承诺制的事项，申请人书面承诺符合条件的当场办理；"
        "能通过信息共享获取的材料，不再要求申请人提供。",
        procedure="网上申报 → 受理 → 审查 → 决定 → 公告 → 发放电子证书。",
        results="核定结果在本局网站公告，电子证书可在线核验。",
        time_limit="告知承诺事项当场办结，其他事项10个工作日内办结",
    ),
    "completion_filing": WindowKind(
        name="竣工验收备案窗口",
        category="licensing",
        matters="房屋建筑和市政基础设施工程竣工验收备案；备案证明补办。",
        basis="《建设工程质量管理条例》第四十九条；"
        "《房屋建筑和市政基础设施工程竣工验收备案管理办法》。",
        rules="建设单位应当自工程竣工验收合格之日起15日内申请备案；"
        "备案材料齐全的当场出具备案证明。",
        procedure="提交竣工验收报告及相关材料 → 窗口核验 → 备案 → 出具备案证明。",
        results="备案结果可在湖南省工程建设项目审批管理系统查询。",
        time_limit="材料齐全的当场办结",
    ),
    "drainage_permit": WindowKind(
        name="污水排入排水管网许可窗口",
        category="licensing",
        matters="城镇污水排入排水管网许可证的核发、变更和延续。",
        basis="《城镇排水与污水处理条例》；《城镇污水排入排水管网许可管理办法》。",
        rules="排水户应当按照许可证确定的排水类别、总量、时限、排放口位置和数量、"
        "排放的污染物项目和浓度等要求排放污水。",
        procedure="申请 → 受理 → 现场核查 → 审查决定 → 发证。",
        results="许可证信息在本局网站公开，许可证有效期5年。",
        time_limit="自受理之日起10个工作日内办结",
    ),
    # 市政公用
    "water_connection": WindowKind(
        name="供水报装窗口",
        category="utilities",
        matters="用水报装（新装、增容、改装）、过户和销户；水费、水质和水压问题受理。",
        basis="《城市供水条例》；《优化营商环境条例》。",
        rules="报装实行申请、勘查、接水三个环节办理，所需材料一次性告知；"
        "用户建筑区划红线外的接入工程由供水企业负责。",
        procedure="申请 → 现场勘查 → 签订供用水合同 → 施工接水 → 通水。",
        results="报装进度以短信告知用户，可在窗口或供水企业服务热线查询。",
        time_limit="无外线工程的，自受理之日起5个工作日内通水",
    ),
    "gas_connection": WindowKind(
        name="燃气报装窗口",
        category="utilities",
        matters="管道燃气报装（居民和工商业用户）、过户、改管、停气和复气；燃气安全咨询。",
        basis="《城镇燃气管理条例》；《优化营商环境条例》。",
        rules="燃气经营企业不得要求用户购买其指定的燃气器具；"
        "通气前免费进行入户安全检查和安全用气告知。",
        procedure="申请 → 现场勘查 → 签订供用气合同 → 施工安装 → 验收通气。",
        results="通气后建立用户档案，办理结果以短信告知用户。",
        time_limit="无外线工程的，自受理之日起5个工作日内通气",
    ),
    # 公园景区
    "park_pass": WindowKind(
        name="公园年卡办理窗口",
        category="parks",
        matters="公园年卡的办理、续期和挂失补办；游园咨询、失物招领和游客意见受理。",
        basis="《城市绿化条例》；《公园服务基本要求》（GB/T 38584—2020）。",
        rules="年卡实名办理、限本人使用；老年人、残疾人和现役军人等凭有效证件"
        "享受免费或优惠政策。",
        procedure="出示身份证件 → 采集照片 → 缴费 → 当场制卡。",
        results="年卡当场领取，挂失补办结果以短信通知。",
        time_limit="年卡当场办结，挂失补办3个工作日内办结",
    ),
    "scenic_visitor": WindowKind(
        name="景区游客服务窗口",
        category="parks",
        matters="景区参观预约、游览线路和交通咨询、轮椅和婴儿车借用、失物招领。",
        basis="《风景名胜区条例》；《公园服务基本要求》（GB/T 38584—2020）。",
        rules="实行分时段预约参观，团队和散客均可预约；借用物品凭有效证件登记，免费使用。",
        procedure="线上或窗口预约 → 核验身份证件 → 按预约时段入园。",
        results="每日预约人数和景区最大承载量在入口和官方平台公布。",
        time_limit="咨询即问即答，预约当场办结",
    ),
    "guide_booking": WindowKind(
        name="讲解服务预约窗口",
        category="parks",
        matters="团队和散客讲解服务预约，讲解时段和线路安排。",
        basis="《风景名胜区条例》；景区讲解服务管理制度。",
        rules="讲解员持证上岗、统一着装、规范讲解；讲解收费标准在窗口公示，不得另行收费。",
        procedure="预约登记 → 确认讲解时段和线路 → 按时接待讲解。",
        results="预约结果当场或以短信确认，讲解服务接受游客评价。",
        time_limit="预约当场确认",
    ),
    "scenic_complaint": WindowKind(
        name="景区投诉受理窗口",
        category="parks",
        matters="受理游客对景区服务、环境卫生和经营秩序的投诉与建议。",
        basis="《风景名胜区条例》；《中华人民共和国旅游法》。",
        rules="投诉登记编号、全程跟踪；能当场处理的当场处理，不能当场处理的告知办理时限。",
        procedure="登记投诉 → 调查核实 → 处理 → 答复游客 → 回访。",
        results="处理结果告知投诉人，典型投诉的处理情况定期公布。",
        time_limit="投诉自受理之日起5个工作日内答复",
    ),
    # 房地产交易与权属登记
    "title_registration": WindowKind(
        name="不动产登记窗口",
        category="real_estate",
        matters="房屋等不动产的首次、转移、变更、抵押和注销登记；登记资料查询。",
        basis="《中华人民共和国民法典》物权编；《不动产登记暂行条例》及其实施细则。",
        rules="交易、税收、登记一次取号、一窗受理；查询登记资料须出示身份证明。",
        procedure="取号 → 一窗受理 → 缴税缴费 → 登簿 → 颁发不动产权证书或登记证明。",
        results="登记结果记载于不动产登记簿，可在窗口或网上查询。",
        time_limit="一般登记5个工作日内办结，抵押登记3个工作日内办结",
    ),
    "resale_transaction": WindowKind(
        name="存量房交易窗口",
        category="real_estate",
        matters="存量房（二手房）买卖合同网签备案、交易资金监管和房屋交易信息查询。",
        basis="《中华人民共和国城市房地产管理法》；《城市房地产转让管理规定》。",
        rules="交易双方本人或委托代理人到场办理；经纪机构代办的须出示备案证明和授权委托书。",
        procedure="核验房源 → 签订网签合同 → 资金监管 → 备案 → 转入登记。",
        results="网签备案信息可在住房和城乡建设部门网站核验。",
        time_limit="材料齐全的当场办结",
    ),
    "contract_filing": WindowKind(
        name="商品房合同网签备案窗口",
        category="real_estate",
        matters="新建商品房买卖合同网签备案，以及备案的变更和注销。",
        basis="《商品房销售管理办法》；《房屋交易合同网签备案业务规范（试行）》。",
        rules="网签备案以楼盘表为基础，已查封、已抵押或不具备销售条件的房屋不予网签。",
        procedure="开发企业提交合同 → 购房人核验身份 → 网签 → 备案 → 出具备案证明。",
        results="备案合同可凭合同编号在线核验。",
        time_limit="当场办结",
    ),
    # 物业管理
    "property_complaint": WindowKind(
        name="物业投诉受理窗口",
        category="property",
        matters="受理业主对物业服务质量、收费、公共部位维修和业主大会成立的投诉与咨询。",
        basis="《中华人民共和国民法典》第三编第二十四章；《物业管理条例》；"
        "《湖南省物业管理条例》。",
        rules="投诉实行登记、转办、督办、回访闭环管理；涉及多个部门的由受理窗口牵头协调。",
        procedure="登记 → 转物业服务企业或街道社区办理 → 限期处理 → 答复 → 回访。",
        results="处理结果答复投诉人，物业服务企业被投诉情况纳入信用评价。",
        time_limit="一般投诉自受理之日起10个工作日内答复",
    ),
    "maintenance_fund": WindowKind(
        name="住宅专项维修资金窗口",
        category="property",
        matters="住宅专项维修资金的交存、使用申请、余额查询和退还。",
        basis="《中华人民共和国民法典》第二百七十八条；"
        "《住宅专项维修资金管理办法》（建设部、财政部令第165号）。",
        rules="维修资金专户存储、专款专用；使用须经专有部分面积和人数均占三分之二以上的业主"
        "参与表决，并经参与表决的业主过半数同意。",
        procedure="业主表决 → 提交使用申请 → 审核 → 公示 → 划拨资金。",
        results="资金使用情况在小区显著位置公示，业主可在窗口查询分户账。",
        time_limit="应急维修3个工作日内审核拨付，其他申请5个工作日内办结",
    ),
    # 住房公积金管理
    "fund_deposit": WindowKind(
        name="公积金缴存窗口",
        category="housing_fund",
        matters="单位住房公积金缴存登记、个人账户设立、缴存基数调整、补缴和封存启封。",
        basis="《住房公积金管理条例》。",
        rules="职工和单位的缴存比例均不得低于职工上一年度月平均工资的5%；"
        "缴存基数每年调整一次。",
        procedure="单位网上申报或窗口提交 → 审核 → 设立或变更账户 → 缴存入账。",
        results="缴存信息可在公积金中心网站、手机应用和12329热线查询。",
        time_limit="缴存登记当场办结",
    ),
    "fund_withdrawal": WindowKind(
        name="公积金提取窗口",
        category="housing_fund",
        matters="购房、租房、偿还贷款和离休退休等住房公积金提取。",
        basis="《住房公积金管理条例》第二十四条、第二十五条。",
        rules="能通过信息共享核验的材料不再要求提供；提取资金直接转入职工本人银行账户。",
        procedure="提交申请 → 核验 → 审批 → 资金到账。",
        results="提取结果以短信通知，可在公积金中心网站查询。",
        time_limit="资料齐全的当场审批，资金1个工作日内到账",
    ),
    "fund_loan": WindowKind(
        name="公积金贷款窗口",
        category="housing_fund",
        matters="住房公积金个人住房贷款申请、提前还款、贷款结清和进度查询。",
        basis="《住房公积金管理条例》第二十六条。",
        rules="贷款额度按缴存余额、还款能力和房屋价格综合核定；"
        "首套和二套住房执行不同的首付比例和利率。",
        procedure="申请 → 受理 → 审批 → 签订合同 → 办理抵押 → 放款。",
        results="审批结果以短信告知，贷款进度可在线查询。",
        time_limit="自受理之日起10个工作日内作出审批决定",
    ),
    "fund_transfer": WindowKind(
        name="公积金转移接续窗口",
        category="housing_fund",
        matters="住房公积金异地转移接续和同城账户合并。",
        basis="《住房公积金管理条例》；《住房公积金异地转移接续业务操作规程》。",
        rules="职工在转入地设立账户后只需在转入地申请，不再往返两地。",
        procedure="转入地申请 → 平台发起转出 → 资金划转 → 转入入账。",
        results="转移接续进度可在全国住房公积金小程序查询。",
        time_limit="自受理之日起3个工作日内完成转入",
    ),
    # 12319服务热线
    "hotline": WindowKind(
        name="12319热线受理席",
        category="hotline",
        matters="受理群众经12319城建服务热线反映的住房城乡建设领域咨询、投诉、建议和求助，"
        "转办、督办并回访。",
        basis="国家和省关于12319城建服务热线的有关规定；本单位热线受理、转办、督办和回访制度。",
        rules="热线7×24小时受理，来电全程录音；紧急事项即时转办，一般事项当日转办。",
        procedure="接听登记 → 即时答复或转办 → 承办单位办理 → 答复来电人 → 回访。",
        results="办理结果答复来电人，热线受理和办理情况每月通报。",
        time_limit="一般诉求15个工作日内办结并答复",
    ),
}


@dataclass(frozen=True)
class WindowSpec:
    kind: str  # a key of WINDOW_KINDS
    name: str | None = None  # default: the kind's name
    key: str | None = None  # unique in its hall; default: the kind
    location: str | None = None  # default: "<hall location><n>号窗口"

    @property
    def ref_key(self) -> str:
        return self.key or self.kind


def hotline_seat(number: int, centre: str) -> WindowSpec:
    return WindowSpec("hotline", name=f"12319热线受理{'一二三四'[number - 1]}席",
                      key=f"hotline-{number}", location=f"{centre} {number}号坐席")


# --- the organisation tree ------------------------------------------------------------------


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    kind: UnitKind
    children: tuple[UnitSpec, ...] = ()
    location: str = ""  # halls: building and floor, each window adds its number
    windows: tuple[WindowSpec, ...] = ()


def _hall(code: str, name: str, location: str, *windows: str | WindowSpec) -> UnitSpec:
    specs = tuple(w if isinstance(w, WindowSpec) else WindowSpec(w) for w in windows)
    return UnitSpec(code, name, UnitKind.HALL, location=location, windows=specs)


def _county(code: str, name: str, *halls: UnitSpec) -> UnitSpec:
    return UnitSpec(code, name, UnitKind.COUNTY, children=halls)


PROVINCE = UnitSpec(
    "HN", "湖南省住房和城乡建设厅", UnitKind.PROVINCE, children=(
        UnitSpec("HN-CS", "长沙市住房和城乡建设局", UnitKind.CITY, children=(
            _hall("HN-CS-H1", "长沙市政务服务中心住建窗口区", "长沙市政务服务中心三楼住建窗口区",
                  "construction_permit", "presale_permit", "developer_qualification",
                  "park_pass",
                  hotline_seat(1, "长沙市12319城建服务热线中心"),
                  hotline_seat(2, "长沙市12319城建服务热线中心")),
            _county("HN-CS-WC", "长沙市望城区住房和城乡建设局",
                    _hall("HN-CS-WC-H1", "望城区政务服务中心住建窗口区",
                          "望城区政务服务中心二楼住建窗口区",
                          "title_registration", "resale_transaction", "property_complaint",
                          "water_connection")),
            _county("HN-CS-LY", "浏阳市住房和城乡建设局",
                    _hall("HN-CS-LY-H1", "浏阳市政务服务中心住建窗口区",
                          "浏阳市政务服务中心一楼住建窗口区",
                          "contract_filing", "maintenance_fund", "gas_connection",
                          "fund_deposit")),
        )),
        UnitSpec("HN-ZZ", "株洲市住房和城乡建设局", UnitKind.CITY, children=(
            _hall("HN-ZZ-H1", "株洲市住房公积金管理中心服务大厅",
                  "株洲市住房公积金管理中心一楼服务大厅",
                  "fund_deposit", "fund_withdrawal", "fund_loan", "fund_transfer"),
            _county("HN-ZZ-TY", "株洲市天元区住房和城乡建设局",
                    _hall("HN-ZZ-TY-H1", "天元区政务服务中心住建窗口区",
                          "天元区政务服务中心二楼住建窗口区",
                          "construction_permit", "drainage_permit", "title_registration",
                          "property_complaint")),
            _county("HN-ZZ-LL", "醴陵市住房和城乡建设局",
                    _hall("HN-ZZ-LL-H1", "醴陵市政务服务中心住建窗口区",
                          "醴陵市政务服务中心一楼住建窗口区",
                          "title_registration", "water_connection", "gas_connection",
                          "fund_withdrawal")),
        )),
        UnitSpec("HN-XT", "湘潭市住房和城乡建设局", UnitKind.CITY, children=(
            _hall("HN-XT-H1", "湘潭市政务服务中心住建窗口区", "湘潭市政务服务中心二楼住建窗口区",
                  "construction_permit", "completion_filing",
                  hotline_seat(1, "湘潭市12319城建服务热线中心"),
                  hotline_seat(2, "湘潭市12319城建服务热线中心")),
            _county("HN-XT-XTX", "湘潭县住房和城乡建设局",
                    _hall("HN-XT-XTX-H1", "湘潭县政务服务中心住建窗口区",
                          "湘潭县政务服务中心一楼住建窗口区",
                          "title_registration", "contract_filing", "water_connection",
                          "property_complaint")),
            # Scenic areas (风景名胜区) belong to the housing and construction system.
            _county("HN-XT-SS", "韶山市住房和城乡建设局",
                    _hall("HN-XT-SS-H1", "韶山风景名胜区游客服务中心", "韶山风景名胜区游客服务中心",
                          "scenic_visitor", "guide_booking", "scenic_complaint")),
        )),
    ),
)


# --- staff ----------------------------------------------------------------------------------

STAFF_TOTAL = 100
STAFF_PER_WINDOW = (2, 4)  # fewest and most staff at one window
# Window leads are more often party members (党员示范岗); about 30% overall.
PARTY_SHARE_LEADS = 0.5
PARTY_SHARE_OTHERS = 0.15

# Common surnames, weighted roughly as in Hunan (刘, 李, 陈 … and the compound 欧阳).
SURNAMES: tuple[tuple[str, int], ...] = (
    ("刘", 10), ("李", 9), ("陈", 8), ("王", 8), ("张", 7), ("周", 6), ("彭", 5), ("黄", 5),
    ("罗", 5), ("唐", 5), ("邓", 4), ("谭", 4), ("曾", 4), ("胡", 4), ("杨", 4), ("易", 3),
    ("龙", 3), ("贺", 3), ("肖", 3), ("廖", 3), ("蒋", 3), ("吴", 3), ("赵", 3), ("朱", 3),
    ("何", 2), ("汤", 2), ("文", 2), ("袁", 2), ("钟", 2), ("颜", 2), ("向", 2), ("欧阳", 1),
    ("孙", 1), ("郭", 1), ("许", 1), ("邹", 1), ("熊", 1), ("夏", 1), ("田", 1), ("姚", 1),
)
# Given names of the generations that staff the windows, one or two characters.
GIVEN_NAMES = (
    "伟", "芳", "敏", "静", "勇", "军", "磊", "洋", "艳", "杰", "涛", "斌", "娟", "丹", "鹏",
    "建国", "建华", "建军", "志强", "志刚", "志明", "国平", "国庆", "卫东", "卫国", "海燕",
    "海波", "春梅", "春华", "红梅", "红霞", "丽娟", "丽华", "秀英", "桂英", "晓燕", "晓军",
    "晓峰", "小红", "小兰", "文斌", "文静", "俊杰", "明辉", "振华", "德明", "永红", "湘平",
    "湘君", "立新", "新民", "爱民", "雪梅", "玉兰", "美玲", "慧敏", "婷婷", "雅琴", "思远",
    "子豪", "宇航", "浩然", "嘉怡", "欣怡", "佳琪", "雨欣", "梓涵", "一鸣", "晨曦", "梦瑶",
    "诗琪", "俊熙", "家豪", "佳怡", "紫涵", "子轩", "博文", "思琪", "天宇", "凯文", "晓东",
    "亚军", "金凤", "艳华", "利平", "少华", "学军", "益民", "长青", "湘云",
)

LEAD_TITLE = "窗口负责人"
STAFF_TITLES: tuple[tuple[str, int], ...] = (
    ("科员", 6), ("办事员", 3), ("副科长", 1), ("四级主任科员", 1),
)
# Hotline seats have their own titles.
HOTLINE_LEAD_TITLE = "值班长"
HOTLINE_TITLES: tuple[tuple[str, int], ...] = (("话务员", 1),)


# --- users ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class UserSpec:
    username: str
    role: Role
    display_name: str = ""  # empty for a staff account: the staff member's name
    unit: str | None = None  # supervisors and operators: an org unit code
    windows: tuple[str, ...] = ()  # managers: window references
    staff: tuple[str, int] | None = None  # staff: a window reference and a position there


DEMO_USERS: tuple[UserSpec, ...] = (
    UserSpec("admin", Role.ADMIN, "系统管理员"),
    UserSpec("supervisor", Role.SUPERVISOR, "谭志刚", unit="HN"),
    UserSpec("changsha", Role.SUPERVISOR, "李卫红", unit="HN-CS"),
    # The real-estate and property section of 望城; the water window belongs to the water works.
    UserSpec("manager", Role.MANAGER, "王丽娟", windows=(
        "HN-CS-WC-H1/title_registration", "HN-CS-WC-H1/resale_transaction",
        "HN-CS-WC-H1/property_complaint",
    )),
    UserSpec("manager2", Role.MANAGER, "陈国庆", windows=(
        "HN-ZZ-H1/fund_deposit", "HN-ZZ-H1/fund_withdrawal", "HN-ZZ-H1/fund_loan",
        "HN-ZZ-H1/fund_transfer",
    )),
    UserSpec("operator", Role.OPERATOR, "周晓燕", unit="HN"),
    # A clerk (not the lead) at one of manager's windows.
    UserSpec("staff", Role.STAFF, staff=("HN-CS-WC-H1/title_registration", 1)),
)
