#!/usr/bin/python3
"""The peer of `beishen render packet` for tests/bench/bench_render.sh: the
same review packet laid out with ReportLab (Debian's python3-reportlab).

    /usr/bin/python3 tests/bench/reportlab_packet.py --files DB.files --out DIR
                     [--jobs N] SHOW.json...

Each SHOW.json is the output of `beishen show --db DB ID --json` (dumped once,
before either side is timed); each becomes DIR/<id>.pdf.  Attachments are
read from the file store DB.files/<aa>/<sha256>.<ext>.

The document follows render/packet.c: a cover (applicant table, completeness
warnings, counts per item with links, cadre table), A 修課紀錄 as one table
per course category with the same 10 columns and a cohort mini histogram
drawn per row, semester averages, the course-plan data the course names link
to, then B–R with every field, certification badges and attachments: PNG and
JPEG drawn scaled and framed, audio/video listed.  Running header and footer
with "n / N" (the page total is known because pages are held until save()),
a band on every page of a self-made-PDF application, one bookmark per item
(A with a child per course category), page labels per item (A-1, B-1 …).

Differences, each of which makes this side do less work than beishen:
  * PDF attachments are only listed (name, size, SHA-256): ReportLab cannot
    draw another PDF's pages, beishen re-renders and draws every page;
  * one font, HanaMinA (TrueType, from fonts-hanazono), with HanaMinB for
    characters beyond the BMP: ReportLab's TTFont cannot read the CFF-based
    Noto Sans CJK .ttc, and HanaMin has no bold, so bold is not drawn;
  * no glyph-coverage check, no sandboxing, no required-item lists (the
    bench database has none loaded).
"""
import argparse
import glob
import json
import math
import os
import sys
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (BaseDocTemplate, CondPageBreak, Flowable, Frame, PageBreak,
                                PageTemplate, Paragraph, Spacer, Table, TableStyle)
from reportlab.platypus.flowables import HRFlowable

FONT_A = "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf"
FONT_B = "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf"
FONT = "HanaMinA"
FONT_EXT = "HanaMinB"

SELF_MADE_BAND = "自行上傳PDF：無教師認證、無時點歷程紀錄"
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_SIDE = 56.0, 50.0, 48.0
BAND_HEIGHT, BAND_GAP = 20.0, 10.0
PAGE_W, PAGE_H = A4
CONTENT_W = PAGE_W - 2 * MARGIN_SIDE

HEADING = colors.HexColor(0x1F3A5F)
MUTED = colors.HexColor(0x555555)
GOOD = colors.HexColor(0x1B7F3B)
WARN = colors.HexColor(0xB3261E)
WARN_FILL = colors.HexColor(0xFDECEA)
NOTE_FILL = colors.HexColor(0xF3F6FA)
ZEBRA = colors.HexColor(0xF7F7F7)
HEADER_FILL = colors.HexColor(0xE4E8EE)
BORDER = colors.HexColor(0x8C8C8C)
RULE = colors.HexColor(0xA0A0A0)
BAR = colors.HexColor(0x9DB4CF)
MARKED = colors.HexColor(0x1F3A5F)
BAND = colors.HexColor(0xA8231E)

GROUP_BASIC = "基本資料"
GROUP_COURSES = "修課紀錄"


def style(name, size, color=colors.black, align=0):
    # Pango sets Noto CJK at about 1.45 x the size per line.
    return ParagraphStyle(name, fontName=FONT, fontSize=size, leading=size * 1.45,
                          textColor=color, alignment=align, wordWrap="CJK")


TITLE = style("title", 20, HEADING)
HEAD = style("heading", 15, HEADING)
SUBHEAD = style("subheading", 11.5, HEADING)
RECORD_TITLE = style("record", 11)
BODY = style("body", 9.5)
TEXT = style("text", 10.5)
MUTED_S = style("muted", 8.5, MUTED)
GOOD_S = style("good", 9.5, GOOD)
WARN_S = style("warn", 9.5, WARN)
CELL = style("cell", 8.5)
CELL_C = style("cellc", 8.5, align=TA_CENTER)
CELL_R = style("cellr", 8.5, align=TA_RIGHT)
TABLE_BODY = style("tbody", 10)
LABEL = style("label", 9.5, MUTED)


