"""Demo cases in every state, on the demo windows (a step of ``feedback.demo.loader``).

Bad reviews are submitted through the real rating service and then handled through the case
services by the demo accounts, at times in the two weeks before "now", so the lists, the
timelines, the deadlines, an overdue case and the appeals all have something to show. The
demo ``manager`` (望城) and ``manager2`` (株洲) have cases waiting, and ``supervisor`` an
appeal to decide. All of it is done by the system, as all demo data is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from feedback import clock
from feedback.cases.models import AppealGrounds, Case, CaseKind, CaseSource, Triage, Verdict
from feedback.cases.workflow import services
from feedback.clock import local_date
from feedback.evaluations.models import Channel, Evaluation
from feedback.evaluations.services import Contact, Submission, submit_evaluation
from feedback.extensions import db
from feedback.questionnaires.queries import current_version_for

if TYPE_CHECKING:
    from feedback.demo.loader import DemoContext

# Moves after opening, in order; each happens a few hours after the one before.
ASSIGN, VERIFY, ANSWER, CALLBACK_OK, CALLBACK_BAD, CLOSE, APPEAL, UPHOLD = (
    "assign", "verify", "answer", "callback_ok", "callback_bad", "close", "appeal", "uphold")


@dataclass(frozen=True)
class DemoCase:
    window: str  # a window reference "<hall code>/<key>", or a hall code for a hall's case
    days_ago: float
    kind: CaseKind
    source: CaseSource
    content: str
    level: int = 0  # bad reviews: the rating
    reasons: tuple[str, ...] = ()
    phone: str = ""
    moves: tuple[str, ...] = ()
    finding: str = "调阅监控录像并询问当班人员，情况属实。"
    founded: bool = True
    triage: Triage = Triage.FIX_NOW
    reply: str = "感谢您的反馈。经核实，情况属实，已对相关人员进行批评教育并向您致歉。"
    assignee: str = "manager"  # the demo account the case is assigned to


WC = "HN-CS-WC-H1"
ZZ = "HN-ZZ-H1"
CASES: tuple[DemoCase, ...] = (
    # new: waiting for the manager, with and without a phone number
    DemoCase(f"{WC}/title_registration", 0.2, CaseKind.BAD_REVIEW, CaseSource.EVALUATION,
             "排队一个多小时，窗口只开了一个。", level=1, reasons=("slow",),
             phone="13807310001"),
    DemoCase(f"{WC}/resale_transaction", 0.5, CaseKind.COMPLAINT, CaseSource.SUGGESTION_BOX,
             "网上预约的号到了现场说不认，希望统一口径。"),
    # assigned
    DemoCase(f"{WC}/property_complaint", 2.1, CaseKind.COMPLAINT, CaseSource.HOTLINE,
             "来电反映：物业投诉提交一周没有任何回复。", phone="13973120002", moves=(ASSIGN,)),
    # verified
    DemoCase(f"{WC}/title_registration", 3.2, CaseKind.BAD_REVIEW, CaseSource.EVALUATION,
             "工作人员说话很冲。", level=2, reasons=("attitude",), moves=(ASSIGN, VERIFY)),
    # answered, anonymous: closes without a callback
    DemoCase(f"{WC}/resale_transaction", 4.3, CaseKind.BAD_REVIEW, CaseSource.EVALUATION,
             "要求的材料前后说法不一样，跑了三趟。", level=1, reasons=("many_trips",),
             moves=(ASSIGN, VERIFY, ANSWER), triage=Triage.FIX_BY_DEADLINE,
             reply="经核实，窗口一次性告知不到位属实，已限期整改并统一印发材料清单。"),
    # followed up by a callback, satisfied: waiting to be closed
    DemoCase(f"{ZZ}/fund_withdrawal", 5.1, CaseKind.BAD_REVIEW, CaseSource.EVALUATION,
             "提取公积金被要求补交已经交过的证明。", level=2, reasons=("many_trips",),
             phone="13907330003", moves=(ASSIGN, VERIFY, ANSWER, CALLBACK_OK),
             assignee="manager2"),
    # closed after a satisfied callback; the suggestion had no basis and was explained
    DemoCase(f"{ZZ}/fund_loan", 7.4, CaseKind.SUGGESTION, CaseSource.SUGGESTION_BOX,
             "建议在大厅增加公积金贷款进度查询机。", phone="13607330004",
             moves=(ASSIGN, VERIFY, ANSWER, CALLBACK_OK, CLOSE), founded=False,
             triage=Triage.EXPLAIN, finding="大厅已有自助查询终端，位于二号门旁，群众未注意到。",
             reply="大厅二号门旁已设自助查询终端，也可在“湖南公积金”微信公众号查询进度。",
             assignee="manager2"),
    # reopened: the citizen was not satisfied with the first answer
    DemoCase(f"{WC}/property_complaint", 9.2, CaseKind.BAD_REVIEW, CaseSource.EVALUATION,
             "投诉物业乱收费，窗口推给街道，街道又推回来。", level=1,
             reasons=("buck_passing",), phone="13787310005",
             moves=(ASSIGN, VERIFY, ANSWER, CALLBACK_BAD)),
    # overdue: assigned twelve days ago, never answered
    DemoCase(f"{WC}/title_registration", 12.3, CaseKind.BAD_REVIEW, CaseSource.EVALUATION,
             "办证系统故障，让明天再来，第二天还是不行。", level=2, reasons=("many_trips",),
             moves=(ASSIGN,)),
    # appeal pending: the rater chose the wrong window
    DemoCase(f"{ZZ}/fund_deposit", 3.6, CaseKind.BAD_REVIEW, CaseSource.EVALUATION,
             "停车场收费太贵。", level=1, reasons=("other",), moves=(ASSIGN, APPEAL),
             assignee="manager2"),
    # appeal upheld: the evaluation is kept but no longer counted
    # and the case closed with an explanation
    DemoCase(f"{ZZ}/fund_transfer", 8.2, CaseKind.BAD_REVIEW, CaseSource.EVALUATION,
             "", level=1, moves=(ASSIGN, APPEAL, UPHOLD, VERIFY, ANSWER, CLOSE),
             founded=False, triage=Triage.EXPLAIN,
             finding="叫号记录显示该群众当日未在本窗口办理业务，申诉复核成立。",
             reply="经核实，您当日未在本窗口办理业务。如对服务有意见，欢迎再次反映。",
             assignee="manager2"),
    # praise for a hall as a whole, closed at once
    DemoCase(WC, 6.0, CaseKind.PRAISE, CaseSource.HOTLINE,
             "来电表扬望城区政务服务大厅导办员热情周到。", moves=(CLOSE,),
             assignee="changsha"),
)

STEP = timedelta(hours=5)  # between two moves of one case


def add_cases(ctx: DemoContext) -> None:
    """Open ``CASES`` and move each to its state; then announce them and mark the overdue."""
    for spec in CASES:
        opened_at = ctx.now - timedelta(days=spec.days_ago)
        with clock.frozen_at(opened_at):
            case = _open(ctx, spec)
        moment = opened_at
        for move in spec.moves:
            moment += STEP + timedelta(minutes=ctx.rng.randrange(0, 90))
            with clock.frozen_at(min(moment, ctx.now)):
                _MOVES[move](ctx, spec, case)
    services.announce_new_cases(ctx.now)
    services.mark_overdue_cases(ctx.now)
    db.session.flush()
    ctx.summary.counts["cases"] = len(CASES)


def _open(ctx: DemoContext, spec: DemoCase) -> Case:
    if spec.source == CaseSource.EVALUATION:
        window = ctx.windows[spec.window]
        version = current_version_for(window, local_date(clock.now()))
        answers: dict = {"overall": str(spec.level), "comment": spec.content}
        if spec.reasons:
            answers["reasons"] = list(spec.reasons)
        stored = submit_evaluation(
            window, version, answers,
            Contact(phone=spec.phone, consent=bool(spec.phone)), Submission(channel=Channel.QR))
        evaluation = db.session.get(Evaluation, stored.id)
        return db.session.scalars(db.select(Case).where(Case.evaluation == evaluation)).one()
    window = ctx.windows.get(spec.window)
    hall = ctx.units.get(spec.window) if window is None else None
    opened = services.open_case(
        None, kind=spec.kind,
        source=spec.source, content=spec.content, window=window, hall=hall, phone=spec.phone,
        consent=bool(spec.phone))
    return opened.case


# Every move is made by the system (actor None), as all demo data is: the audit log shows how
# the data came to be. Cases are assigned to the demo accounts, who carry on from there.


def _assign(ctx, spec, case):
    services.assign_case(None, case, ctx.users[spec.assignee])


def _verify(ctx, spec, case):
    services.verify_case(None, case, founded=spec.founded, finding=spec.finding,
                         triage=spec.triage)


def _answer(ctx, spec, case):
    services.answer_case(None, case, spec.reply)


def _callback(verdict: Verdict, note: str) -> Callable:
    def move(ctx, spec, case):
        services.record_callback(None, case, verdict, note)

    return move


def _close(ctx, spec, case):
    services.close_case(None, case, "")


def _appeal(ctx, spec, case):
    grounds = AppealGrounds.MISTAKEN if spec.content else AppealGrounds.MALICIOUS
    evidence = ("评价内容为停车场收费，与本窗口服务无关，属误评。" if spec.content else
                "同一手机在5分钟内对本窗口连续给出差评，当日该群众未在本窗口办理业务（有排队"
                "叫号记录为证）。")
    services.file_appeal(None, case, grounds, evidence)


def _uphold(ctx, spec, case):
    services.decide_appeal(None, case.pending_appeal, upheld=True,
                           note="经调取叫号记录核实，申诉理由成立。")


_MOVES: dict[str, Callable] = {
    ASSIGN: _assign, VERIFY: _verify, ANSWER: _answer,
    CALLBACK_OK: _callback(Verdict.SATISFIED, "群众对处理结果表示满意。"),
    CALLBACK_BAD: _callback(Verdict.DISSATISFIED, "群众表示问题仍未解决。"),
    CLOSE: _close, APPEAL: _appeal, UPHOLD: _uphold,
}

