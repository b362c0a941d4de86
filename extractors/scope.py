"""Whether a paper is about one service or the capital programme (there a budget figure is the service's or the
programme's), or about adults (there a contact is an adult's)."""

from __future__ import annotations

import re
from dataclasses import replace

from models.records import Observation, Page
from models.taxonomy import Taxonomy, load_taxonomy

RULE = "kpi.none.service_paper"
RULE_ADULTS = "kpi.none.adults_paper"
RULE_CAPITAL = "kpi.none.capital_paper"

# the head of a paper: its council, meeting, report-of line and title
_HEAD_CHARS = 700
_SERVICE = re.compile(
    r"\b(?:adult social care|adults'? services|social care|children'?s services|children|education|schools|early years|"
    r"send|public health|health and wellbeing|housing|homelessness|waste|street scene|environment(?:al)?|highways|"
    r"transport|planning|licensing|regulatory|community safety|libraries|leisure|culture|revenues and benefits|"
    r"customer (?:services|experience)|parks)\b",
    re.I,
)
# a paper of the whole council: its plan, its corporate performance or its finances
_CORPORATE = re.compile(
    r"\b(?:corporate(?![- ](?:director|parenting|parent))|council plan|county plan|council[- ]wide|finance|financial|"
    r"budget|treasury|medium[- ]term|"
    r"revenue monitoring|capital programme|statement of accounts)\b",
    re.I,
)


def service_paper(pages: list[Page]) -> bool:
    """Does the paper's head name a service ("Libraries, Leisure and Culture", "Director of Public Health") more
    often than the whole council (its corporate plan, performance or finances; "tracks progress against the Council
    Plan" in a libraries report is one mention against three)?"""
    head = "\n".join(p.text for p in pages[:1])[:_HEAD_CHARS]
    return len(_SERVICE.findall(head)) > len(_CORPORATE.findall(head))


# "The Council's net revenue budget for 2025/26 is £15.8m", "the General Fund": the whole council's, said so
_WHOLE_COUNCIL = re.compile(
    r"\b(?:the\s+)?(?:council|authority)(?:'s|’s)|\bcouncil[- ]wide\b|\bwhole[- ]council\b|\bgeneral fund\b", re.I
)


# a paper about adults' services, and the words that still make a figure a child's
_ADULTS_PAPER = re.compile(r"\b(?:adult social care|adults'? (?:social )?(?:care|services)|adult care)\b", re.I)
_CHILDREN_PAPER = re.compile(r"\b(?:children|children'?s|young people|families|early help|schools?|education)\b", re.I)
_CHILD_WORDS = re.compile(
    r"\b(?:child|children|children'?s|young (?:people|person)|famil(?:y|ies)|care leavers?)\b", re.I
)


# a paper about the capital programme (not revenue): its overspends, outturns and savings are the programme's
_CAPITAL_PAPER = re.compile(
    r"\bcapital\s+(?:programme|monitoring|budget|strategy|outturn|investment|expenditure)\b", re.I
)
_REVENUE = re.compile(r"\brevenue\b", re.I)
_REVENUE_KPIS = frozenset({"revenue_budget_variance", "net_revenue_budget", "savings_delivered"})


def capital_paper(pages: list[Page]) -> bool:
    """Does the paper's head name the capital programme and not the revenue budget?"""
    head = "\n".join(p.text for p in pages[:1])[:_HEAD_CHARS]
    return bool(_CAPITAL_PAPER.search(head)) and not _REVENUE.search(head)


def adults_paper(pages: list[Page]) -> bool:
    """Does the paper's head name adults' social care and nothing of children's services?"""
    head = "\n".join(p.text for p in pages[:1])[:_HEAD_CHARS]
    return bool(_ADULTS_PAPER.search(head)) and not _CHILDREN_PAPER.search(head)


def council_kpis_in_service_paper(
    observations: list[Observation], pages: list[Page], sentences: dict[str, str], taxonomy: Taxonomy | None = None
) -> list[Observation]:
    """A whole-council KPI (taxonomy ``scope = "council"``) taken off the figures of a service's paper, and a children's
    social care KPI off those of an adults' paper unless the sentence names children, and a revenue KPI off those of
    a capital programme paper unless the sentence names revenue: "The service
    is forecasting a £148,000 underspend against its £9.86m net budget" is not the council's outturn; a sentence
    that names the council's own budget keeps it (``sentences``: text by id)."""
    service, adults, capital = service_paper(pages), adults_paper(pages), capital_paper(pages)
    if not (service or adults or capital):
        return observations
    taxonomy = taxonomy or load_taxonomy()
    out = []
    for o in observations:
        kpi = taxonomy.get(o.kpi) if o.kpi else None
        text = sentences.get(o.sentence_id, "")
        if kpi is not None and capital and kpi.id in _REVENUE_KPIS and not _REVENUE.search(text):
            # "the net overspend is £0.6m" in a capital monitoring report is the programme's, not the revenue budget's
            o = replace(o, kpi=None, rule=f"{o.rule}|{RULE_CAPITAL}")
        elif kpi is not None and service and kpi.scope == "council" and not _WHOLE_COUNCIL.search(text):
            o = replace(o, kpi=None, rule=f"{o.rule}|{RULE}")
        elif kpi is not None and adults and kpi.service == "childrens_social_care" and not _CHILD_WORDS.search(text):
            # "Contacts to the front door" of an adult social care dashboard are adults' contacts
            o = replace(o, kpi=None, rule=f"{o.rule}|{RULE_ADULTS}")
        out.append(o)
    return out