def markup(text):
    """Escapes text for a Paragraph and switches to HanaMinB outside the BMP."""
    text = escape(text or "")
    if all(ord(c) < 0x10000 for c in text):
        return text.replace("\n", "<br/>")
    out = []
    for c in text:
        out.append('<font name="%s">%s</font>' % (FONT_EXT, c) if ord(c) >= 0x10000 else c)
    return "".join(out).replace("\n", "<br/>")


def para(text, st, link=None):
    body = markup(text)
    if link:
        body = '<a href="#%s">%s</a>' % (link, body)
    return Paragraph(body, st)


# ---- canvas: pages held until save() so footers know the total ------------

class PacketCanvas(rl_canvas.Canvas):
    """Holds every page until save(), then draws the header, footer ("n / N")
    and band on each and binds the bookmarks made on it (bookmarks name the
    page being built, so they are replayed when each page really closes)."""

    def __init__(self, *args, **kwargs):
        self.packet = kwargs.pop("packet")
        rl_canvas.Canvas.__init__(self, *args, **kwargs)
        self._held = []
        self._marks = []
        self._item = None
        self._page_item = None

    def bookmarkPage(self, key, **kwargs):
        self._marks.append((key, kwargs))

    def bookmarkHorizontal(self, key, relativeX, relativeY, **kwargs):
        left, top = self.absolutePosition(relativeX, relativeY)
        self._marks.append((key, dict(fit="XYZ", left=left, top=top, zoom=0)))

    def showPage(self):
        self._held.append(dict(self.__dict__))
        self._marks = []
        self._page_item = self._item
        self._startPage()

    def save(self):
        total = len(self._held)
        for number, state in enumerate(self._held, 1):
            self.__dict__.update(state)
            self.decorate(number, total)
            for key, kwargs in self._marks:
                rl_canvas.Canvas.bookmarkPage(self, key, **kwargs)
            rl_canvas.Canvas.showPage(self)
        rl_canvas.Canvas.save(self)

    def decorate(self, number, total):
        p = self.packet
        left, right = MARGIN_SIDE, PAGE_W - MARGIN_SIDE
        self.saveState()
        self.setFont(FONT, 8)
        self.setFillColor(MUTED)
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        rule_y = PAGE_H - (MARGIN_TOP - 10)
        self.drawString(left, rule_y + 4, p.header_left)
        self.drawRightString(right, rule_y + 4, p.header_right)
        self.line(left, rule_y, right, rule_y)
        rule_y = MARGIN_BOTTOM - 10
        self.line(left, rule_y, right, rule_y)
        self.drawString(left, rule_y - 11, p.round)
        if self._page_item:
            self.drawCentredString(PAGE_W / 2, rule_y - 11, self._page_item)
        self.drawRightString(right, rule_y - 11, "%d / %d" % (number, total))
        if p.self_made:
            self.setFillColor(BAND)
            self.rect(left, PAGE_H - MARGIN_TOP - BAND_HEIGHT, CONTENT_W, BAND_HEIGHT,
                      stroke=0, fill=1)
            self.setFillColor(colors.white)
            self.setFont(FONT, 10.5)
            self.drawCentredString(PAGE_W / 2, PAGE_H - MARGIN_TOP - BAND_HEIGHT + 6,
                                   SELF_MADE_BAND)
        self.restoreState()


# ---- flowables -------------------------------------------------------------

class Section(Flowable):
    """Zero-size marker at the top of a section's first page: page labels,
    the running item, a destination and an outline entry."""

    def __init__(self, destination, title, level, label_prefix=None, item=None):
        Flowable.__init__(self)
        self.destination, self.title, self.level = destination, title, level
        self.label_prefix, self.item = label_prefix, item
        self.width = self.height = 0

    def wrap(self, aw, ah):
        return 0, 0

    def draw(self):
        c = self.canv
        if self.label_prefix:
            c.addPageLabel(c.getPageNumber() - 1, style="D", start=1, prefix=self.label_prefix)
        if self.item:
            c._item = c._page_item = self.item
        c.bookmarkPage(self.destination, fit="XYZ", top=PAGE_H - MARGIN_TOP, left=0, zoom=0)
        if self.title:
            c.addOutlineEntry(self.title, self.destination, level=self.level, closed=False)


class Anchor(Flowable):
    def __init__(self, destination):
        Flowable.__init__(self)
        self.destination = destination

    def wrap(self, aw, ah):
        return 0, 0

    def draw(self):
        self.canv.bookmarkHorizontal(self.destination, 0, 0)


