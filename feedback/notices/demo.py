"""Demo rectification notices in every state (a step of ``feedback.demo.loader``).

On the demo windows of 望城 (the ``manager`` account, supervised by ``changsha``) and 株洲
(``manager2``, supervised by the province's ``supervisor``): a draft, a dropped draft, a talk
drafted for repeat trouble, notices issued, acknowledged, reported with a photo and a PDF,
returned, verified and closed (their before/after comparison has the demo's six months of
ratings to show), and two overdue ones, escalated, one of them published on /notices. All of
it is done by the system (actor None) at times before "now", as all demo data is.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw
from sqlalchemy import select

from feedback import clock
from feedback.evaluations.models import Evaluation
from feedback.extensions import db
from feedback.notices import services
from feedback.notices.models import Notice
from feedback.notices.workflow import NoticeKind, NoticeSource

if TYPE_CHECKING:
    from feedback.demo.loader import DemoContext

WC, ZZ = "HN-CS-WC-H1", "HN-ZZ-H1"
ISSUE, ACK, REPORT, RETURN, VERIFY, CANCEL = "issue", "ack", "report", "return", "verify", "cancel"


@dataclass(frozen=True)
class DemoNotice:
    window: str  # "<hall code>/<key>"
    issuer: str  # the org unit code it is issued from
    days_ago: float  # when it was drafted; each move follows a day or so later
    problem: str
    requirement: str
    moves: tuple[str, ...] = ()
    source: NoticeSource = NoticeSource.SCRATCH
    kind: NoticeKind = NoticeKind.RECTIFICATION
    overdue: bool = False  # marked overdue (and escalated) an hour after its deadline
    public_text: str = ""  # published two days after it went overdue
    spacing: float = 1.0  # days between one move and the next


NOTICES: tuple[DemoNotice, ...] = (
    DemoNotice(f"{ZZ}/fund_withdrawal", "HN", 110,
               "公积金提取窗口一次性告知不到位，群众反映需多次补交材料，差评集中。",
               "制定并公示提取材料清单，实行一次性告知；对窗口人员开展业务培训。",
               (ISSUE, ACK, REPORT, VERIFY), source=NoticeSource.ALERT, spacing=5),
    DemoNotice(f"{WC}/resale_transaction", "HN-CS", 80,
               "存量房交易窗口高峰时段等候时间过长，近30天差评率明显上升。",
               "高峰时段增开窗口、安排引导员，并在大厅公示实时等候人数。",
               (ISSUE, ACK, REPORT, RETURN, REPORT, VERIFY), source=NoticeSource.ALERT,
               spacing=3),
    DemoNotice(f"{WC}/water_connection", "HN-CS", 45,
               "暗访发现用水报装窗口未公示办事指南，工作时间窗口无人。",
               "公示办事指南和监督电话，落实首问负责和AB岗制度。",
               (ISSUE,), source=NoticeSource.INSPECTION, overdue=True,
               public_text="望城区用水报装窗口未在期限内完成整改通知要求的整改，"
                           "现予以通报，责令立即整改。"),
    DemoNotice(f"{ZZ}/fund_loan", "HN", 40,
               "公积金贷款窗口审批进度不透明，群众多次来电询问无果。",
               "建立贷款办理进度查询渠道，每周向申请人反馈进度。",
               (ISSUE, ACK), overdue=True),
    DemoNotice(f"{WC}/title_registration", "HN-CS", 14,
               "不动产登记窗口工作人员服务态度生硬，近两周3条差评反映“说话很冲”。",
               "开展文明服务培训，负责人约谈相关人员，一周内报告整改情况。",
               (ISSUE, ACK, REPORT, RETURN), source=NoticeSource.CASES, spacing=2),
    DemoNotice(f"{WC}/property_complaint", "HN-CS", 10,
               "物业投诉受理窗口超期未回复投诉，12319转办件办结率偏低。",
               "清理积压投诉，建立限时办结台账。",
               (ISSUE, ACK, REPORT), spacing=2),
    DemoNotice(f"{WC}/resale_transaction", "HN-CS", 5,
               "存量房交易窗口网上预约号与现场叫号口径不一致。",
               "统一网上预约与现场取号规则，并在窗口公示。",
               (ISSUE, ACK)),
    DemoNotice(f"{WC}/title_registration", "HN-CS", 2,
               "不动产登记窗口午间休息时段无人值守，群众等候时间长。",
               "落实午间弹性工作制，保证午间至少一个窗口办理业务。",
               (ISSUE,)),
    DemoNotice(f"{ZZ}/fund_transfer", "HN-ZZ", 1.5,
               "公积金转移接续窗口连续两个月在全市同类窗口中满意度排名末位。",
               "窗口负责人到督查单位接受约谈，并提交书面整改方案。",
               source=NoticeSource.RANKING, kind=NoticeKind.TALK),
    DemoNotice(f"{WC}/property_complaint", "HN-CS", 1,
               "物业投诉受理窗口周末值班电话无人接听。",
               "", (CANCEL,)),
    DemoNotice(f"{WC}/water_connection", "HN-CS", 0.5,
               "用水报装窗口一次性告知单内容与实际要求不符。",
               "修订一次性告知单，经审核后重新印发。"),
)

MEASURES = (
    "已召开窗口专题会议，制定整改方案；已印制并在窗口公示材料清单和办理流程，"
    "对窗口人员开展了一次集中培训（见现场照片和培训签到表）。"
)
MORE_MEASURES = "补充：已在大厅显示屏每日公示等候人数，附公示照片及一周统计表。"


def add_notices(ctx: DemoContext) -> None:
    """The notices of ``NOTICES``, oldest first (numbers follow the order of issue)."""
    made = [(spec, _walk(ctx, spec)) for spec in sorted(NOTICES, key=lambda s: -s.days_ago)]
    for spec, notice in made:
        if spec.overdue:
            moment = notice.due_at + timedelta(hours=1)
            with clock.frozen_at(moment):
                services.mark_overdue_notices(moment)
            if spec.public_text:
                with clock.frozen_at(moment + timedelta(days=2)):
                    services.publish_notice(None, notice, spec.public_text)
    with clock.frozen_at(ctx.now):
        services.mark_overdue_notices(ctx.now)
    ctx.summary.counts["notices"] = len(made)


def _walk(ctx: DemoContext, spec: DemoNotice) -> Notice:
    window = ctx.windows[spec.window]
    at = ctx.now - timedelta(days=spec.days_ago)
    with clock.frozen_at(at):
        notice = services.draft_notice(
            None, target_window=window, problem=spec.problem, requirement=spec.requirement,
            source=spec.source, kind=spec.kind, issuer_unit=ctx.units[spec.issuer],
            evidence=_evidence(window, spec, at),
            source_key=(f"ranking:{window.id}:demo" if spec.source == NoticeSource.RANKING
                        else None),
        )
    reports = 0
    for step, move in enumerate(spec.moves, start=1):
        moment = at + timedelta(days=step * spec.spacing, hours=step)
        with clock.frozen_at(min(moment, ctx.now - timedelta(hours=1))):
            if move == ISSUE:
                services.issue_notice(None, notice)
            elif move == ACK:
                services.acknowledge_notice(None, notice)
            elif move == REPORT:
                reports += 1
                services.submit_report(None, notice, MEASURES if reports == 1 else MORE_MEASURES,
                                       _files(reports))
            elif move == RETURN:
                services.return_notice(None, notice,
                                       "整改报告缺少公示情况的照片，请补充后重新报告。")
            elif move == VERIFY:
                services.verify_notice(None, notice, "经现场核查，整改到位，予以办结。")
            elif move == CANCEL:
                services.cancel_draft(None, notice, "已由窗口立行立改，无需下发通知。")
    return notice


def _evidence(window, spec: DemoNotice, before: datetime) -> dict:
    bad = list(db.session.scalars(
        select(Evaluation.id).where(Evaluation.window_id == window.id, Evaluation.level <= 2,
                                    Evaluation.created_at < before)
        .order_by(Evaluation.created_at.desc()).limit(3)))
    evidence: dict = {"chart": f"/dashboard/windows/{window.code}"}
    if bad:
        evidence["evaluations"] = bad
    if spec.source == NoticeSource.INSPECTION:
        evidence["inspection"] = {"ref": "DC-2026-07", "label": "第三季度暗访检查 第7项"}
    return evidence


def _files(report: int) -> list[tuple[str, io.BytesIO]]:
    """A photo of the window (drawn, not photographed) and, first time, a signed-in sheet."""
    image = Image.new("RGB", (640, 420), (236, 240, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 60, 600, 360), outline=(180, 30, 40), width=6)
    draw.rectangle((80, 110, 300, 320), fill=(200, 215, 230))
    draw.rectangle((340, 110, 560, 320), fill=(200, 215, 230))
    photo = io.BytesIO()
    image.save(photo, "JPEG", quality=80)
    photo.seek(0)
    files = [("窗口现场照片.jpg" if report == 1 else "公示照片.jpg", photo)]
    if report == 1:
        sheet = io.BytesIO()
        Image.new("RGB", (595, 842), (255, 255, 255)).save(sheet, "PDF")
        sheet.seek(0)
        files.append(("培训签到表.pdf", sheet))
    return files
