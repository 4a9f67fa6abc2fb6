"""Chinese words: jieba cuts diary and feedback text into words, so that search matches whole words
(下水 finds 下水管道, not 水管) and the collective-demands view can count what people talk about."""
from __future__ import annotations

import logging
import re
from collections import Counter

import jieba
import jieba.analyse
from sqlalchemy import and_, literal
from sqlalchemy.orm import Session

jieba.setLogLevel(logging.WARNING)
# The community's own terms, so that 五号楼下水管道 is 五号楼 / 下水管道, not 楼下 / 水 / 管道.
DOMAIN_WORDS = ("下水管道", "下水道", "化粪池", "小广告", "占道经营", "电动车", "楼道", "楼道灯", "独居老人", "低保户",
                "残疾人", "消防通道", "消防栓", "垃圾清运", "健身器材", "停车难", "门禁", "路灯", "暖气", "漏水",
                "网格员", "楼长", "五号楼", "邻里节", "公益劳动", "互助站", "快递柜")
for _word in DOMAIN_WORDS:
    jieba.add_word(_word, freq=100000)
WORD = re.compile(r"[\w\u4e00-\u9fff]+")
# Words too common in the diary to say anything about a period.
STOP = {"居民", "社区", "反映", "问题", "情况", "进行", "已经", "没有", "需要", "希望", "一个", "我们", "他们",
        "今天", "网格", "工作", "要求", "表示", "时间", "处理", "相关", "目前", "联系"}


def words(text: str | None, for_search: bool = True) -> list[str]:
    cut = jieba.cut_for_search(text or "") if for_search else jieba.cut(text or "")
    return [word.lower() for word in cut if WORD.fullmatch(word)]


def index_text(text: str | None) -> str:
    """What is stored for search: the words, space-separated, with a space at each end."""
    return " " + " ".join(words(text)) + " "


def matches(column, query: str):
    """Every word of ``query`` is a whole word of ``column`` (an ``index_text``)."""
    terms = words(query, for_search=False) or [query.strip().lower()]
    escaped = [term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for term in terms]
    return and_(*[column.like(literal(f"% {term} %"), escape="\\") for term in escaped])


def top_keywords(texts, count: int = 15) -> list[tuple[str, int]]:
    """The most frequent meaningful words of ``texts`` (nouns and verbs of two characters or more)."""
    counter = Counter(word for text in texts for word in words(text, for_search=False)
                      if len(word) >= 2 and word not in STOP and not word.isdigit())
    return counter.most_common(count)


def index_words(session: Session, _context, _instances) -> None:
    from ..models import DiaryEntry

    for obj in [*session.new, *session.dirty]:
        if isinstance(obj, DiaryEntry):
            obj.search_words = index_text(obj.content)