class MiniHistogram(Flowable):
    """Ten bars of a course's school cohort, the applicant's bin marked."""

    def __init__(self, counts, marked, width, height=16):
        Flowable.__init__(self)
        self.counts, self.marked = counts, marked
        self.width, self.height = width, height

    def wrap(self, aw, ah):
        return self.width, self.height

    def draw(self):
        c = self.canv
        top = max(self.counts) or 1
        bin_w = self.width / 10.0
        gap = max(0.5, bin_w * 0.12)
        for k, n in enumerate(self.counts):
            if n:
                c.setFillColor(MARKED if k == self.marked else BAR)
                c.rect(k * bin_w + gap / 2, 0, bin_w - gap, self.height * n / top, stroke=0, fill=1)
        c.setStrokeColor(MUTED)
        c.setLineWidth(0.5)
        c.line(0, 0, self.width, 0)


class FramedImage(Flowable):
    def __init__(self, path, max_w, max_h):
        Flowable.__init__(self)
        self.path = path
        iw, ih = ImageReader(path).getSize()
        scale = min(max_w / iw, max_h / ih, 1.0)
        self.iw, self.ih = iw * scale, ih * scale
        self.width, self.height = max_w, self.ih

    def wrap(self, aw, ah):
        return self.width, self.height

    def draw(self):
        x = (self.width - self.iw) / 2
        self.canv.drawImage(self.path, x, 0, self.iw, self.ih)
        self.canv.setStrokeColor(colors.HexColor(0x808080))
        self.canv.setLineWidth(0.5)
        self.canv.rect(x, 0, self.iw, self.ih)


def table(rows, widths, header=True, padding=4, zebra=True, border=0.5, st=None):
    t = Table(rows, colWidths=widths, repeatRows=1 if header else 0, splitByRow=1)
    cmds = [("FONT", (0, 0), (-1, -1), FONT, 8.5, 8.5 * 1.45),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("GRID", (0, 0), (-1, -1), border, BORDER),
            ("LEFTPADDING", (0, 0), (-1, -1), padding), ("RIGHTPADDING", (0, 0), (-1, -1), padding),
            ("TOPPADDING", (0, 0), (-1, -1), padding), ("BOTTOMPADDING", (0, 0), (-1, -1), padding)]
    if header:
        cmds.append(("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL))
    if zebra:
        cmds.append(("ROWBACKGROUNDS", (0, 1 if header else 0), (-1, -1), [None, ZEBRA]))
    if st:
        cmds.extend(st)
    t.setStyle(TableStyle(cmds))
    return t


def notice(text, st, frame, fill):
    t = Table([[para(text, st)]], colWidths=[CONTENT_W])
    t.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1, frame), ("BACKGROUND", (0, 0), (-1, -1), fill),
                           ("LEFTPADDING", (0, 0), (-1, -1), 8), ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                           ("TOPPADDING", (0, 0), (-1, -1), 8), ("BOTTOMPADDING", (0, 0), (-1, -1), 8)]))
    return t


def rule(width, color):
    return HRFlowable(width="100%", thickness=width, color=color, spaceBefore=0, spaceAfter=0)


# ---- the packet ------------------------------------------------------------

def fmt_score(v):
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        return "—"
    if abs(v - round(v)) < 1e-9:
        return "%.0f" % v
    if abs(v * 10 - round(v * 10)) < 1e-9:
        return "%.1f" % v
    return "%.2f" % v


def fmt_size(n):
    return "%.1f MB" % (n / 1048576.0) if n >= 1048576 else "%.0f KB" % math.ceil(n / 1024.0)


def fmt_time(t):
    return "%s %s" % (t[:10], t[11:16]) if t and len(t) >= 16 else "—"


def item_code(category):
    name = category.get("category", "")
    return name[0] if len(name) > 1 and name[1] == " " and name[0].isascii() else None


KINDS = {"cadre": "幹部", "competition": "競賽", "certificate": "檢定證照", "service": "服務學習",
         "flexible_learning": "彈性學習", "group_activity": "團體活動", "workplace": "職場學習",
         "work": "作品成果", "advanced_course": "大學先修課程", "other": "其他"}
RECORD_TYPES = {"makeup": "補修", "retake": "重修", "reread": "重讀", "transfer": "抵免"}
ITEM_NAMES = {"O": "高中學習歷程反思", "P": "就讀動機", "Q": "未來學習計畫與生涯規劃"}


class Packet:
    def __init__(self, show, files_dir):
        self.show = show
        self.files_dir = files_dir
        self.self_made = bool(show.get("self_made"))
        self.student = show.get("student") or {}
        self.round = show.get("round") or ""
        self.header_left = "%s %s %s" % (show.get("university_name", ""), show.get("department", ""),
                                         show.get("department_name", ""))
        self.header_right = "應試號碼 %s　%s　%s" % (show.get("application_no", ""),
                                                 self.student.get("name", ""),
                                                 self.student.get("national_id", ""))
        self.story = []

    def categories(self):
        return self.show.get("categories") or []

    def course_categories(self):
        if self.self_made:
            return []
        return [c for c in self.categories() if c.get("group") == GROUP_COURSES]

    def item_categories(self):
        return [c for c in self.categories()
                if c.get("group") != GROUP_BASIC and item_code(c)
                and not (c.get("group") == GROUP_COURSES and not self.self_made)]

    def find(self, prefix):
        for c in self.categories():
            if c.get("category", "").startswith(prefix):
                return c
        return None

    # -- cover
    def warnings(self):
        lines = []
        for g in ("修課紀錄", "課程學習成果", "多元表現", "學習歷程自述"):
            if not any(c.get("group") == g and c.get("records") for c in self.categories()):
                lines.append("・「%s」沒有任何資料" % g)
        for s in "OPQ":
            c = self.find(s + " ")
            if not any((r.get("text") or r.get("files")) for r in (c or {}).get("records", [])):
                lines.append("・學習歷程自述 %s %s：空白或未提供" % (s, ITEM_NAMES[s]))
        for c in self.categories():
            for r in c.get("records", []):
                if r.get("type") == "outcome" and not r.get("certified"):
                    lines.append("・%s「%s」未經教師認證" % (c.get("category"), r.get("title", "")))
        return "\n".join(lines)

    def cover(self):
        s, st, add = self.show, self.student, self.story.append
        add(Section("cover", "封面", 0, "封面-", "封面"))
        add(para("個人申請　審查資料", TITLE))
        add(para("%s　%s　%s" % (s.get("university_name", ""), s.get("department_name", ""), self.round),
                 style("coverline", 11, MUTED)))
        add(Spacer(0, 10))
        if self.self_made:
            add(notice("本申請者以「自行上傳PDF」提供審查資料\n無教師認證、無時點歷程紀錄；內容由申請者"
                       "自行製作，請與學習歷程檔案分開審閱。", style("sm", 13, WARN), WARN, WARN_FILL))
            add(Spacer(0, 8))
        rows = [("姓名", st.get("name", "")), ("應試號碼", s.get("application_no", "")),
                ("身分證字號", st.get("national_id", "")),
                ("就讀學校", "%s（%s）" % (st.get("school_name", ""), st.get("school_code", ""))),
                ("科班・班級座號", "%s　%s班 %s號" % (st.get("program", ""), st.get("class_name", ""),
                                                st.get("seat_no", ""))),
                ("學籍", "%s 學年度入學，%s 學年度畢業（%s）" % (st.get("entry_year", ""),
                                                        st.get("graduation_year", ""), st.get("status", ""))),
                ("申請校系", "%s %s（%s）" % (s.get("university_name", ""), s.get("department_name", ""),
                                          s.get("department", ""))),
                ("招生管道", self.round),
                ("資料來源", "自行上傳PDF（無學習歷程檔案）" if self.self_made else "學習歷程中央資料庫"),
                ("送出時間", fmt_time(s.get("submitted_at")))]
        add(table([[para(a, LABEL), para(b, TABLE_BODY)] for a, b in rows], [90, CONTENT_W - 90],
                  header=False))
        add(Spacer(0, 12))
        w = self.warnings()
        if w:
            add(para("完整性提醒", SUBHEAD))
            add(Spacer(0, 3))
            add(notice(w, style("warnings", 9.5, WARN), WARN, WARN_FILL))
            add(Spacer(0, 10))
        add(para("資料項目", SUBHEAD))
        add(Spacer(0, 3))
        rows = [["項目", "類別", "筆數"]]
        courses = sum(len(c.get("records", [])) for c in self.course_categories())
        if courses:
            rows.append([para("A 修課紀錄", CELL, "item-A"), "修課紀錄", para(str(courses), CELL_R)])
        for c in self.item_categories():
            rows.append([para(c["category"], CELL, "item-" + item_code(c)), c.get("group", ""),
                         para(str(len(c.get("records", []))), CELL_R)])
        add(table(rows, [CONTENT_W - 170, 110, 60]))
        cadres = [r for r in (self.find(GROUP_BASIC) or {}).get("records", []) if r.get("type") == "cadre"]
        if cadres:
            add(Spacer(0, 10))
            add(para("幹部經歷（學校登錄）", SUBHEAD))
            add(Spacer(0, 3))
            levels = {1: "校級", 2: "班級", 3: "社團"}
            rows = [["單位", "職稱", "期間", "層級"]]
            for r in cadres:
                rows.append([para(r.get("unit", ""), CELL), para(r.get("title", ""), CELL),
                             "%s ~ %s" % (r.get("start", ""), r.get("end", "")),
                             levels.get(r.get("level"), "")])
            rest = (CONTENT_W - 200) / 2
            add(table(rows, [rest, rest, 150, 50], zebra=False))

    # -- A
    COURSE_WIDTHS = [38, None, 26, 34, 30, 28, 34, 36, 64, 48]
    COURSE_HEADER = ["學年期", "科目名稱", "學分", "成績", "補考", "及格", "採計", "校排", "校內分布", "申請者PR"]

    def course_table(self, category):
        widths = list(self.COURSE_WIDTHS)
        widths[1] = CONTENT_W - sum(w for w in widths if w)
        rows = [self.COURSE_HEADER]
        for r in category.get("records", []):
            rtype = RECORD_TYPES.get(r.get("record_type"))
            name = r.get("name", "") + ("（%s）" % rtype if rtype else "")
            score = "修課中" if r.get("in_progress") else fmt_score(r.get("score"))
            makeup = fmt_score(r["makeup_score"]) if isinstance(r.get("makeup_score"), (int, float)) else ""
            passed = r.get("passed")
            rank = "前%d%%" % r["cohort_rank_pct"] if isinstance(r.get("cohort_rank_pct"), int) else ""
            pool = ("%.1f\n(n=%d)" % (r["pool_percentile"], r.get("pool_n") or 0)
                    if isinstance(r.get("pool_percentile"), (int, float)) else "")
            cohort = r.get("cohort_histogram")
            hist = ""
            if isinstance(cohort, list) and len(cohort) == 10:
                sc = r.get("score")
                marked = min(int(sc // 10), 9) if isinstance(sc, (int, float)) and sc >= 0 else -1
                hist = MiniHistogram(cohort, marked, widths[8] - 6)
            rows.append(["%s-%s" % (r.get("year"), r.get("semester")),
                         para(name, CELL, "plan-" + r.get("code", "")),
                         str(r.get("credits", "")), score, makeup,
                         "—" if passed is None else ("是" if passed else "否"),
                         {1: "採計", 2: "不採計"}.get(r.get("counted"), "不計分"), rank, hist, pool])
        right = [("ALIGN", (c, 1), (c, -1), "RIGHT") for c in (2, 3, 4)]
        centre = [("ALIGN", (c, 1), (c, -1), "CENTER") for c in (0, 5, 6, 7, 9)]
        return table(rows, widths, padding=3, st=right + centre)

    def semester_averages(self):
        terms = {}
        for c in self.course_categories():
            for r in c.get("records", []):
                if not r.get("graded") or r.get("counted") != 1 or (r.get("credits") or 0) <= 0:
                    continue
                t = terms.setdefault((r["year"], r["semester"]), [0.0, 0.0])
                t[0] += r["score"] * r["credits"]
                t[1] += r["credits"]
        if not terms:
            return
        add = self.story.append
        add(Spacer(0, 10))
        add(Anchor("averages"))
        add(para("學期成績加權平均（採計且已評分之科目，依學分加權）", SUBHEAD))
        add(Spacer(0, 3))
        rows = [["學年期", "採計學分", "學期加權平均"]]
        for (y, s), (w, cr) in sorted(terms.items()):
            rows.append(["%d-%d" % (y, s), "%.0f" % cr, "%.2f" % (w / cr)])
        add(table(rows, [CONTENT_W / 3] * 3, zebra=False, st=[("ALIGN", (0, 1), (-1, -1), "CENTER")]))

    def course_plans(self):
        add = self.story.append
        add(PageBreak())
        add(Section("plans", "課程計畫資料", 1))
        add(para("課程計畫資料（課程計畫平臺）", SUBHEAD))
        add(Spacer(0, 4))
        seen = set()
        for c in self.course_categories():
            for r in c.get("records", []):
                code = r.get("code", "")
                if code in seen:
                    continue
                seen.add(code)
                plan = r.get("catalog") or {}
                add(Spacer(0, 5))
                add(Anchor("plan-" + code))
                add(para("%s　%s" % (r.get("subject", ""), code), RECORD_TITLE))
                add(para("%s　領域：%s　來源：%s　核心素養：%s　跨領域：%s　授課：%s" % (
                    c.get("category", ""), plan.get("domain") or "", plan.get("origin") or "",
                    "、".join(plan.get("competencies") or []) or "—", plan.get("cross_domain") or "—",
                    "、".join(plan.get("teacher_source") or []) or "—"), MUTED_S))
                syllabus = plan.get("syllabus") or ""
                if syllabus:
                    add(para(syllabus[:160] + ("……" if len(syllabus) > 160 else ""), BODY))

    def begin_section(self, code, title):
        add = self.story.append
        if len(self.story):
            add(PageBreak())
        add(Section("item-" + code, title, 0, code + "-", title))
        add(para(title, HEAD))
        add(rule(1.2, HEADING))
        add(Spacer(0, 6))

    def section_courses(self):
        self.begin_section("A", "A 修課紀錄")
        add = self.story.append
        add(para("校排：同校修習相同課程代碼者中的排名百分比 floor((名次−1)×100/人數)+1，1 為最前。"
                 "校內分布：各 10 分一組的人數，深色為申請者所在組。"
                 "申請者PR：本系申請者同課程代碼、同學期成績中的百分等級（同分計一半）。"
                 "科目名稱連結至課程計畫資料。", MUTED_S))
        for index, c in enumerate(self.course_categories()):
            add(Spacer(0, 8))
            add(CondPageBreak(60))
            add(Section("course-category-%d" % index, c.get("category", ""), 1))
            add(para(c.get("category", ""), SUBHEAD))
            add(Spacer(0, 2))
            add(self.course_table(c))
        self.semester_averages()
        self.course_plans()

    # -- B–R
    def attachments(self, record):
        add = self.story.append
        for n, f in enumerate(record.get("files") or [], 1):
            media = f.get("media_type", "")
            add(Spacer(0, 4))
            add(para("附件 %d：%s（%s，%s）" % (n, f.get("name", ""), media, fmt_size(f.get("size", 0))),
                     MUTED_S))
            sha = f.get("sha256", "")
            if media.startswith("audio/") or media.startswith("video/"):
                add(notice("%s檔案，請於審查系統播放。\nSHA-256 %s" % ("音訊" if media[0] == "a" else "影片", sha),
                           BODY, colors.HexColor(0xAAAAAA), NOTE_FILL))
            elif media == "application/pdf":
                add(notice("PDF 附件（本版未繪製頁面）\nSHA-256 %s" % sha, BODY,
                           colors.HexColor(0xAAAAAA), NOTE_FILL))
            else:
                found = glob.glob(os.path.join(self.files_dir, sha[:2], sha + ".*"))
                try:
                    add(FramedImage(found[0], CONTENT_W, 420))
                except Exception as e:  # noqa: BLE001 — a bad image becomes a placeholder
                    add(notice("附件無法顯示\n%s\nSHA-256 %s\n%s" % (f.get("name", ""), sha, e),
                               WARN_S, WARN, WARN_FILL))

    def outcome(self, r):
        add = self.story.append
        add(para(r.get("title", ""), RECORD_TITLE))
        add(para("課程：%s（%s）　%s 學年度第 %s 學期" % (r.get("course_name", ""), r.get("course_code", ""),
                                                r.get("year"), r.get("semester")), MUTED_S))
        if r.get("certified"):
            add(para("【教師認證】認證時間 %s" % fmt_time(r.get("certified_at")), GOOD_S))
        else:
            add(para("【未認證】教師未認證此成果來自該課程", WARN_S))
        add(para("上傳時間 %s" % fmt_time(r.get("uploaded_at")), MUTED_S))
        if r.get("summary"):
            add(Spacer(0, 2))
            add(para(r["summary"], BODY))
        self.attachments(r)

    def performance(self, r):
        add = self.story.append
        add(para(r.get("title", ""), RECORD_TITLE))
        hours = "%g 小時" % r["hours"] if isinstance(r.get("hours"), (int, float)) else "—"
        add(para("%s　主辦：%s　期間：%s ~ %s　%s 學年度第 %s 學期" % (
            KINDS.get(r.get("kind"), r.get("kind", "")), r.get("organizer") or "—", r.get("start") or "—",
            r.get("end") or "—", r.get("year"), r.get("semester")), MUTED_S))
        add(para("層級：%s　獎項：%s　時數：%s　上傳時間 %s" % (
            r.get("level") or "—", r.get("award") or "—", hours, fmt_time(r.get("uploaded_at"))), MUTED_S))
        if r.get("summary"):
            add(Spacer(0, 2))
            add(para(r["summary"], BODY))
        for link in r.get("links") or []:
            add(para("連結：%s" % link, MUTED_S))
        self.attachments(r)

    def upload(self, r):
        add = self.story.append
        add(para(r.get("title", ""), RECORD_TITLE))
        text = r.get("text") or ""
        if text:
            add(para("共 %d 字" % len(text), MUTED_S))
            add(Spacer(0, 4))
            for paragraph in text.split("\n"):
                add(para(paragraph, TEXT))
        elif not r.get("files"):
            add(notice("未提供內容", WARN_S, WARN, WARN_FILL))
        self.attachments(r)

    def section_item(self, category):
        name = category.get("category", "")
        self.begin_section(item_code(category), name)
        for i, r in enumerate(category.get("records", [])):
            if i:
                self.story += [Spacer(0, 8), rule(0.5, colors.HexColor(0xBBBBBB)), Spacer(0, 6)]
            kind = r.get("type")
            if kind == "outcome":
                self.outcome(r)
            elif kind == "performance":
                self.performance(r)
            else:
                self.upload(r)

    def build(self, path):
        self.cover()
        if self.course_categories():
            self.section_courses()
        for c in self.item_categories():
            self.section_item(c)
        top = MARGIN_TOP + (BAND_HEIGHT + BAND_GAP if self.self_made else 0)
        frame = Frame(MARGIN_SIDE, MARGIN_BOTTOM, CONTENT_W, PAGE_H - top - MARGIN_BOTTOM,
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        doc = BaseDocTemplate(path, pagesize=A4, pageTemplates=[PageTemplate("page", [frame])],
                              title="審查資料 %s %s" % (self.show.get("id", ""), self.student.get("name", "")),
                              author="reportlab_packet", subject=self.round, pageCompression=1)
        packet = self

        def make_canvas(*args, **kwargs):
            return PacketCanvas(*args, packet=packet, **kwargs)
        doc.build(self.story, canvasmaker=make_canvas)


def render(paths, files_dir, out_dir):
    status = 0
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                show = json.load(f)
            Packet(show, files_dir).build(os.path.join(out_dir, show["id"] + ".pdf"))
        except Exception as e:  # noqa: BLE001 — report and go on, like beishen's batch
            print("reportlab_packet: %s: %s" % (path, e), file=sys.stderr)
            status = 1
    return status


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", required=True, help="the file store, DB.files")
    ap.add_argument("--out", required=True)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("json", nargs="+")
    a = ap.parse_args()
    pdfmetrics.registerFont(TTFont(FONT, FONT_A))
    pdfmetrics.registerFont(TTFont(FONT_EXT, FONT_B))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT, italic=FONT, boldItalic=FONT)
    os.makedirs(a.out, exist_ok=True)
    if a.jobs <= 1:
        return render(a.json, a.files, a.out)
    # Like `beishen render packet --jobs N`: N forked workers, every Nth packet.
    children = []
    for w in range(a.jobs):
        pid = os.fork()
        if pid == 0:
            os._exit(render(a.json[w::a.jobs], a.files, a.out))
        children.append(pid)
    status = 0
    for pid in children:
        _, code = os.waitpid(pid, 0)
        status = status or (1 if code else 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
